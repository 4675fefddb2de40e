//! Rendering and `State::update` with 10,000 images loaded (synthetic records, no engine).
//!
//! `cargo bench --bench render_update`. What a key costs wharf is `update` plus one frame:
//! the `key_to_frame/*` benches measure exactly that pair; the target is 5 ms.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use wharf::config::Config;
use wharf::docker::{EngineInfo, HistoryRecord, ImageId, ImageRecord};
use wharf::msg::Msg;
use wharf::state::State;
use wharf::ui::theme::Theme;
use wharf::ui::{self, View};

const IMAGES: usize = 10_000;
const WIDTH: u16 = 200;
const HEIGHT: u16 = 60;
const NOW: i64 = 1_750_000_000;

/// 10,000 images: most with one tag, every tenth with two, every twentieth dangling; names
/// spread over 50 teams, sizes and ages varied.
fn records() -> Vec<ImageRecord> {
    (0..IMAGES)
        .map(|i| {
            let repo = format!("registry.local:5000/team-{:02}/service-{i:05}", i % 50);
            let repo_tags = if i % 20 == 19 {
                vec![]
            } else if i % 10 == 0 {
                vec![format!("{repo}:1.{}", i % 7), format!("{repo}:latest")]
            } else {
                vec![format!("{repo}:1.{}", i % 7)]
            };
            ImageRecord {
                id: ImageId(format!("sha256:{i:064x}")),
                repo_tags,
                repo_digests: vec![],
                created: NOW - (i as i64 * 7_919) % (400 * 86_400),
                size: 1_000_000 + (i as u64 * 104_729) % 900_000_000,
            }
        })
        .collect()
}

fn history() -> Vec<HistoryRecord> {
    (0..30)
        .map(|i| HistoryRecord {
            id: "<missing>".into(),
            created: NOW - 86_400,
            created_by: format!(
                "/bin/sh -c apt-get install -y package-{i} && rm -rf /var/lib/apt/lists/*"
            ),
            size: if i % 3 == 0 { 0 } else { 1_000_000 * i },
            comment: "buildkit.dockerfile.v0".into(),
            tags: vec![],
        })
        .collect()
}

fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

/// The keys `first`, `second`, `first` … one per call, so that every step changes something.
fn in_turn(first: KeyCode, second: KeyCode) -> impl FnMut() -> Msg {
    let mut next_is_first = true;
    move || {
        let code = if next_is_first { first } else { second };
        next_is_first = !next_is_first;
        key(code)
    }
}

/// Connected, 10,000 images listed, the first image's layers loaded.
fn loaded_state() -> State {
    let config = Config::defaults().expect("defaults");
    let mut state = State::new(&config, "unix:///var/run/docker.sock".into(), None);
    state.start();
    state.update(Msg::EngineConnected(EngineInfo {
        host: "unix:///var/run/docker.sock".into(),
        version: "20.10.24".into(),
        api_version: "1.41".into(),
        os: "linux".into(),
        arch: "amd64".into(),
    }));
    state.update(Msg::ImagesLoaded(Ok(records())));
    let image = state
        .images()
        .selected_image()
        .cloned()
        .expect("a selection");
    state.update(Msg::HistoryLoaded {
        image,
        result: Ok(history()),
    });
    assert!(state.images().visible_len() >= IMAGES);
    assert_eq!(state.layers().rows().map(<[_]>::len), Some(30));
    state
}

fn terminal() -> Terminal<TestBackend> {
    Terminal::new(TestBackend::new(WIDTH, HEIGHT)).expect("test terminal")
}

fn benches(c: &mut Criterion) {
    let theme = Theme::default_colours();
    let view = View::new(&theme, NOW);

    let mut group = c.benchmark_group("10k_images");
    group.measurement_time(Duration::from_secs(4));

    // A full frame: every pane rendered and diffed against the previous frame.
    {
        let state = loaded_state();
        let mut terminal = terminal();
        group.bench_function("render_200x60", |b| {
            b.iter(|| {
                terminal
                    .draw(|frame| ui::draw(frame, black_box(&state), &view))
                    .expect("draw");
            })
        });
    }

    // A fresh terminal each time: nothing to diff against, every cell sent.
    {
        let state = loaded_state();
        group.bench_function("render_200x60_first_frame", |b| {
            b.iter_batched(
                terminal,
                |mut terminal| {
                    terminal
                        .draw(|frame| ui::draw(frame, &state, &view))
                        .expect("draw");
                    terminal
                },
                criterion::BatchSize::SmallInput,
            )
        });
    }

    // Down and Up in turn, so every step moves the selection (and the layers pane).
    {
        let mut state = loaded_state();
        let mut next = in_turn(KeyCode::Down, KeyCode::Up);
        group.bench_function("update_down", |b| {
            b.iter(|| black_box(state.update(next())))
        });
    }

    // A filter keystroke: typing narrows (re-filtering and re-sorting every row), Backspace
    // widens again; in turn.
    {
        let mut state = loaded_state();
        state.update(key(KeyCode::Char('/')));
        let mut next = in_turn(KeyCode::Char('7'), KeyCode::Backspace);
        group.bench_function("update_filter_keystroke", |b| {
            b.iter(|| black_box(state.update(next())))
        });
    }

    // `s`: a full re-sort by the next column.
    {
        let mut state = loaded_state();
        group.bench_function("update_sort", |b| {
            b.iter(|| black_box(state.update(key(KeyCode::Char('s')))))
        });
    }

    // Key to frame: what the user waits for.
    {
        let mut state = loaded_state();
        let mut terminal = terminal();
        let mut next = in_turn(KeyCode::Down, KeyCode::Up);
        group.bench_function("key_to_frame_down", |b| {
            b.iter(|| {
                state.update(next());
                terminal
                    .draw(|frame| ui::draw(frame, &state, &view))
                    .expect("draw");
            })
        });
    }
    {
        let mut state = loaded_state();
        state.update(key(KeyCode::Char('/')));
        let mut terminal = terminal();
        let mut next = in_turn(KeyCode::Char('7'), KeyCode::Backspace);
        group.bench_function("key_to_frame_filter_keystroke", |b| {
            b.iter(|| {
                state.update(next());
                terminal
                    .draw(|frame| ui::draw(frame, &state, &view))
                    .expect("draw");
            })
        });
    }

    // Loading the list itself (start-up and every reload after an event burst).
    {
        let records = records();
        let mut state = loaded_state();
        group.sample_size(20);
        group.bench_function("update_images_loaded", |b| {
            b.iter_batched(
                || records.clone(),
                |records| black_box(state.update(Msg::ImagesLoaded(Ok(records)))),
                criterion::BatchSize::LargeInput,
            )
        });
    }
    group.finish();
}

criterion_group!(render_update, benches);
criterion_main!(render_update);
