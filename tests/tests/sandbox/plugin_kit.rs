//! The plugin kit as a third party meets it: `omrun plugin inspect` on a built plugin, the refusal
//! of a plugin built for a contract this omrun does not know, and a connector scaffolded with
//! `omrun plugin new` in a directory outside the repository, built there with cargo against the
//! SDK as `cargo package` makes it for crates.io, and run end to end into the file sink: the sql kind against the test PostgreSQL, the http
//! kind against a JSON API served by the test.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use omrun_tests::Workflow;
use omrun_tests::{
    Omrun, PgConfig, PgServer, SqliteConfig, Workdir, column, column_names, fqn, plugin, repo_root,
};
use serde_json::{Value, json};

/// The newest contract this omrun supports, as the SDK stamps it.
const CONTRACT: &str = "omrun:connector@0.6.0";
/// The custom section the SDK writes it into, as it appears in the file: the name's length byte,
/// then the name.
const SECTION_NAME: &[u8] = b"\x0eomrun:contract";

fn inspect_json(work: &Workdir, wasm: &Path) -> Value {
    let out = Omrun::new(work.path())
        .args(["plugin", "inspect", "--json"])
        .arg(wasm)
        .run();
    out.assert_success();
    serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("inspect --json is not JSON ({e}):\n{}", out.describe()))
}

fn sha256_of(file: &Path) -> String {
    let out = Command::new("sha256sum")
        .arg(file)
        .output()
        .expect("run sha256sum");
    assert!(out.status.success(), "sha256sum {}", file.display());
    let text = String::from_utf8(out.stdout).unwrap();
    text.split_whitespace().next().unwrap().to_owned()
}

#[test]
fn inspect_json_describes_the_postgres_plugin() {
    let work = Workdir::new();
    let wasm = plugin("postgres");
    let info = inspect_json(&work, &wasm);

    assert_eq!(info["file"], json!(wasm.display().to_string()));
    assert_eq!(info["name"], json!("postgres"));
    assert_eq!(info["version"], json!("0.1.0"));
    assert_eq!(info["contract"], json!(CONTRACT));
    assert_eq!(info["contractStamped"], json!(true));
    assert_eq!(info["serviceTypes"], json!(["Postgres"]));
    assert_eq!(
        info["capabilities"],
        json!([{ "kind": "sql", "target": "source" }])
    );
    assert_eq!(info["world"], json!("discoverable-source"));
    assert_eq!(info["sequentialOnly"], json!(false));
    let size = std::fs::metadata(&wasm).unwrap().len();
    assert_eq!(info["sizeBytes"], json!(size));
    assert_eq!(info["sha256"], json!(sha256_of(&wasm)));
    let keys: BTreeSet<&str> = info
        .as_object()
        .unwrap()
        .keys()
        .map(|k| k.as_str())
        .collect();
    assert_eq!(keys.len(), 11, "unexpected fields: {keys:?}");
}

#[test]
fn inspect_table_names_every_field() {
    let work = Workdir::new();
    let out = Omrun::new(work.path())
        .args(["plugin", "inspect"])
        .arg(plugin("postgres"))
        .run();
    out.assert_success();
    for (label, value) in [
        ("name", "postgres"),
        ("contract", CONTRACT),
        ("service types", "Postgres"),
        ("capabilities", "sql `source`"),
        ("world", "discoverable-source"),
    ] {
        assert!(
            out.stdout
                .lines()
                .any(|l| l.starts_with(label) && l.contains(value)),
            "no `{label}` row with {value:?}:\n{}",
            out.describe()
        );
    }
}

/// A copy of a built plugin with its stamp's section rewritten by `edit` (name and text are
/// replaced in place, same length, so the file stays a valid component).
fn restamped(work: &Workdir, name: &str, edit: impl Fn(&mut [u8])) -> PathBuf {
    let mut wasm = std::fs::read(plugin("postgres")).unwrap();
    let at = wasm
        .windows(SECTION_NAME.len())
        .position(|w| w == SECTION_NAME)
        .expect("build/plugins/postgres.wasm carries the omrun:contract section");
    let stamp = &wasm[at + SECTION_NAME.len()..][..CONTRACT.len()];
    assert_eq!(stamp, CONTRACT.as_bytes(), "the stamp is the contract");
    edit(&mut wasm[at..at + SECTION_NAME.len() + CONTRACT.len()]);
    let path = work.join(name);
    std::fs::write(&path, wasm).unwrap();
    path
}

fn replace(bytes: &mut [u8], from: &[u8], to: &[u8]) {
    assert_eq!(from.len(), to.len());
    let at = bytes.windows(from.len()).position(|w| w == from).unwrap();
    bytes[at..at + to.len()].copy_from_slice(to);
}

#[test]
fn a_plugin_built_for_an_unknown_contract_is_refused_before_compiling() {
    let work = Workdir::new();
    let wasm = restamped(&work, "future.wasm", |section| {
        replace(section, b"@0.6.0", b"@9.9.9")
    });
    let expected = format!(
        "error: plugin {} was built for omrun:connector@9.9.9, this omrun supports \
         omrun:connector@0.1.0–0.6.0",
        wasm.display()
    );
    // A cache of its own: an entry in it would mean the plugin was compiled.
    let cache = work.join("cache");

    let inspect = Omrun::new(work.path())
        .args(["plugin", "inspect"])
        .arg(&wasm)
        .env("OMRUN_CACHE_DIR", &cache)
        .run();
    inspect.assert_code(2);
    assert_eq!(inspect.single_error(), expected);

    let database = work.join("empty.db");
    rusqlite::Connection::open(&database)
        .and_then(|c| c.execute_batch("CREATE TABLE t (id INTEGER)"))
        .unwrap();
    let output = work.join("out.jsonl");
    let config = work.write(
        "config.yaml",
        SqliteConfig::new("future", &database, &output).yaml(),
    );
    let ingest = Omrun::ingest(work.path(), &config)
        .plugin(&wasm)
        .env("OMRUN_CACHE_DIR", &cache)
        .run();
    ingest.assert_code(2);
    assert_eq!(ingest.single_error(), expected);
    assert!(!output.exists(), "nothing was ingested");

    let compiled = std::fs::read_dir(cache.join("components"))
        .map(|entries| entries.count())
        .unwrap_or(0);
    assert_eq!(compiled, 0, "the refused plugin was compiled");
}

#[test]
fn a_plugin_without_the_stamp_is_loaded_as_the_contract_its_exports_name() {
    let work = Workdir::new();
    // Renaming the section leaves an unknown custom section: as if built without omrun-sdk.
    let wasm = restamped(&work, "unstamped.wasm", |section| {
        replace(section, b"omrun:contract", b"omrun:contrac_")
    });
    let info = inspect_json(&work, &wasm);
    assert_eq!(info["contractStamped"], json!(false));
    assert_eq!(info["contract"], json!(CONTRACT));
    assert_eq!(info["name"], json!("postgres"));
}

/// Connectors built for the frozen contracts 0.1.0 to 0.5.0 with plain wit-bindgen
/// (tests/plugins/legacy-v0-1, legacy-v0-2: one connector bound to each; legacy-v0-3 to
/// legacy-v0-5: the same connector with 0.3.0's fields) run through the host's binding of their
/// contract, upgraded into the newest, next to SDK plugins of 0.6.0 (0.5.0's one-list discovery
/// answered as a single page).
#[test]
fn plugins_of_older_contracts_still_ingest() {
    for (plugin, contract) in [
        ("legacy_v0_1", "omrun:connector@0.1.0"),
        ("legacy_v0_2", "omrun:connector@0.2.0"),
        ("legacy_v0_3", "omrun:connector@0.3.0"),
        ("legacy_v0_4", "omrun:connector@0.4.0"),
        ("legacy_v0_5", "omrun:connector@0.5.0"),
    ] {
        older_contract_ingests(plugin, contract);
    }
}

fn older_contract_ingests(plugin: &str, contract: &str) {
    let work = Workdir::new();
    let legacy = omrun_tests::test_plugin(plugin);
    let info = inspect_json(&work, &legacy);
    assert_eq!(info["contract"], json!(contract));
    assert_eq!(info["contractStamped"], json!(true));

    let output = work.join("legacy.jsonl");
    let config = work.write(
        "legacy.yaml",
        format!(
            "source:\n  type: legacy\n  serviceName: legacy_svc\n  serviceConnection:\n    config:\n      type: CustomDatabase\n      tables: [orders, customers, items]\nsink:\n  type: file\n  config:\n    filename: {}\nworkflowConfig:\n  distributedExecution:\n    enabled: true\n    orchestrator: local\n    parallelism: 2\n",
            omrun_tests::yaml_str(&output.to_string_lossy())
        ),
    );
    let out = Omrun::ingest(work.path(), &config)
        .plugin(&legacy)
        .output(&output)
        .run();
    out.assert_success();
    let records = out.records();
    let tables: Vec<String> = records
        .of_kind("CreateTableRequest")
        .map(|r| r.fqn.clone())
        .collect();
    assert_eq!(
        tables.len(),
        3,
        "every table of the {contract} plugin arrives: {tables:?}"
    );
    for name in ["orders", "customers", "items"] {
        let fqn = fqn(&["legacy_svc", "legacy", "main", name]);
        assert!(tables.contains(&fqn), "{tables:?}");
        // Upgraded: what the newer contracts added is absent, not empty; what the plugin's own
        // contract has (since 0.3.0: a source URL) comes through.
        let table = records.get(&fqn);
        assert_eq!(
            table["columns"].as_array().map(Vec::len),
            Some(2),
            "{table}"
        );
        assert!(table.get("tags").is_none(), "{contract}: tags in {table}");
        if [
            "omrun:connector@0.3.0",
            "omrun:connector@0.4.0",
            "omrun:connector@0.5.0",
        ]
        .contains(&contract)
        {
            assert_eq!(
                table["sourceUrl"],
                json!(format!("https://legacy.example/{name}")),
                "{table}"
            );
        } else {
            assert!(
                table.get("sourceUrl").is_none(),
                "{contract}: sourceUrl in {table}"
            );
        }
        assert!(
            table["columns"]
                .as_array()
                .unwrap()
                .iter()
                .all(|c| c.get("children").is_none() && c.get("tags").is_none()),
            "{table}"
        );
    }
    assert_eq!(records.count("CreateTagRequest"), 0);
}

const PLUGIN: &str = "kit-tables";

/// Where the scaffolded crate is built: under ~/.cache/omrun, so repeated runs (and CI with a
/// cached home) reuse the SDK's and wit-bindgen's compiled artifacts.
fn scaffold_target_dir() -> PathBuf {
    let home = std::env::var_os("HOME").expect("HOME is set");
    PathBuf::from(home).join(".cache/omrun/plugin-kit-target")
}

/// The SDK as crates.io would serve it: `cargo package` of plugins/sdk (only the files its
/// manifest includes, the WIT links resolved into files), unpacked into `work`.
fn packaged_sdk(work: &Workdir) -> PathBuf {
    let manifest = std::fs::read_to_string(repo_root().join("plugins/sdk/Cargo.toml")).unwrap();
    let version = manifest
        .lines()
        .find_map(|line| line.strip_prefix("version = \""))
        .and_then(|rest| rest.strip_suffix('"'))
        .expect("the SDK's version");
    let target = scaffold_target_dir().join("sdk-package");
    let package = Command::new(std::env::var_os("CARGO").unwrap_or("cargo".into()))
        .args(["package", "-p", "omrun-sdk", "--no-verify", "--allow-dirty"])
        .arg("--target-dir")
        .arg(&target)
        .current_dir(repo_root().join("plugins"))
        .output()
        .expect("run cargo package");
    assert!(
        package.status.success(),
        "cargo package of omrun-sdk failed:\n{}",
        String::from_utf8_lossy(&package.stderr)
    );
    let unpacked = work.join("registry");
    std::fs::create_dir_all(&unpacked).unwrap();
    let crate_file = target.join(format!("package/omrun-sdk-{version}.crate"));
    let tar = Command::new("tar")
        .arg("xzf")
        .arg(&crate_file)
        .arg("-C")
        .arg(&unpacked)
        .status()
        .expect("run tar");
    assert!(tar.success(), "cannot unpack {}", crate_file.display());
    let sdk = unpacked.join(format!("omrun-sdk-{version}"));
    // It stands alone: the contract's files are in it, as files.
    for wit in [
        "wit/connector/worlds.wit",
        "wit/sql/sql.wit",
        "wit/log/log.wit",
    ] {
        let meta = std::fs::symlink_metadata(sdk.join(wit)).unwrap();
        assert!(meta.is_file(), "{wit} is not a file in the package");
    }
    sdk
}

/// `omrun plugin new NAME --kind KIND` into `dir`, then `cargo build --release` there as an
/// author would, against the packaged SDK (`--sdk`: a `[patch.crates-io]` for the version the
/// crate asks for); the built component, copied into `work`.
fn scaffold_and_build(work: &Workdir, dir: &Path, name: &str, kind: &str) -> PathBuf {
    let sdk = packaged_sdk(work);
    Omrun::new(work.path())
        .args(["plugin", "new", name, "--kind", kind, "--dir"])
        .arg(dir)
        .arg("--sdk")
        .arg(&sdk)
        .run()
        .assert_success();
    let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap();
    assert!(
        manifest.contains("omrun-sdk = \"0.6\"\n"),
        "the SDK by version:\n{manifest}"
    );
    let patch = format!(
        "[patch.crates-io]\nomrun-sdk = {{ path = \"{}\" }}",
        sdk.canonicalize().unwrap().display()
    );
    assert!(manifest.contains(&patch), "{manifest}");
    assert!(manifest.contains("[workspace]"), "a workspace of its own");
    let readme = std::fs::read_to_string(dir.join("README.md")).unwrap();
    assert!(
        !readme.contains("{{"),
        "placeholders left in README.md:\n{readme}"
    );

    let target = scaffold_target_dir();
    let build = Command::new(std::env::var_os("CARGO").unwrap_or("cargo".into()))
        .args(["build", "--release"])
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", &target)
        // The test runs inside `cargo test`: none of its build settings may leak into the
        // author's build.
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_BUILD_TARGET")
        .output()
        .expect("run cargo");
    assert!(
        build.status.success(),
        "cargo build of the scaffolded plugin failed:\n{}",
        String::from_utf8_lossy(&build.stderr)
    );
    let lib = name.replace('-', "_");
    let wasm = target.join(format!("wasm32-wasip2/release/{lib}.wasm"));
    assert!(wasm.is_file(), "{} was not built", wasm.display());
    // Copied out, so a concurrent run rebuilding the shared target cannot change it under us.
    let copy = work.join(&format!("{lib}.wasm"));
    std::fs::copy(&wasm, &copy).unwrap();
    copy
}

#[test]
fn a_scaffolded_plugin_builds_outside_the_repo_and_ingests_postgres() {
    let work = Workdir::new();
    let crate_dir = work.join("authors-workspace/kit-tables");
    assert!(
        !crate_dir.starts_with(repo_root()),
        "outside the repository"
    );
    let wasm = scaffold_and_build(&work, &crate_dir, PLUGIN, "sql");

    let info = inspect_json(&work, &wasm);
    assert_eq!(info["name"], json!(PLUGIN));
    assert_eq!(info["contract"], json!(CONTRACT));
    assert_eq!(info["contractStamped"], json!(true));
    assert_eq!(info["world"], json!("discoverable-source"));

    let db = PgServer::from_env().create_database(
        "plugin_kit",
        "CREATE SCHEMA shop;
         CREATE TABLE shop.customers (id integer PRIMARY KEY, name varchar(40) NOT NULL);
         CREATE TABLE shop.orders (id bigint, amount numeric(10,2), placed timestamptz);",
    );
    let output = work.join("out.jsonl");
    let config = work.write(
        "config.yaml",
        PgConfig::new("kit", &output)
            .orchestrator("local", 2)
            .yaml(),
    );
    let out = Omrun::ingest(work.path(), &config)
        .plugin(&wasm)
        .db(&db)
        .output(&output)
        .run();
    out.assert_success();

    // Records::read validates every request against OpenMetadata's schemas.
    let records = out.records();
    assert_eq!(
        records.database_fqns(),
        BTreeSet::from([fqn(&["kit", &db.name])])
    );
    assert_eq!(
        records.schema_fqns(),
        BTreeSet::from([fqn(&["kit", &db.name, "shop"])])
    );
    let customers = fqn(&["kit", &db.name, "shop", "customers"]);
    let orders = fqn(&["kit", &db.name, "shop", "orders"]);
    assert_eq!(
        records.table_fqns(),
        BTreeSet::from([customers.clone(), orders.clone()])
    );
    let customers = records.get(&customers);
    assert_eq!(column_names(customers), ["id", "name"]);
    assert_eq!(column(customers, "id")["dataType"], json!("INT"));
    assert_eq!(column(customers, "name")["dataType"], json!("VARCHAR"));
    assert_eq!(column(customers, "name")["dataLength"], json!(40));
    let orders = records.get(&orders);
    assert_eq!(column_names(orders), ["id", "amount", "placed"]);
    assert_eq!(column(orders, "placed")["dataType"], json!("TIMESTAMPZ"));
}

const HTTP_PLUGIN: &str = "kit-api";
const API_SERVICE: &str = "kit_dashboards";
/// The API key: in the config by variable, sent by the plugin as a placeholder the host fills in.
const API_KEY: &str = "kit-4pi-k3y-Zq9x!";

/// The tiny JSON API the `--kind http` template expects, served on 127.0.0.1: every call must
/// carry `x-api-key: API_KEY`, else 401. Counts the calls it refused.
struct DashboardApi {
    addr: std::net::SocketAddr,
    refused: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl DashboardApi {
    fn start(dashboards: Vec<Value>) -> DashboardApi {
        use axum::extract::{Path as UrlPath, State};
        use axum::http::{HeaderMap, StatusCode, header::CONTENT_TYPE};
        use axum::response::{IntoResponse, Response};
        use axum::routing::get;
        use std::sync::Arc;
        use std::sync::atomic::{AtomicUsize, Ordering};

        #[derive(Clone)]
        struct Api {
            dashboards: Arc<Vec<Value>>,
            refused: Arc<AtomicUsize>,
        }
        fn answer(api: &Api, headers: &HeaderMap, body: Option<Value>) -> Response {
            let key = headers.get("x-api-key").and_then(|v| v.to_str().ok());
            if key != Some(API_KEY) {
                api.refused.fetch_add(1, Ordering::SeqCst);
                return (StatusCode::UNAUTHORIZED, "wrong or missing x-api-key").into_response();
            }
            match body {
                Some(body) => {
                    ([(CONTENT_TYPE, "application/json")], body.to_string()).into_response()
                }
                None => (StatusCode::NOT_FOUND, "no such dashboard").into_response(),
            }
        }
        async fn list(State(api): State<Api>, headers: HeaderMap) -> Response {
            let items: Vec<Value> = api
                .dashboards
                .iter()
                .map(|d| json!({"id": d["id"], "title": d["title"]}))
                .collect();
            answer(&api, &headers, Some(Value::Array(items)))
        }
        async fn one(
            State(api): State<Api>,
            UrlPath(id): UrlPath<String>,
            headers: HeaderMap,
        ) -> Response {
            let found = api
                .dashboards
                .iter()
                .find(|d| d["id"] == id.as_str())
                .cloned();
            answer(&api, &headers, found)
        }

        let refused = Arc::new(AtomicUsize::new(0));
        let app = axum::Router::new()
            .route("/api/dashboards", get(list))
            .route("/api/dashboards/{id}", get(one))
            .with_state(Api {
                dashboards: Arc::new(dashboards),
                refused: refused.clone(),
            });
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                let serve = std::future::IntoFuture::into_future(axum::serve(listener, app));
                tokio::select! {
                    r = serve => r.unwrap(),
                    _ = stopped => {}
                }
            });
            rt.shutdown_background();
        });
        DashboardApi {
            addr,
            refused,
            stop: Some(stop),
            thread: Some(thread),
        }
    }
}

impl Drop for DashboardApi {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// `omrun plugin new --kind http`: the dashboard connector template, scaffolded outside the
/// repository, built there against the SDK, and run against a JSON API served here. Every
/// dashboard arrives with its charts; the API key reaches the API (filled in by the host) and
/// nothing omrun writes.
#[test]
fn a_scaffolded_http_plugin_builds_outside_the_repo_and_ingests_a_json_api() {
    let work = Workdir::new();
    let crate_dir = work.join("authors-workspace/kit-api");
    assert!(
        !crate_dir.starts_with(repo_root()),
        "outside the repository"
    );
    let wasm = scaffold_and_build(&work, &crate_dir, HTTP_PLUGIN, "http");
    let readme = std::fs::read_to_string(crate_dir.join("README.md")).unwrap();
    assert!(readme.contains("type: CustomDashboard"), "{readme}");
    assert!(
        !readme.contains("PostgreSQL"),
        "only the http sections: {readme}"
    );

    let info = inspect_json(&work, &wasm);
    assert_eq!(info["name"], json!(HTTP_PLUGIN));
    assert_eq!(info["contract"], json!(CONTRACT));
    assert_eq!(info["serviceTypes"], json!(["CustomDashboard"]));
    assert_eq!(
        info["capabilities"],
        json!([{ "kind": "http", "target": "source" }])
    );
    assert_eq!(info["world"], json!("discoverable-source"));

    // (id, title, description, charts as (id, title, type, OpenMetadata's chartType)).
    type Chart<'a> = (&'a str, &'a str, &'a str, &'a str);
    let catalog: [(&str, &str, Option<&str>, Vec<Chart>); 4] = [
        (
            "sales",
            "Sales",
            Some("Revenue by region"),
            vec![
                ("sales-by-region", "By region", "bar", "Bar"),
                ("sales-trend", "Trend", "line", "Line"),
                ("sales-share", "Share", "pie", "Pie"),
            ],
        ),
        (
            "ops",
            "Operations",
            None,
            vec![("ops-tickets", "Open tickets", "table", "Table")],
        ),
        (
            "exec.summary",
            "Executive summary",
            Some("The board's view"),
            vec![
                ("exec-kpis", "KPIs", "number", "Text"),
                ("exec-funnel", "Funnel", "sankey-ish", "Other"),
            ],
        ),
        ("empty", "Nothing yet", None, vec![]),
    ];
    let dashboards: Vec<Value> = catalog
        .iter()
        .map(|(id, title, description, charts)| {
            json!({
                "id": id,
                "title": title,
                "description": description,
                "owner": "someone",
                "charts": charts
                    .iter()
                    .map(|(id, title, kind, _)| json!({"id": id, "title": title, "type": kind}))
                    .collect::<Vec<_>>(),
            })
        })
        .collect();
    let api = DashboardApi::start(dashboards);

    let output = work.join("api.jsonl");
    let config = work.write(
        "api.yaml",
        format!(
            "source:\n  type: {HTTP_PLUGIN}\n  serviceName: {API_SERVICE}\n  serviceConnection:\n    config:\n      type: CustomDashboard\n      hostPort: http://{}\n      apiKey: ${{KIT_API_KEY}}\n  sourceConfig:\n    config:\n      type: DashboardMetadata\nsink:\n  type: file\n  config:\n    filename: {}\nworkflowConfig:\n  distributedExecution:\n    enabled: true\n    orchestrator: local\n    parallelism: 2\n",
            api.addr,
            omrun_tests::yaml_str(&output.to_string_lossy())
        ),
    );
    let out = Omrun::ingest(work.path(), &config)
        .plugin(&wasm)
        .env("KIT_API_KEY", API_KEY)
        .secret(API_KEY)
        .output(&output)
        .report_json(&work.join("api.report.json"))
        .run();
    out.assert_success();
    assert_eq!(
        api.refused.load(std::sync::atomic::Ordering::SeqCst),
        0,
        "every call carried the API key:\n{}",
        out.describe()
    );

    // Records::read validates every request against OpenMetadata's schemas (the service, the
    // charts, the dashboards).
    let records = out.records();
    assert_eq!(records.count("CreateDashboardServiceRequest"), 1);
    assert_eq!(records.service()["serviceType"], json!("CustomDashboard"));
    let f = |name: &str| fqn(&[API_SERVICE, name]);
    assert_eq!(
        records.fqns("CreateDashboardRequest"),
        catalog.iter().map(|(id, ..)| f(id)).collect()
    );
    let all_charts: BTreeSet<String> = catalog
        .iter()
        .flat_map(|(_, _, _, charts)| charts.iter().map(|(id, ..)| f(id)))
        .collect();
    assert_eq!(records.fqns("CreateChartRequest"), all_charts);
    for (id, title, description, charts) in &catalog {
        let d = records
            .of_kind("CreateDashboardRequest")
            .find(|r| r.fqn == f(id))
            .map(|r| &r.request)
            .unwrap();
        assert_eq!(d["displayName"], json!(title), "{d}");
        assert_eq!(
            d.get("description").and_then(Value::as_str),
            *description,
            "{d}"
        );
        let listed: Vec<&str> = d["charts"]
            .as_array()
            .map(|a| a.iter().map(|c| c.as_str().unwrap()).collect())
            .unwrap_or_default();
        let want: Vec<String> = charts.iter().map(|(c, ..)| f(c)).collect();
        assert_eq!(listed, want, "charts of dashboard {id}: {d}");
        for (chart, chart_title, _, chart_type) in charts {
            let c = records
                .of_kind("CreateChartRequest")
                .find(|r| r.fqn == f(chart))
                .map(|r| &r.request)
                .unwrap();
            assert_eq!(c["displayName"], json!(chart_title), "{c}");
            assert_eq!(c["chartType"], json!(chart_type), "{c}");
        }
    }
}

/// What the SDK gives every connector (tests/plugins/synthetic uses both): `log` and `tracing`
/// macros reach the host's log under the plugin's name, and the default `process` describes each
/// ref of a batch with the connector's `process_one`.
#[test]
fn the_sdk_routes_log_and_tracing_to_the_host_and_its_default_process_uses_process_one() {
    let work = Workdir::new();
    let output = work.join("synthetic.jsonl");
    let config = work.write(
        "synthetic.yaml",
        format!(
            "source:\n  type: synthetic\n  serviceName: synth\n  serviceConnection:\n    config:\n      type: CustomDatabase\n      tables: 7\nsink:\n  type: file\n  config:\n    filename: {}\nworkflowConfig:\n  distributedExecution:\n    enabled: true\n    orchestrator: local\n    parallelism: 2\n    batchSize: 3\n",
            omrun_tests::yaml_str(&output.to_string_lossy())
        ),
    );
    let out = Omrun::ingest(work.path(), &config)
        .plugin(omrun_tests::test_plugin("synthetic"))
        .output(&output)
        .run();
    out.assert_success();
    out.assert_stderr_line("synthetic: synthetic: 7 tables via the log facade");
    out.assert_stderr_line("synthetic: synthetic: opened via tracing");
    let tables = out.records().of_kind("CreateTableRequest").count();
    assert_eq!(tables, 7, "batches of 3 described ref by ref");
}
