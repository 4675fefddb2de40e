//! What the engine says about itself (`docker info` and `docker version`), for `:info`.

use bollard::models::SystemInfo;

use super::registry_trust::settings_from;
use super::{Engine, EngineError, RegistrySettings};

/// The engine's own description, as the engine sent it (not yet cleaned for the screen).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EngineDetails {
    pub name: String,
    pub version: String,
    pub api_version: String,
    /// The host's operating system (`Debian GNU/Linux 13 (trixie)`).
    pub operating_system: String,
    pub os_type: String,
    pub architecture: String,
    pub kernel: String,
    pub storage_driver: String,
    pub root_dir: String,
    pub registry: RegistrySettings,
}

impl Engine {
    /// `docker info` and `docker version` in one description.
    pub async fn details(&self) -> Result<EngineDetails, EngineError> {
        let info = self.docker.info().await.map_err(|e| self.error(e))?;
        let version = self.docker.version().await.map_err(|e| self.error(e))?;
        let mut details = details_from(info);
        if details.version.is_empty() {
            details.version = version.version.unwrap_or_default();
        }
        details.api_version = version.api_version.unwrap_or_default();
        Ok(details)
    }
}

fn details_from(mut info: SystemInfo) -> EngineDetails {
    let registry_config = info.registry_config.take();
    EngineDetails {
        name: info.name.unwrap_or_default(),
        version: info.server_version.unwrap_or_default(),
        api_version: String::new(),
        operating_system: info.operating_system.unwrap_or_default(),
        os_type: info.os_type.unwrap_or_default(),
        architecture: info.architecture.unwrap_or_default(),
        kernel: info.kernel_version.unwrap_or_default(),
        storage_driver: info.driver.unwrap_or_default(),
        root_dir: info.docker_root_dir.unwrap_or_default(),
        registry: settings_from(registry_config),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn details_read_like_docker_info() {
        let info: SystemInfo = serde_json::from_str(
            r#"{"Name":"box","ServerVersion":"28.1.0","OperatingSystem":"Debian","OSType":"linux",
                "Architecture":"x86_64","KernelVersion":"6.1","Driver":"overlay2",
                "DockerRootDir":"/var/lib/docker",
                "RegistryConfig":{"InsecureRegistryCIDRs":["127.0.0.0/8"],"Mirrors":["https://m.lan/"]}}"#,
        )
        .expect("json");
        let details = details_from(info);
        assert_eq!(details.name, "box");
        assert_eq!(details.storage_driver, "overlay2");
        assert_eq!(details.root_dir, "/var/lib/docker");
        assert_eq!(details.registry.insecure_registries, ["127.0.0.0/8"]);
        assert_eq!(details.registry.mirrors, ["https://m.lan/"]);
    }
}
