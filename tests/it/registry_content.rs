//! The registry client against a real `docker-registry` without auth: tags, digests, sizes,
//! platforms, created dates, history, catalog pages and not-found errors.

use crate::support::registry::{Auth, TestRegistry, index, platform_image, simple_image};
use wharf::registry::manifest::{DOCKER_MANIFEST, OCI_INDEX, OCI_MANIFEST};
use wharf::registry::{
    ClientOptions, Manifest, Missing, RegistryClient, RegistryError, RepositoryRef,
};
use wharf::text::natural::natural_cmp;

fn client() -> RegistryClient {
    RegistryClient::new(ClientOptions::default()).unwrap()
}

fn ts(text: &str) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&chrono::Utc)
}

#[tokio::test]
async fn single_platform_tag_detail_matches_what_was_pushed() {
    let registry = TestRegistry::start(Auth::None);
    let image = crate::support::registry::image(
        "amd64",
        None,
        "2021-06-07T08:09:10.123456789Z",
        &[
            crate::support::registry::Step {
                created_by: "/bin/sh -c #(nop) ADD file:base in /",
                created: "2021-06-07T08:00:00Z",
                files: Some(vec![("etc/hostname", "wharf\n".into())]),
            },
            crate::support::registry::Step {
                created_by: "/bin/sh -c #(nop)  ENV A=1",
                created: "2021-06-07T08:00:01Z",
                files: None,
            },
            crate::support::registry::Step {
                created_by: "/bin/sh -c echo hi > /hi",
                created: "2021-06-07T08:00:02Z",
                files: Some(vec![("hi", "hi\n".into())]),
            },
        ],
        false,
    );
    registry.push_image("team/app", &image, Some("1.0")).await;

    let client = client();
    let repo = registry.repo("team/app");
    let detail = client.tag_detail(&repo, "1.0").await.unwrap();
    assert_eq!(
        detail.digest, image.manifest.digest,
        "digest is sha256 of the manifest bytes"
    );
    assert_eq!(detail.media_type, DOCKER_MANIFEST);
    assert!(!detail.is_multi_platform());
    assert_eq!(detail.compressed_size, image.compressed_size());
    assert_eq!(detail.created, Some(ts("2021-06-07T08:09:10.123456789Z")));
    assert_eq!(detail.platforms.len(), 1);
    assert_eq!(detail.platforms[0].platform.to_string(), "linux/amd64");
    assert_eq!(detail.platforms[0].digest, image.manifest.digest);
    assert_eq!(detail.default_platform, Some(0));
    assert_eq!(detail.attestations, 0);
    let commands: Vec<_> = detail
        .history
        .iter()
        .map(|h| h.created_by.as_str())
        .collect();
    assert_eq!(commands, image.created_by);
    assert_eq!(
        detail
            .history
            .iter()
            .map(|h| h.empty_layer)
            .collect::<Vec<_>>(),
        vec![false, true, false]
    );
    assert_eq!(detail.history[2].created, Some(ts("2021-06-07T08:00:02Z")));
    let layer_digests: Vec<_> = detail.layers.iter().map(|l| l.digest.clone()).collect();
    let pushed: Vec<_> = image.layers.iter().map(|l| l.digest.clone()).collect();
    assert_eq!(layer_digests, pushed);

    let head = client.manifest_digest(&repo, "1.0").await.unwrap();
    assert_eq!(head.digest, image.manifest.digest);
    assert_eq!(head.media_type.as_deref(), Some(DOCKER_MANIFEST));
    assert_eq!(head.size, Some(image.manifest.size()));
}

#[tokio::test]
async fn multi_platform_index_lists_platforms_and_skips_attestations() {
    let registry = TestRegistry::start(Auth::None);
    let amd = simple_image("amd64", "multi", "2022-01-01T10:00:00Z");
    let arm = platform_image("arm64", Some("v8"), "multi", "2022-01-02T11:00:00Z");
    let multi = index(vec![amd, arm], true);
    registry.push_index("lib/multi", &multi, "2.0").await;

    let client = client();
    let repo = registry.repo("lib/multi");
    let detail = client.tag_detail(&repo, "2.0").await.unwrap();
    assert_eq!(detail.digest, multi.manifest.digest);
    assert_eq!(detail.media_type, OCI_INDEX);
    assert!(detail.is_multi_platform());
    assert_eq!(detail.attestations, 1);
    let platforms: Vec<_> = detail
        .platforms
        .iter()
        .map(|p| p.platform.to_string())
        .collect();
    assert_eq!(platforms, vec!["linux/amd64", "linux/arm64/v8"]);
    for (platform, image) in detail.platforms.iter().zip(&multi.images) {
        assert_eq!(platform.digest, image.manifest.digest);
        assert_eq!(platform.compressed_size, image.compressed_size());
        assert_eq!(platform.created, Some(ts(image.created)));
    }
    let expected_total: u64 = multi.images[..2].iter().map(|i| i.compressed_size()).sum();
    assert_eq!(detail.compressed_size, expected_total);
    // This machine is amd64 or arm64; either way the default platform's data is shown.
    let default = detail.default_platform.unwrap();
    assert_eq!(detail.created, detail.platforms[default].created);
    assert_eq!(detail.history.len(), 2);
    assert_eq!(
        detail.history[0].created_by,
        "/bin/sh -c #(nop) ADD file:rootfs in /"
    );

    // The index itself, fetched and verified by digest.
    let fetched = client
        .manifest(&repo, &multi.manifest.digest)
        .await
        .unwrap();
    assert_eq!(fetched.media_type, OCI_INDEX);
    let Manifest::Index(parsed) = fetched.manifest else {
        panic!("an index")
    };
    assert_eq!(parsed.manifests.len(), 2);
    assert_eq!(parsed.attestations, 1);
    let child = client
        .manifest(&repo, &multi.images[1].manifest.digest)
        .await
        .unwrap();
    assert_eq!(child.media_type, OCI_MANIFEST);
    assert_eq!(
        client.manifest_digest(&repo, "2.0").await.unwrap().digest,
        multi.manifest.digest
    );
}

#[tokio::test]
async fn tags_are_listed_and_an_emptied_repository_has_none() {
    let registry = TestRegistry::start(Auth::None);
    let names = ["1.10", "1.9", "latest", "1.2-alpine", "2"];
    let mut digests = Vec::new();
    for (i, tag) in names.iter().enumerate() {
        let image = simple_image("amd64", &format!("tag-{i}"), "2020-05-05T05:05:05Z");
        registry.push_image("app", &image, Some(tag)).await;
        digests.push(image.manifest.digest.clone());
    }
    let client = client();
    let repo = registry.repo("app");
    let list = client.tags(&repo).await.unwrap();
    assert!(!list.truncated);
    let mut tags = list.tags.clone();
    tags.sort_by(|a, b| natural_cmp(a, b));
    assert_eq!(tags, vec!["1.2-alpine", "1.9", "1.10", "2", "latest"]);

    for (tag, digest) in names.iter().zip(&digests) {
        let head = client.manifest_digest(&repo, tag).await.unwrap();
        assert_eq!(&head.digest, digest, "HEAD digest of {tag}");
    }

    for digest in &digests {
        registry.delete_manifest("app", digest).await;
    }
    // The registry really answers null here; the client makes it an empty list.
    let (status, raw) = registry.raw_get("/v2/app/tags/list").await;
    assert_eq!(status, 200);
    assert!(raw.contains("\"tags\":null"), "registry said {raw}");
    let emptied = client.tags(&repo).await.unwrap();
    assert!(emptied.tags.is_empty());
    assert!(!emptied.truncated);
}

#[tokio::test]
async fn catalog_pages_through_more_repositories_than_a_page() {
    let registry = TestRegistry::start(Auth::None);
    let image = simple_image("amd64", "catalog", "2020-01-01T00:00:00Z");
    let mut expected = Vec::new();
    for i in 0..7 {
        let name = format!("team/repo-{i}");
        registry.push_image(&name, &image, Some("1")).await;
        expected.push(name);
    }
    let client = client();
    let mut page = client.catalog_page(registry.host(), 3).await.unwrap();
    let mut seen = Vec::new();
    let mut pages = 0;
    loop {
        pages += 1;
        assert!(page.repositories.len() <= 3, "page size respected");
        seen.extend(page.repositories.iter().map(|r| r.repository().to_owned()));
        match page.next {
            Some(cursor) => page = client.catalog_next_page(&cursor).await.unwrap(),
            None => break,
        }
        assert!(pages < 10, "pagination must end");
    }
    assert!(
        pages >= 3,
        "7 repositories in pages of 3 take at least 3 pages, took {pages}"
    );
    seen.sort();
    assert_eq!(seen, expected);
    // Repositories come back ready to open.
    let first = client.catalog_page(registry.host(), 1).await.unwrap();
    assert_eq!(first.repositories[0].registry(), registry.host());
    assert_eq!(first.repositories[0], registry.repo("team/repo-0"));
}

#[tokio::test]
async fn missing_repository_and_tag_are_not_found() {
    let registry = TestRegistry::start(Auth::None);
    let image = simple_image("amd64", "present", "2020-01-01T00:00:00Z");
    registry.push_image("present", &image, Some("1")).await;
    let client = client();

    let missing = registry.repo("absent/app");
    let e = client.tags(&missing).await.unwrap_err();
    assert_eq!(
        e,
        RegistryError::NotFound {
            host: registry.host().into(),
            missing: Missing::Repository {
                repository: format!("{}/absent/app", registry.host())
            }
        }
    );
    assert!(e.is_not_found());
    assert_eq!(
        e.to_string(),
        format!("repository {}/absent/app not found", registry.host())
    );

    let present = registry.repo("present");
    let e = client.tag_detail(&present, "nope").await.unwrap_err();
    assert_eq!(
        e.to_string(),
        format!("tag \"nope\" not found in {}/present", registry.host())
    );
    let e = client.manifest_digest(&present, "nope").await.unwrap_err();
    assert!(
        matches!(
            e,
            RegistryError::NotFound {
                missing: Missing::Tag { .. },
                ..
            }
        ),
        "{e}"
    );
    let absent_digest = format!("sha256:{}", "0".repeat(64));
    let e = client.manifest(&present, &absent_digest).await.unwrap_err();
    assert!(
        matches!(
            e,
            RegistryError::NotFound {
                missing: Missing::Manifest { .. },
                ..
            }
        ),
        "{e}"
    );

    // Invalid input never reaches the network.
    assert!(matches!(
        client.tag_detail(&present, "bad tag").await,
        Err(RegistryError::InvalidReference(_))
    ));
    assert!(matches!(
        client.manifest(&present, "sha256:xyz").await,
        Err(RegistryError::InvalidReference(_))
    ));
    assert!(RepositoryRef::new(registry.host(), "UPPER").is_err());
}

#[tokio::test]
async fn registry_that_is_not_running_is_a_connection_error_naming_it() {
    let port = crate::support::registry::free_port(); // free a moment ago, nothing listens there
    let host = format!("127.0.0.1:{port}");
    let client = client();
    let repo = RepositoryRef::new(&host, "app").unwrap();
    let e = client.tags(&repo).await.unwrap_err();
    assert!(
        matches!(&e, RegistryError::Connect { host: h, .. } if *h == host),
        "{e:?}"
    );
    let text = e.to_string();
    assert!(
        text.starts_with(&format!("cannot connect to {host}: ")),
        "{text}"
    );
    assert!(text.to_lowercase().contains("refused"), "{text}");
    assert_eq!(e.host(), Some(host.as_str()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_client_serves_many_tasks_at_once() {
    let registry = TestRegistry::start(Auth::None);
    let image = simple_image("amd64", "shared", "2020-01-01T00:00:00Z");
    for tag in ["a", "b", "c", "d"] {
        registry.push_image("shared", &image, Some(tag)).await;
    }
    let client = client();
    let repo = registry.repo("shared");
    let tasks: Vec<_> = ["a", "b", "c", "d", "a", "b"]
        .into_iter()
        .map(|tag| {
            let (client, repo) = (client.clone(), repo.clone());
            tokio::spawn(async move { client.tag_detail(&repo, tag).await })
        })
        .collect();
    for task in tasks {
        let detail = task.await.unwrap().unwrap();
        assert_eq!(detail.digest, image.manifest.digest);
    }
}
