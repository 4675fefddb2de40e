//! A real registry for tests: Debian's `docker-registry` on a free loopback port, a token
//! service for its `silly` auth, and helpers that upload blobs and manifests over plain HTTP
//! (no docker engine needed).
#![allow(dead_code)] // each test binary uses a different part of this support module
#![allow(clippy::unwrap_used, clippy::expect_used)] // test support: a panic is a test failure

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use wharf::registry::manifest::sha256_digest;
use wharf::registry::{RepositoryRef, install_crypto_provider};

const REGISTRY_BIN: &str = "/usr/bin/docker-registry";
/// Tests name the port helper from here too.
pub use super::net::free_port;

const READY_TIMEOUT: Duration = Duration::from_secs(30);
const START_ATTEMPTS: usize = 3;

/// How the registry authenticates clients.
pub enum Auth {
    /// Anyone may pull and push.
    None,
    /// `auth.htpasswd` with one user.
    Htpasswd { username: String, password: String },
    /// `auth.silly`: a Bearer challenge pointing at `realm`; any Authorization is accepted.
    Token { realm: String },
    /// `auth.silly` with the challenge's `service` given too (to shape it like a cloud
    /// registry's, e.g. Aliyun's `registry.aliyuncs.com:cn-hangzhou:26842`).
    TokenFor { realm: String, service: String },
}

/// A running `docker-registry serve`, killed on drop.
pub struct TestRegistry {
    child: Child,
    host: String,
    dir: tempfile::TempDir,
    /// What the upload helpers send as Authorization.
    upload_auth: Option<String>,
    http: reqwest::Client,
}

impl TestRegistry {
    /// Starts a registry and returns once `GET /v2/` answers.
    pub fn start(auth: Auth) -> TestRegistry {
        install_crypto_provider();
        let binary = registry_binary();
        let dir = tempfile::tempdir().expect("temp dir");
        let (auth_config, upload_auth) = match &auth {
            Auth::None => (String::new(), None),
            Auth::Htpasswd { username, password } => {
                let hash = bcrypt::hash_with_result(password, 4)
                    .expect("bcrypt")
                    .format_for_version(bcrypt::Version::TwoY);
                let htpasswd = dir.path().join("htpasswd");
                std::fs::write(&htpasswd, format!("{username}:{hash}\n")).expect("htpasswd");
                (
                    format!(
                        "auth:\n  htpasswd:\n    realm: test-realm\n    path: {}\n",
                        htpasswd.display()
                    ),
                    Some(format!(
                        "Basic {}",
                        STANDARD.encode(format!("{username}:{password}"))
                    )),
                )
            }
            Auth::Token { realm } => (
                format!("auth:\n  silly:\n    realm: {realm}\n    service: test-registry\n"),
                // silly auth accepts any Authorization header.
                Some("Bearer uploader".to_owned()),
            ),
            Auth::TokenFor { realm, service } => (
                format!("auth:\n  silly:\n    realm: {realm}\n    service: \"{service}\"\n"),
                Some("Bearer uploader".to_owned()),
            ),
        };
        let mut last_log = String::new();
        for _ in 0..START_ATTEMPTS {
            let port = free_port();
            let config = dir.path().join("config.yml");
            std::fs::write(
                &config,
                format!(
                    "version: 0.1\nlog:\n  level: info\n  accesslog:\n    disabled: true\n\
                     storage:\n  filesystem:\n    rootdirectory: {}\n  delete:\n    enabled: true\n\
                     http:\n  addr: 127.0.0.1:{port}\n  secret: wharf-test-secret\n{auth_config}",
                    dir.path().join("storage").display()
                ),
            )
            .expect("config");
            let mut child = Command::new(&binary)
                .arg("serve")
                .arg(&config)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .expect("start docker-registry");
            match super::net::wait_for_log_line(
                &mut child,
                &dir.path().join("registry.log"),
                "listening on",
                READY_TIMEOUT,
            ) {
                Ok(()) => {
                    let host = format!("127.0.0.1:{port}");
                    assert_answers_v2(&host);
                    return TestRegistry {
                        child,
                        host,
                        dir,
                        upload_auth,
                        http: reqwest::Client::new(),
                    };
                }
                Err(log) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    if !log.contains("address already in use") {
                        panic!("docker-registry did not start:\n{log}");
                    }
                    last_log = log; // someone took the port meanwhile: try another
                }
            }
        }
        panic!("docker-registry did not start after {START_ATTEMPTS} attempts:\n{last_log}");
    }

    /// `127.0.0.1:PORT`, as written in references.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// A repository of this registry.
    pub fn repo(&self, name: &str) -> RepositoryRef {
        RepositoryRef::new(&self.host, name).expect("valid repository")
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.host)
    }

    fn request(&self, method: reqwest::Method, url: &str) -> reqwest::RequestBuilder {
        let request = self.http.request(method, url);
        match &self.upload_auth {
            Some(auth) => request.header("authorization", auth),
            None => request,
        }
    }

    /// Uploads a blob (monolithic POST + PUT) and returns its digest.
    pub async fn push_blob(&self, repo: &str, bytes: &[u8]) -> String {
        let digest = sha256_digest(bytes);
        let start = self
            .request(
                reqwest::Method::POST,
                &self.url(&format!("/v2/{repo}/blobs/uploads/")),
            )
            .send()
            .await
            .expect("start upload");
        assert_eq!(start.status().as_u16(), 202, "start upload of {digest}");
        let location = start
            .headers()
            .get("location")
            .and_then(|l| l.to_str().ok())
            .expect("upload location")
            .to_owned();
        let mut url = reqwest::Url::parse(&self.url("/"))
            .and_then(|base| base.join(&location))
            .expect("upload URL");
        url.query_pairs_mut().append_pair("digest", &digest);
        let done = self
            .request(reqwest::Method::PUT, url.as_str())
            .header("content-type", "application/octet-stream")
            .body(bytes.to_vec())
            .send()
            .await
            .expect("finish upload");
        assert_eq!(done.status().as_u16(), 201, "finish upload of {digest}");
        digest
    }

    /// Puts a manifest under a tag or digest and returns the digest the registry reports.
    pub async fn put_manifest(
        &self,
        repo: &str,
        reference: &str,
        media_type: &str,
        bytes: &[u8],
    ) -> String {
        let response = self
            .request(
                reqwest::Method::PUT,
                &self.url(&format!("/v2/{repo}/manifests/{reference}")),
            )
            .header("content-type", media_type)
            .body(bytes.to_vec())
            .send()
            .await
            .expect("put manifest");
        let status = response.status().as_u16();
        let digest = response
            .headers()
            .get("docker-content-digest")
            .and_then(|d| d.to_str().ok())
            .map(str::to_owned);
        let body = response.text().await.unwrap_or_default();
        assert_eq!(status, 201, "put manifest {repo}:{reference}: {body}");
        digest.expect("Docker-Content-Digest")
    }

    /// Deletes a manifest by digest (and with it every tag pointing at it).
    pub async fn delete_manifest(&self, repo: &str, digest: &str) {
        let response = self
            .request(
                reqwest::Method::DELETE,
                &self.url(&format!("/v2/{repo}/manifests/{digest}")),
            )
            .send()
            .await
            .expect("delete manifest");
        assert_eq!(response.status().as_u16(), 202, "delete {repo}@{digest}");
    }

    /// A raw GET (with upload credentials), for checking what the registry itself says.
    pub async fn raw_get(&self, path: &str) -> (u16, String) {
        let response = self
            .request(reqwest::Method::GET, &self.url(path))
            .send()
            .await
            .expect("raw GET");
        let status = response.status().as_u16();
        (status, response.text().await.unwrap_or_default())
    }

    /// Pushes an image's blobs and its manifest under its digest; optionally tags it.
    pub async fn push_image(&self, repo: &str, image: &TestImage, tag: Option<&str>) {
        for blob in image.layers.iter().chain([&image.config]) {
            let digest = self.push_blob(repo, &blob.bytes).await;
            assert_eq!(digest, blob.digest);
        }
        let reference = tag.unwrap_or(&image.manifest.digest);
        let digest = self
            .put_manifest(repo, reference, image.media_type, &image.manifest.bytes)
            .await;
        assert_eq!(digest, image.manifest.digest);
    }

    /// Pushes every platform image, then the index under `tag`.
    pub async fn push_index(&self, repo: &str, index: &TestIndex, tag: &str) {
        for image in &index.images {
            self.push_image(repo, image, None).await;
        }
        let digest = self
            .put_manifest(repo, tag, OCI_INDEX, &index.manifest.bytes)
            .await;
        assert_eq!(digest, index.manifest.digest);
    }
}

impl Drop for TestRegistry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn registry_binary() -> PathBuf {
    if Path::new(REGISTRY_BIN).exists() {
        return PathBuf::from(REGISTRY_BIN);
    }
    std::env::var_os("PATH")
        .and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|dir| dir.join("docker-registry"))
                .find(|candidate| candidate.exists())
        })
        .expect("docker-registry is not installed: apt-get install -y docker-registry")
}

/// One synchronous `GET /v2/`; the registry listens already, so it must answer now.
fn assert_answers_v2(host: &str) {
    let mut stream = TcpStream::connect(host).expect("connect to the registry");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("read timeout");
    write!(stream, "GET /v2/ HTTP/1.0\r\nHost: {host}\r\n\r\n").expect("send");
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    assert!(
        answer.starts_with("HTTP/1.0 200") || answer.starts_with("HTTP/1.0 401"),
        "registry at {host} answered {answer:?}"
    );
}

// ---------------------------------------------------------------------------------------
// Token service for `Auth::Token`.

/// What the token service accepts.
#[derive(Clone)]
pub struct TokenPolicy {
    pub username: String,
    pub password: String,
    /// An identity token accepted with the refresh_token grant.
    pub refresh_token: Option<String>,
    pub expires_in: u64,
    /// Give tokens without credentials.
    pub anonymous: bool,
}

/// One request the token service received.
#[derive(Debug, Clone)]
pub struct TokenRequest {
    pub method: String,
    pub params: BTreeMap<String, String>,
    pub basic_user: Option<String>,
    pub granted: bool,
}

impl TokenRequest {
    pub fn scope(&self) -> Option<&str> {
        self.params.get("scope").map(String::as_str)
    }
}

/// A tiny HTTP token endpoint on a loopback port, recording what it is asked.
pub struct TokenService {
    addr: SocketAddr,
    requests: Arc<Mutex<Vec<TokenRequest>>>,
    task: tokio::task::JoinHandle<()>,
}

impl TokenService {
    pub async fn start(policy: TokenPolicy) -> TokenService {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind token service");
        let addr = listener.local_addr().expect("token service address");
        let requests = Arc::new(Mutex::new(Vec::new()));
        let recorded = requests.clone();
        let task = tokio::spawn(async move {
            let mut issued = 0u64;
            while let Ok((mut stream, _)) = listener.accept().await {
                let Some(request) = read_http_request(&mut stream).await else {
                    continue;
                };
                issued += 1;
                let (record, answer) = answer_token_request(&policy, &request, issued);
                recorded.lock().expect("requests").push(record);
                let _ = stream.write_all(answer.as_bytes()).await;
                let _ = stream.shutdown().await;
            }
        });
        TokenService {
            addr,
            requests,
            task,
        }
    }

    /// `http://127.0.0.1:PORT/token`.
    pub fn realm(&self) -> String {
        format!("http://{}/token", self.addr)
    }

    pub fn requests(&self) -> Vec<TokenRequest> {
        self.requests.lock().expect("requests").clone()
    }
}

impl Drop for TokenService {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A parsed HTTP/1.1 request: method, target, headers (lowercase names), body.
pub struct HttpRequest {
    pub method: String,
    pub target: String,
    pub headers: BTreeMap<String, String>,
    pub body: Vec<u8>,
}

/// Reads one request from a client (bounded sizes; `None` on garbage).
pub async fn read_http_request(stream: &mut tokio::net::TcpStream) -> Option<HttpRequest> {
    let mut data = Vec::new();
    let mut buf = [0u8; 4096];
    let head_end = loop {
        if let Some(end) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            break end;
        }
        if data.len() > 64 * 1024 {
            return None;
        }
        let n = stream.read(&mut buf).await.ok()?;
        if n == 0 {
            return None;
        }
        data.extend_from_slice(&buf[..n]);
    };
    let head = String::from_utf8_lossy(&data[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next()?.split(' ');
    let method = request_line.next()?.to_owned();
    let target = request_line.next()?.to_owned();
    let headers: BTreeMap<String, String> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let length: usize = headers
        .get("content-length")
        .and_then(|l| l.parse().ok())
        .unwrap_or(0)
        .min(1024 * 1024);
    let mut body = data[head_end + 4..].to_vec();
    while body.len() < length {
        let n = stream.read(&mut buf).await.ok()?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&buf[..n]);
    }
    Some(HttpRequest {
        method,
        target,
        headers,
        body,
    })
}

/// Decodes `a=b&c=d` (query strings and form bodies).
pub fn decode_pairs(text: &str) -> BTreeMap<String, String> {
    reqwest::Url::parse(&format!("http://x/?{text}"))
        .map(|url| url.query_pairs().into_owned().collect())
        .unwrap_or_default()
}

fn answer_token_request(
    policy: &TokenPolicy,
    request: &HttpRequest,
    issued: u64,
) -> (TokenRequest, String) {
    let mut params = request
        .target
        .split_once('?')
        .map(|(_, query)| decode_pairs(query))
        .unwrap_or_default();
    if request.method == "POST" {
        params.extend(decode_pairs(&String::from_utf8_lossy(&request.body)));
    }
    let basic = request
        .headers
        .get("authorization")
        .and_then(|value| value.strip_prefix("Basic "))
        .and_then(|b64| STANDARD.decode(b64).ok())
        .and_then(|raw| String::from_utf8(raw).ok())
        .and_then(|text| {
            text.split_once(':')
                .map(|(u, p)| (u.to_owned(), p.to_owned()))
        });
    let granted = if request.method == "POST" {
        params.get("grant_type").map(String::as_str) == Some("refresh_token")
            && policy.refresh_token.as_ref() == params.get("refresh_token")
    } else {
        match &basic {
            Some((user, password)) => *user == policy.username && *password == policy.password,
            None => policy.anonymous,
        }
    };
    let record = TokenRequest {
        method: request.method.clone(),
        params,
        basic_user: basic.map(|(user, _)| user),
        granted,
    };
    let (status, body) = if !granted {
        (
            "401 Unauthorized",
            r#"{"details":"bad credentials"}"#.to_owned(),
        )
    } else if request.method == "POST" {
        (
            "200 OK",
            format!(
                r#"{{"access_token":"access-{issued}","expires_in":{},"refresh_token":"new"}}"#,
                policy.expires_in
            ),
        )
    } else {
        (
            "200 OK",
            format!(
                r#"{{"token":"token-{issued}","expires_in":{},"issued_at":"2030-01-01T00:00:00Z"}}"#,
                policy.expires_in
            ),
        )
    };
    let answer = format!(
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{body}",
        body.len()
    );
    (record, answer)
}

// ---------------------------------------------------------------------------------------
// Deterministic test content.

pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
pub const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
const OCI_CONFIG: &str = "application/vnd.oci.image.config.v1+json";
const DOCKER_CONFIG: &str = "application/vnd.docker.container.image.v1+json";
const OCI_LAYER: &str = "application/vnd.oci.image.layer.v1.tar+gzip";
const DOCKER_LAYER: &str = "application/vnd.docker.image.rootfs.diff.tar.gzip";

/// Some bytes and their digest.
#[derive(Debug, Clone)]
pub struct Blob {
    pub bytes: Vec<u8>,
    pub digest: String,
}

impl Blob {
    pub fn new(bytes: Vec<u8>) -> Blob {
        let digest = sha256_digest(&bytes);
        Blob { bytes, digest }
    }

    pub fn size(&self) -> u64 {
        self.bytes.len() as u64
    }
}

/// One step of a build: the command, and the files of its layer (None: no layer).
pub struct Step {
    pub created_by: &'static str,
    pub created: &'static str,
    pub files: Option<Vec<(&'static str, String)>>,
}

/// A single-platform image: layers, config and manifest.
pub struct TestImage {
    pub os: &'static str,
    pub architecture: &'static str,
    pub variant: Option<&'static str>,
    pub created: &'static str,
    pub media_type: &'static str,
    pub layers: Vec<Blob>,
    pub config: Blob,
    pub manifest: Blob,
    pub created_by: Vec<&'static str>,
}

impl TestImage {
    /// Config plus compressed layers, computed from the bytes uploaded.
    pub fn compressed_size(&self) -> u64 {
        self.config.size() + self.layers.iter().map(Blob::size).sum::<u64>()
    }
}

/// A gzip-compressed tar with fixed metadata, so the same files give the same digest.
pub fn layer(files: &[(&str, String)]) -> (Blob, String) {
    let mut builder = tar::Builder::new(Vec::new());
    for (path, content) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(content.len() as u64);
        header.set_mode(0o644);
        header.set_mtime(0);
        header.set_uid(0);
        header.set_gid(0);
        header.set_cksum();
        builder
            .append_data(&mut header, path, content.as_bytes())
            .expect("tar entry");
    }
    let tar = builder.into_inner().expect("tar");
    let diff_id = sha256_digest(&tar);
    let mut gz = flate2::GzBuilder::new()
        .mtime(0)
        .write(Vec::new(), flate2::Compression::default());
    gz.write_all(&tar).expect("gzip");
    (Blob::new(gz.finish().expect("gzip")), diff_id)
}

/// Builds an image from steps; `oci` picks OCI or Docker media types.
pub fn image(
    architecture: &'static str,
    variant: Option<&'static str>,
    created: &'static str,
    steps: &[Step],
    oci: bool,
) -> TestImage {
    let mut layers = Vec::new();
    let mut diff_ids = Vec::new();
    let mut history = Vec::new();
    for step in steps {
        let mut entry = serde_json::json!({
            "created": step.created,
            "created_by": step.created_by,
        });
        match &step.files {
            Some(files) => {
                let (blob, diff_id) = layer(files);
                layers.push(blob);
                diff_ids.push(diff_id);
            }
            None => entry["empty_layer"] = serde_json::Value::Bool(true),
        }
        history.push(entry);
    }
    let mut config = serde_json::json!({
        "architecture": architecture,
        "os": "linux",
        "created": created,
        "config": {"Env": ["PATH=/bin"], "Cmd": ["/bin/sh"]},
        "history": history,
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
    });
    if let Some(variant) = variant {
        config["variant"] = serde_json::Value::String(variant.into());
    }
    let config = Blob::new(serde_json::to_vec(&config).expect("config JSON"));
    let (media_type, config_type, layer_type) = if oci {
        (OCI_MANIFEST, OCI_CONFIG, OCI_LAYER)
    } else {
        (DOCKER_MANIFEST, DOCKER_CONFIG, DOCKER_LAYER)
    };
    let manifest = serde_json::json!({
        "schemaVersion": 2,
        "mediaType": media_type,
        "config": {"mediaType": config_type, "digest": config.digest, "size": config.size()},
        "layers": layers.iter().map(|l| serde_json::json!({
            "mediaType": layer_type, "digest": l.digest, "size": l.size()
        })).collect::<Vec<_>>(),
    });
    TestImage {
        os: "linux",
        architecture,
        variant,
        created,
        media_type,
        layers,
        config,
        manifest: Blob::new(serde_json::to_vec_pretty(&manifest).expect("manifest JSON")),
        created_by: steps.iter().map(|s| s.created_by).collect(),
    }
}

/// A small two-step image for `architecture`, its content varied by `seed`.
pub fn simple_image(architecture: &'static str, seed: &str, created: &'static str) -> TestImage {
    platform_image(architecture, None, seed, created)
}

/// Like [`simple_image`], with an architecture variant (`v8`).
pub fn platform_image(
    architecture: &'static str,
    variant: Option<&'static str>,
    seed: &str,
    created: &'static str,
) -> TestImage {
    image(
        architecture,
        variant,
        created,
        &[
            Step {
                created_by: "/bin/sh -c #(nop) ADD file:rootfs in /",
                created: "2020-01-01T00:00:00Z",
                files: Some(vec![
                    ("etc/os-release", format!("ID=wharf-test\nSEED={seed}\n")),
                    (
                        "bin/hello",
                        format!("#!/bin/sh\necho {seed} {architecture}\n"),
                    ),
                ]),
            },
            Step {
                created_by: "/bin/sh -c #(nop)  CMD [\"/bin/sh\"]",
                created: "2020-01-01T00:00:01Z",
                files: None,
            },
        ],
        true,
    )
}

/// An OCI index over images, optionally with an attestation entry (`unknown/unknown`).
pub struct TestIndex {
    pub images: Vec<TestImage>,
    pub manifest: Blob,
}

pub fn index(images: Vec<TestImage>, with_attestation: bool) -> TestIndex {
    let mut entries: Vec<serde_json::Value> = images
        .iter()
        .map(|image| {
            let mut platform =
                serde_json::json!({"os": image.os, "architecture": image.architecture});
            if let Some(variant) = image.variant {
                platform["variant"] = serde_json::Value::String(variant.into());
            }
            serde_json::json!({
                "mediaType": image.media_type,
                "digest": image.manifest.digest,
                "size": image.manifest.size(),
                "platform": platform,
            })
        })
        .collect();
    let mut images = images;
    if with_attestation {
        // An in-toto attestation "image" as buildkit attaches them.
        let statement = Blob::new(br#"{"_type":"https://in-toto.io/Statement/v0.1"}"#.to_vec());
        let config = Blob::new(br#"{"architecture":"unknown","os":"unknown","rootfs":{"type":"layers","diff_ids":[]}}"#.to_vec());
        let manifest = serde_json::json!({
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST,
            "config": {"mediaType": OCI_CONFIG, "digest": config.digest, "size": config.size()},
            "layers": [{"mediaType": "application/vnd.in-toto+json", "digest": statement.digest, "size": statement.size()}],
        });
        let manifest = Blob::new(serde_json::to_vec(&manifest).expect("attestation JSON"));
        let subject = images
            .first()
            .map(|i| i.manifest.digest.clone())
            .unwrap_or_default();
        entries.push(serde_json::json!({
            "mediaType": OCI_MANIFEST,
            "digest": manifest.digest,
            "size": manifest.size(),
            "platform": {"os": "unknown", "architecture": "unknown"},
            "annotations": {
                "vnd.docker.reference.type": "attestation-manifest",
                "vnd.docker.reference.digest": subject,
            },
        }));
        images.push(TestImage {
            os: "unknown",
            architecture: "unknown",
            variant: None,
            created: "",
            media_type: OCI_MANIFEST,
            layers: vec![statement],
            config,
            manifest,
            created_by: Vec::new(),
        });
    }
    let manifest = serde_json::json!({
        "schemaVersion": 2,
        "mediaType": OCI_INDEX,
        "manifests": entries,
    });
    TestIndex {
        images,
        manifest: Blob::new(serde_json::to_vec(&manifest).expect("index JSON")),
    }
}
