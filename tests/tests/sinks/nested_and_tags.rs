//! Contract 0.3.0's additions end to end, through a real plugin on that contract
//! (tests/plugins/synthetic with `nested: true`, BigQuery's shapes): a nested RECORD column
//! becomes `children`, policy tags and labels become tag labels whose classification and tag are
//! written first, source URLs arrive; into a file (read and checked as every sink file is, its
//! `sourceHash`es compared with OpenMetadata's own function) and into the OpenMetadata stand-in
//! (which refuses a label of a tag it does not hold). A column list that is not a tree fails its
//! table alone, named in the report.

use omrun_tests::openmetadata::{Collection, StandIn};
use omrun_tests::{
    Omrun, RunOutput, Workdir, fqn, fqn_part, label_fqns, repo_root, test_plugin, yaml_str,
};
use serde_json::{Value, json};

const TOKEN: &str = "om-test-jwt-nested";
const SERVICE: &str = "nested_svc";
const TABLES: usize = 5;

/// The synthetic plugin's config with `connection` extra keys, into a file or OpenMetadata.
fn config(
    work: &Workdir,
    name: &str,
    connection: &str,
    om: Option<&StandIn>,
) -> std::path::PathBuf {
    let sink = match om {
        None => format!(
            "sink:\n  type: file\n  config:\n    filename: {}\nworkflowConfig:\n",
            yaml_str(&work.join(&format!("{name}.jsonl")).to_string_lossy())
        ),
        Some(om) => format!(
            "sink:\n  type: metadata-rest\n  config: {{}}\nworkflowConfig:\n  openMetadataServerConfig:\n    hostPort: {}\n    authProvider: openmetadata\n    securityConfig:\n      jwtToken: ${{OM_JWT_TOKEN}}\n",
            yaml_str(&om.host_port())
        ),
    };
    work.write(
        &format!("{name}.yaml"),
        format!(
            "source:\n  type: synthetic\n  serviceName: {SERVICE}\n  serviceConnection:\n    config:\n      type: CustomDatabase\n      tables: {TABLES}\n{connection}{sink}  distributedExecution:\n    enabled: true\n    orchestrator: local\n    parallelism: 3\n    batchSize: 2\n    retryPolicy:\n      maxAttempts: 2\n      backoffSeconds: 0.01\n"
        ),
    )
}

fn run(work: &Workdir, name: &str, connection: &str, om: Option<&StandIn>) -> RunOutput {
    let config = config(work, name, connection, om);
    let mut omrun = Omrun::ingest(work.path(), &config)
        .plugin(test_plugin("synthetic"))
        .env("OM_JWT_TOKEN", TOKEN)
        .secret(TOKEN)
        .report_json(&work.join(&format!("{name}.report.json")));
    if om.is_none() {
        omrun = omrun.output(&work.join(&format!("{name}.jsonl")));
    }
    omrun.run()
}

const NESTED: &str = "      nested: true\n";

fn table(name: &str) -> String {
    fqn(&[SERVICE, "db", "s", name])
}

/// `address`, as every synthetic table has it: its fields, theirs, and the labels on them.
fn assert_address(t: &Value) {
    let address = t["columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "address")
        .unwrap_or_else(|| panic!("no address column: {t}"));
    assert_eq!(address["dataType"], "STRUCT");
    let names = |c: &Value| -> Vec<String> {
        c["children"]
            .as_array()
            .map(|cs| {
                cs.iter()
                    .map(|c| c["name"].as_str().unwrap().to_owned())
                    .collect()
            })
            .unwrap_or_default()
    };
    assert_eq!(names(address), ["street", "zip", "geo"], "{address}");
    assert_eq!(names(&address["children"][2]), ["lat", "lon"]);
    let zip = &address["children"][1];
    assert_eq!(zip["constraint"], "NOT_NULL");
    assert_eq!(
        zip["tags"],
        json!([{"tagFQN": "\"policy.v1\".postal code", "source": "Classification",
                "labelType": "Automated", "state": "Suggested"}])
    );
    let mut labels = label_fqns(t);
    labels.sort();
    assert_eq!(
        labels,
        ["\"policy.v1\".postal code", "env.prod", "team.sales"]
    );
}

#[test]
fn nested_columns_tags_and_source_urls_into_a_file_as_openmetadata_writes_them() {
    let work = Workdir::new();
    let out = run(&work, "file", NESTED, None);
    out.assert_success();
    // Read as every sink file is: schemas, parents first, each label's tag written before it.
    let records = out.records();
    assert_eq!(records.table_fqns().len(), TABLES);
    for t in records.of_kind("CreateTableRequest") {
        assert_address(&t.request);
        assert_eq!(
            t.request["sourceUrl"],
            format!(
                "https://console.example/synthetic/db/s/{}",
                t.request["name"].as_str().unwrap()
            )
        );
    }
    let schema = records.get(&fqn(&[SERVICE, "db", "s"]));
    assert_eq!(schema["tags"][0]["tagFQN"], "team.sales");
    assert_eq!(
        schema["sourceUrl"],
        "https://console.example/synthetic/db/s"
    );
    assert_eq!(
        records.get(&fqn(&[SERVICE, "db"]))["sourceUrl"],
        "https://console.example/synthetic/db"
    );
    // Each once per run, whatever the workers; the descriptions OpenMetadata's BigQuery connector
    // gives them; the first label of a classification names its description.
    let tags: Vec<String> = records
        .of_kind("CreateTagRequest")
        .map(|r| r.fqn.clone())
        .collect();
    assert_eq!(tags.len(), 3, "{tags:?}");
    let tag = records
        .of_kind("CreateTagRequest")
        .find(|r| r.fqn == "\"policy.v1\".postal code")
        .unwrap();
    assert_eq!(tag.request["description"], "Bigquery Policy Tag");
    assert_eq!(records.count("CreateClassificationRequest"), 3);

    let check = std::process::Command::new("python3")
        .arg(repo_root().join("scripts/om-source-hash.py"))
        .arg(work.join("file.jsonl"))
        .output()
        .expect("run scripts/om-source-hash.py");
    let stdout = String::from_utf8_lossy(&check.stdout);
    assert!(
        check.status.success(),
        "sourceHash differs from OpenMetadata's generate_source_hash:\n{stdout}\n{}",
        String::from_utf8_lossy(&check.stderr)
    );
    // The database, the schema and every table; classifications and tags have no sourceHash.
    assert!(
        stdout.contains(&format!("{} match", TABLES + 2)),
        "{stdout}"
    );
}

#[test]
fn tags_are_created_before_the_entities_that_carry_them_and_a_rerun_writes_nothing() {
    let work = Workdir::new();
    let om = StandIn::start(TOKEN);
    run(&work, "first", NESTED, Some(&om)).assert_success();

    // Every create request the server accepted is valid against OpenMetadata's schemas (the
    // stand-in checks), and the tables were stored: no label named a missing tag.
    let stored = om.stored(Collection::Tables);
    assert_eq!(stored.len(), TABLES, "{:?}", stored.keys());
    let t1 = &stored[&table("t1")];
    assert_address(t1);
    let lat = &t1["columns"].as_array().unwrap().last().unwrap()["children"][2]["children"][0];
    assert_eq!(
        lat["fullyQualifiedName"],
        format!("{}.address.geo.lat", table("t1"))
    );
    assert_eq!(
        om.stored(Collection::DatabaseSchemas)[&fqn(&[SERVICE, "db", "s"])]["tags"][0]["tagFQN"],
        "team.sales"
    );

    // Each classification and tag was created once, before anything carrying a label of it.
    let requests = om.requests();
    let puts = |path: &str| -> Vec<(usize, Value)> {
        requests
            .iter()
            .enumerate()
            .filter(|(_, r)| r.method == "PUT" && r.path == path)
            .map(|(i, r)| (i, serde_json::from_str(&r.body).unwrap()))
            .collect()
    };
    let (classifications, tags) = (puts("/api/v1/classifications"), puts("/api/v1/tags"));
    assert_eq!((classifications.len(), tags.len()), (3, 3));
    // The first bulk request with an item carrying a label of `tag`.
    let first_labelled = |tag: &str| {
        requests.iter().position(|r| {
            r.path.ends_with("/bulk")
                && serde_json::from_str::<Value>(&r.body)
                    .ok()
                    .and_then(|b| b.as_array().cloned())
                    .is_some_and(|items| items.iter().any(|i| label_fqns(i).contains(&tag)))
        })
    };
    for (at, tag) in &tags {
        let classification = tag["classification"].as_str().unwrap();
        let fqn = format!(
            "{classification}.{}",
            fqn_part(tag["name"].as_str().unwrap())
        );
        let created = classifications
            .iter()
            .find(|(_, c)| fqn_part(c["name"].as_str().unwrap()) == classification)
            .map(|(i, _)| *i);
        assert!(
            created.is_some_and(|c| c < *at),
            "{fqn} before its classification"
        );
        let labelled = first_labelled(&fqn).unwrap_or_else(|| panic!("no label of {fqn}"));
        assert!(*at < labelled, "{fqn} created after an entity carrying it");
    }
    assert_eq!(
        om.entity(Collection::Tags, "\"policy.v1\".\"postal code\"")
            .map(|t| t.deleted),
        None,
        "the FQN quotes only a part with a dot"
    );
    assert!(
        om.entity(Collection::Tags, "\"policy.v1\".postal code")
            .is_some()
    );

    let writes = om.writes().total();
    run(&work, "second", NESTED, Some(&om)).assert_success();
    assert_eq!(
        om.writes().total(),
        writes,
        "the re-run wrote: {:?}",
        om.writes()
    );
    let again = om.requests()[requests.len()..]
        .iter()
        .filter(|r| r.method == "PUT" && r.path == "/api/v1/tags")
        .count();
    assert_eq!(again, 0, "a tag the server holds is not written again");
}

#[test]
fn a_column_list_that_is_not_a_tree_fails_its_table_alone() {
    let work = Workdir::new();
    let om = StandIn::start(TOKEN);
    let out = run(
        &work,
        "malformed",
        "      nested: true\n      malformed: 2\n",
        Some(&om),
    );
    out.assert_code(1);
    let report = out.report();
    let failures = report["failures"].as_array().expect("failures");
    assert_eq!(failures.len(), 1, "{report:#}");
    assert_eq!(failures[0]["fqn"], table("t2"));
    assert_eq!(failures[0]["kind"], "table");
    let error = failures[0]["error"].as_str().unwrap();
    assert!(
        error.contains("table db.s.t2: column `street` (index 21) names parent index 24, which does not come before it"),
        "{error}"
    );
    let stored = om.stored(Collection::Tables);
    assert_eq!(
        stored.len(),
        TABLES - 1,
        "the others are written: {:?}",
        stored.keys()
    );
    assert!(!stored.contains_key(&table("t2")));
}
