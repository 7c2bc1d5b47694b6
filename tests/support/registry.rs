//! A real OCI registry for the plugin distribution tests: Debian's `docker-registry` (the CNCF
//! Distribution server, `apt-get install docker-registry`), on a free port, storing into a
//! temporary folder, optionally behind basic authentication (an htpasswd file of bcrypt hashes,
//! as the registry requires). It ends with the value.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Registry {
    dir: tempfile::TempDir,
    port: u16,
    child: Child,
}

impl Registry {
    /// An open registry.
    pub fn start() -> Registry {
        Self::start_with(None)
    }

    /// A registry that admits only `user` with `password`.
    pub fn with_user(user: &str, password: &str) -> Registry {
        Self::start_with(Some((user, password)))
    }

    fn start_with(user: Option<(&str, &str)>) -> Registry {
        let dir = tempfile::tempdir().expect("temporary directory");
        let port = crate::net::free_port();
        let mut config = format!(
            "version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: {}\nhttp:\n  addr: \
             127.0.0.1:{port}\n  secret: omrun-test-registry\nlog:\n  level: warn\n",
            dir.path().join("data").display()
        );
        if let Some((user, password)) = user {
            let hash = bcrypt::hash(password, 5).expect("bcrypt");
            let htpasswd = dir.path().join("htpasswd");
            std::fs::write(&htpasswd, format!("{user}:{hash}\n")).unwrap();
            config += &format!(
                "auth:\n  htpasswd:\n    realm: omrun-test\n    path: {}\n",
                htpasswd.display()
            );
        }
        let config_path = dir.path().join("config.yml");
        std::fs::write(&config_path, config).unwrap();
        let log = std::fs::File::create(dir.path().join("registry.log")).unwrap();
        let child = Command::new("docker-registry")
            .arg("serve")
            .arg(&config_path)
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "start docker-registry ({e}): the plugin distribution tests need the CNCF \
                     Distribution registry (Debian: apt-get install docker-registry; .ci/run \
                     installs it)"
                )
            });
        let registry = Registry { dir, port, child };
        let started = Instant::now();
        while !crate::net::http_status(port, "/v2/").is_some_and(|s| s == 200 || s == 401) {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "docker-registry did not answer /v2/ within 30 s:\n{}",
                registry.log()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        registry
    }

    /// `127.0.0.1:PORT`.
    pub fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// `oci://127.0.0.1:PORT/NAME`.
    pub fn reference(&self, name: &str) -> String {
        format!("oci://{}/{name}", self.host())
    }

    /// A docker config (`config.json`) holding `user` and `password` for this registry, as
    /// `docker login` writes it: base64 of `user:password` under the registry's host.
    pub fn docker_config(&self, user: &str, password: &str) -> String {
        use base64::Engine as _;
        let auth = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
        serde_json::json!({"auths": {self.host(): {"auth": auth}}}).to_string()
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("registry.log")).unwrap_or_default()
    }

    /// The file the registry keeps the blob of `sha256` in (to tamper with it).
    pub fn blob(&self, sha256: &str) -> PathBuf {
        self.dir
            .path()
            .join("data/docker/registry/v2/blobs/sha256")
            .join(&sha256[..2])
            .join(sha256)
            .join("data")
    }

    /// Its storage folder.
    pub fn storage(&self) -> &Path {
        self.dir.path()
    }

    /// Stops it (a registry that is down).
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        self.stop();
    }
}
