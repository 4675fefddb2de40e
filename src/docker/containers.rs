//! Containers: list, the writable layer (`docker diff`), commit.

use bollard::models::{
    ChangeType, ContainerConfig, ContainerSummary, ContainerSummaryStateEnum, PortSummaryTypeEnum,
};
use bollard::query_parameters::{CommitContainerOptions, ListContainersOptions};

use super::engine::Engine;
use super::error::{EngineError, EngineErrorKind};
use super::types::{
    ChangeKind, ContainerId, ContainerRecord, ContainerState, FileChange, ImageId, PortMapping,
};

/// What `docker commit` is asked to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitRequest {
    pub container: ContainerId,
    /// The repository of the new image (everything before the tag).
    pub repository: String,
    pub tag: String,
    pub message: Option<String>,
    pub author: Option<String>,
    /// Pause the container while its filesystem is copied (the CLI's default).
    pub pause: bool,
    /// Dockerfile-style changes (`CMD ["sh"]`, `ENV A=1`), one per entry.
    pub changes: Vec<String>,
}

impl Engine {
    /// Every container, running or not; the state decides what to show.
    pub async fn list_containers(&self) -> Result<Vec<ContainerRecord>, EngineError> {
        let summaries = self
            .docker
            .list_containers(Some(ListContainersOptions {
                all: true,
                ..ListContainersOptions::default()
            }))
            .await
            .map_err(|e| self.error(e))?;
        let listed_at = chrono::Utc::now().timestamp();
        // As in `list_images`: the in-place `collect` would keep the summaries' allocation.
        let mut records: Vec<ContainerRecord> = summaries
            .into_iter()
            .filter_map(|summary| record_from_summary(summary, listed_at))
            .collect();
        records.shrink_to_fit();
        Ok(records)
    }

    /// Paths the container added, changed or deleted relative to its image.
    pub async fn container_changes(
        &self,
        id: &ContainerId,
    ) -> Result<Vec<FileChange>, EngineError> {
        let changes = self
            .docker
            .container_changes(&id.0)
            .await
            .map_err(|e| self.error(e))?;
        Ok(changes
            .unwrap_or_default()
            .into_iter()
            .map(|c| FileChange {
                path: c.path,
                kind: match c.kind {
                    ChangeType::_0 => ChangeKind::Changed,
                    ChangeType::_1 => ChangeKind::Added,
                    ChangeType::_2 => ChangeKind::Deleted,
                },
            })
            .collect())
    }

    /// Commits the container's writable layer as a new image and returns its ID.
    pub async fn commit_container(&self, request: &CommitRequest) -> Result<ImageId, EngineError> {
        let options = CommitContainerOptions {
            container: Some(request.container.0.clone()),
            repo: Some(request.repository.clone()),
            tag: Some(request.tag.clone()),
            comment: request.message.clone(),
            author: request.author.clone(),
            pause: request.pause,
            // The engine parses these as the lines of a Dockerfile.
            changes: (!request.changes.is_empty()).then(|| request.changes.join("\n")),
        };
        let response = self
            .docker
            .commit_container(options, ContainerConfig::default())
            .await
            .map_err(|e| {
                let err = self.error(e);
                if err.kind == EngineErrorKind::NotFound {
                    EngineError::new(
                        EngineErrorKind::NotFound,
                        format!("container {} no longer exists", request.container.short()),
                    )
                } else {
                    err
                }
            })?;
        Ok(ImageId(response.id))
    }
}

fn record_from_summary(summary: ContainerSummary, listed_at: i64) -> Option<ContainerRecord> {
    let id = summary.id?;
    let name = summary
        .names
        .unwrap_or_default()
        .into_iter()
        .next()
        .map(|n| n.trim_start_matches('/').to_string())
        .unwrap_or_else(|| super::types::short_hex(&id).to_string());
    let state = match summary.state {
        Some(ContainerSummaryStateEnum::RUNNING) => ContainerState::Running,
        Some(ContainerSummaryStateEnum::PAUSED) => ContainerState::Paused,
        Some(ContainerSummaryStateEnum::RESTARTING) => ContainerState::Restarting,
        Some(ContainerSummaryStateEnum::CREATED) => ContainerState::Created,
        Some(ContainerSummaryStateEnum::EXITED) => ContainerState::Exited,
        Some(ContainerSummaryStateEnum::REMOVING) => ContainerState::Removing,
        Some(ContainerSummaryStateEnum::DEAD) => ContainerState::Dead,
        _ => ContainerState::Unknown,
    };
    let mut ports: Vec<PortMapping> = summary
        .ports
        .unwrap_or_default()
        .into_iter()
        .map(|p| PortMapping {
            ip: p.ip,
            private: p.private_port,
            public: p.public_port,
            protocol: match p.typ {
                Some(PortSummaryTypeEnum::UDP) => "udp",
                Some(PortSummaryTypeEnum::SCTP) => "sctp",
                _ => "tcp",
            }
            .to_string(),
        })
        .collect();
    ports.sort();
    ports.dedup_by(|a, b| {
        a.private == b.private && a.public == b.public && a.protocol == b.protocol
    });
    Some(ContainerRecord {
        id: ContainerId(id),
        name,
        image: summary.image.unwrap_or_default(),
        image_id: ImageId(summary.image_id.unwrap_or_default()),
        command: summary.command.unwrap_or_default(),
        created: summary.created.unwrap_or(0),
        state,
        status: summary.status.unwrap_or_default(),
        listed_at,
        ports,
    })
}

/// Instructions the engine accepts as commit and import changes (STOPSIGNAL, though a
/// Dockerfile instruction, is refused there: "stopsignal is not a valid change command").
pub const CHANGE_INSTRUCTIONS: &[&str] = &[
    "CMD",
    "ENTRYPOINT",
    "ENV",
    "EXPOSE",
    "LABEL",
    "ONBUILD",
    "USER",
    "VOLUME",
    "WORKDIR",
];

/// Checks Dockerfile-style change lines before the engine sees them, so a mistake is named
/// with its line number instead of coming back as a parser error.
pub fn validate_changes(lines: &[String]) -> Result<(), String> {
    for (i, line) in lines.iter().enumerate() {
        let instruction = line.split_whitespace().next().unwrap_or_default();
        if !CHANGE_INSTRUCTIONS
            .iter()
            .any(|c| c.eq_ignore_ascii_case(instruction))
        {
            return Err(format!(
                "line {}: \"{instruction}\" cannot be applied here; use one of {}",
                i + 1,
                CHANGE_INSTRUCTIONS.join(", ")
            ));
        }
        if line.split_whitespace().nth(1).is_none() {
            return Err(format!("line {}: {instruction} needs an argument", i + 1));
        }
        if instruction.eq_ignore_ascii_case("EXPOSE") {
            for port in line.split_whitespace().skip(1) {
                if !is_exposable(port) {
                    return Err(format!(
                        "line {}: EXPOSE takes ports like 80, 8080/tcp, 53/udp or 7000-7010, not \"{port}\"",
                        i + 1
                    ));
                }
            }
        }
    }
    Ok(())
}

/// `80`, `80/tcp`, `53/udp`, `7000-7010/sctp`: what the engine accepts after EXPOSE (it
/// refuses anything else only when the commit runs, and the form would be gone by then).
fn is_exposable(text: &str) -> bool {
    let (ports, protocol) = text.split_once('/').unwrap_or((text, "tcp"));
    let port = |p: &str| p.parse::<u16>().is_ok_and(|n| n > 0);
    let ports_ok = match ports.split_once('-') {
        Some((first, last)) => {
            port(first) && port(last) && first.parse::<u16>().ok() <= last.parse::<u16>().ok()
        }
        None => port(ports),
    };
    ports_ok && ["tcp", "udp", "sctp"].contains(&protocol.to_ascii_lowercase().as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_are_checked_line_by_line() {
        assert!(validate_changes(&["CMD [\"/bin/sh\"]".into(), "env A=1".into()]).is_ok());
        let err = validate_changes(&["CMD x".into(), "RUN make".into()]).unwrap_err();
        assert!(err.starts_with("line 2: \"RUN\""), "{err}");
        assert!(
            validate_changes(&["EXPOSE".into()])
                .unwrap_err()
                .contains("needs an argument")
        );
        assert!(validate_changes(&["EXPOSE 80 8080/tcp 53/UDP 7000-7010/sctp".into()]).is_ok());
        assert!(
            validate_changes(&["STOPSIGNAL SIGTERM".into()])
                .unwrap_err()
                .contains("cannot be applied here"),
            "the engine refuses STOPSIGNAL as a change"
        );
        for bad in ["abc", "0", "70000", "80/http", "90-80", "80-", "-80"] {
            let err = validate_changes(&[format!("EXPOSE 80 {bad}")]).unwrap_err();
            assert!(err.ends_with(&format!("not \"{bad}\"")), "{err}");
        }
    }
}
