//! A real OpenSSH server for the ssh:// tests: Debian's `sshd` on a free loopback port with
//! its own host key, in a temp dir, killed on drop. The local engine is behind it: a
//! session runs the real `docker system dial-stdio`.
//!
//! Clients get a private `ssh_config` per case ([`TestSshd::ssh_options`]): which key
//! (authorized, authorized but with a PATH that has no docker, or unknown to the server)
//! and which `known_hosts` (the server's key, none, or another key for the same host).
//! [`ssh_processes`] and [`TestSshd::client_connections`] count what wharf opened.
#![allow(dead_code)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use wharf::docker::SshOptions;

const SSHD: &str = "/usr/sbin/sshd";
const READY_TIMEOUT: Duration = Duration::from_secs(20);
const START_ATTEMPTS: usize = 3;

/// Which key the client offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientKey {
    /// In `authorized_keys`, no restrictions.
    Authorized,
    /// In `authorized_keys`, but its sessions run with a PATH that holds no `docker`.
    NoDocker,
    /// Not in `authorized_keys`.
    Unauthorized,
}

/// What the client's `known_hosts` says about the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostKeys {
    /// The server's real key.
    Known,
    /// Nothing.
    Unknown,
    /// Another key for the same host and port.
    Changed,
}

/// Whether this machine can run the ssh tests (sshd and ssh installed).
pub fn sshd_available() -> bool {
    Path::new(SSHD).exists() && Command::new("ssh").arg("-V").output().is_ok()
}

/// A running `sshd -D`, killed on drop.
pub struct TestSshd {
    child: Child,
    dir: tempfile::TempDir,
    port: u16,
    user: String,
}

impl TestSshd {
    /// Starts sshd; sessions see `DOCKER_HOST=docker_host` so `docker system dial-stdio`
    /// reaches the engine the tests use.
    pub fn start(docker_host: &str) -> TestSshd {
        // sshd refuses to start without its privilege separation directory.
        std::fs::create_dir_all("/run/sshd").expect("create /run/sshd");
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path();
        keygen(&path.join("host_key"));
        keygen(&path.join("other_host_key"));
        keygen(&path.join("user_key"));
        keygen(&path.join("no_docker_key"));
        keygen(&path.join("stranger_key"));
        let empty_path = path.join("empty-path");
        std::fs::create_dir(&empty_path).unwrap();
        let authorized = format!(
            "{}\ncommand=\"env PATH={} /bin/sh -c \\\"$SSH_ORIGINAL_COMMAND\\\"\" {}\n",
            read(&path.join("user_key.pub")),
            empty_path.display(),
            read(&path.join("no_docker_key.pub")),
        );
        write_private(&path.join("authorized_keys"), &authorized);
        let user = String::from_utf8(Command::new("id").arg("-un").output().unwrap().stdout)
            .unwrap()
            .trim()
            .to_string();
        let mut last_log = String::new();
        for _ in 0..START_ATTEMPTS {
            let port = super::net::free_port();
            let config = path.join("sshd_config");
            std::fs::write(
                &config,
                format!(
                    "Port {port}\nListenAddress 127.0.0.1\nHostKey {host_key}\n\
                     AuthorizedKeysFile {authorized}\nStrictModes no\nUsePAM no\n\
                     PasswordAuthentication no\nKbdInteractiveAuthentication no\n\
                     PermitRootLogin prohibit-password\nPidFile none\nUseDNS no\n\
                     PrintMotd no\nMaxSessions 10\nMaxStartups 100\n\
                     SetEnv DOCKER_HOST={docker_host}\n",
                    host_key = path.join("host_key").display(),
                    authorized = path.join("authorized_keys").display(),
                ),
            )
            .unwrap();
            let mut child = Command::new(SSHD)
                .arg("-D")
                .arg("-e")
                .arg("-f")
                .arg(&config)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .expect("start sshd");
            match super::net::wait_for_log_line(
                &mut child,
                &path.join("sshd.log"),
                "Server listening on",
                READY_TIMEOUT,
            ) {
                Ok(()) => {
                    return TestSshd {
                        child,
                        dir,
                        port,
                        user,
                    };
                }
                Err(log) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    if !log.contains("Address already in use") {
                        panic!("sshd did not start:\n{log}");
                    }
                    last_log = log;
                }
            }
        }
        panic!("sshd did not start after {START_ATTEMPTS} attempts:\n{last_log}");
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// `ssh://USER@127.0.0.1:PORT`, with an optional remote socket path.
    pub fn address(&self) -> String {
        format!("ssh://{}@127.0.0.1:{}", self.user, self.port)
    }

    /// ssh options for one case: `-F` a private config naming the key and `known_hosts`.
    pub fn ssh_options(&self, key: ClientKey, hosts: HostKeys) -> SshOptions {
        self.ssh_options_at(key, hosts, self.port)
    }

    /// Options for reaching this server through a proxy on `port` (which `known_hosts`
    /// must name), with the authorized key.
    pub fn ssh_options_via(&self, port: u16) -> SshOptions {
        self.ssh_options_at(ClientKey::Authorized, HostKeys::Known, port)
    }

    fn ssh_options_at(&self, key: ClientKey, hosts: HostKeys, port: u16) -> SshOptions {
        let path = self.dir.path();
        let key_file = match key {
            ClientKey::Authorized => "user_key",
            ClientKey::NoDocker => "no_docker_key",
            ClientKey::Unauthorized => "stranger_key",
        };
        let known_hosts = path.join(format!("known_hosts_{hosts:?}_{port}"));
        let host_key = match hosts {
            HostKeys::Known => Some("host_key.pub"),
            HostKeys::Unknown => None,
            HostKeys::Changed => Some("other_host_key.pub"),
        };
        let line = host_key
            .map(|file| format!("[127.0.0.1]:{port} {}\n", read(&path.join(file))))
            .unwrap_or_default();
        std::fs::write(&known_hosts, line).unwrap();
        let config = path.join(format!("ssh_config_{key:?}_{hosts:?}_{port}"));
        write_private(
            &config,
            &format!(
                "Host *\n  IdentityFile {key}\n  IdentitiesOnly yes\n  IdentityAgent none\n  \
                 UserKnownHostsFile {known_hosts}\n  GlobalKnownHostsFile /dev/null\n  \
                 StrictHostKeyChecking yes\n  UpdateHostKeys no\n",
                key = path.join(key_file).display(),
                known_hosts = known_hosts.display(),
            ),
        );
        SshOptions {
            extra_args: vec!["-F".into(), config.to_string_lossy().into_owned()],
            ..SshOptions::default()
        }
    }

    /// Established TCP connections from clients to this sshd: one per ssh login.
    pub fn client_connections(&self) -> usize {
        established_to(self.port)
    }
}

impl Drop for TestSshd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The ssh processes that talk to `port`: (masters, sessions), by their arguments.
pub fn ssh_processes(port: u16) -> (Vec<SshProcess>, Vec<SshProcess>) {
    let port = port.to_string();
    let mut masters = Vec::new();
    let mut sessions = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) else {
            continue;
        };
        let args: Vec<String> = cmdline
            .split(|b| *b == 0)
            .filter(|a| !a.is_empty())
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect();
        let is_ssh = args
            .first()
            .is_some_and(|a| a == "ssh" || a.ends_with("/ssh"));
        let to_port = args.windows(2).any(|w| w[0] == "-p" && w[1] == port);
        if !is_ssh || !to_port {
            continue;
        }
        let process = SshProcess { pid, args };
        if process.args.iter().any(|a| a == "ControlMaster=yes") {
            masters.push(process);
        } else if process.args.iter().any(|a| a == "ControlMaster=no") {
            sessions.push(process);
        }
    }
    (masters, sessions)
}

/// One ssh process found in /proc.
#[derive(Debug, Clone)]
pub struct SshProcess {
    pub pid: u32,
    pub args: Vec<String>,
}

impl SshProcess {
    /// The `-S` control socket path.
    pub fn control_path(&self) -> PathBuf {
        let at = self
            .args
            .iter()
            .position(|a| a == "-S")
            .expect("-S argument");
        PathBuf::from(&self.args[at + 1])
    }
}

/// Waits (bounded) until `condition` holds; panics with `what` otherwise.
pub fn wait_until(what: &str, mut condition: impl FnMut() -> bool) {
    let started = Instant::now();
    while !condition() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "timed out waiting until {what}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Established connections whose remote port is `port`, from /proc/net/tcp.
fn established_to(port: u16) -> usize {
    let table = std::fs::read_to_string("/proc/net/tcp").unwrap_or_default();
    let wanted = format!(":{port:04X}");
    table
        .lines()
        .skip(1)
        .filter(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            // sl local_address rem_address st …; 01 is ESTABLISHED.
            fields.len() > 3 && fields[2].ends_with(&wanted) && fields[3] == "01"
        })
        .count()
}

fn keygen(path: &Path) {
    let status = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", "wharf-test", "-f"])
        .arg(path)
        .stdin(Stdio::null())
        .status()
        .expect("run ssh-keygen");
    assert!(status.success(), "ssh-keygen failed");
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap().trim().to_string()
}

fn write_private(path: &Path, text: &str) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).unwrap();
}
