//! Render snapshots (insta, ratatui `TestBackend`, a fixed clock) of the whole screen and of
//! each pane at a wide and a narrow size, the help overlay with a remapped key, the engine
//! down, the filter active and a terminal too small to use; plus cell-style assertions for
//! what text snapshots cannot see (reverse video without colour, the focused border's style).

use std::path::Path;

use crossterm::event::KeyCode;
use ratatui::style::{Color, Modifier};

use wharf::config::Config;
use wharf::docker::target::EngineTarget;
use wharf::docker::{Engine, HistoryRecord, ImageId, ImageRecord};
use wharf::msg::Msg;
use wharf::state::State;
use wharf::ui::theme::Theme;

use crate::support::action_fixtures::{DAY, HOUR, NOW, engine_info, id, record};
use crate::support::keys::{ch, press};
use crate::support::render::{
    assert_no_escapes, pane_rect, pane_text, render, render_with, row_of, screen, screen_lines,
};

/// An OSC sequence that would set the terminal title if it reached the terminal.
const OSC_TITLE: &str = "\u{1b}]0;pwn\u{7}";
const EVIL_REPO: &str = "evil\u{1b}]0;pwn\u{7}/app";
const LONG_NAME: &str =
    "registry.example.com/platform/observability/very-long-service-name-for-testing";

/// A realistic engine: a multi-tag image, a registry image, a long name, a dangling image and
/// a name with an escape sequence in it.
fn images() -> Vec<ImageRecord> {
    vec![
        record(
            '1',
            &["nginx:1.25", "nginx:latest"],
            &[],
            3 * DAY,
            187_000_000,
        ),
        record('2', &["alpine:3.19"], &[], 60 * DAY, 7_380_000),
        record('3', &["postgres:16"], &[], 15 * DAY, 432_000_000),
        record(
            '4',
            &["localhost:5000/team/backend-api:2.3.1"],
            &[],
            5 * HOUR,
            98_400_000,
        ),
        record(
            '5',
            &[&format!("{LONG_NAME}:2024.06.15-build.1234")],
            &[],
            40 * DAY,
            1_250_000_000,
        ),
        record('6', &[], &[], 3 * DAY + HOUR, 45_200_000),
        record('7', &["busybox:1.36"], &[], 400 * DAY, 4_260_000),
        record('8', &[&format!("{EVIL_REPO}:1")], &[], 12 * 60, 123_456),
    ]
}

fn layer(created_by: &str, comment: &str, age: i64, size: u64) -> HistoryRecord {
    HistoryRecord {
        id: "<missing>".into(),
        created: NOW - age,
        created_by: created_by.into(),
        size,
        comment: comment.into(),
        tags: vec![],
    }
}

/// nginx:1.25's history, newest first, with one command and comment carrying escape codes.
fn nginx_history() -> Vec<HistoryRecord> {
    let mut top = layer(
        "/bin/sh -c #(nop)  CMD [\"nginx\" \"-g\" \"daemon off;\"]",
        "",
        3 * DAY,
        0,
    );
    top.id = id('1').0;
    top.tags = vec!["nginx:1.25".into(), "nginx:latest".into()];
    vec![
        top,
        layer("/bin/sh -c #(nop)  STOPSIGNAL SIGQUIT", "", 3 * DAY, 0),
        layer("/bin/sh -c #(nop)  EXPOSE 80", "", 3 * DAY, 0),
        layer(
            "/bin/sh -c #(nop)  ENTRYPOINT [\"/docker-entrypoint.sh\"]",
            "",
            3 * DAY,
            0,
        ),
        layer(
            "/bin/sh -c #(nop) COPY file:09a214a3e07c919a in /docker-entrypoint.d ",
            "",
            3 * DAY,
            4_610,
        ),
        layer(
            &format!("/bin/sh -c echo \u{1b}[31mred\u{1b}[0m {OSC_TITLE}done > /motd"),
            &format!("escapes{OSC_TITLE} \u{1b}[2Jstripped"),
            3 * DAY,
            12,
        ),
        layer(
            "/bin/sh -c set -x     && groupadd --system --gid 101 nginx     && apt-get update     && apt-get install --no-install-recommends --no-install-suggests -y nginx=1.25.3-1~bookworm     && rm -rf /var/lib/apt/lists/*",
            "buildkit.dockerfile.v0",
            3 * DAY,
            112_000_000,
        ),
        layer(
            "/bin/sh -c #(nop)  ENV NGINX_VERSION=1.25.3",
            "",
            3 * DAY,
            0,
        ),
        layer("/bin/sh -c #(nop)  CMD [\"bash\"]", "", 20 * DAY, 0),
        layer(
            "/bin/sh -c #(nop) ADD file:5d6b639e8b6bcc011b9e8e4d8e4e0c5a in / ",
            "",
            20 * DAY,
            74_800_000,
        ),
    ]
}

/// The state after start-up with `images()` listed, `nginx:1.25` selected and its layers in.
fn loaded_with(config: &Config) -> State {
    let mut state = State::new(config, "unix:///var/run/docker.sock".into(), None);
    state.start();
    state.update(Msg::EngineConnected(engine_info()));
    state.update(Msg::ImagesLoaded(Ok(images())));
    state.update(Msg::ContainersLoaded(Ok(vec![])));
    for _ in 0..20 {
        if state.images().selected_row().map(|r| r.reference()) == Some("nginx:1.25".into()) {
            break;
        }
        state.update(ch('j'));
    }
    assert_eq!(
        state.images().selected_image(),
        Some(&id('1')),
        "nginx:1.25 selected"
    );
    // Answer every history request; only nginx's is shown.
    let history_of = |image: &ImageId| {
        if *image == id('1') {
            nginx_history()
        } else {
            vec![layer("/bin/sh -c #(nop) ADD file:ab in / ", "", DAY, 1_000)]
        }
    };
    let mut pending: Vec<ImageId> = vec![id('2')];
    while let Some(image) = pending.pop() {
        for effect in state.update(Msg::HistoryLoaded {
            result: Ok(history_of(&image)),
            image,
        }) {
            if let wharf::effect::Effect::LoadHistory { image } = effect {
                pending.push(image);
            }
        }
    }
    assert_eq!(state.layers().rows().map(<[_]>::len), Some(10));
    state
}

fn loaded() -> State {
    loaded_with(&Config::defaults().expect("defaults"))
}

// ----- whole screen --------------------------------------------------------------------------

#[test]
fn whole_screen_wide() {
    let state = loaded();
    let terminal = render(&state, 160, 45);
    assert_no_escapes(terminal.backend().buffer());
    let text = screen(terminal.backend().buffer());
    assert!(text.contains("evil/app"), "the cleaned name is shown");
    assert!(
        text.contains("echo red done"),
        "the cleaned command is shown"
    );
    insta::assert_snapshot!("whole_screen_wide", terminal.backend());
}

#[test]
fn whole_screen_narrow() {
    let state = loaded();
    let terminal = render(&state, 80, 24);
    assert_no_escapes(terminal.backend().buffer());
    insta::assert_snapshot!("whole_screen_narrow", terminal.backend());
}

// ----- each pane -----------------------------------------------------------------------------

#[test]
fn images_pane_wide_and_narrow() {
    let state = loaded();
    for (name, width, height) in [("wide", 160, 45), ("narrow", 80, 24)] {
        let terminal = render(&state, width, height);
        let pane = pane_text(terminal.backend().buffer(), "Images");
        // Every size fits its column with its unit.
        let lines: Vec<&str> = pane.lines().collect();
        for line in &lines[2..lines.len() - 1] {
            let content = line.trim_matches(|c: char| c == '┃' || c.is_whitespace());
            if !content.is_empty() {
                assert!(content.ends_with('B'), "a size cut short: {line}");
            }
        }
        insta::assert_snapshot!(format!("images_pane_{name}"), pane);
    }
}

#[test]
fn layers_pane_wide_and_narrow() {
    let mut state = loaded();
    // Focus the layers and select the big RUN layer.
    state.update(press(KeyCode::Tab));
    for _ in 0..6 {
        state.update(ch('j'));
    }
    assert_eq!(state.layers().cursor.selected(), 6);
    for (name, width, height) in [("wide", 160, 45), ("narrow", 80, 24)] {
        let terminal = render(&state, width, height);
        assert_no_escapes(terminal.backend().buffer());
        let pane = pane_text(terminal.backend().buffer(), "Layers");
        insta::assert_snapshot!(format!("layers_pane_{name}"), pane);
    }
}

#[test]
fn layer_detail_popup_shows_the_full_command_cleaned() {
    let mut state = loaded();
    state.update(press(KeyCode::Tab));
    for _ in 0..5 {
        state.update(ch('j'));
    }
    state.update(press(KeyCode::Enter));
    let terminal = render(&state, 100, 30);
    assert_no_escapes(terminal.backend().buffer());
    insta::assert_snapshot!("layer_detail_popup", terminal.backend());
}

// ----- overlays and states -------------------------------------------------------------------

#[test]
fn help_overlay_lists_a_remapped_key() {
    // `o` opens a repository everywhere by default; the user frees it, then sorts with it.
    let config = Config::parse(
        "[keys.global]\no = \"none\"\n\n[keys.images]\no = \"sort\"\n",
        Path::new("/home/u/.config/wharf/config.toml"),
    )
    .expect("valid config");
    let mut state = loaded_with(&config);
    state.update(ch('?'));
    let terminal = render(&state, 160, 45);
    let buffer = terminal.backend().buffer();
    let line = &screen_lines(buffer)[row_of(buffer, "cycle the sort column") as usize];
    let keys: Vec<&str> = line
        .split("cycle the sort column")
        .next()
        .unwrap_or("")
        .split(|c: char| c.is_whitespace() || c == '│' || c == '╭' || c == '╮')
        .filter(|w| !w.is_empty())
        .collect();
    assert!(keys.contains(&"o"), "o is listed for sort: {line}");
    assert!(keys.contains(&"s"), "the default key stays: {line}");
    insta::assert_snapshot!("help_overlay_remapped", terminal.backend());

    // Scrolled to the end (the renderer records how far it can go), no line is cut.
    state.update(ch('G'));
    let terminal = render(&state, 160, 45);
    let text = screen(terminal.backend().buffer());
    assert!(text.contains("Ctrl-W deletes a word"), "{text}");
}

#[test]
fn help_overlay_in_a_small_terminal_is_cut_not_broken() {
    let mut state = loaded();
    state.update(ch('?'));
    let terminal = render(&state, 60, 14);
    insta::assert_snapshot!("help_overlay_small", terminal.backend());
}

/// The error wharf's engine layer gives for a socket that does not exist.
fn missing_socket_error(host: &str) -> wharf::docker::EngineError {
    let target = EngineTarget {
        host: host.into(),
        source: wharf::docker::target::TargetSource::HostFlag,
        tls: None,
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    match runtime.block_on(Engine::connect(&target)) {
        Ok(_) => panic!("{host} answered"),
        Err(e) => e,
    }
}

#[test]
fn engine_down_says_where_why_and_what_to_try() {
    let host = "unix:///nonexistent.sock";
    let mut state = State::new(&Config::defaults().expect("defaults"), host.into(), None);
    state.start();
    state.update(Msg::EngineFailed(missing_socket_error(host)));
    state.update(Msg::EngineFailed(missing_socket_error(host)));
    for (name, width, height) in [("wide", 160, 45), ("narrow", 80, 24)] {
        let terminal = render(&state, width, height);
        let buffer = terminal.backend().buffer();
        let header = &screen_lines(buffer)[0];
        assert!(header.contains(host), "{header}");
        assert!(header.contains("engine unreachable"), "{header}");
        // The pane's words, whatever the wrapping: where, why, what to try, when again.
        let pane = pane_text(buffer, "Images");
        let lines: Vec<&str> = pane
            .lines()
            .map(|l| l.trim_matches(|c: char| c == '┃' || c.is_whitespace()))
            .collect();
        let words = lines
            .join(" ")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        for expected in [
            "cannot reach the Docker engine at unix:///nonexistent.sock",
            "the socket /nonexistent.sock does not exist",
            "Is the Docker daemon running?",
            "--host or DOCKER_HOST",
            "Tried unix:///nonexistent.sock (2 attempts); next try in 0.5 s.",
        ] {
            assert!(
                words.contains(expected),
                "{expected:?} missing in {words:?}"
            );
        }
        // The retry line is its own paragraph.
        assert!(
            lines.iter().any(|l| l.starts_with("Tried ")),
            "the retry note starts a line:\n{pane}"
        );
        insta::assert_snapshot!(format!("engine_down_{name}"), terminal.backend());
    }
}

#[test]
fn connecting_before_the_engine_answers() {
    let mut state = State::new(
        &Config::defaults().expect("defaults"),
        "unix:///var/run/docker.sock".into(),
        None,
    );
    state.start();
    let terminal = render(&state, 80, 24);
    insta::assert_snapshot!("connecting", terminal.backend());
}

#[test]
fn filter_active_narrows_and_shows_the_input() {
    let mut state = loaded();
    state.update(ch('/'));
    for c in "ngi".chars() {
        state.update(ch(c));
    }
    let mut terminal = render(&state, 80, 24);
    let buffer = terminal.backend().buffer().clone();
    let text = screen(&buffer);
    assert!(text.contains("/ngi"), "{text}");
    assert!(!text.contains("alpine"), "filtered out: {text}");
    // The terminal cursor sits after the typed text.
    let row = row_of(&buffer, "/ngi");
    let column = screen_lines(&buffer)[row as usize]
        .chars()
        .collect::<Vec<_>>()
        .windows(4)
        .position(|w| w.iter().collect::<String>() == "/ngi")
        .expect("input on screen") as u16;
    terminal
        .backend_mut()
        .assert_cursor_position((column + 4, row));
    insta::assert_snapshot!("filter_active", terminal.backend());

    // A filter that matches nothing says how to get out.
    state.update(ch('x'));
    let terminal = render(&state, 80, 24);
    let text = screen(terminal.backend().buffer());
    assert!(text.contains("No image matches \"ngix\""), "{text}");
}

#[test]
fn command_line_with_candidates() {
    let mut state = loaded();
    state.update(ch(':'));
    state.update(press(KeyCode::Tab));
    let terminal = render(&state, 80, 24);
    insta::assert_snapshot!("command_line_candidates", terminal.backend());
}

#[test]
fn tiny_terminal_shows_a_notice() {
    let state = loaded();
    let terminal = render(&state, 30, 8);
    let text = screen(terminal.backend().buffer());
    assert!(text.contains("wharf needs 40×10"), "{text}");
    insta::assert_snapshot!("tiny_terminal", terminal.backend());
}

#[test]
fn any_size_draws_without_panicking() {
    let mut states = vec![loaded()];
    let mut help = loaded();
    help.update(ch('?'));
    states.push(help);
    let mut filtering = loaded();
    filtering.update(ch('/'));
    filtering.update(ch('n'));
    states.push(filtering);
    let mut detail = loaded();
    detail.update(press(KeyCode::Tab));
    detail.update(press(KeyCode::Enter));
    states.push(detail);
    let theme = Theme::default_colours();
    for state in &states {
        for width in (1..=14).chain((15..=200).step_by(17)) {
            for height in (1..=12).chain((13..=60).step_by(7)) {
                render_with(state, &theme, width, height);
            }
        }
    }
}

// ----- styles --------------------------------------------------------------------------------

#[test]
fn without_colour_the_selection_is_reverse_video() {
    let theme = Theme::monochrome();
    let state = loaded();
    let terminal = render_with(&state, &theme, 160, 45);
    let buffer = terminal.backend().buffer();
    // No colour anywhere.
    for y in 0..buffer.area.height {
        for x in 0..buffer.area.width {
            let cell = &buffer[(x, y)];
            assert_eq!(cell.fg, Color::Reset, "colour at {x},{y}");
            assert_eq!(cell.bg, Color::Reset, "colour at {x},{y}");
        }
    }
    let (x0, _, width, _) = pane_rect(buffer, "Images");
    // nginx:1.25, the first of the two rows of image 1 (the column widths follow the names).
    let selected = row_of(buffer, "111111111111");
    let other = row_of(buffer, "alpine");
    for x in x0 + 1..x0 + width - 1 {
        assert!(
            buffer[(x, selected)].modifier.contains(Modifier::REVERSED),
            "selected row cell {x} is not reversed"
        );
        assert!(
            !buffer[(x, other)].modifier.contains(Modifier::REVERSED),
            "unselected row cell {x} is reversed"
        );
    }
    // The layers pane's selection (unfocused) is visible too.
    let (lx, ly, lw, _) = pane_rect(buffer, "Layers");
    let first_layer = ly + 2;
    assert!(
        (lx + 1..lx + lw - 1).all(|x| buffer[(x, first_layer)]
            .modifier
            .contains(Modifier::REVERSED)),
        "the layers selection is reverse video"
    );
}

#[test]
fn the_focused_pane_border_uses_the_focused_style() {
    let theme = Theme::default_colours();
    let mut state = loaded();
    let check = |state: &State, focused: &str, unfocused: &str| {
        let terminal = render_with(state, &theme, 160, 45);
        let buffer = terminal.backend().buffer();
        let (fx, fy, fw, fh) = pane_rect(buffer, focused);
        for (x, y) in [
            (fx, fy),
            (fx + fw - 1, fy + fh - 1),
            (fx + fw / 2, fy + fh - 1),
        ] {
            let cell = &buffer[(x, y)];
            assert_eq!(cell.fg, theme.border_focused.fg.expect("a colour"));
            assert!(cell.modifier.contains(Modifier::BOLD));
        }
        assert_eq!(buffer[(fx, fy)].symbol(), "┏", "thick when focused");
        let (ux, uy, _, _) = pane_rect(buffer, unfocused);
        let cell = &buffer[(ux, uy)];
        assert_eq!(cell.fg, theme.border.fg.expect("a colour"));
        assert_eq!(cell.symbol(), "┌");
        assert_ne!(theme.border.fg, theme.border_focused.fg);
    };
    check(&state, "Images", "Layers");
    state.update(press(KeyCode::Tab));
    check(&state, "Layers", "Images");
}

#[test]
fn selection_colours_follow_the_focus() {
    let theme = Theme::default_colours();
    let state = loaded();
    let terminal = render_with(&state, &theme, 160, 45);
    let buffer = terminal.backend().buffer();
    let (x0, _, _, _) = pane_rect(buffer, "Images");
    // nginx:1.25, the first of the two rows of image 1 (the column widths follow the names).
    let selected = row_of(buffer, "111111111111");
    let cell = &buffer[(x0 + 2, selected)];
    assert_eq!(
        Some(cell.bg),
        theme.selection.bg,
        "focused selection colour"
    );
    let (lx, ly, _, _) = pane_rect(buffer, "Layers");
    let cell = &buffer[(lx + 2, ly + 2)];
    assert!(
        cell.modifier.contains(Modifier::REVERSED),
        "unfocused selection is reverse video"
    );
}
