//! `:deploy-registry` against the real engine, with a `registry:2`-like image the test
//! builds from Debian's `docker-registry` (no network): the checks that refuse to overwrite
//! anything, the run as `docker inspect` shows it, the wait until `/v2/` answers, and a push
//! through wharf's engine layer that lands in the data directory. And the engine's trust in
//! registries: its own refusal of a plain-HTTP registry it does not list as insecure (a
//! registry on `[::1]`, which the default `127.0.0.0/8` does not cover), explained; and its
//! insecure registries and mirrors as `docker info` lists them.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use futures::StreamExt;

use crate::support::engine::{
    CMD_SH, Scratch, docker, docker_output, engine_or_skip, import_test_image, unique_name,
};
use crate::support::registry::free_port;
use crate::support::registry_image::import_registry_image;
use wharf::docker::RegistryRefusal;
use wharf::local_registry::{DeployError, LocalRegistryPlan, deploy, preflight};
use wharf::registry::{ClientOptions, Credentials, RegistryClient, RepositoryRef};

const LIMIT: Duration = Duration::from_secs(60);

fn inspect(format: &str, object: &str) -> String {
    docker(&["inspect", "--format", format, object])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deploy_registry_refuses_to_overwrite_waits_for_v2_and_takes_a_push() {
    let Some(engine) = engine_or_skip().await else {
        return;
    };
    let mut scratch = Scratch::new();
    let image = format!("{}:2", unique_name("registry"));
    import_registry_image(&engine, &mut scratch, &image).await;
    let data = tempfile::tempdir().unwrap();
    let name = unique_name("local-registry");
    scratch.track_container(&name);
    let plan = LocalRegistryPlan {
        image: image.clone(),
        name: name.clone(),
        port: free_port(),
        // Tests reach only loopback; a user's `-p PORT:5000` publishes on every address.
        host_ip: Some("127.0.0.1".parse().unwrap()),
        data_dir: data.path().join("registry"),
    };
    let client = RegistryClient::new(ClientOptions::default()).unwrap();

    // No image yet: the UI would pull first; deploying anyway changes nothing.
    let absent = LocalRegistryPlan {
        image: format!("{}:2", unique_name("absent")),
        ..plan.clone()
    };
    assert!(!preflight(&engine, &absent).await.unwrap().image_present);
    let err = deploy(&engine, &client, &absent, LIMIT).await.unwrap_err();
    assert!(matches!(err, DeployError::ImageMissing { .. }), "{err}");
    assert!(!docker_output(&["inspect", &name]).status.success());

    // A program listens on the port: refused, nothing created.
    let listener = std::net::TcpListener::bind(("127.0.0.1", plan.port)).unwrap();
    let err = deploy(&engine, &client, &plan, LIMIT).await.unwrap_err();
    assert_eq!(
        err,
        DeployError::PortInUse {
            port: plan.port,
            by: None
        }
    );
    assert!(!docker_output(&["inspect", &name]).status.success());
    drop(listener);

    assert!(preflight(&engine, &plan).await.unwrap().image_present);
    let deployed = deploy(&engine, &client, &plan, LIMIT).await.unwrap();
    assert_eq!(deployed.host, format!("127.0.0.1:{}", plan.port));
    assert_eq!(deployed.container.name, name);
    // What `docker run --restart=always -p PORT:5000 -v DIR:/var/lib/registry` makes.
    assert_eq!(inspect("{{.State.Status}}", &name), "running");
    assert_eq!(
        inspect("{{.HostConfig.RestartPolicy.Name}}", &name),
        "always"
    );
    assert_eq!(
        inspect("{{json .HostConfig.PortBindings}}", &name),
        format!(
            r#"{{"5000/tcp":[{{"HostIp":"127.0.0.1","HostPort":"{}"}}]}}"#,
            plan.port
        )
    );
    assert_eq!(
        inspect("{{json .HostConfig.Binds}}", &name),
        format!(r#"["{}:/var/lib/registry"]"#, plan.data_dir.display())
    );
    client
        .ping(&deployed.host)
        .await
        .expect("/v2/ answers once deploy returns");

    // A push through wharf's engine layer lands in the data directory.
    let repository = format!("{}/{}", deployed.host, unique_name("pushed"));
    let source = format!("{}:1", unique_name("source"));
    import_test_image(&engine, &mut scratch, &source, &[CMD_SH]).await;
    scratch.tag(&source, &format!("{repository}:1"));
    let mut lines = engine
        .push(&repository, "1", None, &deployed.host)
        .await
        .unwrap();
    let mut digest = None;
    while let Some(line) = tokio::time::timeout(LIMIT, lines.next())
        .await
        .expect("the push progresses")
    {
        let Ok(line) = line else { break };
        assert_eq!(line.failure(), None, "{line:?}");
        digest = line.aux.and_then(|aux| aux.digest).or(digest);
    }
    let digest = digest.expect("the push reports its digest");
    let repo = RepositoryRef::parse(&repository).unwrap();
    let tags = client.tags(&repo).await.unwrap();
    assert_eq!(tags.tags, ["1"]);
    let head = client.manifest_digest(&repo, "1").await.unwrap();
    assert_eq!(head.digest, digest);
    let stored = plan
        .data_dir
        .join("docker/registry/v2/repositories")
        .join(repo.repository());
    assert!(stored.is_dir(), "{} holds the repository", stored.display());

    // Deploying again: the existing container is named, nothing is changed.
    let id = inspect("{{.Id}}", &name);
    let err = deploy(&engine, &client, &plan, LIMIT).await.unwrap_err();
    assert!(
        matches!(&err, DeployError::AlreadyExists { running: true, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("nothing was changed"), "{err}");
    assert_eq!(inspect("{{.Id}}", &name), id);
    // Another name on the same port: the container that publishes it is named.
    let other = LocalRegistryPlan {
        name: unique_name("second-registry"),
        ..plan.clone()
    };
    scratch.track_container(&other.name);
    let err = deploy(&engine, &client, &other, LIMIT).await.unwrap_err();
    assert_eq!(
        err,
        DeployError::PortInUse {
            port: plan.port,
            by: Some(name.clone())
        }
    );
}

/// Debian's docker-registry on `[::1]`: loopback, yet outside the engine's default
/// insecure range, so the engine insists on HTTPS with it. Killed on drop.
struct Ipv6Registry {
    child: Child,
    host: String,
    _dir: tempfile::TempDir,
}

impl Ipv6Registry {
    /// `None` (after saying why) when this machine has no IPv6 loopback.
    fn start() -> Option<Ipv6Registry> {
        let port = match std::net::TcpListener::bind("[::1]:0") {
            Ok(listener) => listener.local_addr().unwrap().port(),
            Err(e) => {
                eprintln!("skipping: no IPv6 loopback here ({e})");
                return None;
            }
        };
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("config.yml");
        std::fs::write(
            &config,
            format!(
                "version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: {}\nhttp:\n  addr: \"[::1]:{port}\"\n  secret: wharf-test\n",
                dir.path().join("storage").display()
            ),
        )
        .unwrap();
        let child = Command::new("/usr/bin/docker-registry")
            .arg("serve")
            .arg(&config)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start docker-registry");
        let registry = Ipv6Registry {
            child,
            host: format!("[::1]:{port}"),
            _dir: dir,
        };
        // Listening once a connection is accepted (bounded wait with a growing pause).
        let deadline = Instant::now() + LIMIT;
        let mut pause = Duration::from_millis(10);
        while std::net::TcpStream::connect(("::1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "docker-registry did not listen on {}",
                registry.host
            );
            std::thread::sleep(pause);
            pause = (pause * 2).min(Duration::from_millis(500));
        }
        Some(registry)
    }
}

impl Drop for Ipv6Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_engines_refusal_of_a_plain_http_registry_says_what_to_add_to_daemon_json() {
    let Some(engine) = engine_or_skip().await else {
        return;
    };
    let Some(registry) = Ipv6Registry::start() else {
        return;
    };
    // What `docker login` sends; the engine tries HTTPS and gets an HTTP answer.
    let refused = engine
        .check_login(&Credentials::password("someone", "secret"), &registry.host)
        .await
        .unwrap_err();
    assert!(
        refused
            .message
            .contains("server gave HTTP response to HTTPS client"),
        "the engine's own words: {refused}"
    );
    assert_eq!(
        RegistryRefusal::detect(&refused.message, &registry.host),
        Some(RegistryRefusal::PlainHttp {
            registry: registry.host.clone()
        })
    );
    let explained = refused.explain_registry_refusal(&registry.host);
    assert!(explained.message.contains(&registry.host), "{explained}");
    let hint = explained.hint.clone().unwrap_or_default();
    assert!(
        hint.contains(&format!("\"insecure-registries\": [\"{}\"]", registry.host)),
        "{hint}"
    );
    assert!(
        hint.contains("/etc/docker/daemon.json") && hint.contains("restart"),
        "{hint}"
    );

    // The engine's settings agree: [::1] is not in its insecure ranges.
    let settings = engine.registry_settings().await.unwrap();
    assert_eq!(settings.is_insecure(&registry.host), Some(false));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn info_lists_the_engines_insecure_registries_and_mirrors_like_docker_info() {
    let Some(engine) = engine_or_skip().await else {
        return;
    };
    let settings = engine.registry_settings().await.unwrap();
    let info: serde_json::Value =
        serde_json::from_str(&docker(&["info", "--format", "{{json .RegistryConfig}}"])).unwrap();
    let strings = |value: &serde_json::Value| -> Vec<String> {
        value
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut expected: Vec<String> = info["IndexConfigs"]
        .as_object()
        .unwrap()
        .values()
        .filter(|index| index["Secure"] == false)
        .map(|index| index["Name"].as_str().unwrap().to_string())
        .collect();
    expected.sort();
    expected.extend(strings(&info["InsecureRegistryCIDRs"]));
    assert_eq!(settings.insecure_registries, expected);
    assert_eq!(settings.mirrors, strings(&info["Mirrors"]));
    assert!(
        settings
            .insecure_registries
            .iter()
            .any(|r| r == "127.0.0.0/8"),
        "the engine trusts loopback by default: {settings:?}"
    );
    assert_eq!(settings.is_insecure("127.0.0.1:5000"), Some(true));
}
