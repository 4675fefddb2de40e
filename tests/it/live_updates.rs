//! wharf without a terminal: the real `State` and `Executor` wired as `app::run` wires them,
//! against the real engine. Images imported, tagged, untagged, committed and removed from
//! outside appear and disappear through the event stream alone (no polling), and stay as
//! the engine has them once every answer is in.

use std::time::Duration;

use crate::support::engine::{
    CMD_SH, Scratch, docker, engine_or_skip, import_test_image, unique_name,
};
use crate::support::headless::Headless;

/// How long a change made outside may take to show (the issue asks for a second; the bound
/// is looser so a loaded machine does not fail the test, and the measured time is printed).
const LIMIT: Duration = Duration::from_secs(5);

/// Tags `source` as `REPO:probeN` until one such tag shows up (each probe bounded, 10 s in
/// all): from then on the event stream is live.
async fn wait_for_events(app: &mut Headless, scratch: &mut Scratch, repo: &str, source: &str) {
    let mut live = false;
    for probe in 0..20 {
        let probe_ref = format!("{repo}:probe{probe}");
        scratch.tag(source, &probe_ref);
        if app
            .until(Duration::from_millis(500), |h| h.has(&probe_ref))
            .await
            .is_some()
        {
            live = true;
            break;
        }
    }
    assert!(live, "no probe tag showed up within 10 s");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changes_made_outside_show_up_through_events() {
    let Some(engine) = engine_or_skip().await else {
        return;
    };
    let mut scratch = Scratch::new();
    let repo = unique_name("live");
    let base_ref = format!("{repo}:base");
    let base = import_test_image(&engine, &mut scratch, &base_ref, &[CMD_SH]).await;

    let mut app = Headless::start();
    app.until(LIMIT, |h| h.state.is_connected() && h.state.images().loaded)
        .await
        .expect("connected and listed");
    assert!(app.has(&base_ref));
    app.settle().await;

    // The event subscription starts when its request reaches the engine, which nothing
    // announces: tag until a probe shows up (each probe bounded), then time real changes.
    wait_for_events(&mut app, &mut scratch, &repo, &base_ref).await;

    // A tag made with the CLI.
    let tagged = format!("{repo}:tagged");
    scratch.tag(&base_ref, &tagged);
    let took = app
        .until(LIMIT, |h| h.has(&tagged))
        .await
        .unwrap_or_else(|| panic!("{tagged} did not show up within {LIMIT:?}"));
    eprintln!("tag shown after {took:?}");

    // The tag removed again: its row goes, the image stays.
    docker(&["rmi", &tagged]);
    let took = app
        .until(LIMIT, |h| !h.has(&tagged))
        .await
        .unwrap_or_else(|| panic!("{tagged} still shown after {LIMIT:?}"));
    eprintln!("untag shown after {took:?}");
    assert!(app.has(&base_ref));

    // An import by someone else (through wharf's engine layer, as another wharf would).
    let imported_ref = format!("{repo}:imported");
    let imported = import_test_image(&engine, &mut scratch, &imported_ref, &[CMD_SH]).await;
    app.until(LIMIT, |h| h.has(&imported_ref))
        .await
        .unwrap_or_else(|| panic!("{imported_ref} did not show up within {LIMIT:?}"));

    // A commit.
    let container = scratch.run_to_completion(&base_ref, &["sh", "-c", "echo x > /x"]);
    let committed_ref = format!("{repo}:committed");
    scratch.commit(&container, &committed_ref, "live test");
    app.until(LIMIT, |h| h.has(&committed_ref))
        .await
        .unwrap_or_else(|| panic!("{committed_ref} did not show up within {LIMIT:?}"));

    // Whole images removed (untag then delete events): gone, and still gone once every
    // lookup those events started has been answered.
    docker(&["rmi", "-f", &imported.0]);
    app.until(LIMIT, |h| !h.has_image(&imported.0))
        .await
        .unwrap_or_else(|| panic!("{imported_ref} still shown after {LIMIT:?}"));
    app.settle().await;
    assert!(
        !app.has_image(&imported.0),
        "a removed image came back after a late answer:\n{}",
        app.log.join("\n")
    );

    assert!(app.has_image(&base.0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn removed_images_do_not_come_back() {
    let Some(engine) = engine_or_skip().await else {
        return;
    };
    let mut scratch = Scratch::new();
    let repo = unique_name("gone");
    let mut app = Headless::start();
    app.until(LIMIT, |h| h.state.is_connected() && h.state.images().loaded)
        .await
        .expect("connected and listed");

    let keep_ref = format!("{repo}:keep");
    import_test_image(&engine, &mut scratch, &keep_ref, &[CMD_SH]).await;
    // Until the event stream is live, imports may be missed; wait for one to show.
    wait_for_events(&mut app, &mut scratch, &repo, &keep_ref).await;

    // Each round: a new image with one tag, shown, then removed by its last tag (the engine
    // sends untag, then delete; the untag's lookup races the delete).
    for round in 0..8 {
        let reference = format!("{repo}:r{round}");
        let id = import_test_image(&engine, &mut scratch, &reference, &[CMD_SH]).await;
        app.until(LIMIT, |h| h.has(&reference))
            .await
            .unwrap_or_else(|| panic!("{reference} did not show up"));
        docker(&["rmi", &reference]);
        app.until(LIMIT, |h| !h.has_image(&id.0))
            .await
            .unwrap_or_else(|| panic!("{reference} still shown after rmi"));
        app.settle().await;
        assert!(
            !app.has_image(&id.0),
            "round {round}: {reference} came back after its removal:\n{}",
            app.log.join("\n")
        );
    }
}
