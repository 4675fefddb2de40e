//! The platforms of the local images a remote repository's tags are compared with: the
//! engine's inspect says them, one image at a time, asked for once.

use std::collections::{HashMap, HashSet};

use crate::docker::{ImageId, ImagePlatform, ImageRecord};
use crate::registry::RepositoryRef;
use crate::registry::manifest::Platform;

use super::images::split_repo_tag;

/// What the engine said of each local image's platform, and what was asked.
#[derive(Debug, Clone, Default)]
pub struct LocalPlatforms {
    known: HashMap<String, Platform>,
    asked: HashSet<String>,
}

impl LocalPlatforms {
    /// The platform of a local image, once the engine said it.
    pub fn get(&self, id: &str) -> Option<&Platform> {
        self.known.get(id)
    }

    /// The local images of `repository` (by tag or by digest) whose platform is not asked
    /// for yet; they count as asked from now on.
    pub fn to_ask(&mut self, records: &[ImageRecord], repository: &RepositoryRef) -> Vec<ImageId> {
        let familiar = repository.familiar();
        let mut wanted = Vec::new();
        for record in records {
            let ours = record
                .repo_tags
                .iter()
                .any(|t| split_repo_tag(t).0 == familiar)
                || record
                    .repo_digests
                    .iter()
                    .any(|d| d.split_once('@').is_some_and(|(name, _)| name == familiar));
            if ours && self.asked.insert(record.id.0.clone()) {
                wanted.push(record.id.clone());
            }
        }
        wanted
    }

    /// The engine answered: the image's platform, or `None` when the image is gone (or the
    /// engine failed: asked again on the next look).
    pub fn set(&mut self, id: &ImageId, platform: Option<ImagePlatform>) {
        match platform {
            Some(p) => {
                self.known.insert(
                    id.0.clone(),
                    Platform {
                        os: p.os,
                        architecture: p.architecture,
                        variant: p.variant,
                    },
                );
            }
            None => {
                self.asked.remove(&id.0);
            }
        }
    }
}
