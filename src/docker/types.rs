//! App-owned rows built from engine answers. Nothing outside `docker/` sees bollard types.

use std::fmt;

/// A full image ID such as `sha256:53f3…`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ImageId(pub String);

impl ImageId {
    /// The 12 hex digits the docker CLI shows.
    pub fn short(&self) -> &str {
        short_hex(&self.0)
    }
}

impl fmt::Display for ImageId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A full container ID.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ContainerId(pub String);

impl ContainerId {
    pub fn short(&self) -> &str {
        short_hex(&self.0)
    }
}

impl fmt::Display for ContainerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The first 12 characters after an optional `algo:` prefix, cut on a char boundary.
pub fn short_hex(id: &str) -> &str {
    let hex = id.split_once(':').map_or(id, |(_, h)| h);
    match hex.char_indices().nth(12) {
        Some((end, _)) => &hex[..end],
        None => hex,
    }
}

/// One local image as the engine lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRecord {
    pub id: ImageId,
    /// `repository:tag` names; empty for a dangling image.
    pub repo_tags: Vec<String>,
    /// `repository@sha256:…` digests known for registries this image came from or went to.
    pub repo_digests: Vec<String>,
    /// Creation time, seconds since the Unix epoch.
    pub created: i64,
    /// Size in bytes (all layers).
    pub size: u64,
}

/// The platform a local image is for, as the engine's inspect says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImagePlatform {
    pub os: String,
    pub architecture: String,
    pub variant: Option<String>,
}

/// One layer of an image's history, newest first as the engine gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryRecord {
    /// The layer's image ID, or `<missing>` for layers built elsewhere.
    pub id: String,
    pub created: i64,
    pub created_by: String,
    pub size: u64,
    pub comment: String,
    pub tags: Vec<String>,
}

/// A container's lifecycle state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ContainerState {
    Running,
    Paused,
    Restarting,
    Created,
    Exited,
    Removing,
    Dead,
    Unknown,
}

impl ContainerState {
    /// Running, paused and restarting containers are "up"; the rest show only with `a`.
    pub fn is_up(self) -> bool {
        matches!(
            self,
            ContainerState::Running | ContainerState::Paused | ContainerState::Restarting
        )
    }

    pub fn name(self) -> &'static str {
        match self {
            ContainerState::Running => "running",
            ContainerState::Paused => "paused",
            ContainerState::Restarting => "restarting",
            ContainerState::Created => "created",
            ContainerState::Exited => "exited",
            ContainerState::Removing => "removing",
            ContainerState::Dead => "dead",
            ContainerState::Unknown => "unknown",
        }
    }
}

/// A published or exposed port.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct PortMapping {
    pub ip: Option<String>,
    pub private: u16,
    pub public: Option<u16>,
    pub protocol: String,
}

impl fmt::Display for PortMapping {
    /// `0.0.0.0:8080->80/tcp` or `80/tcp`, as `docker ps` writes them.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.public, &self.ip) {
            (Some(public), Some(ip)) if !ip.is_empty() => {
                write!(f, "{ip}:{public}->{}/{}", self.private, self.protocol)
            }
            (Some(public), _) => write!(f, "{public}->{}/{}", self.private, self.protocol),
            (None, _) => write!(f, "{}/{}", self.private, self.protocol),
        }
    }
}

/// One container as the engine lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContainerRecord {
    pub id: ContainerId,
    /// The first name, without the leading `/`.
    pub name: String,
    /// The image as the container was created from it (a name or an ID).
    pub image: String,
    pub image_id: ImageId,
    pub command: String,
    pub created: i64,
    pub state: ContainerState,
    /// The engine's own wording, e.g. `Up 3 minutes`, `Exited (1) 2 hours ago`.
    pub status: String,
    /// When the engine wrote `status` (Unix seconds, local clock; 0 if unknown), so its
    /// duration can be moved on without asking again.
    pub listed_at: i64,
    pub ports: Vec<PortMapping>,
}

/// How a path differs from the container's image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ChangeKind {
    Added,
    Changed,
    Deleted,
}

impl ChangeKind {
    /// The letter `docker diff` prints.
    pub fn letter(self) -> char {
        match self {
            ChangeKind::Added => 'A',
            ChangeKind::Changed => 'C',
            ChangeKind::Deleted => 'D',
        }
    }
}

/// One entry of a container's writable layer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileChange {
    pub path: String,
    pub kind: ChangeKind,
}

/// What the header says about the engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngineInfo {
    /// The address wharf talks to, e.g. `unix:///var/run/docker.sock`.
    pub host: String,
    pub version: String,
    pub api_version: String,
    pub os: String,
    pub arch: String,
}

/// What kind of object an engine event is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventSubject {
    Image,
    Container,
}

/// One event from the engine's event stream, reduced to what wharf reacts to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngineEvent {
    pub subject: EventSubject,
    /// `tag`, `untag`, `delete`, `pull`, `import`, `start`, `die`, `rename`, …
    pub action: String,
    /// The image or container ID (for `tag`/`pull` events, sometimes a name).
    pub id: String,
    /// The `name` attribute: an image reference or a container name.
    pub name: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_ids() {
        let id = ImageId(
            "sha256:53f3fd8007f76bd23bf663ad5f5009c8941f63828ae458cef584b5f85dc0a7bf".into(),
        );
        assert_eq!(id.short(), "53f3fd8007f7");
        assert_eq!(short_hex("abc"), "abc");
        assert_eq!(short_hex("sha256:"), "");
        assert_eq!(short_hex("ééééééééééééééé"), "éééééééééééé");
    }
}
