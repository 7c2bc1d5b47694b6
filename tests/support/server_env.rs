//! The address and credentials of a database server the test command started, from its
//! `OMRUN_TEST_<ENGINE>_{HOST,PORT,USER,PASSWORD}` variables.

/// Host, port, user and password.
pub struct ServerEnv {
    pub host: String,
    pub port: u16,
    pub user: String,
    pub password: String,
}

impl ServerEnv {
    /// Reads `{prefix}_HOST` … `{prefix}_PASSWORD`. Panics (never skips) when one is missing,
    /// saying what starts the server (`started_by`).
    pub fn read(prefix: &str, started_by: &str) -> ServerEnv {
        let var = |suffix: &str| {
            let name = format!("{prefix}_{suffix}");
            match std::env::var(&name) {
                Ok(v) if !v.is_empty() => v,
                _ => panic!("{name} is not set: {started_by}"),
            }
        };
        let port = var("PORT");
        ServerEnv {
            host: var("HOST"),
            port: port
                .parse()
                .unwrap_or_else(|_| panic!("{prefix}_PORT={port} is not a port number")),
            user: var("USER"),
            password: var("PASSWORD"),
        }
    }
}
