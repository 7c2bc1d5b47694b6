//! `omrun plugin new NAME`: writes a standalone connector crate — its own workspace, the SDK as a
//! path dependency, wasm32-wasip2 as its build target — that builds with
//! `cargo build --release` and runs with `omrun ingest --plugin …` as it is.
//!
//! The files are templates in `plugin_template/`, compiled into omrun so the command works from
//! an installed binary too.

use super::{CANNOT_START, fail};
use anyhow::{Context, bail};
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
    /// The omrun-sdk crate to depend on. Default: plugins/sdk of the omrun source tree this
    /// omrun was built from.
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

/// The SDK beside the host crate in the source tree this binary was built from.
const BUILT_FROM_SDK: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../plugins/sdk");

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
    let sdk = sdk_dir(args.sdk.as_deref())?;
    let dir = args
        .dir
        .clone()
        .unwrap_or_else(|| PathBuf::from(&args.name));
    check_empty(&dir)?;

    let lib = args.name.replace('-', "_");
    let sdk_text = sdk.to_str().context("the SDK path is not valid UTF-8")?;
    for template in TEMPLATES {
        if template.kind.is_some_and(|k| k != args.kind) {
            continue;
        }
        let text = for_kind(template.text, args.kind)
            .replace("{{name}}", &args.name)
            .replace("{{lib}}", &lib)
            .replace("{{sdk}}", &toml_escape(sdk_text));
        write(&dir.join(template.path), &text)?;
    }
    // The versions the SDK is built and tested with, so the first build resolves to them (cargo
    // drops the entries this crate does not use).
    let lockfile = sdk.join("../Cargo.lock");
    if lockfile.is_file() {
        std::fs::copy(&lockfile, dir.join("Cargo.lock"))
            .with_context(|| format!("cannot copy {}", lockfile.display()))?;
    }
    Ok(dir)
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

fn sdk_dir(given: Option<&Path>) -> anyhow::Result<PathBuf> {
    let dir = given.unwrap_or(Path::new(BUILT_FROM_SDK));
    let manifest = dir.join("Cargo.toml");
    let is_sdk = std::fs::read_to_string(&manifest)
        .map(|text| text.contains("name = \"omrun-sdk\""))
        .unwrap_or(false);
    if !is_sdk {
        bail!(
            "{} is not the omrun-sdk crate; pass --sdk PATH (plugins/sdk of an omrun source tree)",
            dir.display()
        );
    }
    // Absolute, so the crate keeps building wherever it is moved.
    std::fs::canonicalize(dir).with_context(|| format!("cannot resolve {}", dir.display()))
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
                    .replace("{{sdk}}", "s");
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
