//! Render snapshots (insta, ratatui `TestBackend`, a fixed clock) of columns fitting their
//! content, wide (160×45) and narrow (80×24): a compose project's containers, whose
//! 23-character names share the prefix `shop-project-`, shown whole with their images and
//! statuses; names, images and ports too long for the pane, all giving way, names and
//! images keeping their distinguishing end (`…collector-gateway-2`), ports their start;
//! repository names likewise.
//!
//! At 160×45 the containers and images panes are a quarter of the screen (70 cells inside);
//! at 80×24 they are stacked at full width (78 cells inside), so each size gets the same
//! fixture and the narrow one shows a little more of a cut name.

use wharf::docker::{ContainerRecord, ContainerState, ImageRecord, PortMapping};
use wharf::state::State;

use crate::support::action_fixtures::{
    DAY, HOUR, MINUTE, NOW, connected_with, container_id, id as image_id, record, select_container,
};
use crate::support::keys::ch;
use crate::support::render::{SIZES, pane_text, render, snap_both};

const COLLECTOR: &str = "registry.example.com:5000/acme/observability/collector-contrib";
const GATEWAY: &str = "registry.example.com:5000/acme/observability/collector-gateway";

fn images() -> Vec<ImageRecord> {
    vec![
        record(
            '1',
            &["shop-project-frontend:latest"],
            &[],
            2 * HOUR,
            48_200_000,
        ),
        record(
            '2',
            &["shop-project-worker:latest"],
            &[],
            2 * HOUR,
            61_000_000,
        ),
        record('3', &["postgres:16"], &[], 15 * DAY, 432_000_000),
        record(
            '4',
            &[&format!("{COLLECTOR}:0.98.0")],
            &[],
            9 * DAY,
            212_000_000,
        ),
        record(
            '5',
            &[&format!("{GATEWAY}:0.98.0")],
            &[],
            9 * DAY,
            198_000_000,
        ),
    ]
}

/// A running container `age` seconds old that the engine listed just now.
fn running(digit: char, name: &str, image: &str, status: &str, age: i64) -> ContainerRecord {
    ContainerRecord {
        id: container_id(digit),
        name: name.into(),
        image: image.into(),
        image_id: image_id('1'),
        command: "sh".into(),
        created: NOW - age,
        state: ContainerState::Running,
        status: status.into(),
        listed_at: NOW,
        ports: vec![],
    }
}

fn published(public: u16, private: u16) -> Vec<PortMapping> {
    ["0.0.0.0", "::"]
        .into_iter()
        .map(|ip| PortMapping {
            ip: Some(ip.into()),
            private,
            public: Some(public),
            protocol: "tcp".into(),
        })
        .collect()
}

/// `docker compose up` of a shop: every name 21–23 characters long, sharing its prefix.
fn compose_project() -> Vec<ContainerRecord> {
    vec![
        running(
            '1',
            "shop-project-frontend-1",
            "shop-project-frontend",
            "Up 3 minutes",
            3 * MINUTE,
        ),
        running(
            '2',
            "shop-project-frontend-2",
            "shop-project-frontend",
            "Up 3 minutes",
            3 * MINUTE,
        ),
        running(
            '3',
            "shop-project-database-1",
            "postgres:16",
            "Up 2 hours",
            2 * HOUR,
        ),
        running(
            '4',
            "shop-project-worker-1",
            "shop-project-worker",
            "Up 3 minutes",
            3 * MINUTE,
        ),
    ]
}

/// Names, images and ports far longer than any column, the names differing only at their
/// end.
fn observability_stack() -> Vec<ContainerRecord> {
    let mut gateway = running(
        '2',
        "acme-observability-collector-gateway-1",
        &format!("{GATEWAY}:0.98.0"),
        "Up 9 days",
        9 * DAY,
    );
    gateway.ports = published(4317, 4317);
    vec![
        running(
            '1',
            "acme-observability-collector-contrib-1",
            &format!("{COLLECTOR}:0.98.0"),
            "Up 9 days",
            9 * DAY,
        ),
        gateway,
        running(
            '3',
            "acme-observability-collector-gateway-2",
            &format!("{GATEWAY}:0.98.0"),
            "Up 9 days",
            9 * DAY,
        ),
    ]
}

/// Images and `containers` listed, the containers pane focused on the first of them.
fn showing(containers: Vec<ContainerRecord>) -> State {
    let first = containers[0].name.clone();
    let mut state = connected_with(images(), containers);
    state.update(ch('3'));
    select_container(&mut state, &first);
    state
}

/// The line of `pane` that shows `needle`.
fn line_with<'a>(pane: &'a str, needle: &str) -> &'a str {
    pane.lines()
        .find(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("{needle:?} is not in the pane:\n{pane}"))
}

/// The first cut text of `line`: from its ellipsis to the next blank.
fn cut_text(line: &str) -> String {
    let start = line
        .find('…')
        .unwrap_or_else(|| panic!("nothing cut in {line:?}"));
    line[start..].chars().take_while(|c| *c != ' ').collect()
}

#[test]
fn names_sharing_a_prefix_show_whole_with_their_images() {
    let state = showing(compose_project());
    let _ = snap_both!(&state, "compose_project");
    for (_, width, height) in SIZES {
        let terminal = render(&state, width, height);
        let containers = pane_text(terminal.backend().buffer(), "Containers");
        for (name, image, status) in [
            (
                "shop-project-frontend-1",
                "shop-project-frontend",
                "Up 3 minutes",
            ),
            (
                "shop-project-frontend-2",
                "shop-project-frontend",
                "Up 3 minutes",
            ),
            ("shop-project-database-1", "postgres:16", "Up 2 hours"),
            (
                "shop-project-worker-1",
                "shop-project-worker",
                "Up 3 minutes",
            ),
        ] {
            let line = line_with(&containers, name);
            assert!(
                line.contains(&format!(" {image} ")) && line.contains(&format!(" {status} ")),
                "{name}'s image and status are whole at {width}×{height}:\n{containers}"
            );
        }
        // The status takes what it needs: the AGE column follows it after one blank.
        let worker = line_with(&containers, "shop-project-worker-1");
        assert!(worker.contains(" Up 3 minutes 3m "), "{worker}");
    }
}

#[test]
fn repository_names_keep_their_distinguishing_end() {
    let mut state = showing(compose_project());
    state.update(ch('1'));
    for (size, width, height) in SIZES {
        let terminal = render(&state, width, height);
        let images = pane_text(terminal.backend().buffer(), "Images");
        // The whole screen at 160×45 is in `compose_project_wide`.
        if size == "narrow" {
            insta::assert_snapshot!("repositories_narrow", images);
        }
        assert!(!images.contains("registry.example.com"), "{images}");
        for repository in [COLLECTOR, GATEWAY] {
            let end = &repository[repository.len() - 18..];
            let cut = cut_text(line_with(&images, &format!("{end} ")));
            assert!(
                repository.ends_with(cut.trim_start_matches('…')) && cut.chars().count() >= 30,
                "{repository} shown as {cut:?} at {width}×{height}:\n{images}"
            );
        }
        assert!(images.contains("shop-project-frontend "), "{images}");
    }
}

#[test]
fn long_names_keep_their_distinguishing_end() {
    let state = showing(observability_stack());
    let _ = snap_both!(&state, "long_names");
    for (_, width, height) in SIZES {
        let terminal = render(&state, width, height);
        let containers = pane_text(terminal.backend().buffer(), "Containers");
        let mut shown = Vec::new();
        for name in [
            "acme-observability-collector-contrib-1",
            "acme-observability-collector-gateway-1",
            "acme-observability-collector-gateway-2",
        ] {
            assert!(
                !containers.contains(name),
                "{name} cannot fit:\n{containers}"
            );
            // What is shown of the name: from the ellipsis to the next blank.
            let end = &name[name.len() - 9..];
            let cut = cut_text(line_with(&containers, end));
            assert!(
                cut.ends_with(end) && name.ends_with(cut.trim_start_matches('…')),
                "{name} shown as {cut:?} at {width}×{height}"
            );
            assert!(cut.chars().count() >= 16, "{cut:?}");
            shown.push(cut);
        }
        // The rows stay told apart.
        shown.dedup();
        assert_eq!(shown.len(), 3, "{shown:?}");
        // The images keep their tag and the end of their repository; the ports, which give
        // way before the names, their start.
        let gateway = line_with(&containers, "gateway-2");
        assert!(gateway.contains("gateway:0.98.0"), "{gateway}");
        let ports = line_with(&containers, "gateway-1");
        assert!(
            ports.contains(" 0.0.") && ports.contains('…') && !ports.contains(":::"),
            "{ports}"
        );
    }
}

#[test]
fn a_narrow_terminal_keeps_each_containers_image_beside_its_status() {
    // 60 columns: the panes stack and the list has ~58 cells; AGE and PORTS give way (the
    // status says how long it has been up), the image stays.
    let state = showing(compose_project());
    let terminal = render(&state, 60, 24);
    let containers = pane_text(terminal.backend().buffer(), "Containers");
    insta::assert_snapshot!("containers_60_columns", containers);
    assert!(containers.contains("IMAGE"), "{containers}");
    let database = line_with(&containers, "database-1");
    assert!(
        database.contains("postgres:16") && database.contains("Up 2 hours"),
        "{database}"
    );
    assert!(!containers.contains("PORTS"), "{containers}");
}
