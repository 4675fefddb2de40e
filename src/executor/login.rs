//! `docker login` and `docker logout`: checking credentials with the engine (or the
//! registry when there is no engine) and storing or erasing them like the docker CLI.

use crate::docker::{Engine, EngineErrorKind, LoginCheck};
use crate::flows::login::LoginFailure;
use crate::registry::reference::credential_key_for;
use crate::registry::{Credentials, StoredIn};

use super::services::Services;

/// `docker login`: the engine checks the credentials with the registry, then they are
/// stored in the helper that applies or in `auths`. Nothing is written unless the check
/// passed.
pub(super) async fn login(
    engine: Option<Engine>,
    services: &Services,
    registry: &str,
    credentials: Credentials,
) -> Result<String, LoginFailure> {
    let store = services.credentials.as_ref().ok_or_else(|| {
        LoginFailure::Failed("no docker config directory (set DOCKER_CONFIG or HOME)".into())
    })?;
    let server = credential_key_for(registry);
    let check = match &engine {
        Some(engine) => engine
            .check_login(&credentials, server)
            .await
            .map_err(|e| {
                if e.kind == EngineErrorKind::Unauthorized {
                    LoginFailure::Rejected(e.message)
                } else {
                    LoginFailure::Failed(e.to_string())
                }
            })?,
        None => LoginCheck::CannotAsk,
    };
    let to_store = match check {
        LoginCheck::Accepted {
            identity_token: Some(token),
        } => Credentials::identity_token(credentials.username(), token),
        LoginCheck::Accepted {
            identity_token: None,
        } => credentials,
        LoginCheck::CannotAsk => {
            let client = services
                .registry
                .get()
                .await
                .map_err(LoginFailure::Failed)?;
            client
                .check_credentials(registry, &credentials)
                .await
                .map_err(|e| {
                    if e.is_unauthorized() {
                        LoginFailure::Rejected(
                            "the registry refused the username or password".into(),
                        )
                    } else {
                        LoginFailure::Failed(e.to_string())
                    }
                })?;
            credentials
        }
    };
    let stored = store.store_async(registry, &to_store).await.map_err(|e| {
        LoginFailure::Failed(format!(
            "the credentials were right but could not be stored: {e}"
        ))
    })?;
    services.registry.forget_credentials(registry);
    Ok(describe_store(&stored))
}

/// Erases the stored credentials; `Ok(Some(where))`, or `Ok(None)` when none were stored.
pub(super) async fn logout(services: &Services, registry: &str) -> Result<Option<String>, String> {
    let store = services
        .credentials
        .as_ref()
        .ok_or_else(|| "no docker config directory (set DOCKER_CONFIG or HOME)".to_string())?;
    let helper = {
        let (store, registry) = (store.clone(), registry.to_string());
        tokio::task::spawn_blocking(move || store.helper_for(&registry))
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| e.to_string())?
    };
    let erased = store
        .erase_async(registry)
        .await
        .map_err(|e| e.to_string())?;
    services.registry.forget_credentials(registry);
    Ok(erased.then(|| match helper {
        Some(name) => format!("docker-credential-{name}"),
        None => store.config_path().display().to_string(),
    }))
}

fn describe_store(stored: &StoredIn) -> String {
    match stored {
        StoredIn::Helper(name) => format!("docker-credential-{name}"),
        StoredIn::ConfigFile(path) => path.display().to_string(),
    }
}
