//! Registries that do not list their repositories (Docker Hub's registry API, GHCR, GitLab,
//! ECR, Aliyun ACR): the catalog's refusal is told apart from a broken registry or a missing
//! login, and Aliyun's token realm and service go through the standard token flow.

use crate::support::api_server::{ApiServer, CatalogAnswer};
use crate::support::registry::{Auth, TestRegistry, TokenPolicy, TokenService, simple_image};
use wharf::registry::{
    ClientOptions, Credentials, DockerConfig, NoCatalogReason, RegistryClient, RegistryError,
    RepositoryRef,
};

fn client(credentials: Option<DockerConfig>) -> RegistryClient {
    RegistryClient::new(ClientOptions {
        credentials,
        ..ClientOptions::default()
    })
    .unwrap()
}

#[tokio::test]
async fn a_missing_or_unsupported_catalog_is_its_own_outcome() {
    let registry = TestRegistry::start(Auth::None);
    let image = simple_image("amd64", "nocat", "2024-01-01T00:00:00Z");
    registry.push_image("myns/app", &image, Some("1")).await;
    let server = ApiServer::start(Some(&registry)).await;
    let host = server.host();
    let client = client(None);

    // Proxied as is: the real catalog.
    let page = client.catalog_page(&host, 10).await.unwrap();
    assert_eq!(page.repositories.len(), 1);

    for (answer, reason) in [
        (CatalogAnswer::NotFound, NoCatalogReason::NotFound),
        (CatalogAnswer::Unsupported, NoCatalogReason::Unsupported),
    ] {
        server.state().faults.catalog = Some(answer);
        let e = client.catalog_page(&host, 10).await.unwrap_err();
        assert_eq!(
            e,
            RegistryError::NoCatalog {
                host: host.clone(),
                reason
            }
        );
        assert!(e.is_no_catalog());
        // The repositories themselves still open.
        let tags = client
            .tags(&RepositoryRef::new(&host, "myns/app").unwrap())
            .await
            .unwrap();
        assert_eq!(tags.tags, ["1"]);
    }
    let e = client.catalog_page(&host, 10).await.unwrap_err();
    assert!(
        e.to_string().starts_with(&format!(
            "{host} does not list its repositories (it does not support the catalog): open \
             one by name"
        )),
        "{e}"
    );

    // Nothing at /v2/ at all: that is not "no catalog" but no registry.
    let nothing = ApiServer::start(None).await;
    let e = client.catalog_page(&nothing.host(), 10).await.unwrap_err();
    assert!(!e.is_no_catalog(), "{e:?}");
    assert_eq!(
        e.to_string(),
        format!(
            "{} does not serve a registry API (/v2/ not found)",
            nothing.host()
        )
    );
}

#[tokio::test]
async fn a_catalog_refused_while_other_scopes_work() {
    let tokens = TokenService::start(TokenPolicy {
        username: "dev".into(),
        password: "pw".into(),
        refresh_token: None,
        expires_in: 300,
        anonymous: true,
    })
    .await;
    let registry = TestRegistry::start(Auth::Token {
        realm: tokens.realm(),
    });
    let image = simple_image("amd64", "refused", "2024-01-01T00:00:00Z");
    registry.push_image("myns/app", &image, Some("1")).await;
    let server = ApiServer::start(Some(&registry)).await;
    server.state().faults.catalog = Some(CatalogAnswer::Unauthorized);
    let host = server.host();
    let client = client(None);

    let e = client.catalog_page(&host, 10).await.unwrap_err();
    assert_eq!(
        e,
        RegistryError::NoCatalog {
            host: host.clone(),
            reason: NoCatalogReason::Refused
        }
    );
    // A token for the catalog scope was asked for and did not help; repositories still work.
    let scopes: Vec<Option<String>> = tokens
        .requests()
        .iter()
        .map(|r| r.scope().map(str::to_owned))
        .collect();
    assert!(
        scopes.contains(&Some("registry:catalog:*".to_owned())),
        "{scopes:?}"
    );
    let tags = client
        .tags(&RepositoryRef::new(&host, "myns/app").unwrap())
        .await
        .unwrap();
    assert_eq!(tags.tags, ["1"]);
}

#[tokio::test]
async fn a_registry_that_wants_a_login_is_not_taken_for_one_without_a_catalog() {
    let tokens = TokenService::start(TokenPolicy {
        username: "dev".into(),
        password: "pw".into(),
        refresh_token: None,
        expires_in: 300,
        anonymous: false,
    })
    .await;
    let registry = TestRegistry::start(Auth::Token {
        realm: tokens.realm(),
    });
    let server = ApiServer::start(Some(&registry)).await;
    server.state().faults.catalog = Some(CatalogAnswer::Unauthorized);
    let e = client(None)
        .catalog_page(&server.host(), 10)
        .await
        .unwrap_err();
    assert!(e.is_unauthorized(), "{e:?}");
}

#[tokio::test]
async fn aliyun_shaped_token_realm_and_service_go_through_the_token_flow() {
    const SERVICE: &str = "registry.aliyuncs.com:cn-hangzhou:26842";
    const USER: &str = "wharf_dev@1234567890123456";
    const PASSWORD: &str = "Acr+Pass/word=1";
    let tokens = TokenService::start(TokenPolicy {
        username: USER.into(),
        password: PASSWORD.into(),
        refresh_token: None,
        expires_in: 300,
        anonymous: false,
    })
    .await;
    let token_addr: std::net::SocketAddr = tokens
        .realm()
        .trim_start_matches("http://")
        .trim_end_matches("/token")
        .parse()
        .unwrap();
    // Aliyun's challenge: realm on dockerauth.<region>.aliyuncs.com/auth, its own service.
    let realm_host = format!("dockerauth.cn-hangzhou.aliyuncs.com:{}", token_addr.port());
    let registry = TestRegistry::start(Auth::TokenFor {
        realm: format!("http://{realm_host}/auth"),
        service: SERVICE.into(),
    });
    let image = simple_image("amd64", "aliyun", "2024-01-01T00:00:00Z");
    registry.push_image("myns/app", &image, Some("v1")).await;
    let registry_addr: std::net::SocketAddr = registry.host().parse().unwrap();
    let aliyun = format!("registry.cn-hangzhou.aliyuncs.com:{}", registry_addr.port());

    let dir = tempfile::tempdir().unwrap();
    let config = DockerConfig::at(dir.path());
    config
        .store(&aliyun, &Credentials::password(USER, PASSWORD))
        .unwrap();
    let client = RegistryClient::new(ClientOptions {
        credentials: Some(config),
        // These names are pinned to loopback; plain HTTP to them only because listed.
        resolve: vec![
            ("registry.cn-hangzhou.aliyuncs.com".into(), registry_addr),
            ("dockerauth.cn-hangzhou.aliyuncs.com".into(), token_addr),
        ],
        insecure_registries: vec![aliyun.clone(), realm_host.clone()],
        ..ClientOptions::default()
    })
    .unwrap();
    let repo = RepositoryRef::new(&aliyun, "myns/app").unwrap();
    let tags = client.tags(&repo).await.unwrap();
    assert_eq!(tags.tags, ["v1"]);
    let detail = client.tag_detail(&repo, "v1").await.unwrap();
    assert_eq!(detail.digest, image.manifest.digest);

    let asked = tokens.requests();
    let first = &asked[0];
    assert_eq!(
        first.params.get("service").map(String::as_str),
        Some(SERVICE)
    );
    assert_eq!(first.scope(), Some("repository:myns/app:pull"));
    assert_eq!(first.basic_user.as_deref(), Some(USER));
    assert!(first.granted);
    assert_eq!(asked.len(), 1, "one token serves the tags and the detail");
}
