//! Fixtures for the pure tests (flows through `State::update` and render snapshots): record
//! builders, the engine's answer about itself, and for the action and tags-pane tests a
//! connected state with a known set of images and registry answers made by hand. No I/O.

use std::path::PathBuf;

use crossterm::event::KeyCode;

use wharf::config::Config;
use wharf::docker::{
    ChangeKind, ContainerId, ContainerRecord, ContainerState, EngineInfo, FileChange, ImageId,
    ImageRecord,
};
use wharf::effect::Effect;
use wharf::job::ProgressUpdate;
use wharf::msg::Msg;
use wharf::registry::{
    HistoryEntry, Missing, Platform, PlatformDetail, RegistryError, RepositoryRef, TagDetail,
    TagList,
};
use wharf::state::State;

use super::keys::{ch, ctrl, press};

/// The fixed "now" of the snapshots: 2025-06-15 15:06:40 UTC.
pub const NOW: i64 = 1_750_000_000;
pub const MINUTE: i64 = 60;
pub const HOUR: i64 = 3_600;
pub const DAY: i64 = 86_400;

/// The private registry most fixtures talk about.
pub const REGISTRY: &str = "localhost:5000";

/// An image ID made of one repeated hex digit, so short IDs never match filter words.
pub fn id(digit: char) -> ImageId {
    ImageId(format!("sha256:{}", digit.to_string().repeat(64)))
}

/// A container ID of one repeated digit, so short IDs never match filter words.
pub fn container_id(digit: char) -> ContainerId {
    ContainerId(digit.to_string().repeat(64))
}

/// A digest made of one repeated hex digit.
pub fn digest(digit: char) -> String {
    format!("sha256:{}", digit.to_string().repeat(64))
}

/// An image made `age` seconds before [`NOW`], used by no container.
pub fn record(digit: char, tags: &[&str], digests: &[&str], age: i64, size: u64) -> ImageRecord {
    ImageRecord {
        id: id(digit),
        repo_tags: tags.iter().map(|t| t.to_string()).collect(),
        repo_digests: digests.iter().map(|d| d.to_string()).collect(),
        created: NOW - age,
        size,
    }
}

/// Sorted by name: alpine:3.19, localhost:5000/team/app:1.9, localhost:5000/team/app:1.10,
/// nginx:1.25, nginx:latest, <none> (dangling; shown by default).
/// nginx and alpine were pulled from Docker Hub (digests `digest('a')`, `digest('b')`);
/// `team/app:1.9` was pulled from the registry (its digest is `digest('9')`); `1.10` was
/// built here.
pub fn images() -> Vec<ImageRecord> {
    vec![
        record(
            '1',
            &["nginx:1.25", "nginx:latest"],
            &[&format!("nginx@{}", digest('a'))],
            3 * DAY,
            187_000_000,
        ),
        record(
            '2',
            &["alpine:3.19"],
            &[&format!("alpine@{}", digest('b'))],
            60 * DAY,
            7_380_000,
        ),
        record(
            '3',
            &["localhost:5000/team/app:1.9"],
            &[&format!("localhost:5000/team/app@{}", digest('9'))],
            5 * HOUR,
            98_400_000,
        ),
        record(
            '4',
            &["localhost:5000/team/app:1.10"],
            &[],
            2 * HOUR,
            98_500_000,
        ),
        record('5', &[], &[], DAY, 45_200_000),
    ]
}

pub fn engine_info() -> EngineInfo {
    EngineInfo {
        host: "unix:///var/run/docker.sock".into(),
        version: "20.10.24+dfsg1".into(),
        api_version: "1.41".into(),
        os: "linux".into(),
        arch: "amd64".into(),
    }
}

/// A stopped container made from nginx:1.25.
pub fn web_container() -> ContainerRecord {
    ContainerRecord {
        id: container_id('c'),
        name: "web".into(),
        image: "nginx:1.25".into(),
        image_id: id('1'),
        command: "nginx -g 'daemon off;'".into(),
        created: NOW - DAY,
        state: ContainerState::Exited,
        status: "Exited (0) 2 hours ago".into(),
        listed_at: 0,
        ports: vec![],
    }
}

/// One line of `docker diff`.
pub fn change(path: &str, kind: ChangeKind) -> FileChange {
    FileChange {
        path: path.into(),
        kind,
    }
}

/// Started, connected, with `images()` and `containers` listed; the first row selected.
pub fn connected_with(records: Vec<ImageRecord>, containers: Vec<ContainerRecord>) -> State {
    connected_at_home(records, containers, None)
}

/// As [`connected_with`], with `home` as the directory `~/` stands for in typed paths.
pub fn connected_at_home(
    records: Vec<ImageRecord>,
    containers: Vec<ContainerRecord>,
    home: Option<PathBuf>,
) -> State {
    let mut state = State::new(
        &Config::defaults().expect("defaults"),
        "unix:///var/run/docker.sock".into(),
        home,
    );
    state.start();
    state.update(Msg::EngineConnected(engine_info()));
    state.update(Msg::ImagesLoaded(Ok(records)));
    state.update(Msg::ContainersLoaded(Ok(containers)));
    state
}

pub fn connected() -> State {
    connected_with(images(), vec![])
}

/// Moves the images selection to `reference` row by row, as a user would; returns the
/// effects of every step. Panics when it is not shown.
pub fn select(state: &mut State, reference: &str) -> Vec<Effect> {
    state.update(ch('1'));
    let mut effects = state.update(ch('g'));
    for _ in 0..state.images().visible_len() {
        if state.images().selected_row().map(|r| r.reference()) == Some(reference.to_string()) {
            return effects;
        }
        effects.extend(state.update(ch('j')));
    }
    panic!("{reference} is not in the images pane");
}

/// Types text into whatever has the keys, through `State::update`; every effect, in order.
pub fn type_text(state: &mut State, text: &str) -> Vec<Effect> {
    let mut effects = Vec::new();
    for c in text.chars() {
        effects.extend(state.update(ch(c)));
    }
    effects
}

/// Clears the focused form field or line (Ctrl-U deletes to the start; End first).
pub fn clear_field(state: &mut State) {
    state.update(press(KeyCode::End));
    state.update(ctrl('u'));
}

/// `:TEXT` Enter.
pub fn command(state: &mut State, text: &str) -> Vec<Effect> {
    state.update(ch(':'));
    type_text(state, text);
    state.update(press(KeyCode::Enter))
}

/// Effects other than the tags pane's settle timer and image lookups.
pub fn actions(effects: Vec<Effect>) -> Vec<Effect> {
    effects
        .into_iter()
        .filter(|e| {
            !matches!(
                e,
                Effect::SettleTags { .. }
                    | Effect::LoadHistory { .. }
                    | Effect::InspectImage { .. }
            )
        })
        .collect()
}

/// A push or pull's report on one layer.
pub fn layer(id: &str, status: &str, current: u64, total: u64) -> ProgressUpdate {
    ProgressUpdate::Layer {
        id: id.into(),
        status: status.into(),
        current,
        total,
    }
}

/// The registry's answer to the tags pane's current request: `tags`, in this order.
pub fn tags_loaded(state: &mut State, tags: &[&str]) -> Vec<Effect> {
    let generation = state.tags().generation;
    state.update(Msg::TagsLoaded {
        generation,
        result: Ok(TagList {
            tags: tags.iter().map(|t| t.to_string()).collect(),
            truncated: false,
        }),
    })
}

/// The tags pane's current request failed with `error`.
pub fn tags_failed(state: &mut State, error: RegistryError) -> Vec<Effect> {
    let generation = state.tags().generation;
    state.update(Msg::TagsLoaded {
        generation,
        result: Err(error),
    })
}

/// A registry's refusal before any credentials were sent.
pub fn unauthorized(host: &str) -> RegistryError {
    RegistryError::Unauthorized {
        host: host.into(),
        credentials_rejected: false,
    }
}

/// `repository` (`HOST/NAME`) is not on its registry.
pub fn repository_missing(repository: &str) -> RegistryError {
    RegistryError::NotFound {
        host: repository.split('/').next().unwrap_or_default().into(),
        missing: Missing::Repository {
            repository: repository.into(),
        },
    }
}

pub fn repo(text: &str) -> RepositoryRef {
    RepositoryRef::parse(text).expect("a valid repository")
}

pub fn ts(text: &str) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339(text)
        .expect("an RFC 3339 time")
        .with_timezone(&chrono::Utc)
}

fn platform(os: &str, architecture: &str, variant: Option<&str>) -> Platform {
    Platform {
        os: os.into(),
        architecture: architecture.into(),
        variant: variant.map(str::to_string),
    }
}

/// A single-platform tag's detail.
pub fn single_detail(repository: &RepositoryRef, tag: &str, digest: &str, size: u64) -> TagDetail {
    TagDetail {
        repository: repository.clone(),
        tag: tag.into(),
        digest: digest.into(),
        media_type: "application/vnd.oci.image.manifest.v1+json".into(),
        compressed_size: size,
        created: Some(ts("2025-06-10T12:00:00Z")),
        platforms: vec![PlatformDetail {
            platform: platform("linux", "amd64", None),
            digest: digest.into(),
            config_digest: self::digest('c'),
            compressed_size: size,
            created: Some(ts("2025-06-10T12:00:00Z")),
        }],
        default_platform: Some(0),
        attestations: 0,
        history: vec![
            HistoryEntry {
                created: Some(ts("2025-06-10T11:59:00Z")),
                created_by: "/bin/sh -c #(nop) ADD file:0a1b2c in / ".into(),
                comment: String::new(),
                empty_layer: false,
            },
            HistoryEntry {
                created: Some(ts("2025-06-10T12:00:00Z")),
                created_by: "/bin/sh -c #(nop)  CMD [\"/bin/sh\"]".into(),
                comment: String::new(),
                empty_layer: true,
            },
        ],
        layers: vec![],
    }
}

/// A two-platform OCI index (linux/amd64 and linux/arm64/v8) with one attestation left out.
pub fn multi_detail(repository: &RepositoryRef, tag: &str) -> TagDetail {
    TagDetail {
        repository: repository.clone(),
        tag: tag.into(),
        digest: digest('e'),
        media_type: "application/vnd.oci.image.index.v1+json".into(),
        compressed_size: 6_400_000,
        created: Some(ts("2025-06-12T08:30:00Z")),
        platforms: vec![
            PlatformDetail {
                platform: platform("linux", "amd64", None),
                digest: digest('a'),
                config_digest: digest('c'),
                compressed_size: 3_300_000,
                created: Some(ts("2025-06-12T08:30:00Z")),
            },
            PlatformDetail {
                platform: platform("linux", "arm64", Some("v8")),
                digest: digest('b'),
                config_digest: digest('d'),
                compressed_size: 3_100_000,
                created: Some(ts("2025-06-12T08:31:00Z")),
            },
        ],
        default_platform: Some(0),
        attestations: 1,
        history: vec![
            HistoryEntry {
                created: Some(ts("2025-06-12T08:29:00Z")),
                created_by: "/bin/sh -c #(nop) ADD file:rootfs in / ".into(),
                comment: String::new(),
                empty_layer: false,
            },
            HistoryEntry {
                created: Some(ts("2025-06-12T08:29:30Z")),
                created_by: "RUN /bin/sh -c apk add --no-cache curl # buildkit".into(),
                comment: "buildkit.dockerfile.v0".into(),
                empty_layer: false,
            },
            HistoryEntry {
                created: Some(ts("2025-06-12T08:30:00Z")),
                created_by: "/bin/sh -c #(nop)  CMD [\"/bin/sh\"]".into(),
                comment: String::new(),
                empty_layer: true,
            },
        ],
        layers: vec![],
    }
}

/// A real `CatalogCursor` (its fields are private): the registry client reads one from a
/// throwaway loopback server that answers one catalog page with a `Link` header.
pub async fn catalog_cursor() -> wharf::registry::CatalogCursor {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let host = listener.local_addr().expect("address").to_string();
    let server = tokio::spawn(async move {
        let (mut stream, _) = listener.accept().await.expect("a client");
        let mut buf = vec![0u8; 4096];
        let mut seen = Vec::new();
        while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
            let n = stream.read(&mut buf).await.expect("read");
            assert!(n > 0, "the client closed early");
            seen.extend_from_slice(&buf[..n]);
        }
        let body = r#"{"repositories":["a"]}"#;
        let answer = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
             Link: </v2/_catalog?last=a&n=100>; rel=\"next\"\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        stream.write_all(answer.as_bytes()).await.expect("write");
    });
    let client = wharf::registry::RegistryClient::new(wharf::registry::ClientOptions::default())
        .expect("a client");
    let page = client.catalog_page(&host, 100).await.expect("a page");
    server.await.expect("the server");
    page.next.expect("a next page")
}

/// The name of the selected container.
pub fn selected_container(state: &State) -> String {
    state
        .containers()
        .selected()
        .expect("a selected container")
        .name
        .clone()
}

/// Moves the containers selection to `name` with `g` and `j` only (the containers pane has
/// the keys).
pub fn select_container(state: &mut State, name: &str) {
    state.update(ch('g'));
    for _ in 0..state.containers().visible_len() {
        if selected_container(state) == name {
            return;
        }
        state.update(ch('j'));
    }
    assert_eq!(selected_container(state), name, "{name} is not shown");
}

/// The path selected in the open changes view.
pub fn selected_path(state: &State) -> String {
    let view = state.changes().expect("the changes view");
    view.selected().expect("a selected path").path.clone()
}

/// Moves the changes view's selection to `path` with `g` and `j` only.
pub fn select_path(state: &mut State, path: &str) {
    state.update(ch('g'));
    let len = state.changes().expect("the changes view").visible_len();
    for _ in 0..len {
        if selected_path(state) == path {
            return;
        }
        state.update(ch('j'));
    }
    assert_eq!(selected_path(state), path, "{path} is not shown");
}
