//! `:deploy-registry [PORT] [DIR]`: runs what a user would otherwise type,
//!
//! ```text
//! docker run -d --name local-registry --restart=always -p PORT:5000 \
//!     -v DIR:/var/lib/registry registry:2
//! ```
//!
//! after checking that nothing is in the way (a container of that name, a taken port:
//! nothing is overwritten), and waits until the registry's API answers. The image comes
//! from the engine; [`preflight`] says whether it must be pulled first (the UI runs the
//! pull as a job, then [`deploy`]).

use std::fmt;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use tokio::time::Instant;

use crate::docker::{ContainerRecord, CreatedContainer, Engine, EngineError, RunError, RunFailure};
use crate::registry::RegistryClient;
use crate::run_spec::{
    HostPorts, MountSource, PortPublish, Protocol, RestartPolicy, RunSpec, VolumeMount,
};

/// The image `docker run registry:2` means; a mirror's name can replace it.
pub const DEFAULT_IMAGE: &str = "registry:2";
/// The container's name, as in Docker's documentation.
pub const CONTAINER_NAME: &str = "local-registry";
pub const DEFAULT_PORT: u16 = 5000;
/// Where the registry keeps its data inside the container.
const STORAGE: &str = "/var/lib/registry";
/// The port the registry listens on inside the container.
const REGISTRY_PORT: u16 = 5000;
/// How long [`deploy`] waits for the API by default.
pub const DEFAULT_WAIT: Duration = Duration::from_secs(30);

/// What to deploy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalRegistryPlan {
    pub image: String,
    pub name: String,
    pub port: u16,
    /// The host address to publish on; `None` is every address, as `-p PORT:5000` does.
    pub host_ip: Option<IpAddr>,
    /// The host directory the registry's data lives in.
    pub data_dir: PathBuf,
}

impl LocalRegistryPlan {
    /// `registry:2` named `local-registry` on `port`, data in `data_dir`.
    pub fn new(port: u16, data_dir: PathBuf) -> Self {
        LocalRegistryPlan {
            image: DEFAULT_IMAGE.to_string(),
            name: CONTAINER_NAME.to_string(),
            port,
            host_ip: None,
            data_dir,
        }
    }

    /// `:deploy-registry [PORT] [DIR]`: the port (default 5000) and the directory (default
    /// `default_dir`) from the command's words.
    pub fn from_args<S: AsRef<str>>(
        words: &[S],
        default_dir: Option<PathBuf>,
    ) -> Result<Self, String> {
        let usage = "usage: :deploy-registry [PORT] [DIR]";
        let (port, dir) = match words {
            [] => (None, None),
            [one] => match one.as_ref().parse::<u16>() {
                Ok(port) => (Some(port), None),
                Err(_) if one.as_ref().starts_with('/') => (None, Some(one.as_ref())),
                Err(_) => {
                    return Err(format!(
                        "\"{}\" is not a port (1-65535); {usage}",
                        one.as_ref()
                    ));
                }
            },
            [port, dir] => (
                Some(port.as_ref().parse::<u16>().map_err(|_| {
                    format!("\"{}\" is not a port (1-65535); {usage}", port.as_ref())
                })?),
                Some(dir.as_ref()),
            ),
            _ => return Err(usage.to_string()),
        };
        if port == Some(0) {
            return Err(format!("port 0 is not a port (1-65535); {usage}"));
        }
        let data_dir = match dir {
            Some(dir) if dir.starts_with('/') => PathBuf::from(dir),
            Some(dir) => {
                return Err(format!(
                    "the data directory \"{dir}\" must be an absolute path"
                ));
            }
            None => default_dir
                .ok_or("wharf has no data directory here; name one: :deploy-registry PORT DIR")?,
        };
        Ok(LocalRegistryPlan::new(
            port.unwrap_or(DEFAULT_PORT),
            data_dir,
        ))
    }

    /// `~/.local/share/wharf/registry` (the platform's data directory for wharf).
    pub fn default_data_dir() -> Option<PathBuf> {
        directories::ProjectDirs::from("", "", "wharf").map(|d| d.data_dir().join("registry"))
    }

    /// The run as a spec: exactly the flags a user would type.
    pub fn run_spec(&self) -> RunSpec {
        RunSpec {
            name: Some(self.name.clone()),
            publish: vec![PortPublish {
                host_ip: self.host_ip,
                host: HostPorts::One(self.port),
                container_port: REGISTRY_PORT,
                protocol: Protocol::Tcp,
            }],
            volumes: vec![VolumeMount {
                source: MountSource::HostPath(self.data_dir.to_string_lossy().into_owned()),
                target: STORAGE.to_string(),
                options: Vec::new(),
            }],
            restart: RestartPolicy::Always,
            detach: true,
            ..RunSpec::new(&self.image)
        }
    }

    /// The line a user would type for the same result.
    pub fn command_line(&self) -> String {
        self.run_spec().command_line()
    }

    /// The registry as references name it: `localhost:5000` (or the address published on).
    pub fn registry_host(&self) -> String {
        match self.host_ip {
            Some(IpAddr::V4(ip)) if !ip.is_unspecified() => format!("{ip}:{}", self.port),
            Some(IpAddr::V6(ip)) if !ip.is_unspecified() => format!("[{ip}]:{}", self.port),
            _ => format!("localhost:{}", self.port),
        }
    }
}

/// What [`preflight`] found: nothing in the way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Preflight {
    /// The engine has the image; otherwise pull it first.
    pub image_present: bool,
}

/// A deployed registry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeployedRegistry {
    pub container: CreatedContainer,
    /// The registry as references name it, for `:registry HOST`.
    pub host: String,
}

/// Why the registry was not deployed; `Display` says what to do. Nothing was changed
/// unless the variant says so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeployError {
    /// A container of that name exists.
    AlreadyExists {
        name: String,
        running: bool,
        ports: Vec<String>,
    },
    /// The host port is taken; `by` names the container that publishes it, if one does.
    PortInUse { port: u16, by: Option<String> },
    /// The engine does not have the image (pull it first).
    ImageMissing { image: String },
    /// The data directory could not be made.
    DataDir { path: PathBuf, error: String },
    /// The engine refused the run (nothing was left behind).
    Run(RunError),
    /// The engine failed otherwise.
    Engine(EngineError),
    /// The container runs (and stays) but its API did not answer in time.
    NotAnswering {
        host: String,
        waited: Duration,
        last_error: String,
    },
    /// The container stopped; its last output says why. It was left for inspection.
    Exited {
        name: String,
        exit_code: Option<i64>,
        last_lines: Vec<String>,
    },
}

impl fmt::Display for DeployError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DeployError::AlreadyExists {
                name,
                running,
                ports,
            } => {
                let state = if *running { "running" } else { "stopped" };
                write!(f, "a container named {name} already exists ({state}")?;
                if !ports.is_empty() {
                    write!(f, ", publishing {}", ports.join(", "))?;
                }
                write!(f, "); nothing was changed. ")?;
                if *running {
                    write!(
                        f,
                        "Use it, or remove it first (:rm -f {name}) to deploy anew."
                    )
                } else {
                    write!(
                        f,
                        "Start it (:start {name}), or remove it first (:rm {name}) to deploy anew."
                    )
                }
            }
            DeployError::PortInUse { port, by } => {
                match by {
                    Some(container) => write!(
                        f,
                        "port {port} is already published by the container {container}"
                    )?,
                    None => write!(f, "port {port} is already in use on this machine")?,
                }
                write!(
                    f,
                    "; nothing was changed. Choose another port: :deploy-registry {}",
                    port.saturating_add(1)
                )
            }
            DeployError::ImageMissing { image } => {
                write!(
                    f,
                    "the image {image} is not in the engine; pull it first (:pull {image})"
                )
            }
            DeployError::DataDir { path, error } => write!(
                f,
                "cannot create the data directory {}: {error}; name another: :deploy-registry PORT DIR",
                path.display()
            ),
            DeployError::Run(error) => error.fmt(f),
            DeployError::Engine(error) => error.fmt(f),
            DeployError::NotAnswering {
                host,
                waited,
                last_error,
            } => write!(
                f,
                "the registry container runs, but http://{host}/v2/ did not answer within {} s ({last_error}); see its logs",
                waited.as_secs()
            ),
            DeployError::Exited {
                name,
                exit_code,
                last_lines,
            } => {
                write!(f, "the registry container {name} stopped")?;
                if let Some(code) = exit_code {
                    write!(f, " (exit code {code})")?;
                }
                match last_lines.last() {
                    Some(line) => write!(f, ": {line}"),
                    None => Ok(()),
                }
            }
        }
    }
}

impl std::error::Error for DeployError {}

/// Checks that nothing is in the way and whether the image is there. Changes nothing.
pub async fn preflight(
    engine: &Engine,
    plan: &LocalRegistryPlan,
) -> Result<Preflight, DeployError> {
    let containers = engine
        .list_containers()
        .await
        .map_err(DeployError::Engine)?;
    if let Some(existing) = containers.iter().find(|c| c.name == plan.name) {
        return Err(DeployError::AlreadyExists {
            name: existing.name.clone(),
            running: existing.state.is_up(),
            ports: existing
                .ports
                .iter()
                .filter(|p| p.public.is_some())
                .map(ToString::to_string)
                .collect(),
        });
    }
    if let Some(holder) = publisher_of(&containers, plan.port) {
        return Err(DeployError::PortInUse {
            port: plan.port,
            by: Some(holder.name.clone()),
        });
    }
    // A program on this machine: only knowable when the engine runs here too.
    if engine_is_local(engine) && !port_is_free(plan.host_ip, plan.port) {
        return Err(DeployError::PortInUse {
            port: plan.port,
            by: None,
        });
    }
    let image_present = engine
        .inspect_image(&plan.image)
        .await
        .map_err(DeployError::Engine)?
        .is_some();
    Ok(Preflight { image_present })
}

/// Deploys the registry: [`preflight`] again (things change while a pull runs), the data
/// directory (when the engine runs on this machine), the run, and a bounded wait until the
/// API answers.
pub async fn deploy(
    engine: &Engine,
    client: &RegistryClient,
    plan: &LocalRegistryPlan,
    wait: Duration,
) -> Result<DeployedRegistry, DeployError> {
    let checked = preflight(engine, plan).await?;
    if !checked.image_present {
        return Err(DeployError::ImageMissing {
            image: plan.image.clone(),
        });
    }
    if engine_is_local(engine) {
        make_data_dir(&plan.data_dir)?;
    }
    let container = engine
        .run_container(&plan.run_spec())
        .await
        .map_err(|error| match error.failure {
            RunFailure::PortInUse { .. } => DeployError::PortInUse {
                port: plan.port,
                by: None,
            },
            RunFailure::ImageMissing { .. } => DeployError::ImageMissing {
                image: plan.image.clone(),
            },
            _ => DeployError::Run(error),
        })?;
    let host = plan.registry_host();
    wait_until_answers(engine, client, &host, &container.name, wait).await?;
    Ok(DeployedRegistry { container, host })
}

/// Polls `GET /v2/` with a growing pause (50 ms up to 1 s) until it answers, the container
/// stops, or `wait` has passed.
pub async fn wait_until_answers(
    engine: &Engine,
    client: &RegistryClient,
    host: &str,
    container: &str,
    wait: Duration,
) -> Result<(), DeployError> {
    let deadline = Instant::now() + wait;
    let mut pause = Duration::from_millis(50);
    loop {
        let last_error = match client.ping(host).await {
            Ok(()) => return Ok(()),
            Err(e) => e.to_string(),
        };
        let details = engine
            .container_details(container)
            .await
            .map_err(DeployError::Engine)?;
        if !details.state.is_up() {
            return Err(DeployError::Exited {
                name: container.to_string(),
                exit_code: details.exit_code,
                last_lines: last_log_lines(engine, container).await,
            });
        }
        let now = Instant::now();
        if now >= deadline {
            return Err(DeployError::NotAnswering {
                host: host.to_string(),
                waited: wait,
                last_error,
            });
        }
        tokio::time::sleep(pause.min(deadline - now)).await;
        pause = (pause * 2).min(Duration::from_secs(1));
    }
}

async fn last_log_lines(engine: &Engine, container: &str) -> Vec<String> {
    use futures::StreamExt;
    let request = crate::docker::LogsRequest {
        tail: Some(10),
        ..crate::docker::LogsRequest::default()
    };
    match engine.logs(container, request).await {
        Ok(lines) => {
            lines
                .filter_map(|l| std::future::ready(l.ok().map(|l| l.text)))
                .collect()
                .await
        }
        Err(_) => Vec::new(),
    }
}

/// The container that publishes `port` on the host, if any.
fn publisher_of(containers: &[ContainerRecord], port: u16) -> Option<&ContainerRecord> {
    containers
        .iter()
        .filter(|c| c.state.is_up())
        .find(|c| c.ports.iter().any(|p| p.public == Some(port)))
}

fn engine_is_local(engine: &Engine) -> bool {
    engine.host().starts_with("unix://")
}

/// Whether a listener could take `port` on `ip` (every address when `None`) right now.
fn port_is_free(ip: Option<IpAddr>, port: u16) -> bool {
    let ip = ip.unwrap_or(IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED));
    match std::net::TcpListener::bind((ip, port)) {
        Ok(_) => true,
        Err(e) => e.kind() != std::io::ErrorKind::AddrInUse,
    }
}

fn make_data_dir(path: &Path) -> Result<(), DeployError> {
    std::fs::create_dir_all(path).map_err(|e| DeployError::DataDir {
        path: path.to_path_buf(),
        error: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::run_spec::{ProcessHost, parse_run_args};

    #[test]
    fn the_plan_is_what_a_user_would_type() {
        let plan = LocalRegistryPlan::new(5000, PathBuf::from("/srv/registry"));
        assert_eq!(
            plan.command_line(),
            "docker run --name local-registry -p 5000:5000 -v /srv/registry:/var/lib/registry --restart always -d registry:2"
        );
        // The same words through :run's parser give the same spec.
        let words = plan.run_spec().to_args();
        assert_eq!(
            parse_run_args(&words, &ProcessHost).unwrap(),
            plan.run_spec()
        );
        assert_eq!(plan.registry_host(), "localhost:5000");
        let loopback = LocalRegistryPlan {
            host_ip: Some("127.0.0.1".parse().unwrap()),
            ..plan
        };
        assert_eq!(loopback.registry_host(), "127.0.0.1:5000");
        assert!(loopback.command_line().contains("-p 127.0.0.1:5000:5000"));
    }

    #[test]
    fn arguments_are_a_port_and_a_directory() {
        let default = Some(PathBuf::from("/data/wharf/registry"));
        let plan = LocalRegistryPlan::from_args::<&str>(&[], default.clone()).unwrap();
        assert_eq!(
            (plan.port, plan.data_dir.clone()),
            (5000, PathBuf::from("/data/wharf/registry"))
        );
        let plan = LocalRegistryPlan::from_args(&["5001"], default.clone()).unwrap();
        assert_eq!(plan.port, 5001);
        let plan = LocalRegistryPlan::from_args(&["/srv/reg"], default.clone()).unwrap();
        assert_eq!(
            (plan.port, plan.data_dir),
            (5000, PathBuf::from("/srv/reg"))
        );
        let plan = LocalRegistryPlan::from_args(&["6000", "/srv/reg"], default.clone()).unwrap();
        assert_eq!(plan.port, 6000);
        for (args, error) in [
            (&["x"][..], "\"x\" is not a port"),
            (&["0"][..], "port 0"),
            (&["70000"][..], "\"70000\" is not a port"),
            (&["5000", "reg"][..], "must be an absolute path"),
            (&["1", "/a", "b"][..], "usage"),
        ] {
            let err = LocalRegistryPlan::from_args(args, default.clone()).unwrap_err();
            assert!(err.contains(error), "{args:?}: {err}");
        }
        assert!(LocalRegistryPlan::from_args::<&str>(&[], None).is_err());
    }

    #[test]
    fn refusals_say_what_to_do() {
        let exists = DeployError::AlreadyExists {
            name: "local-registry".into(),
            running: true,
            ports: vec!["0.0.0.0:5000->5000/tcp".into()],
        };
        let text = exists.to_string();
        assert!(
            text.contains("already exists (running, publishing 0.0.0.0:5000->5000/tcp)"),
            "{text}"
        );
        assert!(
            text.contains("nothing was changed") && text.contains(":rm -f local-registry"),
            "{text}"
        );
        let port = DeployError::PortInUse {
            port: 5000,
            by: None,
        }
        .to_string();
        assert!(
            port.contains("port 5000 is already in use") && port.contains(":deploy-registry 5001"),
            "{port}"
        );
        let by = DeployError::PortInUse {
            port: 5000,
            by: Some("web".into()),
        }
        .to_string();
        assert!(by.contains("published by the container web"), "{by}");
    }
}
