//! ssh:// engines against a real sshd on a loopback port with the local engine behind it
//! (`docker system dial-stdio` in each session): lists, live events, tag and push through
//! it on one login, and each failure in ssh's own words.

use std::time::{Duration, Instant};

use futures::StreamExt;
use futures::future::join_all;
use wharf::docker::target::{EngineTarget, TargetSource};
use wharf::docker::{ConnectOptions, Engine, EngineError, EngineErrorKind, SshOptions};

use crate::support::engine::{
    CMD_SH, Scratch, assert_image_known_by_digest, connect_or_skip, import_test_image, skip,
    unique_name,
};
use crate::support::registry::{Auth, TestRegistry};
use crate::support::sshd::{
    ClientKey, HostKeys, TestSshd, ssh_processes, sshd_available, wait_until,
};

const WAIT: Duration = Duration::from_secs(30);

/// The local engine and an sshd in front of it, or `None` (skipped) without either.
async fn local_and_sshd() -> Option<(Engine, TestSshd)> {
    let (local, _) = connect_or_skip().await?;
    if !sshd_available() {
        return skip("no sshd/ssh (Debian's openssh-server and openssh-client)");
    }
    let sshd = TestSshd::start(local.host());
    Some((local, sshd))
}

fn ssh_target(address: &str) -> EngineTarget {
    EngineTarget {
        host: address.to_string(),
        source: TargetSource::HostFlag,
        tls: None,
    }
}

fn open(sshd: &TestSshd, key: ClientKey, hosts: HostKeys) -> Engine {
    let options = ConnectOptions {
        ssh: sshd.ssh_options(key, hosts),
    };
    Engine::open_with(&ssh_target(&sshd.address()), &options).expect("open the ssh engine")
}

/// The first request's failure.
async fn first_failure(engine: &Engine) -> EngineError {
    match engine.identify().await {
        Ok((info, _)) => panic!("the engine answered: {info:?}"),
        Err(e) => e,
    }
}

/// Waits for the event `action` on `name` from the stream.
async fn wait_for_event(
    events: &mut (impl futures::Stream<Item = Result<wharf::docker::EngineEvent, EngineError>> + Unpin),
    action: &str,
    name: &str,
) {
    tokio::time::timeout(WAIT, async {
        while let Some(event) = events.next().await {
            let event = event.expect("an event, not an error");
            if event.action == action && event.name.as_deref() == Some(name) {
                return;
            }
        }
        panic!("the event stream ended before {action} {name}");
    })
    .await
    .unwrap_or_else(|_| panic!("no {action} event for {name}"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_ssh_engine_lists_streams_events_and_tags_over_one_login() {
    let Some((local, sshd)) = local_and_sshd().await else {
        return;
    };
    let (local_info, _) = local.identify().await.unwrap();
    let mut scratch = Scratch::new();
    let repo = unique_name("ssh");
    import_test_image(&local, &mut scratch, &format!("{repo}:1"), &[CMD_SH]).await;

    let remote = open(&sshd, ClientKey::Authorized, HostKeys::Known);
    let (info, negotiated) = remote.identify().await.expect("identify over ssh");
    assert_eq!(info.version, local_info.version);
    assert_eq!(info.host, sshd.address());
    assert!(!negotiated);
    let images = remote.list_images().await.unwrap();
    assert!(
        images
            .iter()
            .any(|i| i.repo_tags.contains(&format!("{repo}:1"))),
        "the imported image is listed over ssh"
    );

    // Events are live: a tag made through the ssh engine comes back on its event stream.
    let since = chrono::Utc::now().timestamp() - 1;
    let mut events = Box::pin(remote.events(since));
    let mut more_streams: Vec<_> = (0..3).map(|_| Box::pin(remote.events(since))).collect();
    scratch.track_image(format!("{repo}:2"));
    remote
        .tag_image(&format!("{repo}:1"), &repo, "2")
        .await
        .unwrap();
    wait_for_event(&mut events, "tag", &format!("{repo}:2")).await;
    for stream in &mut more_streams {
        wait_for_event(stream, "tag", &format!("{repo}:2")).await;
    }

    // Twenty requests at once, with four event streams open: all answered, one login.
    let answers = join_all((0..20).map(|i| {
        let remote = remote.clone();
        async move {
            if i % 2 == 0 {
                remote.list_images().await.map(|l| l.len())
            } else {
                remote.list_containers().await.map(|l| l.len())
            }
        }
    }))
    .await;
    for answer in answers {
        answer.expect("a concurrent request over ssh");
    }
    let (masters, sessions) = ssh_processes(sshd.port());
    assert_eq!(masters.len(), 1, "one ssh master: {masters:?}");
    assert!(
        sessions.len() <= SshOptions::default().max_sessions,
        "{} sessions",
        sessions.len()
    );
    assert_eq!(sshd.client_connections(), 1, "one TCP connection to sshd");

    // Letting go of the engine closes the master and removes its private directory.
    let control_dir = masters[0].control_path().parent().unwrap().to_path_buf();
    assert!(control_dir.exists());
    drop(events);
    drop(more_streams);
    drop(remote);
    wait_until("the ssh master is gone", || {
        ssh_processes(sshd.port()).0.is_empty()
    });
    wait_until("no connection to sshd is left", || {
        sshd.client_connections() == 0
    });
    assert!(
        !control_dir.exists(),
        "{} is removed",
        control_dir.display()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_push_through_ssh_reports_each_layer_and_the_digest() {
    let Some((local, sshd)) = local_and_sshd().await else {
        return;
    };
    let registry = TestRegistry::start(Auth::None);
    let mut scratch = Scratch::new();
    let name = unique_name("sshpush");
    import_test_image(&local, &mut scratch, &format!("{name}:1"), &[CMD_SH]).await;
    let remote = open(&sshd, ClientKey::Authorized, HostKeys::Known);
    let repository = format!("{}/{name}", registry.host());
    scratch.track_image(format!("{repository}:1"));
    remote
        .tag_image(&format!("{name}:1"), &repository, "1")
        .await
        .unwrap();
    let lines: Vec<_> = remote
        .push(&repository, "1", None, registry.host())
        .await
        .expect("push starts")
        .collect()
        .await;
    let lines: Vec<_> = lines
        .into_iter()
        .map(|l| l.expect("a progress line"))
        .collect();
    assert!(
        lines
            .iter()
            .any(|l| l.id.is_some() && l.status.as_deref() == Some("Pushed")),
        "a layer pushed, by ID: {lines:?}"
    );
    let digest = lines
        .iter()
        .find_map(|l| l.aux.as_ref().and_then(|a| a.digest.clone()))
        .expect("the final digest");
    let id = crate::support::engine::inspect_image(&format!("{repository}:1"), "{{.Id}}").unwrap();
    assert_image_known_by_digest(&format!("{repository}:1"), &id, &repository, &digest);
}

#[tokio::test]
async fn a_refused_key_is_reported_in_ssh_words_and_leaves_nothing_running() {
    let Some((_, sshd)) = local_and_sshd().await else {
        return;
    };
    let err = first_failure(&open(&sshd, ClientKey::Unauthorized, HostKeys::Known)).await;
    assert_eq!(err.kind, EngineErrorKind::Unreachable);
    assert!(
        err.message.contains("the host refused wharf's ssh keys")
            && err.message.contains("Permission denied (publickey)"),
        "{err}"
    );
    assert!(err.hint.as_deref().unwrap().contains("ssh-agent"), "{err}");
    assert!(ssh_processes(sshd.port()).0.is_empty());
}

#[tokio::test]
async fn unknown_and_changed_host_keys_are_told_apart() {
    let Some((_, sshd)) = local_and_sshd().await else {
        return;
    };
    let unknown = first_failure(&open(&sshd, ClientKey::Authorized, HostKeys::Unknown)).await;
    assert_eq!(unknown.kind, EngineErrorKind::Unreachable);
    let port = sshd.port();
    assert!(
        unknown.message.contains("host key")
            && unknown.message.contains("is not known")
            && unknown
                .message
                .contains(&format!("host key is known for [127.0.0.1]:{port}")),
        "{unknown}"
    );
    assert!(
        unknown
            .hint
            .as_deref()
            .unwrap()
            .contains(&format!("ssh -p {port}")),
        "{unknown}"
    );

    let changed = first_failure(&open(&sshd, ClientKey::Authorized, HostKeys::Changed)).await;
    assert!(
        changed.message.contains("has changed") && changed.message.contains("verification failed"),
        "{changed}"
    );
    assert!(
        changed
            .hint
            .as_deref()
            .unwrap()
            .contains(&format!("ssh-keygen -R '[127.0.0.1]:{port}'")),
        "{changed}"
    );
}

#[tokio::test]
async fn a_host_without_docker_says_so() {
    let Some((_, sshd)) = local_and_sshd().await else {
        return;
    };
    let err = first_failure(&open(&sshd, ClientKey::NoDocker, HostKeys::Known)).await;
    assert_eq!(err.kind, EngineErrorKind::Unreachable);
    assert!(
        err.message.contains("has no docker command") && err.message.contains("docker: not found"),
        "{err}"
    );
}

#[tokio::test]
async fn a_host_that_never_speaks_ssh_times_out_with_ssh_reason() {
    if connect_or_skip().await.is_none() || !sshd_available() {
        return;
    }
    // Accepts connections and says nothing: no SSH banner ever comes.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (stop_tx, stop_rx) = std::sync::mpsc::channel::<()>();
    let silent = std::thread::spawn(move || {
        let accepted = listener.accept();
        let _ = stop_rx.recv();
        drop(accepted);
    });
    let options = ConnectOptions {
        ssh: SshOptions {
            connect_timeout: Duration::from_secs(1),
            extra_args: vec!["-F".into(), "/dev/null".into()],
            ..SshOptions::default()
        },
    };
    let engine =
        Engine::open_with(&ssh_target(&format!("ssh://127.0.0.1:{port}")), &options).unwrap();
    let started = Instant::now();
    let err = first_failure(&engine).await;
    assert!(started.elapsed() < Duration::from_secs(10), "{err}");
    assert_eq!(err.kind, EngineErrorKind::Unreachable);
    assert!(
        err.message.contains("did not answer in time") && err.message.contains("timed out"),
        "{err}"
    );
    assert!(err.hint.as_deref().unwrap().contains("ConnectTimeout"));
    let _ = stop_tx.send(());
    silent.join().unwrap();
}

#[tokio::test]
async fn a_missing_ssh_program_is_named() {
    let options = ConnectOptions {
        ssh: SshOptions {
            program: "/nonexistent/ssh".into(),
            ..SshOptions::default()
        },
    };
    let engine = Engine::open_with(&ssh_target("ssh://127.0.0.1:1"), &options).unwrap();
    let err = first_failure(&engine).await;
    assert!(
        err.message
            .contains("the ssh program \"/nonexistent/ssh\" was not found"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dying_master_ends_the_event_stream_and_the_next_request_logs_in_again() {
    let Some((local, sshd)) = local_and_sshd().await else {
        return;
    };
    let mut scratch = Scratch::new();
    let repo = unique_name("sshlost");
    import_test_image(&local, &mut scratch, &format!("{repo}:1"), &[CMD_SH]).await;
    let remote = open(&sshd, ClientKey::Authorized, HostKeys::Known);
    remote.identify().await.unwrap();
    let mut events = Box::pin(remote.events(chrono::Utc::now().timestamp() - 1));
    scratch.track_image(format!("{repo}:2"));
    remote
        .tag_image(&format!("{repo}:1"), &repo, "2")
        .await
        .unwrap();
    wait_for_event(&mut events, "tag", &format!("{repo}:2")).await;

    let (masters, _) = ssh_processes(sshd.port());
    assert_eq!(masters.len(), 1);
    let killed = std::process::Command::new("kill")
        .arg(masters[0].pid.to_string())
        .status()
        .unwrap();
    assert!(killed.success());

    // Events of other tests may still come first (the engine is shared).
    let ended = tokio::time::timeout(WAIT, async {
        loop {
            match events.next().await {
                Some(Ok(_)) => continue,
                other => return other,
            }
        }
    })
    .await
    .expect("the event stream ends");
    let err = match ended {
        Some(Err(e)) => e,
        other => panic!("expected an error, got {other:?}"),
    };
    assert_eq!(err.kind, EngineErrorKind::Unreachable, "{err}");
    assert!(err.message.contains("the ssh connection was lost"), "{err}");
    let lost = tokio::time::timeout(WAIT, remote.connection_lost())
        .await
        .expect("the loss is reported");
    assert_eq!(lost.kind, EngineErrorKind::Unreachable);
    assert!(lost.message.contains("was lost"), "{lost}");

    // The next request logs in again, still with one master.
    remote
        .list_images()
        .await
        .expect("a request after the loss");
    let (masters_after, sessions_after) = ssh_processes(sshd.port());
    assert_eq!(
        masters_after.len(),
        1,
        "masters {masters_after:?}, sessions {sessions_after:?}, {} connections",
        sshd.client_connections()
    );
    assert_ne!(masters_after[0].pid, masters[0].pid);
}
