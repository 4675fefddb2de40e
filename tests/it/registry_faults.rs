//! The registry client against hostile or broken servers: garbage bodies, endless bodies,
//! silence, rate limits, redirects, odd pagination, TLS on a plain port. The servers are tiny
//! HTTP responders on loopback run by the test.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::support::registry::{Auth, HttpRequest, TestRegistry, read_http_request, simple_image};
use tokio::io::AsyncWriteExt;
use wharf::registry::manifest::sha256_digest;
use wharf::registry::{
    ClientOptions, Credentials, DockerConfig, RegistryClient, RegistryError, RepositoryRef,
};

/// What a fake server does with one request.
enum Behavior {
    Respond {
        status: u16,
        headers: Vec<(&'static str, String)>,
        body: Vec<u8>,
    },
    /// 200, then JSON-looking bytes until the client hangs up (or 256 MiB).
    Endless,
    /// Read the request, never answer.
    Silent,
    /// Read the request, close the connection.
    Hangup,
}

fn respond(status: u16, headers: &[(&'static str, &str)], body: impl Into<Vec<u8>>) -> Behavior {
    Behavior::Respond {
        status,
        headers: headers.iter().map(|(k, v)| (*k, v.to_string())).collect(),
        body: body.into(),
    }
}

fn json(body: &str) -> Behavior {
    respond(200, &[("content-type", "application/json")], body)
}

type Handler = dyn Fn(&HttpRequest, SocketAddr) -> Behavior + Send + Sync;

/// A loopback HTTP server answering each request through a handler; counts what it did.
struct FakeServer {
    addr: SocketAddr,
    seen: Arc<Mutex<Vec<HttpRequest>>>,
    bytes_sent: Arc<AtomicU64>,
    task: tokio::task::JoinHandle<()>,
}

impl FakeServer {
    async fn start(
        handler: impl Fn(&HttpRequest, SocketAddr) -> Behavior + Send + Sync + 'static,
    ) -> FakeServer {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let handler: Arc<Handler> = Arc::new(handler);
        let seen = Arc::new(Mutex::new(Vec::new()));
        let bytes_sent = Arc::new(AtomicU64::new(0));
        let (seen_in, sent_in) = (seen.clone(), bytes_sent.clone());
        let task = tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                let (handler, seen, sent) = (handler.clone(), seen_in.clone(), sent_in.clone());
                tokio::spawn(async move {
                    let Some(request) = read_http_request(&mut stream).await else {
                        return;
                    };
                    let behavior = handler(&request, addr);
                    seen.lock().unwrap().push(request);
                    serve(&mut stream, behavior, &sent).await;
                });
            }
        });
        FakeServer {
            addr,
            seen,
            bytes_sent,
            task,
        }
    }

    fn host(&self) -> String {
        self.addr.to_string()
    }

    fn repo(&self, name: &str) -> RepositoryRef {
        RepositoryRef::new(&self.host(), name).unwrap()
    }

    fn requests(&self) -> usize {
        self.seen.lock().unwrap().len()
    }
}

impl Drop for FakeServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve(stream: &mut tokio::net::TcpStream, behavior: Behavior, sent: &AtomicU64) {
    match behavior {
        Behavior::Respond {
            status,
            headers,
            body,
        } => {
            let mut head = format!("HTTP/1.1 {status} Whatever\r\nConnection: close\r\n");
            if !headers
                .iter()
                .any(|(k, _)| k.eq_ignore_ascii_case("content-length"))
            {
                head.push_str(&format!("Content-Length: {}\r\n", body.len()));
            }
            for (name, value) in headers {
                head.push_str(&format!("{name}: {value}\r\n"));
            }
            head.push_str("\r\n");
            let _ = stream.write_all(head.as_bytes()).await;
            let _ = stream.write_all(&body).await;
            let _ = stream.shutdown().await;
        }
        Behavior::Endless => {
            let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n{\"tags\":[\"";
            if stream.write_all(head.as_bytes()).await.is_err() {
                return;
            }
            let chunk = vec![b'a'; 64 * 1024];
            // Bounded so the test server stops by itself even if the client never hangs up.
            for _ in 0..4096 {
                if stream.write_all(&chunk).await.is_err() {
                    break;
                }
                sent.fetch_add(chunk.len() as u64, Ordering::Relaxed);
            }
        }
        Behavior::Silent => {
            // Hold the connection open without answering until the client gives up.
            let mut buf = [0u8; 1];
            let _ = tokio::io::AsyncReadExt::read(stream, &mut buf).await;
        }
        Behavior::Hangup => {}
    }
}

fn client() -> RegistryClient {
    RegistryClient::new(ClientOptions::default()).unwrap()
}

fn path_of(request: &HttpRequest) -> &str {
    request.target.split('?').next().unwrap_or("")
}

#[tokio::test]
async fn html_instead_of_json_is_a_clear_error() {
    let server = FakeServer::start(|_, _| {
        respond(
            200,
            &[("content-type", "text/html")],
            "<!DOCTYPE html><html><head><title>Welcome to nginx!</title></head></html>",
        )
    })
    .await;
    let e = client().tags(&server.repo("app")).await.unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "{} sent an invalid answer: expected a JSON tag list, got an HTML page (is this really a registry?)",
            server.host()
        )
    );
    let e = client()
        .tag_detail(&server.repo("app"), "1")
        .await
        .unwrap_err();
    assert!(matches!(e, RegistryError::BadResponse { .. }), "{e}");
}

#[tokio::test]
async fn truncated_json_is_a_clear_error() {
    let server = FakeServer::start(|request, _| {
        if path_of(request).ends_with("/tags/list") {
            json(r#"{"name":"app","tags":["1","2""#)
        } else {
            let body = r#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"#;
            respond(200, &[("content-type", "application/vnd.oci.image.manifest.v1+json")], body)
        }
    })
    .await;
    let e = client().tags(&server.repo("app")).await.unwrap_err();
    let text = e.to_string();
    assert!(
        text.contains("expected a JSON tag list, got truncated JSON"),
        "{text}"
    );
    let e = client()
        .manifest(&server.repo("app"), "1")
        .await
        .unwrap_err();
    let text = e.to_string();
    assert!(
        text.contains("expected an image manifest or index, got truncated JSON"),
        "{text}"
    );
}

#[tokio::test]
async fn an_endless_body_is_cut_off_at_the_limit() {
    let server = FakeServer::start(|_, _| Behavior::Endless).await;
    let e = client().tags(&server.repo("app")).await.unwrap_err();
    match &e {
        RegistryError::TooLarge { host, what, limit } => {
            assert_eq!(host, &server.host());
            assert_eq!(*what, "a tag list page");
            assert_eq!(*limit, 16 * 1024 * 1024);
        }
        other => panic!("expected TooLarge, got {other:?}"),
    }
    assert_eq!(
        e.to_string(),
        format!(
            "{} sent more than 16 MiB for a tag list page; refusing to read further",
            server.host()
        )
    );
    // The client hung up soon after the limit; the server did not get to send everything.
    let sent = server.bytes_sent.load(Ordering::Relaxed);
    assert!(sent < 4096 * 64 * 1024, "server sent {sent} bytes");
}

#[tokio::test]
async fn a_huge_declared_length_is_refused_before_reading() {
    let server = FakeServer::start(|_, _| {
        respond(
            200,
            &[
                ("content-type", "application/vnd.oci.image.manifest.v1+json"),
                ("content-length", "10737418240"),
            ],
            "{}",
        )
    })
    .await;
    let e = client()
        .manifest(&server.repo("app"), "1")
        .await
        .unwrap_err();
    assert!(
        matches!(e, RegistryError::TooLarge { what: "a manifest", limit, .. } if limit == 4 * 1024 * 1024),
        "{e:?}"
    );
}

#[tokio::test]
async fn a_silent_server_times_out_naming_the_host() {
    let server = FakeServer::start(|_, _| Behavior::Silent).await;
    let client = RegistryClient::new(ClientOptions {
        request_timeout: Duration::from_millis(800),
        ..ClientOptions::default()
    })
    .unwrap();
    let started = Instant::now();
    let e = client.tags(&server.repo("app")).await.unwrap_err();
    assert_eq!(
        e,
        RegistryError::Timeout {
            host: server.host()
        }
    );
    assert_eq!(
        e.to_string(),
        format!("{} did not answer in time", server.host())
    );
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[tokio::test]
async fn a_server_that_hangs_up_is_named() {
    let server = FakeServer::start(|_, _| Behavior::Hangup).await;
    let e = client().tags(&server.repo("app")).await.unwrap_err();
    assert!(
        matches!(&e, RegistryError::Interrupted { host, .. } if *host == server.host()),
        "{e:?}"
    );
    assert!(
        e.to_string()
            .starts_with(&format!("the connection to {} broke", server.host()))
    );
}

#[tokio::test]
async fn rate_limits_say_when_to_come_back() {
    let server = FakeServer::start(|_, _| {
        respond(
            429,
            &[
                ("content-type", "application/json"),
                ("retry-after", "120"),
                ("ratelimit-limit", "100;w=21600"),
                ("ratelimit-remaining", "0;w=21600"),
            ],
            r#"{"errors":[{"code":"TOOMANYREQUESTS","message":"You have reached your pull rate limit."}]}"#,
        )
    })
    .await;
    let before = chrono::Utc::now();
    let client = client();
    let e = client
        .tag_detail(&server.repo("app"), "1")
        .await
        .unwrap_err();
    let RegistryError::RateLimited {
        host,
        retry_at,
        quota,
        logged_in,
    } = &e
    else {
        panic!("expected RateLimited, got {e:?}");
    };
    assert_eq!(host, &server.host());
    assert_eq!(quota.as_deref(), Some("100;w=21600"));
    assert!(!logged_in, "the request was anonymous");
    let retry_at = retry_at.expect("reset time");
    let wait = retry_at - before;
    assert!(
        wait >= chrono::Duration::seconds(119) && wait <= chrono::Duration::seconds(125),
        "{wait}"
    );
    let text = e.to_string();
    assert!(
        text.starts_with(&format!(
            "rate limited by {} (quota 100;w=21600) — try again after ",
            server.host()
        )),
        "{text}"
    );
    assert!(
        text.ends_with(&format!(
            "; logging in raises the limit (press L to log in to {})",
            server.host()
        )),
        "{text}"
    );
    // The 429 said no pulls are left: that is the quota the title shows now.
    let quota = client.rate_limit(&server.host()).expect("the 429's quota");
    assert_eq!((quota.limit, quota.remaining), (100, 0));
}

#[tokio::test]
async fn server_errors_carry_the_registry_message() {
    let server = FakeServer::start(|_, _| {
        respond(
            503,
            &[("content-type", "application/json")],
            r#"{"errors":[{"code":"UNAVAILABLE","message":"storage backend is down"}]}"#,
        )
    })
    .await;
    let e = client().tags(&server.repo("app")).await.unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "{} answered HTTP 503 Service Unavailable: storage backend is down",
            server.host()
        )
    );
}

/// Serves one image whose config blob redirects to a "storage" server on another port.
#[tokio::test]
async fn blob_redirects_are_followed_without_leaking_credentials() {
    let image = simple_image("amd64", "redirect", "2024-04-04T04:04:04Z");
    let config = image.config.clone();
    let storage = FakeServer::start(move |_, _| {
        respond(
            200,
            &[("content-type", "application/octet-stream")],
            config.bytes.clone(),
        )
    })
    .await;
    let storage_host = storage.host();
    let manifest = image.manifest.clone();
    let config_digest = image.config.digest.clone();
    let registry = FakeServer::start(move |request, _| {
        // This registry wants Basic credentials on every request.
        if request.headers.get("authorization").map(String::as_str) != Some("Basic dTpw") {
            return respond(401, &[("www-authenticate", r#"Basic realm="fake""#)], "");
        }
        let path = path_of(request);
        if path.ends_with("/manifests/1") {
            respond(
                200,
                &[("content-type", "application/vnd.oci.image.manifest.v1+json")],
                manifest.bytes.clone(),
            )
        } else if path.ends_with(&format!("/blobs/{config_digest}")) {
            let location = format!("http://{storage_host}/storage/config?signature=abc");
            respond(307, &[("location", location.as_str())], "")
        } else {
            respond(404, &[], "")
        }
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let docker = DockerConfig::at(dir.path());
    docker
        .store(&registry.host(), &Credentials::password("u", "p"))
        .unwrap();
    let client = RegistryClient::new(ClientOptions {
        credentials: Some(docker),
        ..ClientOptions::default()
    })
    .unwrap();
    let detail = client.tag_detail(&registry.repo("app"), "1").await.unwrap();
    assert_eq!(
        detail.created,
        Some("2024-04-04T04:04:04Z".parse().unwrap())
    );
    assert_eq!(detail.history.len(), 2);
    let storage_requests = storage.seen.lock().unwrap();
    assert_eq!(storage_requests.len(), 1);
    assert_eq!(storage_requests[0].target, "/storage/config?signature=abc");
    assert!(
        !storage_requests[0].headers.contains_key("authorization"),
        "credentials must not follow a redirect to another host"
    );
}

#[tokio::test]
async fn tag_pages_follow_relative_and_absolute_links() {
    let server = FakeServer::start(|request, addr| {
        match request.target.as_str() {
            "/v2/team/app/tags/list" => respond(
                200,
                &[("link", r#"</v2/team/app/tags/list?last=b&n=2>; rel="next""#)],
                r#"{"name":"team/app","tags":["a","b"]}"#,
            ),
            "/v2/team/app/tags/list?last=b&n=2" => respond(
                200,
                &[(
                    "link",
                    &format!(r#"<http://{addr}/v2/team/app/tags/list?last=c&n=2>; rel="next""#),
                )],
                // An invalid tag name and a duplicate: both dropped.
                r#"{"name":"team/app","tags":["c","../x","a"]}"#,
            ),
            "/v2/team/app/tags/list?last=c&n=2" => respond(
                200,
                // A link back to where we were: must not loop.
                &[("link", r#"</v2/team/app/tags/list>; rel="next""#)],
                r#"{"name":"team/app","tags":null}"#,
            ),
            _ => respond(404, &[], ""),
        }
    })
    .await;
    let list = client().tags(&server.repo("team/app")).await.unwrap();
    assert_eq!(list.tags, vec!["a", "b", "c"]);
    assert!(!list.truncated);
    assert_eq!(server.requests(), 3);
}

#[tokio::test]
async fn a_next_link_to_another_host_is_refused() {
    let server = FakeServer::start(|_, _| {
        respond(
            200,
            &[(
                "link",
                r#"<https://elsewhere.example/v2/app/tags/list?last=a>; rel="next""#,
            )],
            r#"{"tags":["a"]}"#,
        )
    })
    .await;
    let e = client().tags(&server.repo("app")).await.unwrap_err();
    assert!(
        e.to_string()
            .contains("expected a next-page link on the same registry"),
        "{e}"
    );
}

#[tokio::test]
async fn a_manifest_that_does_not_match_its_digest_is_refused() {
    let body = br#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}"#;
    let claimed = sha256_digest(b"something else");
    let claimed_header = claimed.clone();
    let server = FakeServer::start(move |_, _| {
        respond(
            200,
            &[
                ("content-type", "application/vnd.oci.image.index.v1+json"),
                ("docker-content-digest", claimed_header.as_str()),
            ],
            body.to_vec(),
        )
    })
    .await;
    let client = client();
    let e = client.manifest(&server.repo("app"), "1").await.unwrap_err();
    assert!(
        e.to_string()
            .contains("matching its Docker-Content-Digest header"),
        "{e}"
    );
    let e = client
        .manifest(&server.repo("app"), &claimed)
        .await
        .unwrap_err();
    assert!(
        e.to_string().contains("matching the requested digest"),
        "{e}"
    );
}

#[tokio::test]
async fn broken_challenges_and_token_services() {
    let token_service = FakeServer::start(|_, _| {
        respond(
            200,
            &[("content-type", "text/html")],
            "<html>login page</html>",
        )
    })
    .await;
    let realm = format!("http://{}/token", token_service.host());
    let server = FakeServer::start(move |request, _| {
        match path_of(request) {
            // 401 without any challenge.
            "/v2/bare/tags/list" => respond(401, &[], ""),
            // A realm that is not a URL we would ever call.
            "/v2/file/tags/list" => respond(
                401,
                &[(
                    "www-authenticate",
                    r#"Bearer realm="file:///etc/passwd",service="x""#,
                )],
                "",
            ),
            // A realm that answers HTML instead of a token.
            _ => respond(
                401,
                &[(
                    "www-authenticate",
                    &format!(r#"Bearer realm="{realm}",service="x""#),
                )],
                "",
            ),
        }
    })
    .await;
    let client = client();
    let e = client.tags(&server.repo("bare")).await.unwrap_err();
    assert!(e.is_unauthorized(), "{e}");
    let e = client.tags(&server.repo("file")).await.unwrap_err();
    assert!(e.to_string().contains("token realm URL"), "{e}");
    let e = client.tags(&server.repo("html")).await.unwrap_err();
    assert!(
        e.to_string()
            .contains("expected a token from the registry's token service, got an HTML page"),
        "{e}"
    );
}

#[tokio::test]
async fn non_loopback_hosts_use_tls_unless_listed_insecure() {
    let registry = TestRegistry::start(Auth::None);
    let image = simple_image("amd64", "tls", "2020-01-01T00:00:00Z");
    registry.push_image("app", &image, Some("1")).await;
    let port = registry.host().rsplit_once(':').unwrap().1;
    let name = format!("registry.wharf-test:{port}");
    // The name resolves to loopback only inside this client; nothing leaves the machine.
    let pinned = vec![(
        "registry.wharf-test".to_owned(),
        SocketAddr::from(([127, 0, 0, 1], 0)),
    )];
    let secure = RegistryClient::new(ClientOptions {
        resolve: pinned.clone(),
        ..ClientOptions::default()
    })
    .unwrap();
    let repo = RepositoryRef::new(&name, "app").unwrap();
    let e = secure.tags(&repo).await.unwrap_err();
    assert!(
        matches!(&e, RegistryError::Tls { host, .. } if *host == name),
        "{e:?}"
    );
    assert!(
        e.to_string()
            .starts_with(&format!("TLS error talking to {name}: ")),
        "{e}"
    );

    let insecure = RegistryClient::new(ClientOptions {
        resolve: pinned,
        insecure_registries: vec![name.clone()],
        ..ClientOptions::default()
    })
    .unwrap();
    assert_eq!(insecure.tags(&repo).await.unwrap().tags, vec!["1"]);
    assert_eq!(
        insecure.manifest_digest(&repo, "1").await.unwrap().digest,
        image.manifest.digest
    );
}

#[tokio::test]
async fn an_index_with_absurdly_many_platforms_is_refused_without_fetching_them() {
    let entries: Vec<String> = (0..1000)
        .map(|i| {
            format!(
                r#"{{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{}","size":1,"platform":{{"os":"linux","architecture":"arch{i}"}}}}"#,
                sha256_digest(format!("{i}").as_bytes())
            )
        })
        .collect();
    let body = format!(
        r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{}]}}"#,
        entries.join(",")
    );
    let server = FakeServer::start(move |_, _| {
        respond(
            200,
            &[("content-type", "application/vnd.oci.image.index.v1+json")],
            body.clone(),
        )
    })
    .await;
    let e = client()
        .tag_detail(&server.repo("app"), "1")
        .await
        .unwrap_err();
    assert!(
        e.to_string()
            .contains("at most 64 platform images, got 1000 of them"),
        "{e}"
    );
    assert_eq!(server.requests(), 1, "no request per platform");
}

#[tokio::test]
async fn catalog_names_the_grammar_refuses_are_kept_and_marked() {
    let long = format!("team/{}", "a".repeat(260));
    let body = serde_json::json!({
        "repositories": ["team/app", "Team/App", long, "a//b", "ok\u{1b}[31m"]
    })
    .to_string();
    let server = FakeServer::start(move |_, _| json(&body)).await;
    let page = client().catalog_page(&server.host(), 100).await.unwrap();
    let accepted: Vec<String> = page
        .repositories
        .iter()
        .map(|r| r.repository().to_owned())
        .collect();
    assert_eq!(accepted, ["team/app"]);
    let refused: Vec<(&str, &str)> = page
        .refused
        .iter()
        .map(|r| (r.name.as_str(), r.reason.as_str()))
        .collect();
    assert_eq!(refused.len(), 4, "{refused:?}");
    assert_eq!(refused[0].0, "Team/App");
    assert!(refused[0].1.contains("uppercase"), "{}", refused[0].1);
    // A long name is kept (shortened for display), with the limit in the reason.
    assert!(refused[1].0.starts_with("team/aaa") && refused[1].0.ends_with('…'));
    assert_eq!(
        refused[1].1,
        "repository path is 265 characters; at most 255 are allowed"
    );
    assert_eq!(refused[2].0, "a//b");
    assert!(
        refused[3].1.contains("invalid character"),
        "{}",
        refused[3].1
    );
}

fn hub_client(server: &FakeServer) -> RegistryClient {
    RegistryClient::new(ClientOptions {
        hub_api_url: format!("http://{}", server.host()),
        ..ClientOptions::default()
    })
    .unwrap()
}

fn query_page(request: &HttpRequest) -> u32 {
    request
        .target
        .split_once('?')
        .map(|(_, q)| crate::support::registry::decode_pairs(q))
        .and_then(|q| q.get("page").and_then(|p| p.parse().ok()))
        .unwrap_or(1)
}

#[tokio::test]
async fn hub_pages_that_loop_or_leave_the_hub_are_bounded() {
    // Page 1 → page 2 → page 1 → …: each page once, then the listing stops.
    let server = FakeServer::start(|request, addr| {
        let page = query_page(request);
        let next = if page == 1 { 2 } else { 1 };
        json(&format!(
            r#"{{"count":4,"next":"http://{addr}/v2/namespaces/library/repositories/app/tags?page_size=100&page={next}","previous":null,
                "results":[{{"name":"p{page}a"}},{{"name":"p{page}b"}}]}}"#
        ))
    })
    .await;
    let repo = RepositoryRef::parse("app").unwrap();
    let listing = hub_client(&server).hub_tags(&repo).await;
    let names: Vec<&str> = listing.items.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["p1a", "p1b", "p2a", "p2b"]);
    assert_eq!(listing.end, wharf::registry::ListingEnd::Truncated);
    assert_eq!(server.requests(), 2);

    // A next page on another host is refused (credentials and tokens stay on the Hub).
    let elsewhere = FakeServer::start(|_, _| {
        json(r#"{"count":9,"next":"http://198.51.100.7/v2/steal","results":[{"name":"1"}]}"#)
    })
    .await;
    let listing = hub_client(&elsewhere).hub_tags(&repo).await;
    assert!(listing.items.is_empty());
    let e = listing.error().expect("an error");
    assert!(
        e.to_string()
            .contains("a next-page link on Docker Hub's API"),
        "{e}"
    );
    assert_eq!(elsewhere.requests(), 1);
}

#[tokio::test]
async fn hub_and_harbor_json_with_odd_or_missing_fields() {
    let server = FakeServer::start(|request, _| {
        let path = path_of(request);
        if path.ends_with("/tags") {
            json(
                r#"{"count":"lots","next":17,"previous":[],"results":[
                    {"name":"ok","full_size":12,"images":[{"architecture":"amd64","os":"linux","digest":"sha256:zz"}]},
                    {"name":5}, "a string", {}, null,
                    {"name":"also-ok","images":{"not":"a list"},"tag_last_pushed":"yesterday"}]}"#,
            )
        } else if path.ends_with("/repositories") && path.starts_with("/v2/namespaces/") {
            json(r#"{"count":1}"#)
        } else if path == "/api/v2.0/projects" {
            json(r#"{"name":"library"}"#)
        } else if path.ends_with("/artifacts") {
            json(
                r#"[{"digest":"sha256:0000000000000000000000000000000000000000000000000000000000000000",
                     "tags":[{"name":"1"}],"scan_overview":"soon","references":7,"size":-3},
                    {"digest":null},{"tags":[{"name":"2"}]},[]]"#,
            )
        } else if path.ends_with("/repositories") {
            json("null")
        } else {
            respond(404, &[], "")
        }
    })
    .await;
    let client = hub_client(&server);
    let page = client
        .hub_tags_page(&RepositoryRef::parse("app").unwrap(), None)
        .await
        .unwrap();
    let names: Vec<&str> = page.items.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["ok", "also-ok"]);
    assert_eq!(page.skipped, 4);
    assert_eq!((page.total, page.next.is_some()), (None, false));
    assert_eq!(
        page.items[0].platforms[0].digest, None,
        "a bogus digest is dropped"
    );
    assert!(page.items[1].platforms.is_empty() && page.items[1].pushed.is_none());

    let e = client
        .hub_repositories_page("team", None)
        .await
        .unwrap_err();
    assert!(
        e.to_string()
            .contains("expected a Docker Hub repository page, got JSON without a \"results\" list"),
        "{e}"
    );

    let host = server.host();
    let e = client.harbor_projects_page(&host, None).await.unwrap_err();
    assert!(e.to_string().contains("JSON that is not a list"), "{e}");
    let empty = client
        .harbor_repositories_page(&host, "library", None)
        .await
        .unwrap();
    assert!(empty.items.is_empty(), "null is an empty list");
    let artifacts = client
        .harbor_artifacts_page(&RepositoryRef::new(&host, "library/app").unwrap(), None)
        .await
        .unwrap();
    assert_eq!(artifacts.items.len(), 1);
    assert_eq!(artifacts.skipped, 3);
    assert_eq!(artifacts.items[0].size, None);
    assert_eq!(
        artifacts.items[0].scan,
        wharf::registry::ScanSummary::not_scanned()
    );
}
