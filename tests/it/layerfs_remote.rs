//! A remote tag read straight from the real `docker-registry` without pulling: the blobs are
//! written to the registry by the test (gzip and zstd layers, whiteouts, an opaque
//! directory), read through the registry client, and the engine never gets the image.

use std::process::Command;

use wharf::layerfs::cache::{DEFAULT_CAP_BYTES, LayerCache};
use wharf::layerfs::source::registry::load_remote;
use wharf::registry::{ClientOptions, Platform, Reference, RegistryClient};

use crate::layerfs_formats::{check_sample, sample_layers};
use crate::support::engine::{docker_output, unique_name};
use crate::support::images::{config_json, gzip, layer_tar, sha256, zstd};
use crate::support::registry::{Auth, TestRegistry, index, platform_image};

const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";

/// Pushes the sample image (layers alternately gzip and zstd) as `repo:tag`.
pub(crate) async fn push_sample(registry: &TestRegistry, repo: &str, tag: &str) {
    let tars: Vec<Vec<u8>> = sample_layers().iter().map(|l| layer_tar(l)).collect();
    let mut descriptors = Vec::new();
    for (i, tar) in tars.iter().enumerate() {
        let (bytes, media) = if i % 2 == 0 {
            (gzip(tar), "application/vnd.oci.image.layer.v1.tar+gzip")
        } else {
            (zstd(tar), "application/vnd.oci.image.layer.v1.tar+zstd")
        };
        let digest = registry.push_blob(repo, &bytes).await;
        descriptors
            .push(serde_json::json!({"mediaType": media, "digest": digest, "size": bytes.len()}));
    }
    let config = config_json(&tars);
    let config_digest = registry.push_blob(repo, &config).await;
    assert_eq!(config_digest, sha256(&config));
    let manifest = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config_digest, "size": config.len()},
        "layers": descriptors,
    }))
    .unwrap();
    registry
        .put_manifest(repo, tag, OCI_MANIFEST, &manifest)
        .await;
}

pub(crate) fn engine_has(reference: &str) -> bool {
    docker_output(&["image", "inspect", reference])
        .status
        .success()
}

#[tokio::test]
async fn a_remote_tag_is_read_without_pulling_it() {
    let engine_here = crate::support::engine::engine_or_skip().await.is_some();
    let registry = TestRegistry::start(Auth::None);
    let repo = unique_name("remote");
    push_sample(&registry, &repo, "1").await;
    let reference = format!("{}/{repo}:1", registry.host());

    let dir = tempfile::tempdir().unwrap();
    let cache = LayerCache::at(dir.path().join("cache"), DEFAULT_CAP_BYTES);
    let client = RegistryClient::new(ClientOptions::default()).unwrap();
    let image = load_remote(
        client.clone(),
        Reference::parse(&reference).unwrap(),
        None,
        Some(cache.clone()),
    )
    .collect()
    .await
    .unwrap();
    check_sample(&image);
    assert!(
        image.plan.total_bytes.unwrap() > 0,
        "compressed sizes come from the manifest"
    );
    // A file's content, from its layer's blob (zstd) again.
    let diff_id = &image.plan.layers[1].diff_id;
    let location = wharf::layerfs::content::LayerLocation::Registry {
        client: client.clone(),
        repo: registry.repo(&repo),
        digest: image.locators[diff_id].clone(),
    };
    let content = wharf::layerfs::content::read_file(
        location,
        image.fs.layer_index(1).unwrap(),
        b"etc/passwd",
    )
    .await
    .unwrap();
    assert_eq!(content, vec![b'x'; 120]);
    // A second read comes from the cache and gives the same.
    let again = load_remote(
        client,
        Reference::parse(&reference).unwrap(),
        None,
        Some(cache),
    )
    .collect()
    .await
    .unwrap();
    check_sample(&again);

    // The command line, with no cache: the same layers, and the engine still lacks the image.
    let config_dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_wharf"))
        .args([
            "analyze",
            "--remote",
            "--json",
            "--no-cache",
            "--lowest-efficiency",
            "0",
            &reference,
        ])
        .env("DOCKER_CONFIG", config_dir.path())
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&out.stderr)));
    assert_eq!(json["layers"].as_array().unwrap().len(), 4);
    if engine_here {
        assert!(
            !engine_has(&reference),
            "nothing was pulled into the engine"
        );
    }
}

#[tokio::test]
async fn the_platform_is_chosen_from_an_index_and_a_missing_one_is_named() {
    let registry = TestRegistry::start(Auth::None);
    let repo = unique_name("multi");
    let images = vec![
        platform_image("amd64", None, "a", "2024-01-01T00:00:00Z"),
        platform_image("arm64", Some("v8"), "b", "2024-01-01T00:00:00Z"),
    ];
    registry.push_index(&repo, &index(images, true), "1").await;
    let reference = Reference::parse(&format!("{}/{repo}:1", registry.host())).unwrap();
    let client = RegistryClient::new(ClientOptions::default()).unwrap();
    let arm = Platform {
        os: "linux".into(),
        architecture: "arm64".into(),
        variant: None,
    };
    let image = load_remote(client.clone(), reference.clone(), Some(arm), None)
        .collect()
        .await
        .unwrap();
    let hello = image.fs.find(b"bin/hello").unwrap();
    let want = "#!/bin/sh\necho b arm64\n".len() as u64;
    assert_eq!(image.fs.entry_at(hello, 0).unwrap().size, want);
    let s390 = Platform {
        os: "linux".into(),
        architecture: "s390x".into(),
        variant: None,
    };
    let err = load_remote(client, reference, Some(s390), None)
        .collect()
        .await
        .unwrap_err();
    assert!(
        err.message.contains("linux/s390x") && err.message.contains("linux/arm64/v8"),
        "{}",
        err.message
    );
}

/// A registry on a loopback port that answers the manifest and config, then sends half of
/// the first layer blob and closes the connection.
#[tokio::test]
async fn a_registry_dying_halfway_through_a_layer_is_reported_with_the_layer() {
    use tokio::io::AsyncWriteExt;

    let tars: Vec<Vec<u8>> = sample_layers().iter().map(|l| layer_tar(l)).collect();
    let blob = gzip(&tars[0]);
    let blob_digest = sha256(&blob);
    let config = config_json(&tars[..1]);
    let config_digest = sha256(&config);
    let manifest = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config_digest, "size": config.len()},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": blob_digest, "size": blob.len()}],
    }))
    .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let host = format!("127.0.0.1:{}", listener.local_addr().unwrap().port());
    let (manifest_c, config_c, blob_c, config_d) = (
        manifest.clone(),
        config.clone(),
        blob.clone(),
        config_digest.clone(),
    );
    let server = tokio::spawn(async move {
        for _ in 0..8 {
            let Ok((mut stream, _)) = listener.accept().await else {
                return;
            };
            let Some(request) = crate::support::registry::read_http_request(&mut stream).await
            else {
                continue;
            };
            let (content_type, body, cut) = if request.target.contains("/manifests/") {
                (OCI_MANIFEST, manifest_c.clone(), false)
            } else if request.target.ends_with(&config_d) {
                ("application/octet-stream", config_c.clone(), false)
            } else if request.target.contains("/blobs/") {
                ("application/octet-stream", blob_c.clone(), true)
            } else {
                ("application/json", b"{}".to_vec(), false)
            };
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes()).await;
            let sent = if cut {
                &body[..body.len() / 2]
            } else {
                &body[..]
            };
            let _ = stream.write_all(sent).await;
            let _ = stream.shutdown().await;
        }
    });
    let client = RegistryClient::new(ClientOptions::default()).unwrap();
    let reference = Reference::parse(&format!("{host}/dying:1")).unwrap();
    let err = load_remote(client, reference, None, None)
        .collect()
        .await
        .unwrap_err();
    assert!(
        err.message.contains(&blob_digest[..19]),
        "the layer is named: {}",
        err.message
    );
    server.abort();
}
