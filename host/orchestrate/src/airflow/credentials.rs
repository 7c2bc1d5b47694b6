//! Who omrun is to Airflow's API: a token from the environment, or a user and password that get
//! one from `/auth/token`.

use anyhow::bail;
use omrun_config::{AirflowSettings, Secret};

pub(super) enum Credentials {
    /// A token from the environment, used as it is.
    Token(Secret),
    /// A user whose password gets a token from `/auth/token` (again when it expires).
    User { name: String, password: Secret },
}

impl Credentials {
    /// The token from `tokenEnv` (default `AIRFLOW_TOKEN`) when set, else a user and password from
    /// `usernameEnv` and `passwordEnv` (default `AIRFLOW_USERNAME`, `AIRFLOW_PASSWORD`).
    pub(super) fn from_settings(settings: &AirflowSettings) -> anyhow::Result<Self> {
        let token_env = settings.token_env.as_deref().unwrap_or("AIRFLOW_TOKEN");
        if let Ok(token) = std::env::var(token_env)
            && !token.trim().is_empty()
        {
            let token = token.trim();
            return Ok(Self::Token(Secret::new(
                token.strip_prefix("Bearer ").unwrap_or(token),
            )));
        }
        let user_env = settings
            .username_env
            .as_deref()
            .unwrap_or("AIRFLOW_USERNAME");
        let password_env = settings
            .password_env
            .as_deref()
            .unwrap_or("AIRFLOW_PASSWORD");
        match (std::env::var(user_env), std::env::var(password_env)) {
            (Ok(name), Ok(password)) if !name.is_empty() => Ok(Self::User {
                name,
                password: Secret::new(password),
            }),
            _ => bail!(
                "no credentials for Airflow's API: export {token_env} (a token), or {user_env} and \
                 {password_env}"
            ),
        }
    }

    /// The settings that hold them, for messages.
    pub(super) fn named(&self) -> &'static str {
        match self {
            Credentials::Token(_) => {
                "the token's variable (airflow.tokenEnv, default AIRFLOW_TOKEN)"
            }
            Credentials::User { .. } => {
                "airflow.usernameEnv / passwordEnv (default AIRFLOW_USERNAME / AIRFLOW_PASSWORD)"
            }
        }
    }
}
