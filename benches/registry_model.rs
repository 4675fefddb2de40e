//! The pure registry model at the sizes a busy repository reaches: 10,000 tags sorted by
//! date and by severity, the aliases of one tag among them, per-platform comparison, and the
//! reference grammar over typical names.
//!
//! `cargo bench --bench registry_model`. These run on every keypress that re-sorts or opens a
//! detail, so they should stay far below a frame (16 ms).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::time::Duration;

use chrono::{DateTime, Utc};
use criterion::{Criterion, criterion_group, criterion_main};

use wharf::registry::compare::{DigestMatch, LocalImage, TagDigests, compare_with_local};
use wharf::registry::{
    Platform, Reference, RemotePlatform, RemoteTag, ScanState, ScanSummary, Severity, TagOrder,
    sort_tags, tag_order, tags_sharing_digest,
};

const TAGS: usize = 10_000;

fn digest(n: usize) -> String {
    format!("sha256:{n:064x}")
}

/// 10,000 tags: dates spread over four years (every 17th undated), a digest shared by runs
/// of three tags, two platforms each, and a scan on every other tag.
fn tags() -> Vec<RemoteTag> {
    (0..TAGS)
        .map(|i| {
            let pushed = (i % 17 != 0).then(|| {
                DateTime::<Utc>::from_timestamp(1_600_000_000 + (i as i64 * 7_919) % 126_000_000, 0)
                    .unwrap()
            });
            let platform = |arch: &str, n: usize| RemotePlatform {
                platform: Platform {
                    os: "linux".into(),
                    architecture: arch.into(),
                    variant: None,
                },
                digest: Some(digest(n)),
                size: Some(1_000_000),
            };
            RemoteTag {
                name: format!("{}.{}.{}", i / 1000, (i / 10) % 100, i % 10),
                digest: Some(digest(i / 3)),
                pushed,
                created: None,
                pulled: None,
                size: Some(2_000_000 + i as u64),
                platforms: vec![
                    platform("amd64", 100_000 + i),
                    platform("arm64", 200_000 + i),
                ],
                scan: (i % 2 == 0).then(|| ScanSummary {
                    state: ScanState::Done,
                    severity: Some(Severity::High),
                    total: (i % 40) as u64,
                    fixable: 0,
                    counts: vec![
                        (Severity::High, (i % 5) as u64),
                        (Severity::Low, (i % 40) as u64),
                    ],
                    finished: None,
                }),
            }
        })
        .collect()
}

fn model(c: &mut Criterion) {
    let tags = tags();
    c.bench_function("sort_10k_tags_newest_first", |b| {
        b.iter_batched(
            || tags.clone(),
            |mut t| {
                sort_tags(black_box(&mut t), TagOrder::Newest);
                t // dropped outside the measurement
            },
            criterion::BatchSize::LargeInput,
        )
    });
    c.bench_function("sort_10k_tags_by_severity", |b| {
        b.iter_batched(
            || tags.clone(),
            |mut t| {
                sort_tags(black_box(&mut t), TagOrder::Severity);
                t
            },
            criterion::BatchSize::LargeInput,
        )
    });
    c.bench_function("order_view_of_10k_tags_newest_first", |b| {
        b.iter(|| tag_order(black_box(&tags), TagOrder::Newest).len())
    });
    c.bench_function("aliases_of_one_tag_among_10k", |b| {
        b.iter(|| tags_sharing_digest(black_box(&tags), "5.0.1").len())
    });
    let platform = Platform {
        os: "linux".into(),
        architecture: "arm64".into(),
        variant: None,
    };
    let repo_digests = vec![digest(3), digest(4)];
    let local = LocalImage {
        id: "sha256:abc",
        platform: &platform,
        repo_digests: &repo_digests,
    };
    let remote: Vec<TagDigests> = tags.iter().map(TagDigests::from_remote).collect();
    c.bench_function("compare_local_with_10k_tags", |b| {
        b.iter(|| {
            remote
                .iter()
                .filter(|r| compare_with_local(black_box(&local), r) == DigestMatch::Same)
                .count()
        })
    });
    let names: Vec<String> = (0..1000)
        .map(|i| match i % 4 {
            0 => format!("nginx:1.{i}"),
            1 => format!("registry.example.com:5000/team-{i}/app:v{i}"),
            2 => format!("docker.io/library/busybox@{}", digest(i)),
            _ => format!("[::1]:5000/ns/repo-{i}"),
        })
        .collect();
    c.bench_function("parse_1000_references", |b| {
        b.iter(|| names.iter().filter(|n| Reference::parse(n).is_ok()).count())
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    targets = model
}
criterion_main!(benches);
