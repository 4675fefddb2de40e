//! Docker contexts made by the real docker CLI in a private DOCKER_CONFIG: wharf lists them
//! as `docker context ls` does, resolves a chosen one (TLS files included) to a working
//! engine, and writes `currentContext` so that the docker CLI follows.

use std::path::PathBuf;

use wharf::docker::target::{self, TargetInputs, TargetSource};
use wharf::docker::{Engine, list_contexts};
use wharf::registry::DockerConfig;

use crate::support::engine::{connect_or_skip, docker_in, skip};
use crate::support::tls::{ClientCert, ServerTrust, TestPki, TlsEndpoint, socat_available};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn contexts_made_by_the_docker_cli_are_listed_resolved_and_switched() {
    let Some((local, local_info)) = connect_or_skip().await else {
        return;
    };
    let Some(socket) = local.host().strip_prefix("unix://").map(PathBuf::from) else {
        skip::<()>("the local engine is not on a unix socket");
        return;
    };
    if !socat_available() {
        skip::<()>("no socat");
        return;
    }
    let pki = TestPki::new();
    let endpoint = TlsEndpoint::start(&pki, &socket, false);
    let files = pki.client_files(ClientCert::Valid, ServerTrust::RightCa);

    let config = tempfile::tempdir().unwrap();
    let config_dir = config.path();
    docker_in(
        config_dir,
        &[
            "context",
            "create",
            "wharf-local",
            "--description",
            "the local socket",
            "--docker",
            &format!("host={}", local.host()),
        ],
    );
    docker_in(
        config_dir,
        &[
            "context",
            "create",
            "wharf-tls",
            "--description",
            "TLS in front of it",
            "--docker",
            &format!(
                "host={},ca={},cert={},key={}",
                endpoint.address(),
                files.ca.display(),
                files.cert.display(),
                files.key.display()
            ),
        ],
    );
    let mut inputs = TargetInputs {
        docker_config_dir: config_dir.to_path_buf(),
        ..TargetInputs::default()
    };

    // Listed as `docker context ls` shows them; nothing chosen yet, so `default` is current.
    let list = list_contexts(&inputs);
    assert!(list.warnings.is_empty(), "{:?}", list.warnings);
    let names: Vec<_> = list.contexts.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["default", "wharf-local", "wharf-tls"]);
    let tls = &list.contexts[2];
    assert_eq!(tls.description, "TLS in front of it");
    assert_eq!(tls.endpoint.as_deref(), Some(endpoint.address().as_str()));
    assert!(tls.tls && tls.usable());
    assert!(!list.contexts[1].tls);
    assert_eq!(list.current().unwrap().name, "default");
    let cli_names = docker_in(config_dir, &["context", "ls", "--format", "{{.Name}}"]);
    let cli_names: Vec<_> = cli_names.lines().map(str::trim).collect();
    assert_eq!(cli_names, names, "the docker CLI lists the same contexts");

    // Choosing the TLS context gives a target with the context's TLS files that connects.
    let chosen = target::resolve_context(&inputs, "wharf-tls").unwrap();
    assert_eq!(chosen.source, TargetSource::Chosen("wharf-tls".into()));
    assert_eq!(chosen.host, endpoint.address());
    let stored_ca = chosen.tls.as_ref().expect("TLS files").ca.clone();
    assert!(stored_ca.starts_with(config_dir), "{}", stored_ca.display());
    let (engine, info) = Engine::connect(&chosen)
        .await
        .expect("connect to the context");
    assert_eq!(info.version, local_info.version);
    engine
        .list_images()
        .await
        .expect("images through the context");

    // Writing currentContext: the docker CLI follows, and so does wharf's resolution.
    std::fs::write(
        config_dir.join("config.json"),
        r#"{"auths":{},"psFormat":"table {{.ID}}"}"#,
    )
    .unwrap();
    DockerConfig::at(config_dir)
        .set_current_context(Some("wharf-tls"))
        .unwrap();
    assert_eq!(docker_in(config_dir, &["context", "show"]), "wharf-tls");
    let written: serde_json::Value =
        serde_json::from_slice(&std::fs::read(config_dir.join("config.json")).unwrap()).unwrap();
    assert_eq!(written["psFormat"], "table {{.ID}}", "other keys are kept");
    assert_eq!(list_contexts(&inputs).current().unwrap().name, "wharf-tls");
    let resolved = target::resolve(&inputs).unwrap();
    assert_eq!(
        resolved.source,
        TargetSource::CurrentContext("wharf-tls".into())
    );
    assert_eq!(resolved.tls, chosen.tls);

    // DOCKER_CONTEXT wins over currentContext; DOCKER_HOST over every context.
    inputs.docker_context = Some("wharf-local".into());
    assert_eq!(
        list_contexts(&inputs).current().unwrap().name,
        "wharf-local"
    );
    assert_eq!(target::resolve(&inputs).unwrap().host, local.host());
    inputs.docker_host = Some(endpoint.address());
    let list = list_contexts(&inputs);
    assert_eq!(list.current(), None);
    assert_eq!(
        list.host_override,
        Some((endpoint.address(), TargetSource::DockerHostEnv))
    );

    // Back to default: the key goes, and the docker CLI agrees.
    DockerConfig::at(config_dir)
        .set_current_context(None)
        .unwrap();
    assert_eq!(docker_in(config_dir, &["context", "show"]), "default");
}
