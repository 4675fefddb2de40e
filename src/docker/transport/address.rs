//! Engine addresses as the docker CLI writes them: `unix:///path`, `tcp://host[:port]`,
//! `http(s)://host[:port]` and `ssh://[user@]host[:port][/socket/path]`.

use std::fmt;
use std::path::PathBuf;

use url::{Host, Url};

/// A parsed engine address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EngineAddress {
    /// A unix socket.
    Unix(PathBuf),
    /// A tcp address (`tcp://`, `http://`, `https://`); TLS is decided by the target. The
    /// host has no brackets (`::1`); without a port docker's default applies.
    Tcp { host: String, port: Option<u16> },
    /// An engine reached by running `docker system dial-stdio` over ssh.
    Ssh(SshAddress),
}

/// `ssh://[user@]host[:port][/socket/path]`, split the way the docker CLI splits it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SshAddress {
    pub user: Option<String>,
    /// Host name or address, without brackets; ssh's own config may alias it.
    pub host: String,
    pub port: Option<u16>,
    /// The engine socket on the remote host, when not the remote docker CLI's default.
    pub socket: Option<String>,
}

impl EngineAddress {
    /// Parses an engine address; the error says what is wrong in a sentence.
    pub fn parse(address: &str) -> Result<EngineAddress, String> {
        let address = address.trim();
        let Some((scheme, rest)) = address.split_once("://") else {
            return Err(format!(
                "\"{address}\" is not an engine address (expected unix://, tcp:// or ssh://)"
            ));
        };
        match scheme.to_ascii_lowercase().as_str() {
            "unix" if rest.is_empty() => Err("the unix:// address has no socket path".into()),
            "unix" => Ok(EngineAddress::Unix(PathBuf::from(rest))),
            "tcp" | "http" | "https" => parse_tcp(address),
            "ssh" => SshAddress::parse(address).map(EngineAddress::Ssh),
            "npipe" => Err("named pipes (npipe://) exist only on Windows".into()),
            "fd" => Err(
                "fd:// names the engine's own listening sockets, not an address to connect to"
                    .into(),
            ),
            other => Err(format!(
                "wharf cannot connect to {other}:// addresses (it knows unix://, tcp://, http://, https:// and ssh://)"
            )),
        }
    }
}

fn parse_tcp(address: &str) -> Result<EngineAddress, String> {
    let url =
        Url::parse(address).map_err(|e| format!("\"{address}\" is not a valid address: {e}"))?;
    let host = host_of(&url).ok_or_else(|| format!("\"{address}\" names no host"))?;
    Ok(EngineAddress::Tcp {
        host,
        port: url.port(),
    })
}

/// The host without IPv6 brackets, as sockets and ssh want it.
fn host_of(url: &Url) -> Option<String> {
    match url.host()? {
        Host::Domain("") => None,
        Host::Domain(name) => Some(name.to_string()),
        Host::Ipv4(ip) => Some(ip.to_string()),
        Host::Ipv6(ip) => Some(ip.to_string()),
    }
}

impl SshAddress {
    /// Parses `ssh://[user@]host[:port][/socket/path]` with the docker CLI's rules: no
    /// password, no query, no fragment.
    pub fn parse(address: &str) -> Result<SshAddress, String> {
        let url = Url::parse(address.trim())
            .map_err(|e| format!("\"{address}\" is not a valid ssh address: {e}"))?;
        if url.scheme() != "ssh" {
            return Err(format!("\"{address}\" is not an ssh:// address"));
        }
        if url.password().is_some() {
            return Err(
                "ssh addresses cannot hold a password; wharf uses your ssh keys and agent".into(),
            );
        }
        if url.query().is_some() {
            return Err(format!("\"{address}\" has a query after the host"));
        }
        if url.fragment().is_some() {
            return Err(format!("\"{address}\" has a fragment after the host"));
        }
        // ssh:// is not a special scheme to the URL parser: its host stays percent-encoded.
        let host = host_of(&url)
            .and_then(|host| percent_decode(&host))
            .ok_or_else(|| format!("\"{address}\" names no valid host"))?;
        let user = match url.username() {
            "" => None,
            user => Some(
                percent_decode(user)
                    .ok_or_else(|| format!("the user name in \"{address}\" is not valid"))?,
            ),
        };
        let socket = match url.path() {
            "" | "/" => None,
            path => Some(
                percent_decode(path)
                    .ok_or_else(|| format!("the socket path in \"{address}\" is not valid"))?,
            ),
        };
        if [&user, &Some(host.clone()), &socket].iter().any(|part| {
            part.as_deref()
                .is_some_and(|p| p.chars().any(char::is_control))
        }) {
            return Err(format!("\"{address}\" holds control characters"));
        }
        Ok(SshAddress {
            user,
            host,
            port: url.port(),
            socket,
        })
    }
}

impl fmt::Display for SshAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ssh://")?;
        if let Some(user) = &self.user {
            write!(f, "{user}@")?;
        }
        if self.host.contains(':') {
            write!(f, "[{}]", self.host)?;
        } else {
            f.write_str(&self.host)?;
        }
        if let Some(port) = self.port {
            write!(f, ":{port}")?;
        }
        if let Some(socket) = &self.socket {
            f.write_str(socket)?;
        }
        Ok(())
    }
}

/// `%xx` escapes in a URL part, decoded; `None` when the result is not UTF-8.
fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ssh(address: &str) -> SshAddress {
        SshAddress::parse(address).unwrap()
    }

    #[test]
    fn ssh_addresses_split_like_the_docker_cli() {
        assert_eq!(
            ssh("ssh://deploy@build.example:2222"),
            SshAddress {
                user: Some("deploy".into()),
                host: "build.example".into(),
                port: Some(2222),
                socket: None
            }
        );
        let bare = ssh("ssh://build");
        assert_eq!((bare.user, bare.port, bare.socket), (None, None, None));
        assert_eq!(
            ssh("ssh://me@[::1]:22/run/user/1000/docker.sock"),
            SshAddress {
                user: Some("me".into()),
                host: "::1".into(),
                port: Some(22),
                socket: Some("/run/user/1000/docker.sock".into())
            }
        );
        assert_eq!(ssh("ssh://a%40b@host").user.as_deref(), Some("a@b"));
    }

    #[test]
    fn ssh_addresses_display_as_written() {
        for address in [
            "ssh://deploy@build.example:2222",
            "ssh://build",
            "ssh://me@[::1]:22/run/docker.sock",
        ] {
            assert_eq!(ssh(address).to_string(), address);
        }
    }

    #[test]
    fn bad_ssh_addresses_say_why() {
        let cases = [
            ("ssh://user:secret@host", "password"),
            ("ssh://host?x=1", "query"),
            ("ssh://host#frag", "fragment"),
            ("ssh://", "host"),
            ("ssh://host:notaport", "valid"),
            ("ssh://ho%0ast", "control characters"),
        ];
        for (address, word) in cases {
            let err = SshAddress::parse(address).unwrap_err();
            assert!(err.contains(word), "{address}: {err}");
        }
    }

    #[test]
    fn engine_addresses_by_scheme() {
        assert_eq!(
            EngineAddress::parse("unix:///var/run/docker.sock").unwrap(),
            EngineAddress::Unix("/var/run/docker.sock".into())
        );
        assert_eq!(
            EngineAddress::parse("tcp://127.0.0.1:2376").unwrap(),
            EngineAddress::Tcp {
                host: "127.0.0.1".into(),
                port: Some(2376)
            }
        );
        assert_eq!(
            EngineAddress::parse("tcp://[::1]").unwrap(),
            EngineAddress::Tcp {
                host: "::1".into(),
                port: None
            }
        );
        assert!(matches!(
            EngineAddress::parse("ssh://me@host").unwrap(),
            EngineAddress::Ssh(_)
        ));
        for (address, word) in [
            ("gopher://x", "gopher"),
            ("npipe:////./pipe/docker_engine", "Windows"),
            ("unix://", "socket path"),
            ("/var/run/docker.sock", "not an engine address"),
            ("tcp://", "host"),
        ] {
            let err = EngineAddress::parse(address).unwrap_err();
            assert!(err.contains(word), "{address}: {err}");
        }
    }
}
