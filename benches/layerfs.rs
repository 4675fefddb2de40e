//! The layer explorer's core on a generated image of about 1.2 GiB with 200,000 files (no
//! engine, nothing on disk: the layer tars are generated as they are read):
//!
//! - reading each layer (hash + index, as the sources do) and stacking it;
//! - the waste report;
//! - moving between layers: the rows of a 45-row tree window at the next layer, both views;
//! - the cache: writing and reading the 200,000-entry index;
//! - peak memory of the whole process (VmHWM), against the 150 MiB target.
//!
//! `cargo bench --bench layerfs`

// A benchmark: a failed step is a failed run.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashSet;
use std::io::Read;
use std::sync::Arc;
use std::time::{Duration, Instant};

use wharf::layerfs::cache::LayerCache;
use wharf::layerfs::source::{CancelFlag, index_blob};
use wharf::layerfs::view::{TreeMode, rows};
use wharf::layerfs::{ImageFs, LayerIndex, PathId};

const DIRS: usize = 1000;
const FILES_PER_DIR: usize = 200;
const FILE_SIZE: u64 = 5_300;

/// One generated entry.
enum Gen {
    Dir(String),
    File(String, u64),
}

/// A tar stream made on the fly from a list of entries (data: zeros).
struct GenTar {
    entries: std::vec::IntoIter<Gen>,
    buf: Vec<u8>,
    pos: usize,
    data_left: u64,
    pad: usize,
    ended: bool,
}

impl GenTar {
    fn new(entries: Vec<Gen>) -> Self {
        GenTar {
            entries: entries.into_iter(),
            buf: Vec::with_capacity(64 * 1024),
            pos: 0,
            data_left: 0,
            pad: 0,
            ended: false,
        }
    }

    fn header(name: &str, kind: u8, size: u64) -> [u8; 512] {
        let mut h = [0u8; 512];
        h[..name.len()].copy_from_slice(name.as_bytes());
        h[100..107].copy_from_slice(b"0000644");
        h[108..115].copy_from_slice(b"0000000");
        h[116..123].copy_from_slice(b"0000000");
        h[124..135].copy_from_slice(format!("{size:011o}").as_bytes());
        h[136..147].copy_from_slice(b"14000000000");
        h[156] = kind;
        h[257..263].copy_from_slice(b"ustar\0");
        h[263..265].copy_from_slice(b"00");
        let sum: u64 = h.iter().map(|&b| u64::from(b)).sum::<u64>() + 8 * 32;
        h[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
        h
    }

    fn refill(&mut self) {
        self.buf.clear();
        self.pos = 0;
        if self.data_left > 0 {
            let n = self.data_left.min(64 * 1024) as usize;
            self.buf.resize(n, 0);
            self.data_left -= n as u64;
            return;
        }
        if self.pad > 0 {
            self.buf.resize(self.pad, 0);
            self.pad = 0;
            return;
        }
        match self.entries.next() {
            Some(Gen::Dir(name)) => self.buf.extend_from_slice(&Self::header(&name, b'5', 0)),
            Some(Gen::File(name, size)) => {
                self.buf.extend_from_slice(&Self::header(&name, b'0', size));
                self.data_left = size;
                self.pad = ((512 - size % 512) % 512) as usize;
            }
            None if !self.ended => {
                self.ended = true;
                self.buf.resize(1024, 0);
            }
            None => {}
        }
    }
}

impl Read for GenTar {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if self.pos >= self.buf.len() {
            self.refill();
            if self.buf.is_empty() {
                return Ok(0);
            }
        }
        let n = out.len().min(self.buf.len() - self.pos);
        out[..n].copy_from_slice(&self.buf[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

fn layers() -> Vec<Vec<Gen>> {
    let dir = |d: usize| format!("data/d{d:04}");
    let file = |d: usize, f: usize| format!("data/d{d:04}/f{f:04}");
    let mut base = vec![Gen::Dir("data/".into())];
    for d in 0..DIRS {
        base.push(Gen::Dir(format!("{}/", dir(d))));
        for f in 0..FILES_PER_DIR {
            base.push(Gen::File(file(d, f), FILE_SIZE));
        }
    }
    // Rewrite every tenth file.
    let mut rewrite = vec![Gen::Dir("data/".into())];
    for d in 0..DIRS {
        rewrite.push(Gen::Dir(format!("{}/", dir(d))));
        for f in (0..FILES_PER_DIR).step_by(10) {
            rewrite.push(Gen::File(file(d, f), FILE_SIZE));
        }
    }
    // Delete every twentieth file, make 50 directories opaque.
    let mut delete = vec![Gen::Dir("data/".into())];
    for d in 0..DIRS {
        delete.push(Gen::Dir(format!("{}/", dir(d))));
        if d % 20 == 0 {
            delete.push(Gen::File(format!("{}/.wh..wh..opq", dir(d)), 0));
            delete.push(Gen::File(file(d, 0), 10));
        } else {
            for f in (5..FILES_PER_DIR).step_by(20) {
                delete.push(Gen::File(format!("{}/.wh.f{f:04}", dir(d)), 0));
            }
        }
    }
    // Add a new tree.
    let mut add = vec![Gen::Dir("new/".into())];
    for f in 0..10_000 {
        add.push(Gen::File(format!("new/n{f:05}"), 1000));
    }
    vec![base, rewrite, delete, add]
}

fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|n| n.parse().ok()))
        })
        .unwrap_or(0)
}

fn stats(mut samples: Vec<Duration>) -> String {
    samples.sort();
    let at = |q: f64| samples[((samples.len() - 1) as f64 * q) as usize];
    format!(
        "median {:>8.3} ms  p90 {:>8.3} ms  max {:>8.3} ms  (n={})",
        at(0.5).as_secs_f64() * 1e3,
        at(0.9).as_secs_f64() * 1e3,
        at(1.0).as_secs_f64() * 1e3,
        samples.len()
    )
}

fn main() {
    let progress = Arc::default();
    let cancel = CancelFlag::default();
    let mut fs = ImageFs::new();
    let mut indexes: Vec<Arc<LayerIndex>> = Vec::new();
    let mut total_bytes = 0u64;
    let start = Instant::now();
    for (i, layer) in layers().into_iter().enumerate() {
        let t = Instant::now();
        let blob =
            index_blob(GenTar::new(layer), &format!("layer{i}"), &progress, &cancel).unwrap();
        let read = t.elapsed();
        total_bytes += blob.blob_bytes;
        let index = Arc::new(blob.index);
        let t = Instant::now();
        fs.push_layer(Arc::clone(&index)).unwrap();
        let stacked = t.elapsed();
        println!(
            "layer {i}: {:>7} entries, {:>5} MiB read+hashed+indexed in {:>7.1} ms ({:>6.0} MiB/s), stacked in {:>6.1} ms",
            index.entries(),
            blob.blob_bytes >> 20,
            read.as_secs_f64() * 1e3,
            (blob.blob_bytes as f64 / 1048576.0) / read.as_secs_f64(),
            stacked.as_secs_f64() * 1e3
        );
        indexes.push(index);
    }
    let loaded = start.elapsed();
    let t = Instant::now();
    let report = fs.waste_report();
    println!(
        "image: {} MiB, {} paths; all layers in {:.2} s; waste report in {:.1} ms (efficiency {:.4}, wasted {} MiB)",
        total_bytes >> 20,
        fs.path_count(),
        loaded.as_secs_f64(),
        t.elapsed().as_secs_f64() * 1e3,
        report.efficiency,
        report.wasted_bytes >> 20
    );
    println!(
        "memory: index+stack ≈ {} MiB; peak RSS of the process {} MiB (target < 150 MiB)",
        fs.heap_bytes() >> 20,
        peak_rss_kib() >> 10
    );

    // Moving between layers: a 45-row window, root and some directories open.
    let mut open: HashSet<PathId> = HashSet::new();
    for name in ["data", "data/d0000", "data/d0020", "data/d0500", "new"] {
        open.insert(fs.find(name.as_bytes()).unwrap());
    }
    let layer_count = fs.layer_count() as u16;
    for (mode, label) in [(TreeMode::Whole, "whole"), (TreeMode::Changes, "changes")] {
        for (skip, where_) in [(0usize, "top"), (150, "scrolled")] {
            let mut samples = Vec::new();
            let mut checksum = 0usize;
            for i in 0..2000u32 {
                let layer = (i % u32::from(layer_count)) as u16;
                let t = Instant::now();
                let window = rows(&fs, layer, mode, &open, skip, 45);
                checksum += window.len();
                samples.push(t.elapsed());
            }
            println!(
                "switch layer ({label:7}, {where_:8}): {}  [{checksum} rows]",
                stats(samples)
            );
        }
    }

    // The cache: the 200,000-entry base layer written and read back.
    let dir = std::env::temp_dir().join(format!("wharf-bench-cache-{}", std::process::id()));
    let cache = LayerCache::at(dir.clone(), 1 << 30);
    let id = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
    let t = Instant::now();
    cache.put(id, &indexes[0]).unwrap();
    let put = t.elapsed();
    let t = Instant::now();
    let back = cache.get(id).unwrap();
    let get = t.elapsed();
    println!(
        "cache: {} MiB entry written in {:.1} ms, read and verified in {:.1} ms ({} nodes)",
        cache.size_bytes() >> 20,
        put.as_secs_f64() * 1e3,
        get.as_secs_f64() * 1e3,
        back.len()
    );
    let _ = std::fs::remove_dir_all(dir);
    println!("peak RSS at the end: {} MiB", peak_rss_kib() >> 10);
}
