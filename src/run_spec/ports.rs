//! `-p/--publish` values, with the docker CLI's grammar:
//! `[IP:][HOST_PORT[-END]:]CONTAINER_PORT[-END][/PROTOCOL]`.

use std::fmt;
use std::net::IpAddr;

/// A transport protocol a port is published for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum Protocol {
    #[default]
    Tcp,
    Udp,
    Sctp,
}

impl Protocol {
    pub fn name(self) -> &'static str {
        match self {
            Protocol::Tcp => "tcp",
            Protocol::Udp => "udp",
            Protocol::Sctp => "sctp",
        }
    }

    fn parse(text: &str) -> Option<Protocol> {
        match text.to_ascii_lowercase().as_str() {
            "tcp" => Some(Protocol::Tcp),
            "udp" => Some(Protocol::Udp),
            "sctp" => Some(Protocol::Sctp),
            _ => None,
        }
    }
}

/// The host side of a published port.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HostPorts {
    /// The engine picks a free port (`-p 80`, `-p 127.0.0.1::80`).
    Any,
    One(u16),
    /// The engine picks a free port in this range (`-p 8000-8010:80`).
    Range(u16, u16),
}

/// One container port published on the host; a `-p` value with ranges gives several.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PortPublish {
    /// The host address to listen on; `None` is every address.
    pub host_ip: Option<IpAddr>,
    pub host: HostPorts,
    pub container_port: u16,
    pub protocol: Protocol,
}

impl PortPublish {
    /// `80/tcp`: the key the engine files the port under.
    pub fn container_key(&self) -> String {
        format!("{}/{}", self.container_port, self.protocol.name())
    }

    /// The host port as the engine takes it: empty for any, `8080`, or `8000-8010`.
    pub fn host_port_text(&self) -> String {
        match self.host {
            HostPorts::Any => String::new(),
            HostPorts::One(port) => port.to_string(),
            HostPorts::Range(first, last) => format!("{first}-{last}"),
        }
    }
}

impl fmt::Display for PortPublish {
    /// The `-p` value that gives this one port: `127.0.0.1:8080:80/udp`, `[::1]::80`, `80`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.host_ip {
            Some(IpAddr::V6(ip)) => write!(f, "[{ip}]:{}:", self.host_port_text())?,
            Some(IpAddr::V4(ip)) => write!(f, "{ip}:{}:", self.host_port_text())?,
            None if self.host != HostPorts::Any => write!(f, "{}:", self.host_port_text())?,
            None => {}
        }
        write!(f, "{}", self.container_port)?;
        if self.protocol != Protocol::Tcp {
            write!(f, "/{}", self.protocol.name())?;
        }
        Ok(())
    }
}

/// Parses one `-p` value into the ports it publishes (one per container port of a range).
pub fn parse_publish(text: &str) -> Result<Vec<PortPublish>, String> {
    let bad = |why: String| format!("bad port \"{text}\": {why}");
    if text.contains('=') {
        return Err(bad(
            "wharf takes the short form [IP:][HOST_PORT:]CONTAINER_PORT[/PROTOCOL]".into(),
        ));
    }
    let (ip, host, container) = split_parts(text);
    let (container, protocol) = match container.split_once('/') {
        Some((port, protocol)) => (
            port,
            Protocol::parse(protocol).ok_or_else(|| {
                bad(format!(
                    "unknown protocol \"{protocol}\" (use tcp, udp or sctp)"
                ))
            })?,
        ),
        None => (container, Protocol::Tcp),
    };
    let host_ip = match ip {
        None => None,
        Some(ip) => {
            let bare = ip
                .strip_prefix('[')
                .and_then(|rest| rest.strip_suffix(']'))
                .unwrap_or(ip);
            Some(
                bare.parse::<IpAddr>()
                    .map_err(|_| bad(format!("\"{ip}\" is not an IP address")))?,
            )
        }
    };
    if container.is_empty() {
        return Err(bad("no container port".into()));
    }
    let (first, last) =
        port_range(container).map_err(|why| bad(format!("container port {why}")))?;
    let host_range = match host {
        None | Some("") => None,
        Some(host) => Some(port_range(host).map_err(|why| bad(format!("host port {why}")))?),
    };
    let count = last - first;
    let mut ports = Vec::with_capacity(usize::from(count) + 1);
    for offset in 0..=count {
        let host = match host_range {
            None => HostPorts::Any,
            Some((host_first, host_last)) if host_last - host_first == count => {
                HostPorts::One(host_first + offset)
            }
            // A single container port may take a host range to pick a free port from.
            Some((host_first, host_last)) if count == 0 => HostPorts::Range(host_first, host_last),
            Some((host_first, host_last)) => {
                return Err(bad(format!(
                    "the host range {host_first}-{host_last} and the container range {first}-{last} differ in length"
                )));
            }
        };
        ports.push(PortPublish {
            host_ip,
            host,
            container_port: first + offset,
            protocol,
        });
    }
    Ok(ports)
}

/// `[IP:][HOST:]CONTAINER` split the way the docker CLI does: the container port is after
/// the last colon, the host port before it, and everything before that is the address (so
/// IPv6 addresses, bracketed or not, keep their colons).
fn split_parts(text: &str) -> (Option<&str>, Option<&str>, &str) {
    match text.rsplit_once(':') {
        None => (None, None, text),
        Some((rest, container)) => match rest.rsplit_once(':') {
            None => (None, Some(rest), container),
            Some((ip, host)) => (Some(ip), Some(host), container),
        },
    }
}

/// `80` or `8000-8010`, each port in 1..=65535, the range not reversed.
fn port_range(text: &str) -> Result<(u16, u16), String> {
    let port = |p: &str| -> Result<u16, String> {
        match p.parse::<u16>() {
            Ok(0) | Err(_) => Err(format!("\"{p}\" is not a port number (1-65535)")),
            Ok(n) => Ok(n),
        }
    };
    match text.split_once('-') {
        None => port(text).map(|p| (p, p)),
        Some((first, last)) => {
            let (first, last) = (port(first)?, port(last)?);
            if first > last {
                return Err(format!("range {first}-{last} runs backwards"));
            }
            Ok((first, last))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str) -> PortPublish {
        let ports = parse_publish(text).unwrap();
        assert_eq!(ports.len(), 1, "{text}");
        ports[0]
    }

    #[test]
    fn host_and_container_ports() {
        assert_eq!(
            one("8080:80"),
            PortPublish {
                host_ip: None,
                host: HostPorts::One(8080),
                container_port: 80,
                protocol: Protocol::Tcp
            }
        );
        let udp = one("127.0.0.1:8080:80/udp");
        assert_eq!(udp.host_ip, Some("127.0.0.1".parse().unwrap()));
        assert_eq!(udp.protocol, Protocol::Udp);
        assert_eq!(udp.container_key(), "80/udp");
        assert_eq!(one("80").host, HostPorts::Any);
        assert_eq!(one("53/UDP").protocol, Protocol::Udp);
        let any_port = one("127.0.0.1::80");
        assert_eq!(any_port.host, HostPorts::Any);
        assert_eq!(any_port.host_port_text(), "");
    }

    #[test]
    fn ipv6_addresses_with_or_without_brackets() {
        let bracketed = one("[::1]:8080:80");
        assert_eq!(bracketed.host_ip, Some("::1".parse().unwrap()));
        assert_eq!(bracketed.host, HostPorts::One(8080));
        assert_eq!(one("::1:8080:80").host_ip, Some("::1".parse().unwrap()));
        assert_eq!(bracketed.to_string(), "[::1]:8080:80");
    }

    #[test]
    fn ranges_give_one_port_each_or_a_host_range_to_pick_from() {
        let ports = parse_publish("8000-8002:9000-9002").unwrap();
        let pairs: Vec<_> = ports.iter().map(|p| (p.host, p.container_port)).collect();
        assert_eq!(
            pairs,
            [
                (HostPorts::One(8000), 9000),
                (HostPorts::One(8001), 9001),
                (HostPorts::One(8002), 9002)
            ]
        );
        let picked = one("8000-8010:80");
        assert_eq!(picked.host, HostPorts::Range(8000, 8010));
        assert_eq!(picked.host_port_text(), "8000-8010");
        assert_eq!(parse_publish("7000-7001").unwrap().len(), 2);
    }

    #[test]
    fn display_gives_back_a_value_that_parses_the_same() {
        for text in [
            "80",
            "8080:80",
            "127.0.0.1:8080:80/udp",
            "[::1]:8080:80",
            "127.0.0.1::80/sctp",
            "8000-8010:80",
        ] {
            let port = one(text);
            assert_eq!(one(&port.to_string()), port, "{text}");
        }
    }

    #[test]
    fn bad_values_name_the_value_and_the_reason() {
        for (text, reason) in [
            ("80:abc", "container port \"abc\" is not a port number"),
            ("70000:80", "host port \"70000\""),
            ("0:80", "host port \"0\""),
            ("8080:", "no container port"),
            ("300.1.1.1:80:80", "\"300.1.1.1\" is not an IP address"),
            ("80/http", "unknown protocol \"http\""),
            ("8000-8001:9000-9005", "differ in length"),
            ("9000-8000:80", "runs backwards"),
            ("80-:80", "host port \"\""),
            ("published=8080,target=80", "short form"),
        ] {
            let err = parse_publish(text).unwrap_err();
            assert!(err.starts_with(&format!("bad port \"{text}\"")), "{err}");
            assert!(err.contains(reason), "{text}: {err}");
        }
    }
}
