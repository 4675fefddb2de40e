//! Is the local image what a remote tag points to now? Compared per platform: the local
//! image is one platform's image, the tag may be an index of many.
//!
//! Pure. The rules, so an index digest is never taken for a platform's:
//! - The remote platform's config digest is the image ID the engine gives the image when it
//!   pulls it: equal means the same image, different means a different one.
//! - A digest the local image was pulled or pushed by (its repo digests), equal to the tag's
//!   digest or to its platform manifest's digest, means the same image (equal digests are
//!   the same bytes, whatever their kind).
//! - Digests that merely differ prove nothing: the local image may have been pulled through
//!   another tag whose index holds the same platform manifest. Then the answer is
//!   [`DigestMatch::Unknown`], and fetching the tag's detail (which has config digests)
//!   settles it.

use super::manifest::{Platform, TagDetail};
use super::remote_tag::RemoteTag;

/// What is known of a local image.
#[derive(Debug, Clone, Copy)]
pub struct LocalImage<'a> {
    /// The image ID (`sha256:…`, the config digest).
    pub id: &'a str,
    /// The platform it is for.
    pub platform: &'a Platform,
    /// The digests it was pulled or pushed by in this repository (`sha256:…`, without the
    /// repository name): an index's or a platform manifest's, whichever the engine used.
    pub repo_digests: &'a [String],
}

/// One platform image of a remote tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteImage {
    /// Its platform.
    pub platform: Platform,
    /// Its manifest digest, when known (never an index digest).
    pub manifest_digest: Option<String>,
    /// Its config digest (the image ID it gets when pulled), when known.
    pub config_digest: Option<String>,
}

/// What the registry says a tag points to.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TagDigests {
    /// The tag's own digest (an index or an image manifest), when known.
    pub digest: Option<String>,
    /// Its platform images.
    pub images: Vec<RemoteImage>,
}

impl TagDigests {
    /// From a tag's detail (Distribution API): digests and config digests of every platform.
    pub fn from_detail(detail: &TagDetail) -> TagDigests {
        TagDigests {
            digest: Some(detail.digest.clone()),
            images: detail
                .platforms
                .iter()
                .map(|p| RemoteImage {
                    platform: p.platform.clone(),
                    manifest_digest: Some(p.digest.clone()),
                    config_digest: Some(p.config_digest.clone()),
                })
                .collect(),
        }
    }

    /// From a tag row of a registry's own API (Docker Hub, Harbor): manifest digests only.
    pub fn from_remote(tag: &RemoteTag) -> TagDigests {
        TagDigests {
            digest: tag.digest.clone(),
            images: tag
                .platforms
                .iter()
                .map(|p| RemoteImage {
                    platform: p.platform.clone(),
                    manifest_digest: p.digest.clone(),
                    config_digest: None,
                })
                .collect(),
        }
    }
}

/// The verdict of [`compare_with_local`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DigestMatch {
    /// The local image is what the tag points to for its platform.
    Same,
    /// The tag points to another image for that platform now.
    Different,
    /// The tag has no image for the local image's platform.
    PlatformMissing,
    /// Not enough is known to tell; the tag's detail would settle it.
    Unknown,
}

/// Compares a local image with what a tag points to for the local image's platform.
pub fn compare_with_local(local: &LocalImage<'_>, remote: &TagDigests) -> DigestMatch {
    let pulled_by = |digest: &str| local.repo_digests.iter().any(|d| d == digest);
    if remote.digest.as_deref().is_some_and(pulled_by) {
        return DigestMatch::Same;
    }
    let Some(image) = remote
        .images
        .iter()
        .find(|image| platform_matches(local.platform, &image.platform))
    else {
        return if remote.images.is_empty() {
            DigestMatch::Unknown
        } else {
            DigestMatch::PlatformMissing
        };
    };
    if let Some(config) = &image.config_digest {
        return if config == local.id {
            DigestMatch::Same
        } else {
            DigestMatch::Different
        };
    }
    if image.manifest_digest.as_deref().is_some_and(pulled_by) {
        return DigestMatch::Same;
    }
    DigestMatch::Unknown
}

/// True if a remote image is for the local platform: same OS and architecture, and the same
/// variant where both say one (`arm64` is `arm64/v8` when unsaid).
pub fn platform_matches(local: &Platform, remote: &Platform) -> bool {
    let variant = |p: &Platform| match (p.architecture.as_str(), p.variant.as_deref()) {
        ("arm64", None) => Some("v8".to_owned()),
        (_, v) => v.map(str::to_owned),
    };
    local.os == remote.os
        && local.architecture == remote.architecture
        && match (variant(local), variant(remote)) {
            (Some(a), Some(b)) => a == b,
            _ => true,
        }
}

#[cfg(test)]
mod tests {
    use super::*;

    const INDEX: &str = "sha256:1000000000000000000000000000000000000000000000000000000000000000";
    const AMD64: &str = "sha256:2000000000000000000000000000000000000000000000000000000000000000";
    const ARM64: &str = "sha256:3000000000000000000000000000000000000000000000000000000000000000";
    const CONFIG_AMD64: &str =
        "sha256:4000000000000000000000000000000000000000000000000000000000000000";
    const OTHER_INDEX: &str =
        "sha256:5000000000000000000000000000000000000000000000000000000000000000";

    fn platform(arch: &str, variant: Option<&str>) -> Platform {
        Platform {
            os: "linux".into(),
            architecture: arch.into(),
            variant: variant.map(str::to_owned),
        }
    }

    /// An index of amd64 and arm64/v8, with or without config digests.
    fn index(with_configs: bool) -> TagDigests {
        TagDigests {
            digest: Some(INDEX.into()),
            images: vec![
                RemoteImage {
                    platform: platform("amd64", None),
                    manifest_digest: Some(AMD64.into()),
                    config_digest: with_configs.then(|| CONFIG_AMD64.into()),
                },
                RemoteImage {
                    platform: platform("arm64", Some("v8")),
                    manifest_digest: Some(ARM64.into()),
                    config_digest: None,
                },
            ],
        }
    }

    fn check(id: &str, plat: &Platform, repo_digests: &[&str], remote: &TagDigests) -> DigestMatch {
        let digests: Vec<String> = repo_digests.iter().map(|d| (*d).to_owned()).collect();
        compare_with_local(
            &LocalImage {
                id,
                platform: plat,
                repo_digests: &digests,
            },
            remote,
        )
    }

    #[test]
    fn per_platform_verdicts() {
        let amd64 = platform("amd64", None);
        // Pulled by the tag: its repo digest is the index digest.
        assert_eq!(
            check("sha256:x", &amd64, &[INDEX], &index(false)),
            DigestMatch::Same
        );
        // Pulled by platform digest.
        assert_eq!(
            check("sha256:x", &amd64, &[AMD64], &index(false)),
            DigestMatch::Same
        );
        // Config digests settle it either way.
        assert_eq!(
            check(CONFIG_AMD64, &amd64, &[], &index(true)),
            DigestMatch::Same
        );
        assert_eq!(
            check("sha256:old", &amd64, &[OTHER_INDEX], &index(true)),
            DigestMatch::Different
        );
        // An index digest that differs from the platform's is never a verdict: the local
        // image may have come through another index holding the same platform manifest.
        assert_eq!(
            check("sha256:x", &amd64, &[OTHER_INDEX], &index(false)),
            DigestMatch::Unknown
        );
        // Never compared across platforms: arm64's digest does not make an amd64 image same.
        assert_eq!(
            check("sha256:x", &amd64, &[ARM64], &index(false)),
            DigestMatch::Unknown
        );
        // A platform the tag does not have.
        assert_eq!(
            check("sha256:x", &platform("s390x", None), &[], &index(false)),
            DigestMatch::PlatformMissing
        );
        // Nothing known about the tag.
        assert_eq!(
            check("sha256:x", &amd64, &[AMD64], &TagDigests::default()),
            DigestMatch::Unknown
        );
    }

    #[test]
    fn docker_hub_rows_have_platform_digests_only() {
        let hub = TagDigests {
            digest: None,
            ..index(false)
        };
        let arm = platform("arm64", None);
        assert_eq!(check("sha256:x", &arm, &[ARM64], &hub), DigestMatch::Same);
        assert_eq!(
            check("sha256:x", &arm, &[INDEX], &hub),
            DigestMatch::Unknown
        );
    }

    #[test]
    fn variants() {
        assert!(platform_matches(
            &platform("arm64", None),
            &platform("arm64", Some("v8"))
        ));
        assert!(!platform_matches(
            &platform("arm", Some("v6")),
            &platform("arm", Some("v7"))
        ));
        assert!(platform_matches(
            &platform("arm", None),
            &platform("arm", Some("v7"))
        ));
        let windows = Platform {
            os: "windows".into(),
            ..platform("amd64", None)
        };
        assert!(!platform_matches(&windows, &platform("amd64", None)));
    }
}
