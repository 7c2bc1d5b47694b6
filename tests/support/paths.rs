//! Where the things under test are: the repository, the `omrun` binary, the plugins, the caches.

use std::path::PathBuf;

/// The repository root (the parent of `tests/`). `cargo test` sets `CARGO_MANIFEST_DIR` when it
/// runs a test, and that is preferred over the compile-time value: two clones sharing one target
/// directory may run a test binary that the other clone compiled.
pub fn repo_root() -> PathBuf {
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    manifest_dir
        .parent()
        .expect("tests/ has a parent")
        .to_path_buf()
}

/// The cargo target directory the host was built into.
pub fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(d) if !d.is_empty() => PathBuf::from(d),
        _ => repo_root().join("target"),
    }
}

/// The `omrun` binary: `$OMRUN_BIN`, else `<target>/debug/omrun`. Panics if it does not exist.
pub fn omrun_bin() -> PathBuf {
    let bin = match std::env::var_os("OMRUN_BIN") {
        Some(b) if !b.is_empty() => PathBuf::from(b),
        _ => target_dir().join("debug").join("omrun"),
    };
    assert!(
        bin.is_file(),
        "the omrun binary {} does not exist: run the tests with scripts/test.sh, or build it \
         (`cargo build -p omrun`) and set OMRUN_BIN",
        bin.display()
    );
    bin
}

/// Where the built plugins are: `$OMRUN_PLUGIN_DIR`, else `<repo>/build/plugins`.
pub fn plugin_dir() -> PathBuf {
    match std::env::var_os("OMRUN_PLUGIN_DIR") {
        Some(d) if !d.is_empty() => PathBuf::from(d),
        _ => repo_root().join("build").join("plugins"),
    }
}

/// The path of a built plugin, e.g. `plugin("postgres")`. Panics if it was not built.
pub fn plugin(name: &str) -> PathBuf {
    let p = plugin_dir().join(format!("{name}.wasm"));
    assert!(
        p.is_file(),
        "plugin {} was not built: run scripts/build-plugins.sh (scripts/test.sh does)",
        p.display()
    );
    p
}

/// A plugin built for the tests only (tests/plugins/), e.g. `test_plugin("streaming_sqlite")`:
/// `$OMRUN_TEST_PLUGIN_DIR`, else `<repo>/build/test-plugins`. Panics if it was not built.
pub fn test_plugin(name: &str) -> PathBuf {
    let dir = match std::env::var_os("OMRUN_TEST_PLUGIN_DIR") {
        Some(d) if !d.is_empty() => PathBuf::from(d),
        _ => repo_root().join("build").join("test-plugins"),
    };
    let p = dir.join(format!("{name}.wasm"));
    assert!(
        p.is_file(),
        "test plugin {} was not built: run scripts/build-plugins.sh tests/plugins build/test-plugins \
         (scripts/test.sh does)",
        p.display()
    );
    p
}

/// One compiled-component cache for all test runs, so each plugin is compiled once:
/// `$OMRUN_CACHE_DIR`, else `<target>/omrun-test-cache`.
pub fn cache_dir() -> PathBuf {
    match std::env::var_os("OMRUN_CACHE_DIR") {
        Some(d) if !d.is_empty() => PathBuf::from(d),
        _ => target_dir().join("omrun-test-cache"),
    }
}

/// The virtualenv holding a real server from PyPI (`superset`, `airflow`, `mlflow`):
/// `$OMRUN_<NAME>_VENV` when the test command set it, else what `scripts/server-venv.sh NAME`
/// prints (installing it the first time: minutes).
pub fn server_venv(name: &str) -> PathBuf {
    let var = format!("OMRUN_{}_VENV", name.to_ascii_uppercase());
    if let Some(v) = std::env::var_os(&var).filter(|v| !v.is_empty()) {
        return PathBuf::from(v);
    }
    let script = repo_root().join("scripts/server-venv.sh");
    let out = std::process::Command::new("bash")
        .arg(&script)
        .arg(name)
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::inherit())
        .output()
        .unwrap_or_else(|e| panic!("run {}: {e}", script.display()));
    assert!(
        out.status.success(),
        "{} {name} failed: {name} is not installed",
        script.display()
    );
    PathBuf::from(String::from_utf8_lossy(&out.stdout).trim())
}
