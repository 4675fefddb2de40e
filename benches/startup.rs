//! Start to first frame against the real engine: the optimised wharf binary in a
//! pseudo-terminal, timed from spawn until the screen shows (1) wharf's header, (2) an
//! image this bench imported and (3) the full first screen: that image and a container this
//! bench started. Prints median/min/max over the runs, and, for comparison, how long the
//! engine itself takes to answer the image list (`GET /images/json` over its socket, timed
//! by curl, between the runs) and the ratio of the medians.
//!
//! `cargo bench --bench startup` (WHARF_BENCH_RUNS=N, default 20; 2 warm-up runs first).
//! Skips with a message when no engine is reachable (fails under CI=true).

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/support/engine.rs"]
#[allow(dead_code)]
mod engine;
#[path = "../tests/support/pty.rs"]
#[allow(dead_code)]
mod pty;

use std::time::Duration;

use engine::{CMD_SH, Scratch, block_on, docker, engine_or_skip, import_test_image, unique_name};
use pty::{Dirs, Pty, WHARF};

const ROWS: u16 = 50;
const COLS: u16 = 200;
const WARMUP: usize = 2;

fn main() {
    let runs: usize = std::env::var("WHARF_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20);
    let mut scratch = Scratch::new();
    let repo = unique_name("startup");
    let made = block_on(async {
        let engine = engine_or_skip().await?;
        let images = engine.list_images().await.ok()?.len();
        let reference = format!("{repo}:1");
        import_test_image(&engine, &mut scratch, &reference, &[CMD_SH]).await;
        Some(images + 1)
    });
    let Some(images) = made else {
        return;
    };
    // Sorted by name, this one comes before the bench fixture's containers.
    let container = format!("a-wharf-startup-{}", std::process::id());
    scratch.track_container(&container);
    docker(&[
        "run",
        "-d",
        "--name",
        &container,
        &format!("{repo}:1"),
        "sleep",
        "100000",
    ]);

    let dirs = Dirs::new();
    // Newest first, so the imported image is on the first screen among any number of others.
    dirs.write_config("[images]\nsort = \"age\"\n");

    println!(
        "startup: {WHARF}\n  {COLS}x{ROWS} pty, {images} images in the engine, {runs} runs after {WARMUP} warm-up"
    );
    let mut header_ms = Vec::new();
    let mut images_ms = Vec::new();
    let mut screen_ms = Vec::new();
    let mut list_ms = Vec::new();
    for run in 0..WARMUP + runs {
        let mut pty = Pty::spawn(dirs.command(&[]), ROWS, COLS);
        let header = pty.wait_for(Duration::from_secs(10), "the header", |p| {
            p.screen().starts_with(" wharf ")
        });
        let listed = pty.wait_for(Duration::from_secs(10), "the imported image", |p| {
            p.screen().contains(&repo)
        });
        let full = pty.wait_for(Duration::from_secs(10), "the container too", |p| {
            p.screen().contains(&container)
        });
        pty.send(b"q");
        let status = pty.wait_exit(Duration::from_secs(10));
        assert!(status.success(), "wharf exited with {status:?}");
        let list = engine_list_ms();
        if run >= WARMUP {
            header_ms.push(header.as_secs_f64() * 1000.0);
            images_ms.push(listed.as_secs_f64() * 1000.0);
            screen_ms.push(full.as_secs_f64() * 1000.0);
            list_ms.extend(list);
        }
    }
    report("start → first frame (header)", &mut header_ms);
    report("start → first frame with the image listed", &mut images_ms);
    let screen = report(
        "start → full first screen (images and containers)",
        &mut screen_ms,
    );
    let list = report("the engine answering GET /images/json (curl)", &mut list_ms);
    println!(
        "  full first screen / the engine's image list: {:.2}×",
        screen / list
    );
}

/// How long the engine takes to answer the image list over its socket, as curl times it
/// (the connection and the whole answer, without curl's own start-up).
fn engine_list_ms() -> Option<f64> {
    let socket = std::env::var("DOCKER_HOST")
        .ok()
        .and_then(|h| h.strip_prefix("unix://").map(str::to_string))
        .unwrap_or_else(|| "/var/run/docker.sock".to_string());
    let out = std::process::Command::new("curl")
        .args([
            "-s",
            "-o",
            "/dev/null",
            "-w",
            "%{time_total}",
            "--unix-socket",
        ])
        .arg(&socket)
        .arg("http://docker/v1.41/images/json")
        .output()
        .ok()?;
    let seconds: f64 = String::from_utf8_lossy(&out.stdout).trim().parse().ok()?;
    Some(seconds * 1000.0)
}

/// Prints a line for `values` and returns their median.
fn report(what: &str, values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    let median = if values.len() % 2 == 1 {
        values[values.len() / 2]
    } else {
        (values[values.len() / 2 - 1] + values[values.len() / 2]) / 2.0
    };
    println!(
        "  {what}: median {median:.1} ms, min {:.1} ms, max {:.1} ms (n={})",
        values[0],
        values[values.len() - 1],
        values.len()
    );
    median
}
