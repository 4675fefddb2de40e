//! Local images read through the real engine's export: an archive with an opaque layer
//! written by the test and `docker load`ed (this engine's storage driver writes per-file
//! whiteouts itself), committed layers, the cache, and `wharf analyze` end to end (numbers
//! against a plain computation from `docker save`, read with the tar crate; exit codes).

use std::io::Read;
use std::process::Command;

use wharf::layerfs::cache::{DEFAULT_CAP_BYTES, LayerCache};
use wharf::layerfs::source::LoadEvent;
use wharf::layerfs::source::engine::load_local_image;

use crate::layerfs_formats::{check_sample_up_to, sample_layers};
use crate::support::engine::{
    CMD_SH, Scratch, docker, docker_output, engine_or_skip, import_test_image, unique_name,
};
use crate::support::images::{E, dive_waste, docker_save, layer_tar};

#[tokio::test]
async fn an_image_with_an_opaque_layer_is_read_through_the_export_and_then_from_the_cache() {
    let Some(engine) = engine_or_skip().await else {
        return;
    };
    let mut scratch = Scratch::new();
    let name = format!("{}:1", unique_name("opaque"));
    scratch.track_image(&name);
    // The sample, but the directory deleted and made again in two layers: this engine
    // (fuse-overlayfs) cannot export a layer it loaded with both in one (it fails to find
    // the new file), which the archive tests cover.
    let mut layers = sample_layers();
    layers.pop();
    layers.push(vec![E::Whiteout("app")]);
    layers.push(vec![
        E::Dir("app"),
        crate::support::images::file("app/new", 11),
    ]);
    let tars: Vec<Vec<u8>> = layers.iter().map(|l| layer_tar(l)).collect();
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("image.tar");
    std::fs::write(&archive, docker_save(&tars, &name)).unwrap();
    docker(&["load", "-i", archive.to_str().unwrap()]);

    let cache = LayerCache::at(dir.path().join("cache"), DEFAULT_CAP_BYTES);
    let image = load_local_image(engine.clone(), name.clone(), Some(cache.clone()))
        .collect()
        .await
        .unwrap();
    check_sample_up_to(&image, 4);
    for tar in &tars {
        assert!(
            cache.contains(&crate::support::images::sha256(tar)),
            "each layer is cached"
        );
    }

    // Again: every layer from the cache, no export.
    let mut handle = load_local_image(engine, name, Some(cache));
    let mut cached = Vec::new();
    let mut assembler = wharf::layerfs::source::Assembler::default();
    while let Some(event) = handle.events.recv().await {
        let event = event.unwrap();
        if let LoadEvent::Layer { cached: c, .. } = &event {
            cached.push(*c);
        }
        let done = matches!(event, LoadEvent::Done);
        assembler.accept(event).unwrap();
        if done {
            break;
        }
    }
    assert_eq!(cached, [true; 5]);
    check_sample_up_to(&assembler.finish().unwrap(), 4);
}

/// The layers of a `docker save` archive as entries, read with the tar crate.
fn layers_of_docker_save(archive: &[u8]) -> Vec<Vec<E>> {
    let mut files = std::collections::HashMap::new();
    let mut tar = tar::Archive::new(archive);
    for entry in tar.entries().unwrap() {
        let mut entry = entry.unwrap();
        let path = entry.path().unwrap().to_string_lossy().into_owned();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).unwrap();
        files.insert(path, bytes);
    }
    let manifest: serde_json::Value = serde_json::from_slice(&files["manifest.json"]).unwrap();
    let leak = |s: String| -> &'static str { Box::leak(s.into_boxed_str()) };
    manifest[0]["Layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|layer| {
            let mut entries = Vec::new();
            let mut tar = tar::Archive::new(&files[layer.as_str().unwrap()][..]);
            for entry in tar.entries().unwrap() {
                let entry = entry.unwrap();
                let path = entry
                    .path()
                    .unwrap()
                    .to_string_lossy()
                    .trim_end_matches('/')
                    .to_string();
                let (dir, name) = path
                    .rsplit_once('/')
                    .map_or(("", path.as_str()), |(d, n)| (d, n));
                let joined = |n: &str| {
                    if dir.is_empty() {
                        n.to_string()
                    } else {
                        format!("{dir}/{n}")
                    }
                };
                let size = entry.header().size().unwrap() as usize;
                let e = if name == ".wh..wh..opq" {
                    E::Opaque(leak(dir.to_string()))
                } else if let Some(target) = name.strip_prefix(".wh.") {
                    E::Whiteout(leak(joined(target)))
                } else {
                    match entry.header().entry_type() {
                        tar::EntryType::Directory => E::Dir(leak(path.clone())),
                        tar::EntryType::Symlink => E::Symlink(leak(path.clone()), "x"),
                        tar::EntryType::Link => E::HardLink(leak(path.clone()), "x"),
                        _ => E::File(leak(path.clone()), vec![0; size]),
                    }
                };
                entries.push(e);
            }
            entries
        })
        .collect()
}

fn wharf(args: &[&str], cache_home: &std::path::Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_wharf"))
        .args(args)
        .env("XDG_CACHE_HOME", cache_home)
        .output()
        .unwrap()
}

#[tokio::test]
async fn committed_layers_and_wharf_analyze_agree_with_dives_definitions() {
    let Some(engine) = engine_or_skip().await else {
        return;
    };
    let mut scratch = Scratch::new();
    let base = format!("{}:1", unique_name("waste-base"));
    import_test_image(&engine, &mut scratch, &base, &[CMD_SH]).await;
    // Layer 1: a file written, one deleted; layer 2: the file written again, bigger.
    let c1 = scratch.run_to_completion(
        &base,
        &["sh", "-c", "echo 12345 > /etc/data && rm /bin/cat"],
    );
    let step1 = format!("{}:1", unique_name("waste-1"));
    scratch.commit(&c1, &step1, "one");
    let c2 = scratch.run_to_completion(&step1, &["sh", "-c", "echo abcdefghijklmnop > /etc/data"]);
    let name = format!("{}:1", unique_name("waste-2"));
    scratch.commit(&c2, &name, "two");

    // What dive's definitions give, computed from `docker save` with the tar crate.
    let saved = docker_output(&["save", &name]);
    assert!(saved.status.success());
    let layers = layers_of_docker_save(&saved.stdout);
    assert_eq!(layers.len(), 3);
    assert!(
        layers[1]
            .iter()
            .any(|e| matches!(e, E::Whiteout("bin/cat"))),
        "the engine wrote a whiteout"
    );
    let want = dive_waste(&layers);
    assert!(want.wasted > 0);

    // Through the engine's export.
    let engine_for_content = engine.clone();
    let image = load_local_image(engine, name.clone(), None)
        .collect()
        .await
        .unwrap();
    let got = image.fs.waste_report();
    assert_eq!(
        (got.size_bytes, got.user_size_bytes, got.wasted_bytes),
        (want.size, want.user_size, want.wasted)
    );
    assert!((got.efficiency - want.efficiency).abs() < 1e-12);
    let fs = &image.fs;
    let cat = fs.find(b"bin/cat").unwrap();
    assert!(fs.exists_at(cat, 0) && !fs.exists_at(cat, 1));
    let data = fs.find(b"etc/data").unwrap();
    assert_eq!(fs.entry_at(data, 1).unwrap().size, 6);
    assert_eq!(fs.entry_at(data, 2).unwrap().size, 17);

    // A file's content, read again through the export (only until its layer has passed).
    let diff_id = image.plan.layers[2].diff_id.clone();
    let location = wharf::layerfs::content::LayerLocation::Engine {
        engine: engine_for_content,
        image: wharf::docker::ImageId(name.clone()),
        entry: image.locators.get(&diff_id).cloned(),
        diff_id: diff_id.clone(),
    };
    let content =
        wharf::layerfs::content::read_file(location, fs.layer_index(2).unwrap(), b"etc/data")
            .await
            .unwrap();
    assert_eq!(content, b"abcdefghijklmnop\n");

    // The command line: JSON with the same numbers, exit 1 when a rule fails, 0 when none
    // can, 2 with a one-line reason for a missing image.
    let cache_home = tempfile::tempdir().unwrap();
    let out = wharf(
        &["analyze", "--json", "--lowest-efficiency", "1", &name],
        cache_home.path(),
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["wastedBytes"], want.wasted);
    assert_eq!(json["sizeBytes"], want.size);
    assert!((json["efficiency"].as_f64().unwrap() - want.efficiency).abs() < 1e-12);
    assert_eq!(
        json["inefficientFiles"][0]["path"],
        want.paths[0].0.as_str()
    );
    assert_eq!(json["rules"][0]["status"], "fail");
    let out = wharf(
        &[
            "analyze",
            "--lowest-efficiency",
            "0",
            "--highest-user-wasted-percent",
            "disabled",
            &name,
        ],
        cache_home.path(),
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("Result:PASS"));
    let missing = format!("{}:none", unique_name("missing"));
    let out = wharf(&["analyze", &missing], cache_home.path());
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert!(stderr.contains(&missing), "{stderr}");
    let out = wharf(
        &["analyze", "--lowest-efficiency", "2", &name],
        cache_home.path(),
    );
    assert_eq!(out.status.code(), Some(2));
}
