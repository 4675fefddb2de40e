//! Integration tests against the real Docker engine: images made here by importing a busybox
//! rootfs through wharf's engine layer (and committing containers for more layers), then read
//! back through `Engine` and the images/layers models and compared with the docker CLI.
//!
//! Without an engine these tests skip (and fail under `CI=true`); see `support::engine`.

use std::collections::BTreeSet;
use std::time::Duration;

use futures::StreamExt;
use tokio::sync::mpsc;

use wharf::config::{Config, SortKey};
use wharf::docker::target::{self, TargetInputs};
use wharf::docker::{Engine, EngineErrorKind, EngineEvent, EventSubject, ImageId};
use wharf::effect::Effect;
use wharf::model::images::ImagesState;
use wharf::model::layers::{LayersState, display_command};
use wharf::msg::Msg;
use wharf::state::State;

use crate::support::engine::{
    CMD_SH, Rootfs, Scratch, docker, engine_or_skip, import_archive, import_test_image,
    inspected_size, unique_name,
};

/// An imported base image with three more tags, and two images committed on top of it.
struct Family {
    repo: String,
    base: ImageId,
    /// Every reference made, with the image it names.
    references: Vec<(String, ImageId)>,
    second: ImageId,
}

async fn make_family(engine: &Engine, scratch: &mut Scratch) -> Family {
    let repo = unique_name("family");
    let base_ref = format!("{repo}:base");
    let base = import_test_image(engine, scratch, &base_ref, &[CMD_SH]).await;
    let mut references = vec![(base_ref.clone(), base.clone())];
    for extra in [
        format!("{repo}:one"),
        format!("{repo}:two"),
        format!("{repo}-other:latest"),
    ] {
        scratch.tag(&base_ref, &extra);
        references.push((extra, base.clone()));
    }

    let c1 = scratch.run_to_completion(&base_ref, &["sh", "-c", "echo first > /first.txt"]);
    let first_ref = format!("{repo}:c1");
    let first = scratch.commit(&c1, &first_ref, "add first.txt");
    references.push((first_ref.clone(), first));

    let c2 = scratch.run_to_completion(
        &first_ref,
        &[
            "sh",
            "-c",
            "mkdir -p /data && echo second second second > /data/second.txt",
        ],
    );
    let second_ref = format!("{repo}:c2");
    let second = scratch.commit(&c2, &second_ref, "add data/second.txt");
    references.push((second_ref, second.clone()));

    Family {
        repo,
        base,
        references,
        second,
    }
}

#[tokio::test]
async fn images_model_lists_each_tag_as_a_row_with_engine_sizes() {
    let Some(engine) = engine_or_skip().await else {
        return;
    };
    let mut scratch = Scratch::new();
    let family = make_family(&engine, &mut scratch).await;

    let records = engine.list_images().await.expect("list images");
    let mut images = ImagesState::new(SortKey::Name, false, true);
    images.set_records(records);

    for (reference, id) in &family.references {
        let (repository, tag) = crate::support::engine::split_reference(reference);
        let rows: Vec<_> = (0..images.visible_len())
            .filter_map(|i| images.visible_row(i))
            .filter(|r| r.repository == repository && r.tag == tag)
            .collect();
        assert_eq!(rows.len(), 1, "{reference} must be exactly one row");
        let row = rows[0];
        assert_eq!(&row.image, id, "{reference} names the wrong image");
        assert!(!row.dangling, "{reference} is tagged, not dangling");
        assert_eq!(row.reference(), *reference);
        assert_eq!(
            row.size,
            inspected_size(reference),
            "size of {reference} differs from docker image inspect"
        );
        assert!(row.created > 0, "{reference} has a creation time");
    }

    // The imported image carries four tags: four rows of one image.
    let base_rows = (0..images.visible_len())
        .filter_map(|i| images.visible_row(i))
        .filter(|r| r.image == family.base)
        .count();
    assert_eq!(base_rows, 4);

    // The filter finds exactly what this test made (the other repository contains the name).
    images.filter.editor.set_text(&family.repo);
    images.filter_changed();
    let shown: BTreeSet<String> = (0..images.visible_len())
        .filter_map(|i| images.visible_row(i))
        .map(|r| r.reference())
        .collect();
    let made: BTreeSet<String> = family.references.iter().map(|(r, _)| r.clone()).collect();
    assert_eq!(shown, made);

    // A committed image is bigger than its parent by what its layers added.
    let base_size = inspected_size(&format!("{}:base", family.repo));
    let second_size = inspected_size(&format!("{}:c2", family.repo));
    assert!(second_size > base_size, "{second_size} > {base_size}");
}

/// `docker history` of one image: `(id, created_by, comment, size)` per layer, newest first.
fn cli_history(reference: &str) -> Vec<(String, String, String, u64)> {
    let text = docker(&[
        "history",
        "--no-trunc",
        "--human=false",
        "--format",
        "{{.ID}}|{{.CreatedBy}}|{{.Comment}}|{{.Size}}",
        reference,
    ]);
    text.lines()
        .map(|line| {
            let fields: Vec<&str> = line.split('|').collect();
            assert_eq!(fields.len(), 4, "unexpected history line {line:?}");
            let size = fields[3]
                .parse()
                .unwrap_or_else(|e| panic!("size in {line:?}: {e}"));
            (
                fields[0].to_string(),
                fields[1].to_string(),
                fields[2].to_string(),
                size,
            )
        })
        .collect()
}

#[tokio::test]
async fn history_rows_match_docker_history_in_order() {
    let Some(engine) = engine_or_skip().await else {
        return;
    };
    let mut scratch = Scratch::new();
    let family = make_family(&engine, &mut scratch).await;
    let reference = format!("{}:c2", family.repo);

    let records = engine
        .image_history(&family.second)
        .await
        .expect("image history");
    let cli = cli_history(&reference);
    assert_eq!(records.len(), 3, "import + two commits: {records:?}");
    assert_eq!(records.len(), cli.len());
    for (i, (record, (id, created_by, comment, size))) in records.iter().zip(&cli).enumerate() {
        assert_eq!(&record.id, id, "layer {i} id");
        assert_eq!(&record.created_by, created_by, "layer {i} command");
        assert_eq!(&record.comment, comment, "layer {i} comment");
        assert_eq!(record.size, *size, "layer {i} size");
    }
    // Newest first: the last commit, then the first, then the import.
    assert_eq!(records[0].comment, "add data/second.txt");
    assert_eq!(records[1].comment, "add first.txt");
    assert_eq!(records[2].id, family.base.0);
    assert!(records[0].size > 0 && records[2].size > records[0].size);
    // The layers add up to the image.
    let total: u64 = records.iter().map(|r| r.size).sum();
    assert_eq!(total, inspected_size(&reference));

    // The layers model shows them as the pane will, and only for the image it asked for.
    let mut layers = LayersState::default();
    assert_eq!(
        layers.show(Some(family.second.clone()), reference.clone()),
        Some(family.second.clone())
    );
    assert_eq!(
        layers.loaded(family.second.clone(), Ok(records.clone())),
        None
    );
    let rows = layers.rows().expect("rows after loading");
    assert_eq!(rows.len(), 3);
    for (row, record) in rows.iter().zip(&records) {
        assert_eq!(row.command, display_command(&record.created_by));
        assert_eq!(row.size, record.size);
        assert_eq!(row.empty, record.size == 0);
    }
    assert_eq!(
        rows[0].command,
        "sh -c mkdir -p /data && echo second second second > /data/second.txt"
    );
}

#[tokio::test]
async fn inspect_follows_tags_and_reports_removed_images_as_gone() {
    let Some(engine) = engine_or_skip().await else {
        return;
    };
    let mut scratch = Scratch::new();
    let reference = format!("{}:1", unique_name("inspect"));
    let id = import_test_image(&engine, &mut scratch, &reference, &[CMD_SH]).await;
    let extra = format!("{}:2", unique_name("inspect"));
    scratch.tag(&reference, &extra);

    let record = engine
        .inspect_image(&extra)
        .await
        .expect("inspect")
        .expect("the image exists");
    assert_eq!(record.id, id);
    let tags: BTreeSet<&str> = record.repo_tags.iter().map(String::as_str).collect();
    assert_eq!(tags, BTreeSet::from([reference.as_str(), extra.as_str()]));
    assert_eq!(record.size, inspected_size(&reference));

    docker(&["rmi", "-f", &id.0]);
    assert_eq!(engine.inspect_image(&id.0).await.expect("inspect"), None);
    assert_eq!(
        engine.inspect_image(&reference).await.expect("inspect"),
        None
    );
}

/// Waits for the first event that `wanted` accepts, up to `limit`.
async fn next_event(
    rx: &mut mpsc::UnboundedReceiver<EngineEvent>,
    limit: Duration,
    wanted: impl Fn(&EngineEvent) -> bool,
) -> Option<EngineEvent> {
    tokio::time::timeout(limit, async {
        while let Some(event) = rx.recv().await {
            if wanted(&event) {
                return Some(event);
            }
        }
        None
    })
    .await
    .ok()
    .flatten()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn event_stream_delivers_a_tag_made_with_the_cli() {
    let Some(engine) = engine_or_skip().await else {
        return;
    };
    let mut scratch = Scratch::new();
    let repo = unique_name("events");
    let reference = format!("{repo}:1");
    let id = import_test_image(&engine, &mut scratch, &reference, &[CMD_SH]).await;

    let (tx, mut rx) = mpsc::unbounded_channel();
    let mut stream = Box::pin(engine.events(chrono::Utc::now().timestamp()));
    let forward = tokio::spawn(async move {
        while let Some(item) = stream.next().await {
            let event = item.expect("the event stream failed");
            if tx.send(event).is_err() {
                return;
            }
        }
    });

    // The subscription starts when the request reaches the engine, which nothing announces:
    // tag until one probe tag comes through, so the real check below cannot race it.
    let mut live = false;
    for probe in 0..40 {
        let probe_ref = format!("{repo}:probe{probe}");
        scratch.tag(&reference, &probe_ref);
        let seen = next_event(&mut rx, Duration::from_millis(500), |e| {
            e.action == "tag" && e.name.as_deref() == Some(probe_ref.as_str())
        })
        .await;
        if seen.is_some() {
            live = true;
            break;
        }
    }
    assert!(live, "no tag event arrived within 40 probes (20 s)");

    let tagged = format!("{repo}:live");
    scratch.tag(&reference, &tagged);
    let event = next_event(&mut rx, Duration::from_secs(10), |e| {
        e.action == "tag" && e.name.as_deref() == Some(tagged.as_str())
    })
    .await
    .unwrap_or_else(|| panic!("no tag event for {tagged} within 10 s"));
    assert_eq!(event.subject, EventSubject::Image);
    assert_eq!(event.id, id.0, "a tag event names the image ID");

    // wharf's model answers such an event by looking the image up.
    let mut state = State::new(&Config::defaults().expect("defaults"), "test".into(), None);
    assert_eq!(
        state.update(Msg::EngineEvent(event)),
        vec![Effect::InspectImage {
            reference: id.0.clone()
        }]
    );

    docker(&["rmi", &tagged]);
    let untag = next_event(&mut rx, Duration::from_secs(10), |e| {
        e.action == "untag" && e.id == id.0
    })
    .await;
    assert!(untag.is_some(), "no untag event for {tagged} within 10 s");
    forward.abort();
}

#[tokio::test]
async fn gzipped_rootfs_imports_and_runs() {
    let Some(engine) = engine_or_skip().await else {
        return;
    };
    let mut scratch = Scratch::new();
    let archive = Rootfs::busybox()
        .file("etc/wharf-test", "from a tar.gz\n")
        .tar_gz();
    assert_eq!(&archive[..2], &[0x1f, 0x8b], "a gzip stream");
    // The same inputs give the same bytes.
    assert_eq!(
        archive,
        Rootfs::busybox()
            .file("etc/wharf-test", "from a tar.gz\n")
            .tar_gz()
    );

    let reference = format!("{}:gz", unique_name("gz"));
    import_archive(&engine, &mut scratch, &reference, archive, &[CMD_SH]).await;

    let out = scratch.run_once("gz-run", &reference, &["/bin/echo", "ok"]);
    assert_eq!(out, "ok");
    let out = scratch.run_once("gz-sh", &reference, &[]);
    assert_eq!(
        out, "",
        "CMD [\"/bin/sh\"] without a terminal exits at once"
    );
    let out = scratch.run_once("gz-cat", &reference, &["cat", "/etc/wharf-test"]);
    assert_eq!(out, "from a tar.gz");
}

async fn connect_error(host: &str) -> wharf::docker::EngineError {
    let target = target::resolve(&TargetInputs {
        host_flag: Some(host.to_string()),
        ..TargetInputs::default()
    })
    .expect("a host flag always resolves");
    assert_eq!(target.host, host);
    // wharf gives an engine 10 s to say who it is; this bound is only the test's own.
    let result = tokio::time::timeout(Duration::from_secs(20), Engine::connect(&target))
        .await
        .unwrap_or_else(|_| panic!("connecting to {host} did not fail within 20 s"));
    match result {
        Ok(_) => panic!("connecting to {host} succeeded"),
        Err(e) => e,
    }
}

#[tokio::test]
async fn missing_unix_socket_is_unreachable_and_names_the_host() {
    let err = connect_error("unix:///nonexistent.sock").await;
    assert_eq!(err.kind, EngineErrorKind::Unreachable, "{err}");
    assert!(
        err.message.contains("unix:///nonexistent.sock"),
        "{}",
        err.message
    );
    assert!(err.hint.is_some(), "a hint says what to try: {err}");
}

#[tokio::test]
async fn closed_tcp_port_is_unreachable_and_names_the_host() {
    // A port that was just free: bind, note it, close it.
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("address").port()
    };
    let host = format!("tcp://127.0.0.1:{port}");
    let err = connect_error(&host).await;
    assert_eq!(err.kind, EngineErrorKind::Unreachable, "{err}");
    assert!(err.message.contains(&host), "{}", err.message);
    assert!(err.message.contains("refused"), "{}", err.message);
}

/// A loopback listener that hands every connection to `serve`; returns its tcp:// address.
async fn fake_engine<F, Fut>(serve: F) -> String
where
    F: Fn(tokio::net::TcpStream) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(serve(stream));
        }
    });
    format!("tcp://{address}")
}

#[tokio::test]
async fn a_web_server_is_not_taken_for_an_engine() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let host = fake_engine(|mut stream| async move {
        let mut request = [0u8; 4096];
        let _ = stream.read(&mut request).await;
        let page = "<!DOCTYPE HTML>\n<html><body>Error 404</body></html>\n";
        let answer = format!(
            "HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\nContent-Length: {}\r\n\r\n{page}",
            page.len()
        );
        let _ = stream.write_all(answer.as_bytes()).await;
    })
    .await;
    let err = connect_error(&host).await;
    assert_eq!(err.kind, EngineErrorKind::Unreachable, "{err}");
    assert_eq!(
        err.message,
        format!(
            "cannot reach the Docker engine at {host}: it answered, but not as a Docker engine (HTTP 404)"
        )
    );
    assert!(!err.to_string().contains("DOCTYPE"), "{err}");
}

#[tokio::test]
async fn an_address_that_never_answers_is_given_up_in_seconds() {
    use tokio::io::AsyncReadExt;
    // Accepts, reads, and never says anything.
    let host = fake_engine(|mut stream| async move {
        let mut sink = [0u8; 4096];
        while matches!(stream.read(&mut sink).await, Ok(n) if n > 0) {}
    })
    .await;
    let started = std::time::Instant::now();
    let err = connect_error(&host).await;
    assert_eq!(err.kind, EngineErrorKind::Unreachable, "{err}");
    assert!(err.message.contains("no answer within 10 s"), "{err}");
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "{:?}",
        started.elapsed()
    );
}
