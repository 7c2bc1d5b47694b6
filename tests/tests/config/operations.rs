//! What an operator running omrun from cron or a pod reads: log lines with times, levels from the
//! command line, JSON lines for a log shipper, and a run report that says which plugin, contract
//! and config ran, when, with what result and how much of each kind was written.

use omrun_tests::{Omrun, PgConfig, PgServer, Workdir, plugin};
use serde_json::Value;

const SERVICE: &str = "omrun_operations";
const FIXTURE: &str = "CREATE TABLE public.a (id integer PRIMARY KEY);
                       CREATE TABLE public.b (id integer PRIMARY KEY, a_id integer REFERENCES public.a);";

fn sha256_of(path: &std::path::Path) -> String {
    let out = std::process::Command::new("sha256sum")
        .arg(path)
        .output()
        .expect("sha256sum runs");
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_owned()
}

#[test]
fn json_log_lines_and_a_report_that_names_what_ran() {
    let db = PgServer::from_env().create_database("operations_json", FIXTURE);
    let work = Workdir::new();
    let output = work.join("out.jsonl");
    let yaml = PgConfig::new(SERVICE, &output).yaml();
    work.write("config.yaml", &yaml);
    let report = work.join("report.json");
    let out = Omrun::ingest(work.path(), "config.yaml")
        .plugin(plugin("postgres"))
        .db(&db)
        .args(["--log-format", "json", "-v"])
        .report_json(&report)
        .output(&output)
        .run();
    out.assert_success();
    let lines: Vec<Value> = out
        .stderr
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    assert!(!lines.is_empty());
    for line in &lines {
        let time = line["time"].as_str().unwrap_or_default();
        assert!(
            time.len() >= 20 && time.ends_with('Z') && time.contains('T'),
            "{line}"
        );
        assert!(
            ["TRACE", "DEBUG", "INFO", "WARN", "ERROR"]
                .contains(&line["level"].as_str().unwrap_or_default()),
            "{line}"
        );
        assert!(
            line["message"].is_string() && line["fields"].is_object(),
            "{line}"
        );
    }
    assert!(
        lines.iter().any(|l| l["level"] == "DEBUG"),
        "-v shows debug lines: {}",
        out.stderr
    );
    assert!(lines.iter().any(|l| {
        l["message"].as_str().is_some_and(|m| {
            m.starts_with("Wrote ") && m.contains("2 table") && m.ends_with("out.jsonl")
        })
    }));

    let report: Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(report["status"], "succeeded");
    assert_eq!(report["omrunVersion"], "0.1.0");
    assert_eq!(report["plugin"], "postgres");
    assert_eq!(report["pluginVersion"], "0.1.0");
    assert_eq!(report["contract"], "omrun:connector@0.6.0");
    assert_eq!(report["pluginSha256"], sha256_of(&plugin("postgres")));
    assert_eq!(report["configSha256"], sha256_of(&work.join("config.yaml")));
    assert_eq!(report["output"], output.display().to_string());
    assert_eq!(report["written"]["table"], 2);
    assert_eq!(report["written"]["database"], 1);
    assert_eq!(report["written"]["databaseSchema"], 1);
    assert_eq!(report["discoveryFailures"], 0);
    let (started, ended) = (
        report["startedAt"].as_str().unwrap(),
        report["endedAt"].as_str().unwrap(),
    );
    assert!(
        started.ends_with('Z') && started <= ended,
        "{started} … {ended}"
    );
}

#[test]
fn quiet_leaves_warnings_and_errors_and_text_lines_carry_the_time() {
    let db = PgServer::from_env().create_database("operations_quiet", FIXTURE);
    let work = Workdir::new();
    let output = work.join("out.jsonl");
    work.write("config.yaml", PgConfig::new(SERVICE, &output).yaml());
    let ingest = |flags: &[&str]| {
        Omrun::ingest(work.path(), "config.yaml")
            .plugin(plugin("postgres"))
            .db(&db)
            .args(flags)
            .output(&output)
            .run()
    };
    let loud = ingest(&[]);
    loud.assert_success();
    let info = loud
        .stderr
        .lines()
        .find(|l| l.contains("[INFO] Loaded plugin"))
        .unwrap();
    // `2026-12-03T10:05:28.123456Z [INFO] …`: a UTC time first.
    let time = info.split(' ').next().unwrap();
    assert!(
        time.ends_with('Z') && time.as_bytes()[4] == b'-' && time.contains('T'),
        "{info}"
    );
    let quiet = ingest(&["-q"]);
    quiet.assert_success();
    assert!(!quiet.stderr.contains("[INFO]"), "{}", quiet.describe());
    let levelled = ingest(&["--log-level", "error"]);
    levelled.assert_success();
    assert!(!levelled.stderr.contains("[INFO]") && !levelled.stderr.contains("[WARN]"));
}
