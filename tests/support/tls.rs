//! A TLS engine for tests: `socat` listening with TLS on a free loopback port (requiring a
//! client certificate signed by the test CA) in front of the local engine's unix socket,
//! and the certificates, made with rcgen in a temp dir: a CA, another CA, server
//! certificates (valid, expired) and client certificates (valid, from the other CA,
//! expired).
#![allow(dead_code)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose,
};
use wharf::docker::target::TlsFiles;

const READY_TIMEOUT: Duration = Duration::from_secs(20);
const START_ATTEMPTS: usize = 3;

/// Whether socat is installed.
pub fn socat_available() -> bool {
    Command::new("socat").arg("-V").output().is_ok()
}

/// Which client certificate a client presents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientCert {
    /// Signed by the CA the endpoint trusts.
    Valid,
    /// Signed by another CA.
    OtherCa,
    /// Signed by the right CA, expired in 2020.
    Expired,
    /// No cert.pem and key.pem at all.
    Missing,
}

/// Which CA the client checks the endpoint against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServerTrust {
    /// The CA that signed the endpoint's certificate.
    RightCa,
    /// Another CA.
    WrongCa,
}

/// The test's certificates, written as PEM files in a temp dir.
pub struct TestPki {
    dir: tempfile::TempDir,
    ca: CertifiedIssuer<'static, KeyPair>,
    other_ca: CertifiedIssuer<'static, KeyPair>,
}

impl TestPki {
    pub fn new() -> TestPki {
        let dir = tempfile::tempdir().unwrap();
        let pki = TestPki {
            dir,
            ca: make_ca("wharf test CA"),
            other_ca: make_ca("some other CA"),
        };
        std::fs::write(pki.path("ca.pem"), pki.ca.pem()).unwrap();
        std::fs::write(pki.path("other-ca.pem"), pki.other_ca.pem()).unwrap();
        pki.write_leaf("server", &pki.ca, false, true);
        pki.write_leaf("expired-server", &pki.ca, true, true);
        pki
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Signs a certificate for 127.0.0.1/localhost and writes `NAME.pem` and `NAME-key.pem`.
    fn write_leaf(
        &self,
        name: &str,
        issuer: &CertifiedIssuer<'static, KeyPair>,
        expired: bool,
        server: bool,
    ) {
        let key = KeyPair::generate().unwrap();
        let mut params =
            CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".to_string()]).unwrap();
        params
            .distinguished_name
            .push(DnType::CommonName, format!("wharf test {name}"));
        params.extended_key_usages = vec![if server {
            ExtendedKeyUsagePurpose::ServerAuth
        } else {
            ExtendedKeyUsagePurpose::ClientAuth
        }];
        if expired {
            params.not_before = rcgen::date_time_ymd(2019, 1, 1);
            params.not_after = rcgen::date_time_ymd(2020, 1, 1);
        }
        let cert = params.signed_by(&key, issuer).unwrap();
        std::fs::write(self.path(&format!("{name}.pem")), cert.pem()).unwrap();
        std::fs::write(self.path(&format!("{name}-key.pem")), key.serialize_pem()).unwrap();
    }

    /// A DOCKER_CERT_PATH-style directory (`ca.pem`, `cert.pem`, `key.pem`) for one case.
    pub fn client_files(&self, cert: ClientCert, trust: ServerTrust) -> TlsFiles {
        let dir = self.path(&format!("client-{cert:?}-{trust:?}"));
        std::fs::create_dir_all(&dir).unwrap();
        let ca = match trust {
            ServerTrust::RightCa => self.ca.pem(),
            ServerTrust::WrongCa => self.other_ca.pem(),
        };
        std::fs::write(dir.join("ca.pem"), ca).unwrap();
        let leaf = match cert {
            ClientCert::Valid => Some(("client", &self.ca, false)),
            ClientCert::OtherCa => Some(("stranger", &self.other_ca, false)),
            ClientCert::Expired => Some(("expired-client", &self.ca, true)),
            ClientCert::Missing => None,
        };
        if let Some((name, issuer, expired)) = leaf {
            self.write_leaf(name, issuer, expired, false);
            std::fs::copy(self.path(&format!("{name}.pem")), dir.join("cert.pem")).unwrap();
            std::fs::copy(self.path(&format!("{name}-key.pem")), dir.join("key.pem")).unwrap();
        }
        TlsFiles {
            ca: dir.join("ca.pem"),
            cert: dir.join("cert.pem"),
            key: dir.join("key.pem"),
        }
    }
}

fn make_ca(name: &str) -> CertifiedIssuer<'static, KeyPair> {
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.distinguished_name.push(DnType::CommonName, name);
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap()
}

/// socat terminating TLS (client certificate required) in front of a unix socket; killed
/// on drop.
pub struct TlsEndpoint {
    child: Child,
    port: u16,
}

impl TlsEndpoint {
    /// `expired_server` presents an expired server certificate.
    pub fn start(pki: &TestPki, engine_socket: &Path, expired_server: bool) -> TlsEndpoint {
        let server = if expired_server {
            "expired-server"
        } else {
            "server"
        };
        let mut last_log = String::new();
        for _ in 0..START_ATTEMPTS {
            let port = super::net::free_port();
            let listen = format!(
                "OPENSSL-LISTEN:{port},bind=127.0.0.1,reuseaddr,fork,cert={},key={},cafile={},verify=1",
                pki.path(&format!("{server}.pem")).display(),
                pki.path(&format!("{server}-key.pem")).display(),
                pki.path("ca.pem").display(),
            );
            let mut child = Command::new("socat")
                .args(["-d", "-d"])
                .arg(listen)
                .arg(format!("UNIX-CONNECT:{}", engine_socket.display()))
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .expect("start socat");
            match super::net::wait_for_log_line(
                &mut child,
                &pki.path(&format!("socat-{port}.log")),
                "listening on",
                READY_TIMEOUT,
            ) {
                Ok(()) => return TlsEndpoint { child, port },
                Err(log) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    if !log.contains("Address already in use") {
                        panic!("socat did not start:\n{log}");
                    }
                    last_log = log;
                }
            }
        }
        panic!("socat did not start after {START_ATTEMPTS} attempts:\n{last_log}");
    }

    /// Ends every connection socat serves (its forked children), as a network cut would;
    /// the listener stays.
    pub fn drop_connections(&self) {
        let parent = self.child.id().to_string();
        for entry in std::fs::read_dir("/proc").unwrap().flatten() {
            let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
                continue;
            };
            // pid (comm) state ppid …: the fields after the last ')'.
            let after = stat.rsplit_once(')').map(|(_, rest)| rest).unwrap_or("");
            if after.split_whitespace().nth(1) == Some(parent.as_str()) {
                let pid = entry.file_name().to_string_lossy().into_owned();
                let _ = Command::new("kill").args(["-KILL", &pid]).status();
            }
        }
    }

    /// `tcp://127.0.0.1:PORT`.
    pub fn address(&self) -> String {
        format!("tcp://127.0.0.1:{}", self.port)
    }
}

impl Drop for TlsEndpoint {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
