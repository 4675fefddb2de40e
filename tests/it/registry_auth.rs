//! Authentication against a real `docker-registry`: htpasswd (Basic) and token auth (its
//! `silly` controller plus a token service run by the test), with credentials read from a
//! private docker config directory or a fake credential helper.

use crate::support::credential_helper::{helper_calls, install_fake_helper};
use crate::support::registry::{
    Auth, TestImage, TestRegistry, TokenPolicy, TokenService, simple_image,
};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use wharf::registry::{
    ClientOptions, Credentials, DockerConfig, RegistryClient, RegistryError, StoredIn,
};

const USER: &str = "wharf-user";
/// Characters that break naive encodings (see ENGINE-NOTES on X-Registry-Auth).
const PASSWORD: &str = "abc>>>def+/= x:y";

fn client_with(config: Option<DockerConfig>) -> RegistryClient {
    RegistryClient::new(ClientOptions {
        credentials: config,
        ..ClientOptions::default()
    })
    .unwrap()
}

/// A private docker config dir whose config.json is `json`.
fn docker_config(json: &str) -> (tempfile::TempDir, DockerConfig) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("config.json"), json).unwrap();
    let config = DockerConfig::at(dir.path());
    (dir, config)
}

fn auths_json(host: &str, user: &str, password: &str) -> String {
    let auth = STANDARD.encode(format!("{user}:{password}"));
    format!(r#"{{"auths": {{"{host}": {{"auth": "{auth}"}}}}}}"#)
}

fn htpasswd_registry() -> TestRegistry {
    TestRegistry::start(Auth::Htpasswd {
        username: USER.into(),
        password: PASSWORD.into(),
    })
}

async fn with_image(registry: &TestRegistry, repo: &str) -> TestImage {
    let image = simple_image("amd64", repo, "2023-03-03T03:03:03Z");
    registry.push_image(repo, &image, Some("1")).await;
    image
}

/// `e` is a refusal; `credentials_rejected` says whether credentials were sent and refused.
fn assert_unauthorized(e: &RegistryError, credentials_rejected: bool) {
    assert!(
        matches!(
            e,
            RegistryError::Unauthorized {
                credentials_rejected: rejected,
                ..
            } if *rejected == credentials_rejected
        ),
        "{e}"
    );
}

#[tokio::test]
async fn htpasswd_with_stored_credentials() {
    let registry = htpasswd_registry();
    let image = with_image(&registry, "team/app").await;
    let (_dir, config) = docker_config(&auths_json(registry.host(), USER, PASSWORD));
    let client = client_with(Some(config));
    let repo = registry.repo("team/app");
    assert_eq!(client.tags(&repo).await.unwrap().tags, vec!["1"]);
    let detail = client.tag_detail(&repo, "1").await.unwrap();
    assert_eq!(detail.digest, image.manifest.digest);
    assert_eq!(detail.compressed_size, image.compressed_size());
}

#[tokio::test]
async fn htpasswd_without_credentials_asks_to_log_in() {
    let registry = htpasswd_registry();
    with_image(&registry, "app").await;
    // No docker config at all, and an empty one: both anonymous.
    let (_dir, empty) = docker_config("{}");
    for client in [client_with(None), client_with(Some(empty))] {
        let e = client.tags(&registry.repo("app")).await.unwrap_err();
        assert_eq!(
            e,
            RegistryError::Unauthorized {
                host: registry.host().into(),
                credentials_rejected: false
            }
        );
        assert!(e.is_unauthorized());
        assert_eq!(e.host(), Some(registry.host()));
        assert_eq!(
            e.to_string(),
            format!("unauthorized — press L to log in to {}", registry.host())
        );
    }
}

#[tokio::test]
async fn htpasswd_wrong_password_is_unauthorized() {
    let registry = htpasswd_registry();
    with_image(&registry, "app").await;
    let (_dir, config) = docker_config(&auths_json(registry.host(), USER, "wrong"));
    let client = client_with(Some(config));
    let e = client
        .tag_detail(&registry.repo("app"), "1")
        .await
        .unwrap_err();
    assert_eq!(
        e,
        RegistryError::Unauthorized {
            host: registry.host().into(),
            credentials_rejected: true
        }
    );
    assert!(e.to_string().contains("press L to log in to"), "{e}");
}

#[tokio::test]
async fn credentials_are_keyed_by_the_exact_host() {
    let registry = htpasswd_registry();
    with_image(&registry, "app").await;
    let port = registry.host().rsplit_once(':').unwrap().1;
    // Stored for localhost:PORT; the repository says 127.0.0.1:PORT: docker treats them apart.
    let (_dir, config) = docker_config(&auths_json(&format!("localhost:{port}"), USER, PASSWORD));
    let client = client_with(Some(config));
    let e = client.tags(&registry.repo("app")).await.unwrap_err();
    assert_unauthorized(&e, false);
    let via_localhost =
        wharf::registry::RepositoryRef::new(&format!("localhost:{port}"), "app").unwrap();
    assert_eq!(client.tags(&via_localhost).await.unwrap().tags, vec!["1"]);
}

#[tokio::test]
async fn check_credentials_like_docker_login() {
    let registry = htpasswd_registry();
    let client = client_with(None);
    client
        .check_credentials(registry.host(), &Credentials::password(USER, PASSWORD))
        .await
        .unwrap();
    let e = client
        .check_credentials(registry.host(), &Credentials::password(USER, "nope"))
        .await
        .unwrap_err();
    assert_unauthorized(&e, true);
    let e = client
        .check_credentials(
            registry.host(),
            &Credentials::password("someone-else", PASSWORD),
        )
        .await
        .unwrap_err();
    assert!(e.is_unauthorized());

    // A registry without auth accepts anything, as docker login does.
    let open = TestRegistry::start(Auth::None);
    client
        .check_credentials(open.host(), &Credentials::password("x", "y"))
        .await
        .unwrap();
}

#[tokio::test]
async fn login_through_a_credential_helper_then_pull_with_it() {
    let registry = htpasswd_registry();
    with_image(&registry, "app").await;
    let helpers = tempfile::tempdir().unwrap();
    install_fake_helper(helpers.path(), "fake");
    let (dir, config) = docker_config(&format!(
        r#"{{"credHelpers": {{"{}": "fake"}}, "currentContext": "default"}}"#,
        registry.host()
    ));
    let config = config.with_helper_dir(helpers.path());

    // What login will do: check, then store where docker would.
    let client = client_with(Some(config.clone()));
    let creds = Credentials::password(USER, PASSWORD);
    client
        .check_credentials(registry.host(), &creds)
        .await
        .unwrap();
    let stored = config.store_async(registry.host(), &creds).await.unwrap();
    assert_eq!(stored, StoredIn::Helper("fake".into()));
    let file = std::fs::read_to_string(dir.path().join("config.json")).unwrap();
    assert!(
        !file.contains(&STANDARD.encode(format!("{USER}:{PASSWORD}"))),
        "{file}"
    );
    assert!(file.contains("currentContext"), "other keys kept: {file}");

    // Several calls, one helper lookup.
    let repo = registry.repo("app");
    client.tags(&repo).await.unwrap();
    client.tag_detail(&repo, "1").await.unwrap();
    client.manifest_digest(&repo, "1").await.unwrap();
    assert_eq!(helper_calls(helpers.path(), "get"), 1);

    // Logout: erase, forget; the registry refuses again.
    config.erase_async(registry.host()).await.unwrap();
    client.forget_credentials(registry.host());
    let e = client.tags(&repo).await.unwrap_err();
    assert_unauthorized(&e, false);
    assert_eq!(
        helper_calls(helpers.path(), "get"),
        2,
        "looked up again after forgetting"
    );
}

fn token_policy() -> TokenPolicy {
    TokenPolicy {
        username: USER.into(),
        password: PASSWORD.into(),
        refresh_token: Some("refresh-me".into()),
        expires_in: 300,
        anonymous: false,
    }
}

async fn token_setup(policy: TokenPolicy) -> (TokenService, TestRegistry) {
    let tokens = TokenService::start(policy).await;
    let registry = TestRegistry::start(Auth::Token {
        realm: tokens.realm(),
    });
    (tokens, registry)
}

#[tokio::test]
async fn token_auth_asks_for_the_pull_scope_once() {
    let (tokens, registry) = token_setup(token_policy()).await;
    let image = with_image(&registry, "team/app").await;
    let (_dir, config) = docker_config(&auths_json(registry.host(), USER, PASSWORD));
    let client = client_with(Some(config));
    let repo = registry.repo("team/app");

    assert_eq!(client.tags(&repo).await.unwrap().tags, vec!["1"]);
    assert_eq!(
        client.manifest_digest(&repo, "1").await.unwrap().digest,
        image.manifest.digest
    );
    let detail = client.tag_detail(&repo, "1").await.unwrap();
    assert_eq!(detail.digest, image.manifest.digest);
    assert_eq!(detail.history.len(), 2);

    let requests = tokens.requests();
    assert_eq!(
        requests.len(),
        1,
        "one token for all requests: {requests:?}"
    );
    let request = &requests[0];
    assert_eq!(request.method, "GET");
    assert_eq!(request.scope(), Some("repository:team/app:pull"));
    assert_eq!(
        request.params.get("service").map(String::as_str),
        Some("test-registry")
    );
    assert_eq!(request.basic_user.as_deref(), Some(USER));
    assert!(request.granted);

    // Another repository is another scope, hence another token.
    with_image(&registry, "other").await;
    client.tags(&registry.repo("other")).await.unwrap();
    let scopes: Vec<_> = tokens
        .requests()
        .iter()
        .filter_map(|r| r.scope().map(str::to_owned))
        .collect();
    assert_eq!(
        scopes,
        vec!["repository:team/app:pull", "repository:other:pull"]
    );

    // The catalog has its own scope.
    let page = client.catalog_page(registry.host(), 10).await.unwrap();
    assert_eq!(page.repositories.len(), 2);
    assert_eq!(
        tokens.requests().last().unwrap().scope(),
        Some("registry:catalog:*")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_requests_share_one_token_request() {
    let (tokens, registry) = token_setup(token_policy()).await;
    with_image(&registry, "app").await;
    let (_dir, config) = docker_config(&auths_json(registry.host(), USER, PASSWORD));
    let client = client_with(Some(config));
    let repo = registry.repo("app");
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let (client, repo) = (client.clone(), repo.clone());
            tokio::spawn(async move { client.tag_detail(&repo, "1").await })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    assert_eq!(tokens.requests().len(), 1, "{:?}", tokens.requests());
}

#[tokio::test]
async fn token_auth_with_a_wrong_password_or_none() {
    let (tokens, registry) = token_setup(token_policy()).await;
    with_image(&registry, "app").await;
    let repo = registry.repo("app");

    let (_dir, config) = docker_config(&auths_json(registry.host(), USER, "wrong"));
    let e = client_with(Some(config)).tags(&repo).await.unwrap_err();
    assert_eq!(
        e,
        RegistryError::Unauthorized {
            host: registry.host().into(),
            credentials_rejected: true
        }
    );
    assert!(!tokens.requests()[0].granted);

    let e = client_with(None).tags(&repo).await.unwrap_err();
    assert_unauthorized(&e, false);
    assert_eq!(
        tokens.requests()[1].basic_user,
        None,
        "anonymous token request"
    );

    let client = client_with(None);
    let e = client
        .check_credentials(registry.host(), &Credentials::password(USER, "wrong"))
        .await
        .unwrap_err();
    assert!(e.is_unauthorized());
    client
        .check_credentials(registry.host(), &Credentials::password(USER, PASSWORD))
        .await
        .unwrap();
    let login_check = tokens.requests().last().cloned().unwrap();
    assert!(login_check.granted);
    assert_eq!(login_check.scope(), None, "login checks ask for no scope");
}

#[tokio::test]
async fn anonymous_tokens_when_the_service_allows_them() {
    let policy = TokenPolicy {
        anonymous: true,
        ..token_policy()
    };
    let (tokens, registry) = token_setup(policy).await;
    let image = with_image(&registry, "public").await;
    let detail = client_with(None)
        .tag_detail(&registry.repo("public"), "1")
        .await
        .unwrap();
    assert_eq!(detail.digest, image.manifest.digest);
    assert_eq!(tokens.requests().len(), 1);
    assert_eq!(tokens.requests()[0].basic_user, None);
}

#[tokio::test]
async fn identity_tokens_use_the_refresh_token_grant() {
    let (tokens, registry) = token_setup(token_policy()).await;
    with_image(&registry, "app").await;
    let dir = tempfile::tempdir().unwrap();
    let config = DockerConfig::at(dir.path());
    config
        .store_async(
            registry.host(),
            &Credentials::identity_token(USER, "refresh-me"),
        )
        .await
        .unwrap();
    let client = client_with(Some(config));
    assert_eq!(
        client.tags(&registry.repo("app")).await.unwrap().tags,
        vec!["1"]
    );

    let requests = tokens.requests();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(request.method, "POST");
    let param = |name: &str| request.params.get(name).map(String::as_str);
    assert_eq!(param("grant_type"), Some("refresh_token"));
    assert_eq!(param("refresh_token"), Some("refresh-me"));
    assert_eq!(param("client_id"), Some("wharf"));
    assert_eq!(param("service"), Some("test-registry"));
    assert_eq!(param("scope"), Some("repository:app:pull"));
    assert!(request.granted);

    // A refused refresh token is a rejected login.
    let dir = tempfile::tempdir().unwrap();
    let config = DockerConfig::at(dir.path());
    config
        .store_async(registry.host(), &Credentials::identity_token(USER, "stale"))
        .await
        .unwrap();
    let e = client_with(Some(config))
        .tags(&registry.repo("app"))
        .await
        .unwrap_err();
    assert_unauthorized(&e, true);
}
