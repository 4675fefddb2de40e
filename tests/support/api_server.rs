//! A local stand-in for the registries' own APIs, on a loopback port (tokio + hyper):
//! Docker Hub's API (`api_fixtures::hub`, written to Docker Hub's API reference) and Harbor's
//! API v2.0 (`api_fixtures::harbor`, written to Harbor's `swagger.yaml`). Everything else
//! under `/v2/` is proxied to a real `TestRegistry`, so the Distribution API is the real one.
//!
//! Tests change the fixtures and switch faults on through [`ApiServer::state`], and read back
//! what was asked ([`ApiServer::requests`]).

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;

use super::api_fixtures::{harbor, hub};
use super::registry::TestRegistry;

/// Largest request body the server reads (the tests send small JSON).
const BODY_LIMIT: usize = 1024 * 1024;

/// One request the server received.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    /// Path and query, as sent.
    pub target: String,
    pub authorization: Option<String>,
}

impl Seen {
    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or("")
    }
}

/// What the proxied `/v2/` answers get added, as Docker Hub's registry does.
#[derive(Debug, Clone)]
pub struct PullQuota {
    pub limit: u64,
    pub remaining: u64,
    pub window_seconds: u64,
    pub source: String,
}

/// How the registry's catalog answers (the proxied registry's own, or a refusal).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CatalogAnswer {
    Proxy,
    /// 404 page not found, as Docker Hub's registry and GHCR.
    NotFound,
    /// The catalog asked of the registry without the caller's Authorization: behind a token
    /// service, a 401 with a challenge for `registry:catalog:*` that no token satisfies (as
    /// Harbor for non-administrators, GitLab, or Aliyun).
    Unauthorized,
    /// `405` with `UNSUPPORTED`, as the spec allows for registries without a catalog.
    Unsupported,
}

/// Faults a test can switch on.
#[derive(Debug, Clone, Default)]
pub struct Faults {
    /// Pull quota headers on manifest answers; GETs spend one, a GET at 0 gets a 429.
    pub pull_quota: Option<PullQuota>,
    /// Docker Hub API pages served before every further one gets a 429.
    pub hub_pages_before_rate_limit: Option<usize>,
    /// Path prefixes answered with an HTML login page (a proxy or SSO in front).
    pub html_under: Vec<String>,
    /// Harbor's `Link` points back at the first page, forever.
    pub harbor_link_loops: bool,
    /// How `/v2/_catalog` answers.
    pub catalog: Option<CatalogAnswer>,
}

/// Everything the server answers from; tests lock and change it.
#[derive(Default)]
pub struct ServerState {
    pub hub: hub::HubFixture,
    pub harbor: Option<harbor::HarborFixture>,
    pub faults: Faults,
    hub_pages_served: usize,
}

struct Shared {
    addr: SocketAddr,
    upstream: Option<String>,
    state: Mutex<ServerState>,
    seen: Mutex<Vec<Seen>>,
    http: reqwest::Client,
}

/// The running server; stops when dropped.
pub struct ApiServer {
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

impl ApiServer {
    /// Starts a server in front of `upstream` (whose `/v2/` it proxies), if given.
    pub async fn start(upstream: Option<&TestRegistry>) -> ApiServer {
        wharf::registry::install_crypto_provider();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the API server");
        let addr = listener.local_addr().expect("API server address");
        let shared = Arc::new(Shared {
            addr,
            upstream: upstream.map(|r| r.host().to_owned()),
            state: Mutex::new(ServerState::default()),
            seen: Mutex::new(Vec::new()),
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("proxy client"),
        });
        let serving = shared.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let shared = serving.clone();
                tokio::spawn(async move {
                    let service = service_fn(move |request| {
                        let shared = shared.clone();
                        async move { Ok::<_, Infallible>(handle(&shared, request).await) }
                    });
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        ApiServer { shared, task }
    }

    /// `127.0.0.1:PORT`: a registry name for references, and the API host.
    pub fn host(&self) -> String {
        self.shared.addr.to_string()
    }

    /// `http://127.0.0.1:PORT`, for `ClientOptions::hub_api_url`.
    pub fn url(&self) -> String {
        format!("http://{}", self.shared.addr)
    }

    /// The fixtures and faults, to change them.
    pub fn state(&self) -> std::sync::MutexGuard<'_, ServerState> {
        self.shared.state.lock().expect("server state")
    }

    /// Every request so far.
    pub fn requests(&self) -> Vec<Seen> {
        self.shared.seen.lock().expect("requests").clone()
    }

    /// Requests whose path starts with `prefix`.
    pub fn requests_under(&self, prefix: &str) -> Vec<Seen> {
        self.requests()
            .into_iter()
            .filter(|s| s.path().starts_with(prefix))
            .collect()
    }
}

impl Drop for ApiServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A request as the fixtures see it: method, path, decoded query, headers, body.
pub struct Call {
    pub method: String,
    pub path: String,
    pub query: BTreeMap<String, String>,
    pub headers: BTreeMap<String, String>,
    pub body: Bytes,
    /// `http://127.0.0.1:PORT`, for absolute links.
    pub origin: String,
}

impl Call {
    pub fn param(&self, name: &str) -> Option<&str> {
        self.query.get(name).map(String::as_str)
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(String::as_str)
    }
}

/// An answer: status, headers, body.
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn json(status: u16, value: &serde_json::Value) -> Answer {
        Answer {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: serde_json::to_vec(value).expect("JSON"),
        }
    }

    pub fn text(status: u16, content_type: &str, body: &str) -> Answer {
        Answer {
            status,
            headers: vec![("content-type".into(), content_type.into())],
            body: body.as_bytes().to_vec(),
        }
    }

    pub fn with_header(mut self, name: &str, value: impl Into<String>) -> Answer {
        self.headers.push((name.to_owned(), value.into()));
        self
    }
}

/// The login page a proxy or SSO front answers with instead of the API.
pub const LOGIN_PAGE: &str = "<!DOCTYPE html><html><head><title>Sign in</title></head>\
     <body><form action=\"/login\"><input name=\"user\"></form></body></html>";

async fn handle(shared: &Shared, request: Request<Incoming>) -> Response<Full<Bytes>> {
    let method = request.method().as_str().to_owned();
    let target = request
        .uri()
        .path_and_query()
        .map_or("/".to_owned(), |p| p.as_str().to_owned());
    let headers: BTreeMap<String, String> = request
        .headers()
        .iter()
        .filter_map(|(k, v)| Some((k.as_str().to_owned(), v.to_str().ok()?.to_owned())))
        .collect();
    shared.seen.lock().expect("requests").push(Seen {
        method: method.clone(),
        target: target.clone(),
        authorization: headers.get("authorization").cloned(),
    });
    let body = match request.into_body().collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => Bytes::new(),
    };
    if body.len() > BODY_LIMIT {
        return reply(Answer::text(413, "text/plain", "too large"));
    }
    let (path, query) = match target.split_once('?') {
        Some((path, query)) => (path.to_owned(), super::registry::decode_pairs(query)),
        None => (target.clone(), BTreeMap::new()),
    };
    let call = Call {
        method,
        path,
        query,
        headers,
        body,
        origin: format!("http://{}", shared.addr),
    };
    let answer = route(shared, &call, &target).await;
    reply(answer)
}

async fn route(shared: &Shared, call: &Call, target: &str) -> Answer {
    let mut with_authorization = true;
    {
        let mut state = shared.state.lock().expect("server state");
        if state
            .faults
            .html_under
            .iter()
            .any(|prefix| call.path.starts_with(prefix.as_str()))
        {
            return Answer::text(200, "text/html; charset=utf-8", LOGIN_PAGE);
        }
        if call.path.starts_with("/api/v2.0/") {
            let loops = state.faults.harbor_link_loops;
            return match &state.harbor {
                Some(harbor) => harbor.answer(call, loops),
                None => Answer::text(404, "text/plain", "404 page not found"),
            };
        }
        if hub::is_hub_api(&call.path) {
            if let Some(allowed) = state.faults.hub_pages_before_rate_limit
                && call.method == "GET"
                && state.hub_pages_served >= allowed
            {
                return hub::rate_limited();
            }
            if call.method == "GET" {
                state.hub_pages_served += 1;
            }
            return state.hub.answer(call);
        }
        if call.path == "/v2/_catalog" {
            match state.faults.catalog.unwrap_or(CatalogAnswer::Proxy) {
                CatalogAnswer::Proxy => {}
                CatalogAnswer::NotFound => {
                    return Answer::text(404, "text/plain", "404 page not found");
                }
                CatalogAnswer::Unsupported => {
                    return Answer::json(
                        405,
                        &serde_json::json!({"errors": [{"code": "UNSUPPORTED",
                            "message": "The operation is unsupported."}]}),
                    );
                }
                CatalogAnswer::Unauthorized => with_authorization = false,
            }
        }
    }
    if call.path.starts_with("/v2/") || call.path == "/v2" {
        return proxy(shared, call, target, with_authorization).await;
    }
    Answer::text(404, "text/plain", "404 page not found")
}

/// Forwards a `/v2/` request to the real registry (with the caller's Authorization or
/// without), adding pull quota headers to manifests.
async fn proxy(shared: &Shared, call: &Call, target: &str, with_authorization: bool) -> Answer {
    let Some(upstream) = &shared.upstream else {
        return Answer::text(404, "text/plain", "404 page not found");
    };
    let is_manifest = call.path.contains("/manifests/");
    let quota = if is_manifest {
        let mut state = shared.state.lock().expect("server state");
        match &mut state.faults.pull_quota {
            Some(quota) if call.method == "GET" && quota.remaining == 0 => {
                return hub::too_many_requests(quota);
            }
            Some(quota) => {
                if call.method == "GET" {
                    quota.remaining -= 1;
                }
                Some(quota.clone())
            }
            None => None,
        }
    } else {
        None
    };
    let method = reqwest::Method::from_bytes(call.method.as_bytes()).expect("method");
    let mut request = shared
        .http
        .request(method, format!("http://{upstream}{target}"));
    for (name, value) in &call.headers {
        let dropped = name == "authorization" && !with_authorization;
        if !dropped && !matches!(name.as_str(), "host" | "connection" | "content-length") {
            request = request.header(name, value);
        }
    }
    let response = match request.body(call.body.clone()).send().await {
        Ok(response) => response,
        Err(e) => return Answer::text(502, "text/plain", &format!("upstream: {e}")),
    };
    let mut answer = Answer {
        status: response.status().as_u16(),
        headers: response
            .headers()
            .iter()
            .filter(|(k, _)| {
                !matches!(
                    k.as_str(),
                    "connection" | "transfer-encoding" | "content-length"
                )
            })
            .filter_map(|(k, v)| Some((k.as_str().to_owned(), v.to_str().ok()?.to_owned())))
            .collect(),
        body: Vec::new(),
    };
    // HEAD answers carry the length of the body a GET would get.
    let head_length = response
        .headers()
        .get("content-length")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    answer.body = response
        .bytes()
        .await
        .map(|b| b.to_vec())
        .unwrap_or_default();
    if call.method == "HEAD"
        && let Some(length) = head_length
    {
        answer.headers.push(("content-length".into(), length));
    }
    if let Some(quota) = quota {
        answer = hub::with_quota_headers(answer, &quota);
    }
    answer
}

fn reply(answer: Answer) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(answer.body)));
    *response.status_mut() =
        StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    for (name, value) in answer.headers {
        if let (Ok(name), Ok(value)) = (
            hyper::header::HeaderName::from_bytes(name.as_bytes()),
            hyper::header::HeaderValue::from_str(&value),
        ) {
            response.headers_mut().append(name, value);
        }
    }
    response
}
