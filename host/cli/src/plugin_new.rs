//! `omrun plugin new NAME`: writes a standalone connector crate — its own workspace, the SDK by
//! version (`omrun-sdk = "0.6"`, the SDK of the newest contract this omrun runs), wasm32-wasip2 as
//! its build target — that builds with `cargo build --release` and runs with
//! `omrun ingest --plugin …` as it is.
//!
//! `--sdk PATH` is for developing omrun itself (or an unreleased SDK): the crate still asks for the
//! version, and a `[patch.crates-io]` entry takes it from PATH, so removing that entry is all it
//! takes to build against the released crate.
//!
//! The files are templates in `plugin_template/`, compiled into omrun so the command works from
//! an installed binary too.

use super::{CANNOT_START, fail};
use anyhow::{Context, bail};
use omrun_runtime::plugin::contract;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct NewArgs {
    /// The plugin's name: lowercase letters, digits and `-`, starting with a letter. It names the
    /// crate and the plugin (`info().name`).
    pub name: String,
    /// What the connector talks to.
    #[arg(long, value_enum, default_value_t = Kind::Sql)]
    pub kind: Kind,
    /// Where to write the crate (must not exist, or be empty). Default: ./NAME.
    #[arg(long, value_name = "PATH")]
    pub dir: Option<PathBuf>,
    /// Take omrun-sdk from this folder (plugins/sdk of an omrun source tree) instead of the
    /// registry, through `[patch.crates-io]`; the dependency still names the version.
    #[arg(long, value_name = "PATH")]
    pub sdk: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Kind {
    /// A database reached through the host's `sql` capability (PostgreSQL in the template).
    Sql,
    /// A dashboard tool's JSON API over HTTP (wasi:http), to the host of the config's `hostPort`
    /// (a `CustomDashboard` service in the template).
    Http,
}

impl Kind {
    /// The name of its sections in the templates (`{{#sql}}` … `{{/sql}}`).
    fn section(self) -> &'static str {
        match self {
            Kind::Sql => "sql",
            Kind::Http => "http",
        }
    }
}

const KINDS: [Kind; 2] = [Kind::Sql, Kind::Http];

/// The versions of the SDK's dependencies it is built and tested with: the scaffolded crate's
/// first lockfile, so its first build resolves to them (cargo drops the entries it does not use).
const TESTED_LOCKFILE: &str = include_str!("../../../plugins/Cargo.lock");

struct Template {
    path: &'static str,
    /// The kind it is written for; `None`: every kind, keeping only the lines of that kind's
    /// sections (a line `{{#http}}` opens one, `{{/http}}` closes it).
    kind: Option<Kind>,
    text: &'static str,
}

const TEMPLATES: &[Template] = &[
    Template {
        path: "Cargo.toml",
        kind: None,
        text: include_str!("plugin_template/Cargo.toml.in"),
    },
    Template {
        path: ".cargo/config.toml",
        kind: None,
        text: include_str!("plugin_template/cargo-config.toml.in"),
    },
    Template {
        path: ".gitignore",
        kind: None,
        text: include_str!("plugin_template/gitignore.in"),
    },
    Template {
        path: "src/lib.rs",
        kind: Some(Kind::Sql),
        text: include_str!("plugin_template/sql-lib.rs.in"),
    },
    Template {
        path: "src/lib.rs",
        kind: Some(Kind::Http),
        text: include_str!("plugin_template/http-lib.rs.in"),
    },
    Template {
        path: "README.md",
        kind: None,
        text: include_str!("plugin_template/README.md.in"),
    },
];

/// `text` with the sections of `kind` kept (their marker lines dropped) and those of other kinds
/// left out.
fn for_kind(text: &str, kind: Kind) -> String {
    let mut out = String::with_capacity(text.len());
    let mut inside: Option<Kind> = None;
    for line in text.split_inclusive('\n') {
        let marker = line.trim_end();
        if let Some(k) = KINDS
            .into_iter()
            .find(|k| marker == format!("{{{{#{}}}}}", k.section()))
        {
            inside = Some(k);
            continue;
        }
        if inside.is_some_and(|k| marker == format!("{{{{/{}}}}}", k.section())) {
            inside = None;
            continue;
        }
        if inside.is_none_or(|k| k == kind) {
            out.push_str(line);
        }
    }
    out
}

pub fn run(args: NewArgs) -> ExitCode {
    match scaffold(&args) {
        Ok(dir) => {
            println!("wrote {} ({:?} connector)", dir.display(), args.kind);
            println!("next: cd {} && cargo build --release", dir.display());
            ExitCode::SUCCESS
        }
        Err(e) => fail(CANNOT_START, &format!("{e:#}")),
    }
}

fn scaffold(args: &NewArgs) -> anyhow::Result<PathBuf> {
    check_name(&args.name)?;
    let patch = match &args.sdk {
        Some(dir) => sdk_patch(dir)?,
        None => String::new(),
    };
    let dir = args
        .dir
        .clone()
        .unwrap_or_else(|| PathBuf::from(&args.name));
    check_empty(&dir)?;

    let lib = args.name.replace('-', "_");
    for template in TEMPLATES {
        if template.kind.is_some_and(|k| k != args.kind) {
            continue;
        }
        let text = for_kind(template.text, args.kind)
            .replace("{{name}}", &args.name)
            .replace("{{lib}}", &lib)
            .replace("{{sdk_version}}", &sdk_requirement())
            .replace("{{sdk_patch}}\n", &patch);
        write(&dir.join(template.path), &text)?;
    }
    write(&dir.join("Cargo.lock"), TESTED_LOCKFILE)?;
    Ok(dir)
}

/// The SDK version that targets the newest contract this omrun runs: omrun-sdk's major.minor
/// follow the contract's (`omrun:connector@0.6.0` → `"0.6"`, any 0.6.x).
fn sdk_requirement() -> String {
    let newest = contract::SUPPORTED.last().expect("at least one contract");
    let mut parts = newest.version().split('.');
    match (parts.next(), parts.next()) {
        (Some(major), Some(minor)) => format!("{major}.{minor}"),
        _ => unreachable!("contract versions are X.Y.Z"),
    }
}

/// A name that is a valid crate name and plugin name alike.
fn check_name(name: &str) -> anyhow::Result<()> {
    let mut chars = name.chars();
    let starts_well = chars.next().is_some_and(|c| c.is_ascii_lowercase());
    let rest_ok = chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !starts_well || !rest_ok || name.ends_with('-') {
        bail!(
            "invalid plugin name `{name}`: use lowercase letters, digits and `-`, starting with a \
             letter (e.g. `my-warehouse`)"
        );
    }
    Ok(())
}

/// The `[patch.crates-io]` section that takes omrun-sdk from `dir`.
fn sdk_patch(dir: &Path) -> anyhow::Result<String> {
    let manifest = dir.join("Cargo.toml");
    let is_sdk = std::fs::read_to_string(&manifest)
        .map(|text| text.contains("name = \"omrun-sdk\""))
        .unwrap_or(false);
    if !is_sdk {
        bail!(
            "{} is not the omrun-sdk crate (plugins/sdk of an omrun source tree)",
            dir.display()
        );
    }
    // Absolute, so the crate keeps building wherever it is moved.
    let dir =
        std::fs::canonicalize(dir).with_context(|| format!("cannot resolve {}", dir.display()))?;
    let dir = dir.to_str().context("the SDK path is not valid UTF-8")?;
    Ok(format!(
        "\n# Developing against an omrun-sdk source tree (`omrun plugin new --sdk`): delete this\n\
         # section to build against the released crate.\n\
         [patch.crates-io]\n\
         omrun-sdk = {{ path = \"{}\" }}\n",
        toml_escape(dir)
    ))
}

fn check_empty(dir: &Path) -> anyhow::Result<()> {
    match std::fs::read_dir(dir) {
        Ok(entries) => match entries.count() {
            0 => Ok(()),
            _ => bail!("{} exists and is not empty", dir.display()),
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e).with_context(|| format!("cannot read {}", dir.display())),
    }
}

fn write(path: &Path, text: &str) -> anyhow::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
    }
    std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))
}

/// The path goes inside a TOML basic string.
fn toml_escape(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_must_be_crate_and_plugin_names() {
        assert!(check_name("warehouse").is_ok());
        assert!(check_name("my-warehouse2").is_ok());
        for bad in ["", "My", "2x", "a_b", "a-", "a b", "-a"] {
            assert!(check_name(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn templates_use_only_known_placeholders() {
        for kind in KINDS {
            for template in TEMPLATES {
                let filled = for_kind(template.text, kind)
                    .replace("{{name}}", "n")
                    .replace("{{lib}}", "l")
                    .replace("{{sdk_version}}", "0.6")
                    .replace("{{sdk_patch}}\n", "");
                assert!(
                    !filled.contains("{{"),
                    "{} has an unknown placeholder or section for {kind:?}",
                    template.path
                );
            }
        }
    }

    #[test]
    fn each_kind_keeps_its_own_sections() {
        let text = "a\n{{#sql}}\nsql\n{{/sql}}\n{{#http}}\nhttp\n{{/http}}\nz\n";
        assert_eq!(for_kind(text, Kind::Sql), "a\nsql\nz\n");
        assert_eq!(for_kind(text, Kind::Http), "a\nhttp\nz\n");
    }

    #[test]
    fn the_sdk_asked_for_is_the_one_in_this_tree() {
        // A released omrun scaffolds against the SDK released with it.
        let manifest = include_str!("../../../plugins/sdk/Cargo.toml");
        let version = manifest
            .lines()
            .find_map(|line| line.strip_prefix("version = \""))
            .and_then(|rest| rest.strip_suffix('"'))
            .expect("plugins/sdk/Cargo.toml has a version");
        let wanted = sdk_requirement();
        assert!(
            version.starts_with(&format!("{wanted}.")),
            "omrun-sdk {version} does not satisfy the scaffold's `{wanted}`"
        );
    }

    fn scaffolded_manifest(sdk: Option<PathBuf>) -> String {
        let dir = std::env::temp_dir().join(format!("omrun-new-{}", std::process::id()));
        let dir = dir.join(if sdk.is_some() { "patched" } else { "released" });
        let _ = std::fs::remove_dir_all(&dir);
        let args = NewArgs {
            name: "my-warehouse".into(),
            kind: Kind::Sql,
            dir: Some(dir.clone()),
            sdk,
        };
        scaffold(&args).unwrap();
        assert!(dir.join("Cargo.lock").is_file());
        let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        manifest
    }

    #[test]
    fn the_sdk_is_a_version_and_a_source_tree_only_a_patch() {
        let dependency = format!("omrun-sdk = \"{}\"\n", sdk_requirement());

        let released = scaffolded_manifest(None);
        assert!(released.contains(&dependency), "{released}");
        assert!(!released.contains("path ="), "{released}");
        assert!(!released.contains("[patch"), "{released}");
        assert!(released.ends_with("[workspace]\n"), "{released}");

        let tree = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../plugins/sdk");
        let patched = scaffolded_manifest(Some(tree.clone()));
        assert!(patched.contains(&dependency), "{patched}");
        let path = std::fs::canonicalize(&tree).unwrap();
        let patch = format!(
            "[patch.crates-io]\nomrun-sdk = {{ path = \"{}\" }}\n",
            path.display()
        );
        assert!(patched.ends_with(&patch), "{patched}");

        let not_sdk = NewArgs {
            name: "x".into(),
            kind: Kind::Sql,
            dir: None,
            sdk: Some(Path::new(env!("CARGO_MANIFEST_DIR")).to_owned()),
        };
        let refused = scaffold(&not_sdk).unwrap_err().to_string();
        assert!(refused.contains("is not the omrun-sdk crate"), "{refused}");
    }

    #[test]
    fn every_kind_has_one_lib_rs() {
        for kind in KINDS {
            let libs = TEMPLATES
                .iter()
                .filter(|t| t.path == "src/lib.rs" && t.kind.is_none_or(|k| k == kind))
                .count();
            assert_eq!(libs, 1, "{kind:?}");
        }
    }
}
