//! Image archives read with no engine: `docker save` (plain and gzip, manifest last, layers
//! out of order), OCI layouts (directory and tar; plain, gzip and zstd layers); damaged
//! archives name the layer; and the waste numbers against a plain computation of dive's.

use wharf::layerfs::source::archive::read_path;
use wharf::layerfs::source::{Assembler, LoadEvent, LoadedImage, VecSink};
use wharf::layerfs::{Change, EntryKind, ImageFs};

use crate::support::images::{
    E, Packing, as_tar, dive_waste, docker_save, file, gzip, layer_tar, oci_layout, write_dir,
};

/// Layers exercising every rule: add, change, delete, opaque directory, delete then
/// recreate, links, a whiteout of a path that never existed.
pub fn sample_layers() -> Vec<Vec<E>> {
    vec![
        vec![
            E::Dir("etc"),
            file("etc/passwd", 100),
            file("etc/group", 50),
            E::Dir("var"),
            E::Dir("var/cache"),
            file("var/cache/a", 300),
            file("var/cache/b", 200),
            E::Dir("bin"),
            file("bin/busybox", 1000),
            E::Symlink("bin/sh", "busybox"),
            E::HardLink("bin/ash", "bin/busybox"),
            E::Dir("app"),
            file("app/old", 70),
        ],
        vec![
            E::Dir("etc"),
            file("etc/passwd", 120),
            E::Whiteout("etc/group"),
            E::Whiteout("never/existed"),
            file("new.txt", 5),
        ],
        vec![
            E::Dir("var"),
            E::Dir("var/cache"),
            E::Opaque("var/cache"),
            file("var/cache/c", 9),
        ],
        vec![E::Whiteout("app"), E::Dir("app"), file("app/new", 11)],
    ]
}

fn tars(layers: &[Vec<E>]) -> Vec<Vec<u8>> {
    layers.iter().map(|l| layer_tar(l)).collect()
}

fn load(path: &std::path::Path) -> LoadedImage {
    let mut sink = VecSink::default();
    read_path(path, None, &mut sink).unwrap();
    let mut assembler = Assembler::default();
    let mut done = false;
    for event in sink.events {
        done |= matches!(event, LoadEvent::Done);
        assembler.accept(event).unwrap();
    }
    assert!(done, "the reader said Done");
    assembler.finish().unwrap()
}

fn exists(fs: &ImageFs, path: &str, layer: u16) -> bool {
    fs.find(path.as_bytes())
        .is_some_and(|p| fs.exists_at(p, layer))
}

fn size(fs: &ImageFs, path: &str, layer: u16) -> u64 {
    fs.entry_at(fs.find(path.as_bytes()).unwrap(), layer)
        .unwrap()
        .size
}

/// What the sample layers must give, from their definition above.
pub fn check_sample(image: &LoadedImage) {
    check_sample_up_to(image, 3);
}

/// [`check_sample`] where `app` is recreated at layer `last` (the last layer).
pub fn check_sample_up_to(image: &LoadedImage, last: u16) {
    let fs = &image.fs;
    assert_eq!(fs.layer_count(), usize::from(last) + 1);
    assert_eq!(image.plan.layers[1].created_by, "step 1");
    // Layer 0
    assert_eq!(size(fs, "etc/passwd", 0), 100);
    assert_eq!(
        size(fs, "var", 0),
        500,
        "a directory's size is what is under it"
    );
    let sh = fs.entry_at(fs.find(b"bin/sh").unwrap(), 0).unwrap();
    assert_eq!((sh.kind, sh.link), (EntryKind::Symlink, &b"busybox"[..]));
    let ash = fs.entry_at(fs.find(b"bin/ash").unwrap(), 0).unwrap();
    assert_eq!(
        (ash.kind, ash.link),
        (EntryKind::HardLink, &b"bin/busybox"[..])
    );
    // Layer 1: change, delete, add; the whiteout of a path that never existed is no path.
    assert_eq!(size(fs, "etc/passwd", 1), 120);
    let change = |p: &str, l| fs.change_at(fs.find(p.as_bytes()).unwrap(), l);
    assert_eq!(change("etc/passwd", 1), Some(Change::Modified));
    assert_eq!(change("etc/group", 1), Some(Change::Deleted));
    assert_eq!(change("new.txt", 1), Some(Change::Added));
    assert!(!exists(fs, "etc/group", 1) && exists(fs, "etc/group", 0));
    assert!(!exists(fs, "never", 1) && !exists(fs, "never/existed", 1));
    // Layer 2: the opaque directory shows only its new file.
    assert!(!exists(fs, "var/cache/a", 2) && !exists(fs, "var/cache/b", 2));
    assert!(exists(fs, "var/cache/c", 2));
    assert_eq!(size(fs, "var", 2), 9);
    assert_eq!(change("var/cache/a", 2), Some(Change::Deleted));
    // Layer 3: deleted and made again.
    assert!(!exists(fs, "app/old", last) && exists(fs, "app/new", last));
    assert_eq!(size(fs, "app", last), 11);
    // Whiteouts and markers never show as files.
    for l in 0..=last {
        for name in [".wh.group", ".wh..wh..opq", ".wh.app"] {
            assert!(fs.find(name.as_bytes()).is_none());
            assert!(fs.find(format!("var/cache/{name}").as_bytes()).is_none());
        }
        assert!(fs.total_size_at(l) > 0);
    }
    assert_eq!(fs.total_size_at(last), 120 + 1000 + 5 + 9 + 11);
}

#[test]
fn docker_save_tar_is_read_with_no_engine_plain_and_gzip() {
    let dir = tempfile::tempdir().unwrap();
    let archive = docker_save(&tars(&sample_layers()), "sample:1");
    let plain = dir.path().join("plain.tar");
    std::fs::write(&plain, &archive).unwrap();
    check_sample(&load(&plain));
    let zipped = dir.path().join("image.tar.gz");
    std::fs::write(&zipped, gzip(&archive)).unwrap();
    check_sample(&load(&zipped));
}

#[test]
fn oci_layouts_with_gzip_and_zstd_layers_as_directory_and_tar() {
    let layers = tars(&sample_layers());
    let packed: Vec<(Vec<u8>, Packing)> = layers
        .into_iter()
        .zip([Packing::Gzip, Packing::Zstd, Packing::Plain, Packing::Zstd])
        .collect();
    let files = oci_layout(&packed);
    let dir = tempfile::tempdir().unwrap();
    let layout = dir.path().join("layout");
    write_dir(&layout, &files);
    check_sample(&load(&layout));
    let tarred = dir.path().join("layout.tar");
    std::fs::write(&tarred, as_tar(&files)).unwrap();
    check_sample(&load(&tarred));
}

#[test]
fn a_damaged_layer_is_named_and_nothing_panics() {
    let dir = tempfile::tempdir().unwrap();
    let layers = tars(&sample_layers());
    // A gzip layer cut short inside an OCI layout directory.
    let mut files = oci_layout(&[(layers[0].clone(), Packing::Gzip)]);
    let (name, bytes) = files[0].clone();
    files[0].1 = bytes[..bytes.len() / 2].to_vec();
    let layout = dir.path().join("cut");
    write_dir(&layout, &files);
    let mut sink = VecSink::default();
    let err = read_path(&layout, None, &mut sink).unwrap_err();
    let short = &name["blobs/sha256/".len()..][..12];
    assert!(err.message.contains(short), "{}", err.message);
    // A docker save archive cut in the middle of a layer.
    let archive = docker_save(&layers, "sample:1");
    let cut = dir.path().join("cut.tar");
    std::fs::write(&cut, &archive[..archive.len() / 2]).unwrap();
    let err = read_path(&cut, None, &mut VecSink::default()).unwrap_err();
    assert!(err.message.contains("truncated"), "{}", err.message);
    // Garbage, and an xz file: clear messages.
    let junk = dir.path().join("junk.tar");
    std::fs::write(&junk, vec![0x42u8; 5000]).unwrap();
    assert!(read_path(&junk, None, &mut VecSink::default()).is_err());
    let xz = dir.path().join("image.tar.xz");
    std::fs::write(&xz, b"\xfd7zXZ\x00\x00rest").unwrap();
    let err = read_path(&xz, None, &mut VecSink::default()).unwrap_err();
    assert!(err.message.contains("xz"), "{}", err.message);
    let missing =
        read_path(&dir.path().join("nope.tar"), None, &mut VecSink::default()).unwrap_err();
    assert!(
        missing.message.contains("no such file"),
        "{}",
        missing.message
    );
}

#[test]
fn hostile_entries_are_handled() {
    let long = format!("deep/{}f", "d/".repeat(2045));
    let escapes = "esc\x1b]0;title\x07name";
    let layers = vec![vec![
        E::File("../../outside", vec![1; 3]),
        E::File("/absolute/file", vec![1; 4]),
        E::File(Box::leak(long.clone().into_boxed_str()), vec![1; 5]),
        E::File(escapes, vec![1; 6]),
    ]];
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hostile.tar");
    std::fs::write(&path, docker_save(&tars(&layers), "hostile:1")).unwrap();
    let mut sink = VecSink::default();
    read_path(&path, None, &mut sink).unwrap();
    let warnings: Vec<&String> = sink
        .events
        .iter()
        .filter_map(|e| match e {
            LoadEvent::Warning(w) => Some(w),
            _ => None,
        })
        .collect();
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("../../outside") && w.contains("layer sha256:")),
        "{warnings:?}"
    );
    let mut assembler = Assembler::default();
    for e in sink.events {
        assembler.accept(e).unwrap();
    }
    let image = assembler.finish().unwrap();
    let fs = &image.fs;
    assert!(fs.find(b"outside").is_none());
    assert!(exists(fs, "absolute/file", 0));
    assert!(long.len() >= 4096);
    assert!(exists(fs, &long, 0));
    assert!(
        exists(fs, escapes, 0),
        "escape sequences are data, cleaned by the UI"
    );
}

#[test]
fn waste_matches_a_plain_computation_of_dives_numbers() {
    let layers: Vec<Vec<E>> = vec![
        vec![
            E::Dir("data"),
            file("data/big", 4000),
            file("data/keep", 10),
            E::Dir("d"),
            file("d/x", 30),
            file("d/y", 40),
        ],
        vec![E::Dir("data"), file("data/big", 5000), file("data/new", 7)],
        vec![
            E::Dir("data"),
            E::Whiteout("data/big"),
            E::Whiteout("d"),
            file("z", 1),
        ],
        vec![E::Dir("data"), file("data/new", 7), file("data/big", 1)],
    ];
    let want = dive_waste(&layers);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("waste.tar");
    std::fs::write(&path, docker_save(&tars(&layers), "waste:1")).unwrap();
    let got = load(&path).fs.waste_report();
    let image = load(&path);
    assert_eq!(got.size_bytes, want.size);
    assert_eq!(got.user_size_bytes, want.user_size);
    assert_eq!(got.wasted_bytes, want.wasted);
    assert!(
        (got.efficiency - want.efficiency).abs() < 1e-12,
        "{} vs {}",
        got.efficiency,
        want.efficiency
    );
    let paths: Vec<(String, u32, u64)> = got
        .inefficient
        .iter()
        .map(|w| (image.fs.display_path(w.path), w.count, w.wasted))
        .collect();
    assert_eq!(paths, want.paths);
    // The layers that wrote the most wasted path.
    assert_eq!(got.inefficient[0].layers, [0, 1, 2, 3]);
}

/// The content of `path` as layer `layer` wrote it, read again from the archive at `source`.
pub async fn content_from_archive(
    source: &std::path::Path,
    image: &LoadedImage,
    layer: usize,
    path: &str,
) -> Result<Vec<u8>, String> {
    use wharf::layerfs::content::{LayerLocation, read_file};
    let diff_id = &image.plan.layers[layer].diff_id;
    let entry = image.locators[diff_id].clone();
    let index = image.fs.layer_index(layer as u16).unwrap();
    read_file(
        LayerLocation::Archive {
            path: source.to_path_buf(),
            entry,
        },
        index,
        path.as_bytes(),
    )
    .await
}

#[tokio::test]
async fn a_files_content_is_read_again_from_its_layer() {
    let dir = tempfile::tempdir().unwrap();
    let layers = tars(&sample_layers());
    let archive = dir.path().join("image.tar");
    std::fs::write(&archive, docker_save(&layers, "sample:1")).unwrap();
    let layout = dir.path().join("layout");
    write_dir(
        &layout,
        &oci_layout(
            &layers
                .iter()
                .map(|t| (t.clone(), Packing::Zstd))
                .collect::<Vec<_>>(),
        ),
    );
    for source in [&archive, &layout] {
        let image = load(source);
        // A hard link reads its target's bytes; a later layer's version is that layer's.
        assert_eq!(
            content_from_archive(source, &image, 0, "bin/ash")
                .await
                .unwrap(),
            vec![b'x'; 1000]
        );
        assert_eq!(
            content_from_archive(source, &image, 1, "etc/passwd")
                .await
                .unwrap()
                .len(),
            120
        );
        let err = content_from_archive(source, &image, 0, "bin/sh")
            .await
            .unwrap_err();
        assert!(err.contains("symlink"), "{err}");
        let err = content_from_archive(source, &image, 0, "etc")
            .await
            .unwrap_err();
        assert!(err.contains("directory"), "{err}");
    }
    let saved = dir.path().join("saved");
    wharf::layerfs::content::save(&saved, b"abc").unwrap();
    assert_eq!(std::fs::read(&saved).unwrap(), b"abc");
    assert!(
        wharf::layerfs::content::save(&saved, b"x")
            .unwrap_err()
            .contains("exists")
    );
}
