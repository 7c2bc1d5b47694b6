//! Discovery in pages (contract 0.6.0): a plugin that pages by itself (tests/plugins/synthetic:
//! ranges of table numbers) and one that lists once and lets the SDK page the list (synthetic with
//! `listed: true`) write the same tables, each exactly once, in every mode; `omrun check` counts a
//! catalog of many pages; and Argo's worker pods, each keeping only its shard of the pages, split
//! it with nothing lost and nothing twice. 12,345 tables: three of synthetic's pages, two of the
//! SDK's.

use omrun_tests::{Omrun, Workdir, test_plugin, yaml_str};
use std::collections::BTreeSet;
use std::path::Path;

const TABLES: usize = 12_345;

fn config(work: &Workdir, listed: bool, output: &Path) -> std::path::PathBuf {
    work.write(
        "pages.yaml",
        format!(
            "source:\n  type: synthetic\n  serviceName: pages\n  serviceConnection:\n    config:\n      type: CustomDatabase\n      tables: {TABLES}\n      columns: 1\n      listed: {listed}\nsink:\n  type: file\n  config:\n    filename: {}\n",
            yaml_str(&output.to_string_lossy())
        ),
    )
}

/// The names of the tables written to `output`, each time it was written.
fn tables_written(output: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(output).expect("the output file");
    text.lines()
        .filter(|line| line.starts_with(r#"{"kind":"CreateTableRequest""#))
        .map(|line| {
            let record: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
            record["request"]["name"]
                .as_str()
                .expect("a name")
                .to_owned()
        })
        .collect()
}

fn every_table() -> BTreeSet<String> {
    (1..=TABLES).map(|i| format!("t{i}")).collect()
}

fn assert_each_once(written: Vec<String>, what: &str) {
    let count = written.len();
    let unique: BTreeSet<String> = written.into_iter().collect();
    assert_eq!(count, unique.len(), "{what}: some table written twice");
    assert!(
        unique == every_table(),
        "{what}: {} of {TABLES} tables",
        unique.len()
    );
}

#[test]
fn pages_of_the_plugin_and_of_the_sdk_write_every_table_once_in_every_mode() {
    for listed in [false, true] {
        for (mode, parallelism) in [("sequential", None), ("local", Some(2))] {
            let work = Workdir::new();
            let output = work.join("out.jsonl");
            let config = config(&work, listed, &output);
            let out = Omrun::ingest(work.path(), &config)
                .plugin(test_plugin("synthetic"))
                .mode(mode, parallelism)
                .run();
            out.assert_success();
            assert_each_once(
                tables_written(&output),
                &format!(
                    "{mode}, paged by the {}",
                    if listed { "SDK" } else { "plugin" }
                ),
            );
        }
    }
}

#[test]
fn check_counts_every_page() {
    let work = Workdir::new();
    let config = config(&work, false, &work.join("out.jsonl"));
    let out = Omrun::new(work.path())
        .args(["check", "-c"])
        .arg(&config)
        .plugin(test_plugin("synthetic"))
        .run();
    out.assert_success();
    let expected =
        format!("source: ok — reached and listed: 1 databases, 1 schemas, {TABLES} tables");
    assert!(
        out.stdout.lines().any(|line| line == expected),
        "{}",
        out.describe()
    );
}

#[test]
fn argo_workers_keep_their_shard_of_every_page() {
    let work = Workdir::new();
    let output = work.join("out.jsonl");
    let config = config(&work, false, &output);
    let pod = |args: &[&str]| {
        let out = Omrun::new(work.path())
            .args(args)
            .arg("-c")
            .arg(&config)
            .plugin(test_plugin("synthetic"))
            .run();
        out.assert_success();
    };
    let shards = work.join("shards.json");
    pod(&[
        "discover",
        "--shards",
        "3",
        "--out",
        &shards.to_string_lossy(),
    ]);
    let list: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&shards).unwrap()).unwrap();
    let counted: u64 = (list.as_array().unwrap().iter())
        .map(|s| s["entities"].as_u64().unwrap())
        .sum();
    assert_eq!(counted, TABLES as u64, "{list}");

    let mut written = Vec::new();
    for shard in 0..3 {
        std::fs::remove_file(&output).ok();
        pod(&["worker", "--shard", &format!("{shard}/3"), "--threads", "2"]);
        let of_shard = tables_written(&output);
        assert_eq!(
            of_shard.len() as u64,
            list[shard]["entities"].as_u64().unwrap(),
            "shard {shard}/3 writes what discover counted for it"
        );
        written.extend(of_shard);
    }
    assert_each_once(written, "three worker pods");
}
