//! TLS engines (`tcp://host:2376` with `DOCKER_TLS_VERIFY`/`DOCKER_CERT_PATH`, or a context's
//! TLS files): the server is verified against the given CA only, and wharf presents its
//! client certificate. rustls with the ring provider, named explicitly so that no process
//! default is needed. TLS failures are explained with the files involved.

use std::io;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use rustls::pki_types::pem::{self, PemObject};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use rustls::{AlertDescription, CertificateError, ClientConfig, RootCertStore};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

use super::link::LinkFailure;
use crate::docker::target::TlsFiles;

const FILES_HINT: &str =
    "Check DOCKER_CERT_PATH (ca.pem, cert.pem, key.pem) or the Docker context's TLS files.";

/// A TLS engine's address and the client configuration made from its files.
pub(crate) struct TlsRoute {
    host: String,
    port: u16,
    server_name: ServerName<'static>,
    connector: TlsConnector,
    context: Arc<TlsContext>,
}

/// What an explanation of a TLS failure names.
struct TlsContext {
    /// `host:port`.
    address: String,
    ca: PathBuf,
    /// The client certificate presented, if any.
    client_cert: Option<PathBuf>,
}

impl TlsRoute {
    /// Reads the CA and the client certificate and key; a missing or unreadable file is
    /// reported here, before anything is sent.
    pub(crate) fn new(host: &str, port: u16, files: &TlsFiles) -> Result<TlsRoute, LinkFailure> {
        let roots = load_roots(&files.ca)?;
        let builder = ClientConfig::builder_with_provider(Arc::new(provider()))
            .with_safe_default_protocol_versions()
            .map_err(|e| LinkFailure::new(format!("TLS cannot be set up: {e}"), FILES_HINT))?
            .with_root_certificates(roots);
        let client_cert = match (files.cert.exists(), files.key.exists()) {
            (false, false) => None,
            (true, false) => return Err(missing(&files.key, "the client key")),
            (false, true) => return Err(missing(&files.cert, "the client certificate")),
            (true, true) => Some(files.cert.clone()),
        };
        let config = match &client_cert {
            Some(_) => {
                let chain = load_certificates(&files.cert, "the client certificate")?;
                let key = PrivateKeyDer::from_pem_file(&files.key).map_err(|e| {
                    pem_failure(&files.key, "the client key", "a PEM private key", e)
                })?;
                builder.with_client_auth_cert(chain, key).map_err(|e| {
                    LinkFailure::new(
                        format!(
                            "the client certificate {} and key {} do not go together: {e}",
                            files.cert.display(),
                            files.key.display()
                        ),
                        FILES_HINT,
                    )
                })?
            }
            None => builder.with_no_client_auth(),
        };
        let server_name = ServerName::try_from(host.to_string()).map_err(|_| {
            LinkFailure::new(
                format!("\"{host}\" cannot be checked against a TLS certificate"),
                "Use the host name or IP address the engine's certificate was made for.",
            )
        })?;
        let address = if host.contains(':') {
            format!("[{host}]:{port}")
        } else {
            format!("{host}:{port}")
        };
        Ok(TlsRoute {
            host: host.to_string(),
            port,
            server_name,
            connector: TlsConnector::from(Arc::new(config)),
            context: Arc::new(TlsContext {
                address,
                ca: files.ca.clone(),
                client_cert,
            }),
        })
    }

    /// Connects and completes the handshake.
    pub(crate) async fn connect(&self) -> io::Result<TlsStream> {
        let tcp = super::link::connect_tcp(&self.host, self.port).await?;
        let inner = self
            .connector
            .connect(self.server_name.clone(), tcp)
            .await
            .map_err(|e| self.context.explain(e))?;
        Ok(TlsStream {
            inner,
            context: self.context.clone(),
        })
    }
}

/// ring, offering a P-256 key share first. rustls sends one key share, and a server that
/// does not take it asks again (HelloRetryRequest): a whole round trip more before the
/// first answer. Every TLS 1.3 server must support P-256 (X25519 is only recommended;
/// socat's OpenSSL endpoints, for one, accept only P-256 by default); Go's, which Docker
/// engines use, takes either.
fn provider() -> rustls::crypto::CryptoProvider {
    use rustls::crypto::ring::{default_provider, kx_group};
    rustls::crypto::CryptoProvider {
        kx_groups: vec![kx_group::SECP256R1, kx_group::X25519, kx_group::SECP384R1],
        ..default_provider()
    }
}

fn missing(path: &Path, what: &str) -> LinkFailure {
    LinkFailure::new(
        format!("{what} {} does not exist", path.display()),
        FILES_HINT,
    )
}

fn pem_failure(path: &Path, what: &str, expected: &str, err: pem::Error) -> LinkFailure {
    let why = match err {
        pem::Error::Io(e) if e.kind() == io::ErrorKind::NotFound => {
            format!("{what} {} does not exist", path.display())
        }
        pem::Error::Io(e) => format!("cannot read {what} {}: {e}", path.display()),
        _ => format!("{what} {} is not {expected}", path.display()),
    };
    LinkFailure::new(why, FILES_HINT)
}

fn load_certificates(path: &Path, what: &str) -> Result<Vec<CertificateDer<'static>>, LinkFailure> {
    let certificates = CertificateDer::pem_file_iter(path)
        .and_then(|iter| iter.collect::<Result<Vec<_>, _>>())
        .map_err(|e| pem_failure(path, what, "a PEM certificate", e))?;
    if certificates.is_empty() {
        return Err(pem_failure(
            path,
            what,
            "a PEM certificate",
            pem::Error::NoItemsFound,
        ));
    }
    Ok(certificates)
}

fn load_roots(ca: &Path) -> Result<RootCertStore, LinkFailure> {
    let mut roots = RootCertStore::empty();
    let (added, _ignored) =
        roots.add_parsable_certificates(load_certificates(ca, "the CA certificate")?);
    if added == 0 {
        return Err(LinkFailure::new(
            format!("the CA file {} holds no usable certificate", ca.display()),
            FILES_HINT,
        ));
    }
    Ok(roots)
}

impl TlsContext {
    /// An I/O error with rustls' reason inside becomes a [`LinkFailure`] that says it plainly.
    fn explain(&self, err: io::Error) -> io::Error {
        match err
            .get_ref()
            .and_then(|inner| inner.downcast_ref::<rustls::Error>())
        {
            Some(tls) => self.describe(tls).into_io(),
            None => err,
        }
    }

    fn describe(&self, err: &rustls::Error) -> LinkFailure {
        const CA_HINT: &str = "Use the ca.pem of the CA that signed the engine's certificate (DOCKER_CERT_PATH or the Docker context's TLS files).";
        const CLIENT_HINT: &str = "Use the cert.pem and key.pem signed by the CA this engine trusts (DOCKER_CERT_PATH or the Docker context's TLS files).";
        let server = |why: String, hint: &str| LinkFailure::new(why, hint);
        let refused = |why: &str, hint: &str| {
            let what = match &self.client_cert {
                Some(cert) => format!("wharf's client certificate {}", cert.display()),
                None => "a connection without a client certificate".to_string(),
            };
            LinkFailure::new(format!("the engine refused {what}: {why}"), hint)
        };
        match err {
            rustls::Error::InvalidCertificate(problem) => match problem {
                CertificateError::UnknownIssuer => server(
                    format!(
                        "the engine's certificate is not signed by the CA in {}",
                        self.ca.display()
                    ),
                    CA_HINT,
                ),
                CertificateError::Expired | CertificateError::ExpiredContext { .. } => server(
                    "the engine's certificate has expired".into(),
                    "The engine's certificate must be renewed (or this machine's clock is wrong).",
                ),
                CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
                    server(
                        "the engine's certificate is not valid yet".into(),
                        "Check the clock on this machine and on the engine's.",
                    )
                }
                CertificateError::NotValidForName
                | CertificateError::NotValidForNameContext { .. } => server(
                    format!(
                        "the engine's certificate is not made out to {}",
                        self.address
                    ),
                    "Connect with the host name or address the engine's certificate names.",
                ),
                other => server(
                    format!("the engine's certificate was not accepted ({other:?})"),
                    CA_HINT,
                ),
            },
            rustls::Error::AlertReceived(alert) => match alert {
                AlertDescription::CertificateExpired => refused(
                    "it has expired",
                    "Renew the client certificate (cert.pem and key.pem).",
                ),
                AlertDescription::CertificateRequired | AlertDescription::NoCertificate => refused(
                    "the engine requires a client certificate",
                    "Put cert.pem and key.pem beside ca.pem (DOCKER_CERT_PATH or the Docker context's TLS files).",
                ),
                AlertDescription::UnknownCA => {
                    refused("it does not trust the CA that signed it", CLIENT_HINT)
                }
                AlertDescription::BadCertificate
                | AlertDescription::CertificateUnknown
                | AlertDescription::UnsupportedCertificate
                | AlertDescription::CertificateRevoked
                | AlertDescription::AccessDenied
                | AlertDescription::DecryptError => {
                    refused(&format!("TLS alert {alert:?}"), CLIENT_HINT)
                }
                AlertDescription::HandshakeFailure => LinkFailure::new(
                    "the engine ended the TLS handshake (handshake failure)",
                    "The engine may want a client certificate wharf does not have, or TLS settings wharf does not support.",
                ),
                other => LinkFailure::new(
                    format!("the engine ended the TLS connection (alert {other:?})"),
                    FILES_HINT,
                ),
            },
            rustls::Error::InvalidMessage(_) | rustls::Error::InappropriateMessage { .. } => {
                LinkFailure::new(
                    "it does not speak TLS",
                    "Is this a plain tcp:// engine (usually port 2375)? Then unset DOCKER_TLS_VERIFY.",
                )
            }
            other => LinkFailure::new(format!("TLS failed: {other}"), FILES_HINT),
        }
    }
}

/// A TLS connection whose failures read as [`LinkFailure`]s.
pub(crate) struct TlsStream {
    inner: tokio_rustls::client::TlsStream<TcpStream>,
    context: Arc<TlsContext>,
}

impl AsyncRead for TlsStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        // TLS 1.3 servers judge the client certificate after the client's handshake is
        // done, so a refusal arrives here, on the first read.
        let this = self.as_mut().get_mut();
        Pin::new(&mut this.inner)
            .poll_read(cx, buf)
            .map_err(|e| this.context.explain(e))
    }
}

impl AsyncWrite for TlsStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        Pin::new(&mut this.inner)
            .poll_write(cx, buf)
            .map_err(|e| this.context.explain(e))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        Pin::new(&mut this.inner)
            .poll_flush(cx)
            .map_err(|e| this.context.explain(e))
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(dir: &Path) -> TlsFiles {
        TlsFiles {
            ca: dir.join("ca.pem"),
            cert: dir.join("cert.pem"),
            key: dir.join("key.pem"),
        }
    }

    fn failure(result: Result<TlsRoute, LinkFailure>) -> LinkFailure {
        match result {
            Ok(_) => panic!("the TLS files were accepted"),
            Err(failure) => failure,
        }
    }

    #[test]
    fn missing_and_broken_files_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let f = files(dir.path());
        let err = failure(TlsRoute::new("127.0.0.1", 2376, &f));
        assert!(err.why.contains("ca.pem does not exist"), "{}", err.why);

        std::fs::write(&f.ca, "not a certificate").unwrap();
        let err = failure(TlsRoute::new("127.0.0.1", 2376, &f));
        assert!(err.why.contains("is not a PEM certificate"), "{}", err.why);
        assert!(err.hint.contains("DOCKER_CERT_PATH"));
    }

    #[test]
    fn alerts_and_certificate_problems_read_plainly() {
        let context = TlsContext {
            address: "127.0.0.1:2376".into(),
            ca: "/certs/ca.pem".into(),
            client_cert: Some("/certs/cert.pem".into()),
        };
        let unknown = context.describe(&rustls::Error::InvalidCertificate(
            CertificateError::UnknownIssuer,
        ));
        assert!(
            unknown
                .why
                .contains("not signed by the CA in /certs/ca.pem"),
            "{}",
            unknown.why
        );
        let expired = context.describe(&rustls::Error::AlertReceived(
            AlertDescription::CertificateExpired,
        ));
        assert!(
            expired.why.contains("client certificate /certs/cert.pem"),
            "{}",
            expired.why
        );
        assert!(expired.why.contains("expired"));
        let refused = context.describe(&rustls::Error::AlertReceived(AlertDescription::UnknownCA));
        assert!(refused.why.contains("refused"), "{}", refused.why);
        let wrapped = context.explain(io::Error::new(
            io::ErrorKind::InvalidData,
            rustls::Error::AlertReceived(AlertDescription::BadCertificate),
        ));
        let inner = wrapped
            .get_ref()
            .and_then(|e| e.downcast_ref::<LinkFailure>());
        assert!(inner.is_some_and(|f| f.why.contains("refused")));
    }
}
