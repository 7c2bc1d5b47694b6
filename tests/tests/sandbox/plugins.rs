//! Finding and loading plugins: `--plugin`, `$OMRUN_PLUGIN_PATH`, `<repo>/build/plugins`, and the
//! errors for a missing file, a file that is not a WebAssembly component, an endless file (a
//! device, a FIFO) or one over the size limit (exit 2 at once, one line).

use omrun_tests::scenario::{Mode, checked};
use omrun_tests::{Omrun, PgConfig, PgServer, TestDb, Workdir, plugin};

const SERVICE: &str = "omrun_plugins";
const SMALL_FIXTURE: &str = "CREATE TABLE public.things (id integer PRIMARY KEY, label text);";

fn write_config(work: &Workdir) {
    work.write(
        "config.yaml",
        PgConfig::new(SERVICE, &work.join("out.jsonl")).yaml(),
    );
}

fn bad_plugin_run(work: &Workdir, plugin: &std::path::Path) -> omrun_tests::RunOutput {
    write_config(work);
    Omrun::ingest(work.path(), "config.yaml")
        .plugin(plugin)
        .postgres_env(&PgServer::from_env(), "postgres")
        .output(&work.join("out.jsonl"))
        .run()
}

#[test]
fn missing_plugin_file() {
    let work = Workdir::new();
    let missing = work.join("nowhere/postgres.wasm");
    let out = bad_plugin_run(&work, &missing);
    out.assert_code(2);
    assert_eq!(
        out.single_error(),
        format!("error: plugin file {} not found", missing.display())
    );
}

/// `/dev/zero` and a FIFO would be read forever (or block): refused before they are opened.
#[test]
fn an_endless_plugin_file_is_refused_at_once() {
    let work = Workdir::new();
    let fifo = work.join("fifo.wasm");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    for endless in [std::path::PathBuf::from("/dev/zero"), fifo] {
        let started = std::time::Instant::now();
        let out = bad_plugin_run(&work, &endless);
        out.assert_code(2);
        assert_eq!(
            out.single_error(),
            format!(
                "error: plugin {} is not a regular file (a device, a FIFO or a folder)",
                endless.display()
            )
        );
        assert!(started.elapsed() < std::time::Duration::from_secs(30));
    }
}

/// A file over `pluginLimits.pluginFileSize` is refused without being read.
#[test]
fn a_plugin_file_over_the_size_limit_is_refused() {
    let work = Workdir::new();
    let big = work.write("big.wasm", vec![0u8; 2 << 20]);
    let yaml = PgConfig::new(SERVICE, &work.join("out.jsonl"))
        .yaml()
        .replace(
            "workflowConfig:\n",
            "workflowConfig:\n  pluginLimits:\n    pluginFileSize: 1Mi\n",
        );
    work.write("config.yaml", yaml);
    let out = Omrun::ingest(work.path(), "config.yaml")
        .plugin(&big)
        .postgres_env(&PgServer::from_env(), "postgres")
        .run();
    out.assert_code(2);
    assert_eq!(
        out.single_error(),
        format!(
            "error: plugin {} is 2097152 bytes, more than the limit of 1048576 \
             (workflowConfig.pluginLimits.pluginFileSize)",
            big.display()
        )
    );
}

#[test]
fn text_file_is_not_a_component() {
    let work = Workdir::new();
    let bad = work.write("bad.wasm", "this is not WebAssembly\n");
    let out = bad_plugin_run(&work, &bad);
    out.assert_code(2);
    let prefix = format!(
        "error: plugin {} is not a WebAssembly component: ",
        bad.display()
    );
    assert!(
        out.single_error().starts_with(&prefix),
        "expected {prefix:?}…:\n{}",
        out.describe()
    );
}

#[test]
fn core_module_is_not_a_component() {
    let work = Workdir::new();
    // The smallest valid core WebAssembly module: magic and version 1, no sections.
    let core = work.write("core.wasm", b"\0asm\x01\0\0\0");
    let out = bad_plugin_run(&work, &core);
    out.assert_code(2);
    let prefix = format!(
        "error: plugin {} is not a WebAssembly component: ",
        core.display()
    );
    assert!(
        out.single_error().starts_with(&prefix),
        "expected {prefix:?}…:\n{}",
        out.describe()
    );
}

fn lookup_run(work: &Workdir, db: &TestDb, plugin_path: Option<String>) -> omrun_tests::RunOutput {
    write_config(work);
    let cmd = Omrun::ingest(work.path(), "config.yaml")
        .db(db)
        .mode("sequential", None)
        .output(&work.join("out.jsonl"))
        .report_json(&work.join("report.json"));
    match plugin_path {
        Some(p) => cmd.env("OMRUN_PLUGIN_PATH", p),
        None => cmd,
    }
    .run()
}

#[test]
fn plugin_found_in_omrun_plugin_path() {
    let db = PgServer::from_env().create_database("lookup_path", SMALL_FIXTURE);
    let work = Workdir::new();
    let empty = work.join("empty");
    let dir = work.join("plugins");
    std::fs::create_dir_all(&empty).unwrap();
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(omrun_tests::plugin("postgres"), dir.join("postgres.wasm")).unwrap();
    let out = lookup_run(
        &work,
        &db,
        Some(format!("{}:{}", empty.display(), dir.display())),
    );
    let run = checked(out, Mode::Sequential, "postgres");
    assert_eq!(run.records.count("CreateTableRequest"), 1);
}

#[test]
fn omrun_plugin_path_comes_before_the_repo_build_dir() {
    let db = PgServer::from_env().create_database("lookup_first", SMALL_FIXTURE);
    let work = Workdir::new();
    let dir = work.join("plugins");
    std::fs::create_dir_all(&dir).unwrap();
    let shadow = work.write("plugins/postgres.wasm", "not a component\n");
    let out = lookup_run(&work, &db, Some(dir.display().to_string()));
    out.assert_code(2);
    let prefix = format!(
        "error: plugin {} is not a WebAssembly component: ",
        shadow.display()
    );
    assert!(
        out.single_error().starts_with(&prefix),
        "expected {prefix:?}…:\n{}",
        out.describe()
    );
}

#[test]
fn plugin_found_in_repo_build_dir_by_default() {
    let db = PgServer::from_env().create_database("lookup_default", SMALL_FIXTURE);
    let work = Workdir::new();
    omrun_tests::plugin("postgres"); // built, or this fails saying how to build it
    let out = lookup_run(&work, &db, None);
    let run = checked(out, Mode::Sequential, "postgres");
    assert_eq!(run.records.count("CreateTableRequest"), 1);
}

/// The compiled-plugin cache holds native code: an entry replaced by another plugin's (as someone
/// who can write the cache could do) is not run; it is compiled again, with a warning. A cache
/// folder other users can write is not used at all.
#[test]
fn a_replaced_compiled_plugin_is_not_run() {
    let work = Workdir::new();
    let cache = work.join("cache");
    let inspect = |wasm: &std::path::Path| {
        let out = Omrun::new(work.path())
            .args(["plugin", "inspect"])
            .arg(wasm)
            .env("OMRUN_CACHE_DIR", &cache)
            .run();
        out.assert_success();
        out
    };
    let name = |out: &omrun_tests::RunOutput| {
        let line = out.stdout.lines().find(|l| l.starts_with("name ")).unwrap();
        line.split_whitespace().nth(1).unwrap().to_owned()
    };
    let (postgres, sqlite) = (plugin("postgres"), plugin("sqlite"));
    let entries = || -> std::collections::BTreeSet<std::path::PathBuf> {
        std::fs::read_dir(cache.join("components"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "cwasm"))
            .collect()
    };
    inspect(&postgres);
    let postgres_entry = entries().into_iter().next().expect("an entry");
    inspect(&sqlite);
    let sqlite_entry = entries()
        .into_iter()
        .find(|e| *e != postgres_entry)
        .expect("a second entry");

    std::fs::copy(&sqlite_entry, &postgres_entry).unwrap();
    let out = inspect(&postgres);
    assert_eq!(name(&out), "postgres", "{}", out.describe());
    assert!(
        out.stderr
            .contains("is not what omrun stored for this plugin"),
        "{}",
        out.describe()
    );
    // Compiled again and stored: the next load is a quiet hit.
    let again = inspect(&postgres);
    assert!(!again.stderr.contains("WARN"), "{}", again.describe());

    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(
        cache.join("components"),
        std::fs::Permissions::from_mode(0o777),
    )
    .unwrap();
    let open = inspect(&postgres);
    assert_eq!(name(&open), "postgres");
    assert!(
        open.stderr.contains("Not using the compiled-plugin cache")
            && open.stderr.contains("open to other users (mode 777)"),
        "{}",
        open.describe()
    );
}
