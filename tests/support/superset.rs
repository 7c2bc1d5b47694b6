//! A real Apache Superset (PyPI `apache-superset` 6.1.0, from the virtualenv
//! `scripts/server-venv.sh superset` makes) for the Superset connector's tests, loaded through Superset's
//! own REST API by `tests/support/superset/load.py` with a catalog on the test PostgreSQL.
//!
//! Starting Superset is slow (its metadata database takes ~100 s to create, the server ~15 s to
//! start), so:
//! - the metadata database (SQLite: `superset db upgrade`, `superset fab create-admin`,
//!   `superset init`) is made once per Superset version into `~/.cache/omrun/superset-template/`
//!   and copied for each server;
//! - [`shared`] starts one server per test binary, loaded once, which every test reads (none
//!   writes to it); [`strict`] a second one on a copy of its loaded database, configured as a
//!   production Superset may be: a rate limit on every endpoint (429 with `Retry-After`), pages of
//!   at most 7 rows, access tokens that expire after 3 s.
//!
//! Each server runs in its own temporary folder on a free port, in its own process group under a
//! `sh` that kills the group when the test binary's end closes its standard input.

use crate::net::{free_port, http_status};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::paths::repo_root;
use crate::pg::{PgServer, TestDb};

/// The admin the template database holds.
pub const ADMIN: (&str, &str) = ("admin", "admin-pw");
pub const ADMIN_EMAIL: &str = "admin@example.com";
/// The second user load.py makes, as Superset keeps its e-mail.
pub const BOB_EMAIL: &str = "Bob.Builder@Example.com";
/// Dashboards load.py makes on the shared server.
pub const DASHBOARDS: usize = 12;
/// `FAB_API_MAX_PAGE_SIZE` of the strict server.
pub const STRICT_PAGE_SIZE: usize = 7;
/// Its access tokens' lifetime.
pub const STRICT_TOKEN_SECS: u64 = 3;

/// The `shop` schema the datasets read.
pub const SHOP_SQL: &str = "
CREATE SCHEMA shop;
CREATE TABLE shop.customers (id integer PRIMARY KEY, name text NOT NULL, email varchar(80));
CREATE TABLE shop.orders (id integer PRIMARY KEY, customer varchar(40), amount numeric(12,2),
    created_at timestamp, paid boolean, tags text[]);
CREATE TABLE shop.returns (id integer PRIMARY KEY, order_id integer, reason text);
COMMENT ON COLUMN shop.orders.amount IS 'In euros';
";

/// The virtualenv holding Superset (`paths::server_venv`).
pub fn venv() -> PathBuf {
    crate::paths::server_venv("superset")
}

/// A running Superset.
pub struct Superset {
    url: String,
    dir: tempfile::TempDir,
    _child: Child,
    /// Held open: the `sh` above Superset kills its process group once it closes.
    _stdin: ChildStdin,
}

impl Superset {
    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Its metadata database.
    pub fn database(&self) -> PathBuf {
        self.dir.path().join("superset.db")
    }

    /// Its log (the server's output).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("superset.log")).unwrap_or_default()
    }

    /// Starts a Superset on a copy of `database` with `extra` lines of configuration.
    pub fn start(database: &Path, extra: &str) -> Superset {
        let venv = venv();
        let dir = tempfile::tempdir().expect("temporary directory");
        let db = dir.path().join("superset.db");
        std::fs::copy(database, &db)
            .unwrap_or_else(|e| panic!("copy {} to {}: {e}", database.display(), db.display()));
        write_config(dir.path(), &db, extra);
        let port = free_port();
        let log = std::fs::File::create(dir.path().join("superset.log")).unwrap();
        let mut child = Command::new("sh")
            .arg("-c")
            // Superset in the background; when our stdin closes (the test binary ended, however),
            // the whole process group goes.
            .arg("\"$@\" & cat >/dev/null; kill -TERM 0")
            .arg("sh")
            .arg(venv.join("bin/superset"))
            .args([
                "run",
                "-h",
                "127.0.0.1",
                "-p",
                &port.to_string(),
                "--with-threads",
            ])
            .envs(superset_env(dir.path()))
            .current_dir(dir.path())
            .process_group(0)
            .stdin(Stdio::piped())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("start Superset: {e}"));
        let stdin = child.stdin.take().unwrap();
        let server = Superset {
            url: format!("http://127.0.0.1:{port}"),
            dir,
            _child: child,
            _stdin: stdin,
        };
        let started = Instant::now();
        while http_status(port, "/health") != Some(200) {
            assert!(
                started.elapsed() < Duration::from_secs(180),
                "Superset did not answer /health within 180 s:\n{}",
                server.log()
            );
            std::thread::sleep(Duration::from_millis(250));
        }
        server
    }
}

use std::os::unix::process::CommandExt as _;

fn superset_env(dir: &Path) -> Vec<(String, String)> {
    vec![
        (
            "SUPERSET_CONFIG_PATH".into(),
            dir.join("superset_config.py").display().to_string(),
        ),
        ("FLASK_APP".into(), "superset".into()),
        ("SUPERSET_HOME".into(), dir.display().to_string()),
    ]
}

fn write_config(dir: &Path, db: &Path, extra: &str) {
    let config = format!(
        "SECRET_KEY = 'omrun-test-secret-key-0123456789abcdef'\n\
         SQLALCHEMY_DATABASE_URI = 'sqlite:///{}'\n\
         # The users API, for load.py's second user.\n\
         FAB_ADD_SECURITY_API = True\n\
         SUPERSET_LOG_LEVEL = 'WARNING'\n{extra}\n",
        db.display()
    );
    std::fs::write(dir.join("superset_config.py"), config).unwrap();
}

/// The template metadata database of this Superset version, made once (about 100 s).
fn template() -> PathBuf {
    let venv = venv();
    let version = std::fs::read_to_string(venv.join(".omrun-installed"))
        .unwrap_or_default()
        .split_whitespace()
        .next()
        .unwrap_or("apache-superset")
        .replace("==", "-");
    let home = PathBuf::from(std::env::var_os("HOME").expect("HOME"));
    let dir = home.join(".cache/omrun/superset-template").join(version);
    let db = dir.join("superset.db");
    if db.is_file() {
        return db;
    }
    let work = tempfile::tempdir().expect("temporary directory");
    let made = work.path().join("superset.db");
    write_config(work.path(), &made, "");
    let superset = venv.join("bin/superset");
    let steps: [&[&str]; 3] = [
        &["db", "upgrade"],
        &[
            "fab",
            "create-admin",
            "--username",
            ADMIN.0,
            "--firstname",
            "Ada",
            "--lastname",
            "Admin",
            "--email",
            ADMIN_EMAIL,
            "--password",
            ADMIN.1,
        ],
        &["init"],
    ];
    for args in steps {
        let out = Command::new(&superset)
            .args(args)
            .envs(superset_env(work.path()))
            .current_dir(work.path())
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("superset {}: {e}", args.join(" ")));
        assert!(
            out.status.success(),
            "superset {} failed:\n{}\n{}",
            args.join(" "),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    std::fs::create_dir_all(&dir).unwrap();
    // Another test binary may have finished first: either copy is as good.
    let partial = dir.join(format!("superset.db.{}", std::process::id()));
    std::fs::copy(&made, &partial).unwrap();
    std::fs::rename(&partial, &db).unwrap();
    db
}

/// The shared Superset with load.py's catalog, and what load.py made (see its docstring).
pub struct Loaded {
    pub server: Superset,
    /// load.py's output: `database`, `users`, `datasets`, `charts`, `dashboards`, `orphan`,
    /// `shared`, `unused_dataset`.
    pub catalog: Value,
    /// The PostgreSQL database Superset's connection names.
    pub pg_database: String,
}

/// The shared Superset, started and loaded on first use (within a minute or two).
pub fn shared() -> &'static Loaded {
    static SHARED: OnceLock<Loaded> = OnceLock::new();
    SHARED.get_or_init(|| {
        let template = template();
        let db: &'static TestDb = Box::leak(Box::new(
            PgServer::from_env().create_database("superset", SHOP_SQL),
        ));
        let server = Superset::start(&template, "");
        let catalog = load(&server, db, DASHBOARDS);
        Loaded {
            server,
            catalog,
            pg_database: db.name.clone(),
        }
    })
}

/// A second Superset on a copy of the shared one's loaded database: rate-limited (5 calls a
/// second per endpoint, `Retry-After` sent), pages of at most [`STRICT_PAGE_SIZE`] rows, tokens that expire
/// after [`STRICT_TOKEN_SECS`].
pub fn strict() -> &'static Superset {
    static STRICT: OnceLock<Superset> = OnceLock::new();
    STRICT.get_or_init(|| {
        let loaded = shared();
        Superset::start(
            &loaded.server.database(),
            &format!(
                "from datetime import timedelta\n\
                 RATELIMIT_ENABLED = True\n\
                 RATELIMIT_DEFAULT = '5 per 1 second'\n\
                 RATELIMIT_HEADERS_ENABLED = True\n\
                 RATELIMIT_STORAGE_URI = 'memory://'\n\
                 AUTH_RATE_LIMITED = False\n\
                 FAB_API_MAX_PAGE_SIZE = {STRICT_PAGE_SIZE}\n\
                 JWT_ACCESS_TOKEN_EXPIRES = timedelta(seconds={STRICT_TOKEN_SECS})\n"
            ),
        )
    })
}

/// Runs load.py against `server` with the test database `db`.
fn load(server: &Superset, db: &TestDb, dashboards: usize) -> Value {
    let s = &db.server;
    let uri = format!(
        "postgresql+psycopg2://{}:{}@{}:{}/{}",
        s.user, s.password, s.host, s.port, db.name
    );
    let script = repo_root().join("tests/support/superset/load.py");
    let mut child = Command::new(venv().join("bin/python"))
        .arg(&script)
        .arg(server.url())
        .arg(&uri)
        .arg(dashboards.to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("run {}: {e}", script.display()));
    let mut out = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    let status = child.wait().unwrap();
    assert!(
        status.success(),
        "load.py failed:\n{err}\nSuperset's log:\n{}",
        server.log()
    );
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("load.py's output: {e}\n{out}"))
}

/// What OpenMetadata's own Superset connector (its API source, openmetadata-ingestion 2.0.7.0,
/// through `tests/support/om_connector.py`) sends for the shared Superset as `service`, writing
/// into the OpenMetadata stand-in `om`: every Create request its sink is handed, in order, as
/// `{"kind", "request"}`. Panics with its log unless it succeeds.
pub fn openmetadata_ingest(om: &crate::openmetadata::StandIn, service: &str) -> Vec<Value> {
    let loaded = shared();
    let source = format!(
        "source:\n  type: superset\n  serviceName: {service}\n  serviceConnection:\n    config:\n      \
         type: Superset\n      hostPort: {}\n      connection:\n        provider: db\n        \
         username: {}\n        password: {}\n  sourceConfig:\n    config:\n      \
         type: DashboardMetadata\n",
        loaded.server.url(),
        ADMIN.0,
        ADMIN.1
    );
    let patches = repo_root().join("tests/support/superset/om_patches.py");
    crate::om_ingest::run_connector(
        "Superset",
        &source,
        om,
        std::ffi::OsStr::new(""),
        Some(&patches),
    )
}
