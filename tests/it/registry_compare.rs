//! The local image against a remote tag, per platform, with the real engine and a real
//! registry: the engine pulls a multi-platform tag (so its RepoDigest is the index's digest),
//! and the comparison must say "same" from what the tag's detail gives, "different" once the
//! tag moves, and never "different" from an index digest that merely differs from a platform
//! manifest's.

use crate::support::engine::{Scratch, docker, engine_or_skip, inspect_image, unique_name};
use crate::support::registry::{Auth, TestRegistry, index, platform_image};
use wharf::registry::compare::{DigestMatch, LocalImage, TagDigests, compare_with_local};
use wharf::registry::{ClientOptions, Platform, RegistryClient, RemoteTag};

/// The pulled image's ID, platform and digests in `repository`.
fn local_facts(reference: &str, repository: &str) -> (String, Platform, Vec<String>) {
    let id = inspect_image(reference, "{{.Id}}").unwrap();
    let platform = Platform {
        os: inspect_image(reference, "{{.Os}}").unwrap(),
        architecture: inspect_image(reference, "{{.Architecture}}").unwrap(),
        variant: inspect_image(reference, "{{.Variant}}").filter(|v| !v.is_empty()),
    };
    let repo_digests: Vec<String> = serde_json::from_str::<Vec<String>>(
        &inspect_image(reference, "{{json .RepoDigests}}").unwrap(),
    )
    .unwrap()
    .into_iter()
    .filter_map(|d| d.strip_prefix(&format!("{repository}@")).map(str::to_owned))
    .collect();
    (id, platform, repo_digests)
}

#[tokio::test]
async fn a_pulled_multi_platform_tag_compares_per_platform() {
    if engine_or_skip().await.is_none() {
        return;
    }
    let registry = TestRegistry::start(Auth::None);
    let name = unique_name("compare");
    let first = index(
        vec![
            platform_image("amd64", None, "compare-1", "2024-01-01T00:00:00Z"),
            platform_image("arm64", Some("v8"), "compare-1", "2024-01-01T00:00:00Z"),
        ],
        false,
    );
    registry.push_index(&name, &first, "1").await;
    let repository = format!("{}/{name}", registry.host());
    let reference = format!("{repository}:1");
    let mut scratch = Scratch::new();
    scratch.track_image(&reference);
    docker(&["pull", "-q", &reference]);

    let (id, platform, repo_digests) = local_facts(&reference, &repository);
    assert_eq!(
        repo_digests,
        std::slice::from_ref(&first.manifest.digest),
        "pulled by tag: the engine records the index digest"
    );
    let local = LocalImage {
        id: &id,
        platform: &platform,
        repo_digests: &repo_digests,
    };
    let client = RegistryClient::new(ClientOptions::default()).unwrap();
    let repo = registry.repo(&name);
    let detail = client.tag_detail(&repo, "1").await.unwrap();
    assert_eq!(
        compare_with_local(&local, &TagDigests::from_detail(&detail)),
        DigestMatch::Same
    );
    // A row with platform digests only (as Docker Hub's API gives): the local index digest
    // differs from every platform digest, yet that proves nothing.
    let hub_like = RemoteTag {
        digest: None,
        ..RemoteTag::from_detail(&detail)
    };
    assert_eq!(
        compare_with_local(&local, &TagDigests::from_remote(&hub_like)),
        DigestMatch::Unknown
    );
    // With the tag's own digest, as Harbor gives it, the row is enough.
    assert_eq!(
        compare_with_local(
            &local,
            &TagDigests::from_remote(&RemoteTag::from_detail(&detail))
        ),
        DigestMatch::Same
    );

    // The tag moves to new images: the config digests say the local one is stale.
    let second = index(
        vec![
            platform_image("amd64", None, "compare-2", "2024-02-01T00:00:00Z"),
            platform_image("arm64", Some("v8"), "compare-2", "2024-02-01T00:00:00Z"),
        ],
        false,
    );
    registry.push_index(&name, &second, "1").await;
    let moved = client.tag_detail(&repo, "1").await.unwrap();
    assert_eq!(
        compare_with_local(&local, &TagDigests::from_detail(&moved)),
        DigestMatch::Different
    );
    let moved_row = RemoteTag {
        digest: None,
        ..RemoteTag::from_detail(&moved)
    };
    assert_eq!(
        compare_with_local(&local, &TagDigests::from_remote(&moved_row)),
        DigestMatch::Unknown,
        "without config digests, a different index is not proof"
    );
}

#[tokio::test]
async fn tags_sorted_by_date_and_aliases_from_a_distribution_registry() {
    use wharf::registry::{TagOrder, other_tags_with_digest, sort_tags};
    let registry = TestRegistry::start(Auth::None);
    let old = platform_image("amd64", None, "dates-old", "2023-05-01T00:00:00Z");
    let new = platform_image("amd64", None, "dates-new", "2024-05-01T00:00:00Z");
    registry.push_image("dates", &old, Some("1.9")).await;
    registry.push_image("dates", &new, Some("1.10")).await;
    registry
        .put_manifest("dates", "latest", new.media_type, &new.manifest.bytes)
        .await;
    let client = RegistryClient::new(ClientOptions::default()).unwrap();
    let repo = registry.repo("dates");
    let mut rows = Vec::new();
    let mut heads = Vec::new();
    for tag in client.tags(&repo).await.unwrap().tags {
        let detail = client.tag_detail(&repo, &tag).await.unwrap();
        rows.push(RemoteTag::from_detail(&detail));
        let head = client.manifest_digest(&repo, &tag).await.unwrap();
        heads.push((tag, head.digest));
    }
    sort_tags(&mut rows, TagOrder::Newest);
    let order: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(
        order,
        ["1.10", "latest", "1.9"],
        "the built date, newest first"
    );
    assert_eq!(
        rows[2].date().map(|d| d.to_rfc3339()).as_deref(),
        Some("2023-05-01T00:00:00+00:00")
    );
    let pairs = heads.iter().map(|(t, d)| (t.as_str(), d.as_str()));
    assert_eq!(other_tags_with_digest(pairs, "latest"), ["1.10"]);
}
