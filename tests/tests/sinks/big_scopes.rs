//! Requests that stay within what the server's proxy accepts. A deployment of OpenMetadata most
//! often sits behind nginx, which refuses bodies over 1 MiB unless told otherwise; the stand-in
//! refuses as it does (413, nginx's page), here with a smaller limit so a small catalog exceeds
//! it. Bulk calls are cut to fit `maxRequestBytes`; a deleteStale whose `seenFqns` would not fit
//! is done by listing the scope and deleting the unseen one by one; and a proxy's refusal names the
//! setting to change.

use omrun_tests::openmetadata::{Collection, StandIn};
use omrun_tests::{Omrun, RunOutput, Workdir, fqn, test_plugin, yaml_str};
use serde_json::json;

const TOKEN: &str = "om-test-jwt-big-scopes";
const SERVICE: &str = "big_scopes";
/// Enough tables that their FQNs alone (about 22 bytes each as JSON) exceed `LIMIT`.
const TABLES: usize = 1_200;
const LIMIT: usize = 16 * 1024;

fn run(work: &Workdir, om: &StandIn, name: &str, sink_config: &str) -> RunOutput {
    let config = work.write(
        &format!("{name}.yaml"),
        format!(
            "source:\n  type: synthetic\n  serviceName: {SERVICE}\n  serviceConnection:\n    config:\n      type: CustomDatabase\n      tables: {TABLES}\nsink:\n  type: metadata-rest\n  config: {sink_config}\nworkflowConfig:\n  openMetadataServerConfig:\n    hostPort: {}\n    authProvider: openmetadata\n    securityConfig:\n      jwtToken: ${{OM_JWT_TOKEN}}\n  distributedExecution:\n    enabled: true\n    orchestrator: local\n    parallelism: 2\n",
            yaml_str(&om.host_port())
        ),
    );
    Omrun::ingest(work.path(), &config)
        .plugin(test_plugin("synthetic"))
        .env("OM_JWT_TOKEN", TOKEN)
        .secret(TOKEN)
        .report_json(&work.join(&format!("{name}.report.json")))
        .run()
}

fn table(name: &str) -> String {
    fqn(&[SERVICE, "db", "s", name])
}

#[test]
fn bulk_calls_and_stale_scopes_stay_within_the_proxys_limit() {
    let work = Workdir::new();
    let om = StandIn::start(TOKEN);
    om.limit_bodies(LIMIT);
    let sink = format!("{{maxRequestBytes: {LIMIT}}}");
    run(&work, &om, "first", &sink).assert_success();
    assert_eq!(om.entities(Collection::Tables).len(), TABLES);

    // A table another run wrote, which the source does not have: stale.
    let gone = json!({"name": "gone", "databaseSchema": fqn(&[SERVICE, "db", "s"]),
                      "columns": [{"name": "id", "dataType": "INT"}]});
    om.seed(Collection::Tables, gone);
    let calls = om.requests().len();
    run(&work, &om, "second", &sink).assert_success();

    let requests = &om.requests()[calls..];
    let refused: Vec<_> = requests.iter().filter(|r| r.status == 413).collect();
    assert!(refused.is_empty(), "refused as too large: {refused:?}");
    assert!(
        requests.iter().all(|r| r.body.len() <= LIMIT),
        "a body over {LIMIT} bytes was sent"
    );
    let bulk = requests
        .iter()
        .filter(|r| r.path == "/api/v1/tables/bulk")
        .count();
    assert!(
        bulk > TABLES / 100,
        "{bulk} bulk calls: cut by size, more than the {} a batch size of 100 makes",
        TABLES / 100
    );
    // The seen FQNs do not fit one body: the scope is listed and the stale table deleted alone.
    assert!(
        !requests
            .iter()
            .any(|r| r.path == "/api/v1/tables/deleteStale"),
        "no deleteStale with {TABLES} seen FQNs"
    );
    let deletes: Vec<&str> = requests
        .iter()
        .filter(|r| r.method == "DELETE" && r.path.starts_with("/api/v1/tables/"))
        .map(|r| r.path.as_str())
        .collect();
    assert_eq!(deletes.len(), 1, "{deletes:?}");
    assert!(
        deletes[0].starts_with("/api/v1/tables/name/"),
        "{deletes:?}"
    );
    assert!(
        om.entity(Collection::Tables, &table("gone"))
            .unwrap()
            .deleted
    );
    let live = om
        .entities(Collection::Tables)
        .into_iter()
        .filter(|t| !t.deleted)
        .count();
    assert_eq!(live, TABLES, "every table the source has is kept");
}

#[test]
fn a_proxys_refusal_names_the_setting_to_change() {
    let work = Workdir::new();
    let om = StandIn::start(TOKEN);
    om.limit_bodies(LIMIT);
    // Without maxRequestBytes, bulk calls of 100 tables are far over the proxy's limit.
    let out = run(&work, &om, "default", "{}");
    out.assert_code(1);
    let report = out.report();
    let failures = report["failures"]
        .as_array()
        .expect("failures in the report");
    assert!(!failures.is_empty());
    let error = failures[0]["error"].as_str().unwrap();
    assert!(
        error.contains("HTTP 413") && error.contains("maxRequestBytes"),
        "{error}"
    );
}
