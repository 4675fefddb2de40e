//! The mouse through `State::update` after a real frame (clicks find what was drawn), and
//! relative times that are redrawn when their text would change, and only then.

use crossterm::event::{KeyModifiers, MouseButton, MouseEvent, MouseEventKind};

use wharf::docker::{ContainerRecord, ContainerState};
use wharf::model::popup::Popup;
use wharf::msg::Msg;
use wharf::state::Pane;
use wharf::ui::View;
use wharf::ui::theme::Theme;

use crate::support::action_fixtures::{
    DAY, HOUR, NOW, connected, connected_with, container_id, id, images, select, selected_container,
};
use crate::support::keys::ch;
use crate::support::render::{
    draw, pane_rect, position_in_pane, position_of, render, row_of, screen,
};

fn mouse(kind: MouseEventKind, column: u16, row: u16) -> Msg {
    Msg::Mouse(MouseEvent {
        kind,
        column,
        row,
        modifiers: KeyModifiers::NONE,
    })
}

fn click(column: u16, row: u16) -> Msg {
    mouse(MouseEventKind::Down(MouseButton::Left), column, row)
}

fn running(name: &str, digit: char, status: &str, created: i64) -> ContainerRecord {
    ContainerRecord {
        id: container_id(digit),
        name: name.into(),
        image: "nginx:1.25".into(),
        image_id: id('1'),
        command: "nginx".into(),
        created,
        state: ContainerState::Running,
        status: status.into(),
        listed_at: NOW,
        ports: vec![],
    }
}

#[test]
fn a_click_focuses_the_pane_under_it_and_selects_the_row() {
    let mut state = connected_with(
        images(),
        vec![
            running("api-1", '1', "Up 2 hours", NOW - 3 * HOUR),
            running("web-1", '2', "Up 3 minutes", NOW - 10 * 60),
        ],
    );
    assert_eq!(state.focus(), Pane::Images);
    let frame = render(&state, 160, 45);
    let buffer = frame.backend().buffer();

    // A click on web-1's row: the containers pane gets the focus and web-1 the selection.
    let (x, y) = position_in_pane(buffer, "Containers", "web-1");
    state.update(click(x, y));
    assert_eq!(state.focus(), Pane::Containers);
    assert_eq!(selected_container(&state), "web-1");

    // A click on an image row selects it (and its layers follow).
    let frame = render(&state, 160, 45);
    let (x, y) = position_in_pane(frame.backend().buffer(), "Images", "nginx");
    let effects = state.update(click(x, y));
    assert_eq!(state.focus(), Pane::Images);
    assert!(
        state
            .images()
            .selected_row()
            .is_some_and(|r| r.reference().starts_with("nginx")),
        "{:?}",
        state.images().selected_row()
    );
    assert!(!effects.is_empty(), "the layers of the clicked image load");

    // A click on a pane's border or an empty spot only focuses it.
    let frame = render(&state, 160, 45);
    let (tx, ty, _, _) = pane_rect(frame.backend().buffer(), "Tags");
    let before = state.images().selected_row().map(|r| r.reference());
    state.update(click(tx, ty));
    assert_eq!(state.focus(), Pane::Tags);
    assert_eq!(state.images().selected_row().map(|r| r.reference()), before);
}

#[test]
fn the_wheel_moves_the_selection_of_the_list_under_it() {
    let mut state = connected();
    select(&mut state, "alpine:3.19");
    let first = state.images().selected_row().map(|r| r.reference());
    let frame = render(&state, 160, 45);
    let (x, y) = position_in_pane(frame.backend().buffer(), "Images", "alpine");
    state.update(mouse(MouseEventKind::ScrollDown, x, y));
    let second = state.images().selected_row().map(|r| r.reference());
    assert_ne!(first, second, "one row down");
    state.update(mouse(MouseEventKind::ScrollUp, x, y));
    assert_eq!(state.images().selected_row().map(|r| r.reference()), first);
}

#[test]
fn a_click_on_a_questions_button_presses_it() {
    let mut state = connected();
    select(&mut state, "alpine:3.19");
    state.update(ch('d'));
    assert!(matches!(state.top_popup(), Some(Popup::Confirm(_))));
    let frame = render(&state, 160, 45);
    let buffer = frame.backend().buffer();
    let (keep_x, keep_y) = position_of(buffer, "n: Keep");
    // A click beside the buttons does nothing.
    state.update(click(1, keep_y.saturating_sub(3)));
    assert!(matches!(state.top_popup(), Some(Popup::Confirm(_))));
    state.update(click(keep_x + 2, keep_y));
    assert!(state.popups().is_empty(), "Keep closes the question");
    assert_eq!(state.status_text(), "cancelled");

    state.update(ch('d'));
    let frame = render(&state, 160, 45);
    let (yes_x, yes_y) = position_of(frame.backend().buffer(), "y: Remove");
    let effects = state.update(click(yes_x + 1, yes_y));
    assert!(state.popups().is_empty());
    assert!(
        format!("{effects:?}").contains("RemoveImages"),
        "Remove removes: {effects:?}"
    );
}

#[test]
fn m_gives_the_mouse_to_the_terminal_and_takes_it_back() {
    let mut state = connected();
    assert!(state.wants_mouse(), "on by default");
    state.update(ch('M'));
    assert!(!state.wants_mouse());
    assert!(state.status_text().contains("terminal has the mouse"));
    state.update(ch('M'));
    assert!(state.wants_mouse());
}

#[test]
fn relative_times_are_redrawn_when_their_text_changes_and_only_then() {
    let theme = Theme::default_colours();
    let state = connected_with(
        images(),
        vec![running("web-1", '2', "Up 3 minutes", NOW - 10 * 60)],
    );
    // The containers pane shows "Up 3 minutes" at NOW; the images show their ages.
    let first = View::new(&theme, NOW);
    let before = screen(draw(&state, &first, 160, 45).backend().buffer());
    let at = first.refresh_at().expect("something on screen ages");
    assert!(at > NOW && at <= NOW + 60, "within the minute: {at}");

    // Just before that moment the screen reads the same; at it, it reads differently.
    let just_before = screen(
        draw(&state, &View::new(&theme, at - 1), 160, 45)
            .backend()
            .buffer(),
    );
    assert_eq!(before, just_before);
    let after = screen(
        draw(&state, &View::new(&theme, at), 160, 45)
            .backend()
            .buffer(),
    );
    assert_ne!(before, after, "a relative time moved on");
    let row = row_of(draw(&state, &first, 160, 45).backend().buffer(), "web-1");
    assert_ne!(
        before.lines().nth(usize::from(row)),
        after.lines().nth(usize::from(row)),
        "the container's status row changed"
    );
}

#[test]
fn hours_old_times_wake_wharf_at_most_once_an_hour_and_nothing_ages_nothing_wakes() {
    let theme = Theme::default_colours();
    // Only old images and a container up for hours: the next change is an hour away at most,
    // and not sooner than the hour turns.
    let state = connected_with(
        vec![wharf::docker::ImageRecord {
            id: id('1'),
            repo_tags: vec!["old:1".into()],
            repo_digests: vec![],
            created: NOW - 5 * HOUR - 10,
            size: 1,
        }],
        vec![running("db-1", '3', "Up 5 hours", NOW - DAY)],
    );
    let view = View::new(&theme, NOW);
    draw(&state, &view, 160, 45);
    let at = view.refresh_at().expect("hours age");
    assert!(at > NOW + 60 && at <= NOW + HOUR, "{}", at - NOW);

    // No engine answer yet: no list, no relative time, no wake-up.
    let empty = wharf::state::State::new(
        &wharf::config::Config::defaults().unwrap(),
        "unix:///var/run/docker.sock".into(),
        None,
    );
    let view = View::new(&theme, NOW);
    draw(&empty, &view, 160, 45);
    assert_eq!(view.refresh_at(), None);
}
