//! The dashboard requests omrun's sink writes, before any dashboard plugin exists: the host keeps
//! `tests/fixtures/dashboard_requests.jsonl` equal to what its sink writes for a Looker-like
//! service (host/sink/src/dashboard_fixture.rs). Here that output is read as every sink file is
//! (OpenMetadata's schemas, parents first, a dashboard's charts and data models written before
//! it), its `sourceHash`es are compared with OpenMetadata's own, and it is replayed into the
//! OpenMetadata stand-in the way the `metadata-rest` sink sends it.

use std::path::PathBuf;

use omrun_tests::openmetadata::{Collection, StandIn};
use omrun_tests::{Records, repo_root};
use serde_json::Value;

const TOKEN: &str = "om-test-jwt-dashboards";

fn fixture() -> PathBuf {
    repo_root().join("tests/fixtures/dashboard_requests.jsonl")
}

#[test]
fn the_dashboard_requests_are_a_valid_sink_file() {
    let records = Records::read(&fixture());
    assert_eq!(records.service()["serviceType"], "Looker");
    let fqns = |kind: &str| records.fqns(kind).into_iter().collect::<Vec<_>>();
    assert_eq!(
        fqns("CreateDashboardDataModelRequest"),
        [
            "\"looker.prod\".model.\"sales.orders\"",
            "\"looker.prod\".model.ventes_été",
        ]
    );
    assert_eq!(
        fqns("CreateChartRequest"),
        [
            "\"looker.prod\".12",
            "\"looker.prod\".kpi__reserved__colon__total"
        ]
    );
    assert_eq!(
        fqns("CreateDashboardRequest"),
        ["\"looker.prod\".\"draft.1\"", "\"looker.prod\".7"]
    );
}

#[test]
fn dashboard_source_hashes_equal_openmetadata_ingestion() {
    let check = std::process::Command::new("python3")
        .arg(repo_root().join("scripts/om-source-hash.py"))
        .arg(fixture())
        .output()
        .expect("run scripts/om-source-hash.py");
    let stdout = String::from_utf8_lossy(&check.stdout);
    assert!(
        check.status.success(),
        "sourceHash differs from OpenMetadata's generate_source_hash:\n{stdout}\n{}",
        String::from_utf8_lossy(&check.stderr)
    );
    assert!(stdout.contains("6 match"), "{stdout}");
}

/// Sends the fixture as the `metadata-rest` sink does: the service looked up and created, then
/// each kind in bulk, in the file's order (parents first).
fn replay(om: &StandIn, records: &Records) {
    let http = reqwest::blocking::Client::new();
    let call = |path: &str, body: &Value| {
        let resp = http
            .put(format!("{}/v1/{path}", om.host_port()))
            .bearer_auth(TOKEN)
            .json(body)
            .send()
            .expect("request to the stand-in");
        let status = resp.status().as_u16();
        let answer: Value = resp.json().expect("a JSON answer");
        (status, answer)
    };
    for r in &records.items {
        let collection = match r.kind.as_str() {
            "CreateDashboardServiceRequest" => {
                let (status, answer) = call("services/dashboardServices", &r.request);
                assert!(status == 200 || status == 201, "{answer}");
                continue;
            }
            "CreateDashboardDataModelRequest" => "dashboard/datamodels",
            "CreateChartRequest" => "charts",
            "CreateDashboardRequest" => "dashboards",
            other => panic!("unexpected kind {other}"),
        };
        let path = format!("{collection}/bulk?async=false&overrideMetadata=false");
        let (status, answer) = call(&path, &Value::Array(vec![r.request.clone()]));
        assert_eq!(status, 200, "{answer}");
        assert_eq!(answer["status"], "success", "{}: {answer}", r.fqn);
        assert_eq!(answer["successRequest"][0]["request"], r.fqn.as_str());
    }
}

#[test]
fn the_dashboard_requests_replay_into_the_standin_and_a_rerun_writes_nothing() {
    let records = Records::read(&fixture());
    let om = StandIn::start(TOKEN);
    replay(&om, &records);
    assert!(om.unexpected_requests().is_empty());
    for (c, kind) in [
        (
            Collection::DashboardDataModels,
            "CreateDashboardDataModelRequest",
        ),
        (Collection::Charts, "CreateChartRequest"),
        (Collection::Dashboards, "CreateDashboardRequest"),
    ] {
        let stored: Vec<String> = om.entities(c).into_iter().map(|e| e.fqn).collect();
        assert_eq!(stored, records.fqns(kind).into_iter().collect::<Vec<_>>());
    }
    let sales = om
        .entity(Collection::Dashboards, "\"looker.prod\".7")
        .unwrap();
    assert_eq!(
        sales.body["dataModels"][1]["fullyQualifiedName"],
        "\"looker.prod\".model.ventes_été"
    );

    // Every request carries its sourceHash: the same requests again change nothing.
    let writes = om.writes();
    replay(&om, &records);
    assert_eq!(om.writes(), writes);
}
