//! The Snowflake emulator (PyPI `fakesnow`, run by `scripts/fakesnow.sh`) on a free port, loaded
//! through Snowflake's own Python connector: what the Snowflake plugin is tested against.
//!
//! ```text
//! let sf = Fakesnow::start();
//! sf.load(&["CREATE DATABASE SHOP", …]);
//! sf.port();   // for connectionArguments: {host: 127.0.0.1, port, protocol: http}
//! ```

use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::paths::repo_root;

/// A running emulator; stopped when dropped.
pub struct Fakesnow {
    child: Child,
    port: u16,
}

fn script() -> Command {
    Command::new(repo_root().join("scripts/fakesnow.sh"))
}

impl Fakesnow {
    /// Starts an empty emulator and waits until it answers.
    pub fn start() -> Fakesnow {
        // The virtualenv first, outside the wait below: a first run installs it.
        let venv = script()
            .arg("venv")
            .output()
            .expect("scripts/fakesnow.sh venv");
        assert!(
            venv.status.success(),
            "scripts/fakesnow.sh venv: {}",
            String::from_utf8_lossy(&venv.stderr)
        );
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let child = script()
            .args(["serve", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("scripts/fakesnow.sh serve");
        let server = Fakesnow { child, port };
        let deadline = Instant::now() + Duration::from_secs(60);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "fakesnow did not listen on {port}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        server
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Runs `statements` in order through snowflake-connector-python.
    pub fn load(&self, statements: &[&str]) {
        let out = script()
            .args(["load", &self.port.to_string()])
            .args(statements)
            .output()
            .expect("scripts/fakesnow.sh load");
        assert!(
            out.status.success(),
            "loading fakesnow: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

impl Drop for Fakesnow {
    fn drop(&mut self) {
        // `serve` execs fakesnow: the child is the server itself.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What OpenMetadata's own Snowflake connector sends for the account `sf` serves (its `metadata
/// ingest` workflow, PyPI openmetadata-ingestion 2.0.7.0 with snowflake-sqlalchemy, through
/// `tests/support/om_connector.py` and `tests/support/snowflake/om_patches.py`), reached as the
/// config `source` (an OpenMetadata workflow `source:` section) says, writing into the
/// OpenMetadata stand-in `om`: every Create request its sink is handed, in order, as
/// `{"kind", "request"}`. Panics with its log unless it succeeds.
pub fn openmetadata_ingest(source: &str, om: &crate::openmetadata::StandIn) -> Vec<Value> {
    let path = script()
        .arg("om-path")
        .output()
        .expect("scripts/fakesnow.sh om-path");
    assert!(path.status.success(), "scripts/fakesnow.sh om-path failed");
    let path = String::from_utf8_lossy(&path.stdout).trim().to_owned();
    let patches = repo_root().join("tests/support/snowflake/om_patches.py");
    crate::om_ingest::run_connector("Snowflake", source, om, path.as_ref(), Some(&patches))
}
