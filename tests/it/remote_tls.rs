//! TLS tcp engines against socat's TLS endpoint in front of the local engine (client
//! certificate required): lists, push with per-layer progress and `/auth` over TLS, and
//! each certificate problem in plain words.

use std::path::PathBuf;

use futures::StreamExt;
use wharf::docker::target::{self, EngineTarget, TargetInputs, TargetSource, TlsFiles};
use wharf::docker::{Engine, EngineError, EngineErrorKind, LoginCheck};
use wharf::registry::Credentials;

use crate::support::engine::{
    CMD_SH, Scratch, connect_or_skip, import_test_image, inspect_image, skip, unique_name,
};
use crate::support::registry::{Auth, TestRegistry};
use crate::support::tls::{ClientCert, ServerTrust, TestPki, TlsEndpoint, socat_available};

/// The local engine's unix socket, a PKI and a TLS endpoint in front of the socket.
async fn local_and_endpoint(expired_server: bool) -> Option<(Engine, TestPki, TlsEndpoint)> {
    let (local, _) = connect_or_skip().await?;
    let Some(socket) = local.host().strip_prefix("unix://").map(PathBuf::from) else {
        return skip("the local engine is not on a unix socket");
    };
    if !socat_available() {
        return skip("no socat");
    }
    let pki = TestPki::new();
    let endpoint = TlsEndpoint::start(&pki, &socket, expired_server);
    Some((local, pki, endpoint))
}

fn tls_target(endpoint: &TlsEndpoint, files: TlsFiles) -> EngineTarget {
    EngineTarget {
        host: endpoint.address(),
        source: TargetSource::HostFlag,
        tls: Some(files),
    }
}

async fn first_failure(target: &EngineTarget) -> EngineError {
    let engine = match Engine::open(target) {
        Ok(engine) => engine,
        Err(e) => return e,
    };
    match engine.identify().await {
        Ok((info, _)) => panic!("the engine answered: {info:?}"),
        Err(e) => e,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tls_engine_lists_pushes_by_layer_and_checks_logins() {
    let Some((local, pki, endpoint)) = local_and_endpoint(false).await else {
        return;
    };
    let (local_info, _) = local.identify().await.unwrap();
    let mut scratch = Scratch::new();
    let name = unique_name("tls");
    import_test_image(&local, &mut scratch, &format!("{name}:1"), &[CMD_SH]).await;

    // Resolved the docker CLI's way: DOCKER_HOST, DOCKER_TLS_VERIFY, DOCKER_CERT_PATH.
    let files = pki.client_files(ClientCert::Valid, ServerTrust::RightCa);
    let config_dir = tempfile::tempdir().unwrap();
    let target = target::resolve(&TargetInputs {
        docker_host: Some(endpoint.address()),
        docker_tls_verify: true,
        docker_cert_path: files.ca.parent().map(PathBuf::from),
        docker_config_dir: config_dir.path().to_path_buf(),
        ..TargetInputs::default()
    })
    .unwrap();
    assert_eq!(target.tls.as_ref(), Some(&files));
    let (remote, info) = Engine::connect(&target).await.expect("connect over TLS");
    assert_eq!(info.version, local_info.version);
    let images = remote.list_images().await.unwrap();
    assert!(
        images
            .iter()
            .any(|i| i.repo_tags.contains(&format!("{name}:1")))
    );

    // /auth and push are raw requests: they go over TLS like the rest.
    let registry = TestRegistry::start(Auth::Htpasswd {
        username: "tls-user".into(),
        password: "tls>>>pass".into(),
    });
    let good = Credentials::password("tls-user", "tls>>>pass");
    let checked = remote.check_login(&good, registry.host()).await.unwrap();
    assert!(
        matches!(checked, LoginCheck::Accepted { .. }),
        "{checked:?}"
    );
    let bad = Credentials::password("tls-user", "wrong");
    let refused = remote.check_login(&bad, registry.host()).await.unwrap_err();
    assert_eq!(refused.kind, EngineErrorKind::Unauthorized, "{refused}");

    let repository = format!("{}/{name}", registry.host());
    scratch.track_image(format!("{repository}:1"));
    remote
        .tag_image(&format!("{name}:1"), &repository, "1")
        .await
        .unwrap();
    let lines: Vec<_> = remote
        .push(&repository, "1", Some(&good), registry.host())
        .await
        .expect("push starts")
        .map(|line| line.expect("a progress line"))
        .collect()
        .await;
    let layer_id = lines
        .iter()
        .find(|l| l.status.as_deref() == Some("Pushed"))
        .and_then(|l| l.id.clone())
        .unwrap_or_else(|| panic!("a layer pushed, by ID: {lines:?}"));
    // The layer ID is the short form of the image's only layer digest.
    let diff_id = inspect_image(&format!("{repository}:1"), "{{index .RootFS.Layers 0}}").unwrap();
    assert_eq!(layer_id.len(), 12, "{layer_id}");
    assert!(
        lines.iter().any(|l| l.id.as_deref() == Some(&layer_id)
            && l.progress_detail
                .as_ref()
                .is_some_and(|d| d.total.is_some())),
        "byte progress for layer {layer_id}: {lines:?} ({diff_id})"
    );
    let digest = lines
        .iter()
        .find_map(|l| l.aux.as_ref().and_then(|a| a.digest.clone()))
        .expect("the final digest");
    assert!(digest.starts_with("sha256:"), "{digest}");
}

#[tokio::test]
async fn a_server_signed_by_another_ca_names_the_ca_file() {
    let Some((_, pki, endpoint)) = local_and_endpoint(false).await else {
        return;
    };
    let files = pki.client_files(ClientCert::Valid, ServerTrust::WrongCa);
    let err = first_failure(&tls_target(&endpoint, files.clone())).await;
    assert_eq!(err.kind, EngineErrorKind::Unreachable);
    assert!(
        err.message.contains(&format!(
            "the engine's certificate is not signed by the CA in {}",
            files.ca.display()
        )),
        "{err}"
    );
}

#[tokio::test]
async fn a_client_certificate_from_another_ca_is_refused() {
    let Some((_, pki, endpoint)) = local_and_endpoint(false).await else {
        return;
    };
    let files = pki.client_files(ClientCert::OtherCa, ServerTrust::RightCa);
    let err = first_failure(&tls_target(&endpoint, files.clone())).await;
    assert_eq!(err.kind, EngineErrorKind::Unreachable);
    assert!(
        err.message.contains(&format!(
            "refused wharf's client certificate {}: it does not trust the CA that signed it",
            files.cert.display()
        )),
        "{err}"
    );
    assert!(err.hint.as_deref().unwrap().contains("cert.pem"), "{err}");
}

#[tokio::test]
async fn an_expired_client_certificate_is_refused_as_expired() {
    let Some((_, pki, endpoint)) = local_and_endpoint(false).await else {
        return;
    };
    let files = pki.client_files(ClientCert::Expired, ServerTrust::RightCa);
    let err = first_failure(&tls_target(&endpoint, files)).await;
    assert!(
        err.message.contains("refused wharf's client certificate")
            && err.message.contains("it has expired"),
        "{err}"
    );
}

#[tokio::test]
async fn without_a_client_certificate_the_engine_says_it_wants_one() {
    let Some((_, pki, endpoint)) = local_and_endpoint(false).await else {
        return;
    };
    let files = pki.client_files(ClientCert::Missing, ServerTrust::RightCa);
    let err = first_failure(&tls_target(&endpoint, files)).await;
    assert!(
        err.message
            .contains("refused a connection without a client certificate: the engine requires"),
        "{err}"
    );
    assert!(
        err.hint
            .as_deref()
            .unwrap()
            .contains("cert.pem and key.pem")
    );
}

#[tokio::test]
async fn an_expired_server_certificate_is_named() {
    let Some((_, pki, endpoint)) = local_and_endpoint(true).await else {
        return;
    };
    let files = pki.client_files(ClientCert::Valid, ServerTrust::RightCa);
    let err = first_failure(&tls_target(&endpoint, files)).await;
    assert!(
        err.message.contains("the engine's certificate has expired"),
        "{err}"
    );
}

#[tokio::test]
async fn missing_tls_files_are_named_before_connecting() {
    let dir = tempfile::tempdir().unwrap();
    let target = EngineTarget {
        host: "tcp://127.0.0.1:1".into(),
        source: TargetSource::HostFlag,
        tls: Some(TlsFiles {
            ca: dir.path().join("ca.pem"),
            cert: dir.path().join("cert.pem"),
            key: dir.path().join("key.pem"),
        }),
    };
    let Err(err) = Engine::open(&target) else {
        panic!("opened without a CA file");
    };
    assert!(
        err.message.contains(&format!(
            "{} does not exist",
            dir.path().join("ca.pem").display()
        )),
        "{err}"
    );
}

#[tokio::test]
async fn a_plain_http_server_is_not_taken_for_a_tls_engine() {
    if connect_or_skip().await.is_none() {
        return;
    }
    // The registry speaks plain HTTP on its port.
    let registry = TestRegistry::start(Auth::None);
    let pki = TestPki::new();
    let files = pki.client_files(ClientCert::Valid, ServerTrust::RightCa);
    let target = EngineTarget {
        host: format!("tcp://{}", registry.host()),
        source: TargetSource::HostFlag,
        tls: Some(files),
    };
    let err = first_failure(&target).await;
    assert!(err.message.contains("does not speak TLS"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cut_tls_connection_ends_the_event_stream_as_unreachable() {
    let Some((local, pki, endpoint)) = local_and_endpoint(false).await else {
        return;
    };
    let mut scratch = Scratch::new();
    let name = unique_name("tlscut");
    import_test_image(&local, &mut scratch, &format!("{name}:1"), &[CMD_SH]).await;
    let files = pki.client_files(ClientCert::Valid, ServerTrust::RightCa);
    let (remote, _) = Engine::connect(&tls_target(&endpoint, files))
        .await
        .unwrap();
    let mut events = Box::pin(remote.events(chrono::Utc::now().timestamp() - 1));
    scratch.track_image(format!("{name}:2"));
    remote
        .tag_image(&format!("{name}:1"), &name, "2")
        .await
        .unwrap();
    let wanted = format!("{name}:2");
    let live = tokio::time::timeout(std::time::Duration::from_secs(30), async {
        while let Some(event) = events.next().await {
            if event.expect("an event").name.as_deref() == Some(wanted.as_str()) {
                return;
            }
        }
        panic!("the stream ended before the tag event");
    });
    live.await.expect("the tag event arrives");

    endpoint.drop_connections();
    // Events of other tests may still come first (the engine is shared).
    let ended = tokio::time::timeout(std::time::Duration::from_secs(30), async {
        loop {
            match events.next().await {
                Some(Ok(_)) => continue,
                other => return other,
            }
        }
    })
    .await
    .expect("the event stream notices");
    match ended {
        Some(Err(e)) => assert_eq!(e.kind, EngineErrorKind::Unreachable, "{e}"),
        None => panic!("the stream ended without an error"),
        Some(Ok(_)) => unreachable!(),
    }
}
