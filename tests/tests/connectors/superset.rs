//! The Superset connector end to end: the real plugin (`build/plugins/superset.wasm`) in omrun,
//! against a real Apache Superset 6.1 (tests/support/superset.rs) loaded through its own REST API
//! with datasets on the test PostgreSQL, into the file sink (every line checked against
//! OpenMetadata's schemas), into the OpenMetadata stand-in, and compared with OpenMetadata's own
//! Superset connector run on the same Superset.
//!
//! What is expected is derived from what load.py made (read back from Superset's API), not from
//! the plugin: a dashboard per Superset dashboard named by its id, its charts in layout order
//! named by theirs, a data model per dataset its charts draw on, named by the dataset's id.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::time::Duration;

use omrun_tests::openmetadata::{Collection, StandIn};
use omrun_tests::relay::Relay;
use omrun_tests::superset::{self, ADMIN, ADMIN_EMAIL, BOB_EMAIL, DASHBOARDS};
use omrun_tests::{Omrun, Records, RunOutput, Workdir, fqn, plugin, yaml_str};
use serde_json::Value;

const SERVICE: &str = "superset_test";
const OM_TOKEN: &str = "om-test-jwt-superset";

#[derive(Clone, Default)]
struct Options {
    /// `(key, includes, excludes)` of the filter patterns.
    filters: Vec<(&'static str, Vec<&'static str>, Vec<&'static str>)>,
    include_owners: Option<bool>,
    include_data_models: Option<bool>,
    include_drafts: Option<bool>,
    /// Write to this OpenMetadata stand-in instead of the file.
    openmetadata: Option<String>,
}

fn config(work: &Workdir, host_port: &str, o: &Options) -> PathBuf {
    let mut source = String::from("      type: DashboardMetadata\n");
    for (key, includes, excludes) in &o.filters {
        let list = |l: &[&str]| l.iter().map(|s| yaml_str(s)).collect::<Vec<_>>().join(", ");
        source.push_str(&format!(
            "      {key}:\n        includes: [{}]\n        excludes: [{}]\n",
            list(includes),
            list(excludes)
        ));
    }
    for (key, value) in [
        ("includeOwners", o.include_owners),
        ("includeDataModels", o.include_data_models),
        ("includeDraftDashboard", o.include_drafts),
    ] {
        if let Some(v) = value {
            source.push_str(&format!("      {key}: {v}\n"));
        }
    }
    let (sink, server) = match &o.openmetadata {
        None => (
            "sink:\n  type: file\n  config:\n    filename: unused.jsonl\n".to_string(),
            String::new(),
        ),
        Some(om) => (
            "sink:\n  type: metadata-rest\n  config: {}\n".to_string(),
            format!(
                "  openMetadataServerConfig:\n    hostPort: {}\n    authProvider: openmetadata\n    \
                 securityConfig:\n      jwtToken: ${{OM_JWT_TOKEN}}\n",
                yaml_str(om)
            ),
        ),
    };
    let yaml = format!(
        "source:
  type: superset
  serviceName: {SERVICE}
  serviceConnection:
    config:
      type: Superset
      hostPort: {host_port}
      connection:
        provider: db
        username: {user}
        password: ${{SUPERSET_PASSWORD}}
  sourceConfig:
    config:
{source}{sink}workflowConfig:
  loggerLevel: INFO
{server}  distributedExecution:
    enabled: true
    orchestrator: sequential
    retryPolicy:
      maxAttempts: 2
      backoffSeconds: 0.05
",
        host_port = yaml_str(host_port),
        user = ADMIN.0,
    );
    work.write("config.yaml", yaml)
}

/// Runs the plugin against the Superset at `host_port` with the password `password`.
fn run(
    work: &Workdir,
    host_port: &str,
    o: &Options,
    name: &str,
    mode: (&str, Option<u32>),
    password: &str,
) -> RunOutput {
    let config = config(work, host_port, o);
    let output = work.join(&format!("{name}.jsonl"));
    let mut cmd = Omrun::ingest(work.path(), config)
        .plugin(plugin("superset"))
        .mode(mode.0, mode.1)
        .env("SUPERSET_PASSWORD", password)
        .env("OM_JWT_TOKEN", OM_TOKEN)
        .secret(password)
        .report_json(&work.join(&format!("{name}.report.json")));
    if o.openmetadata.is_none() {
        cmd = cmd.arg("--file-sink").arg(&output).output(&output);
    }
    cmd.run()
}

fn ingest(work: &Workdir, o: &Options, name: &str, mode: (&str, Option<u32>)) -> RunOutput {
    let s = superset::shared();
    run(work, s.server.url(), o, name, mode, ADMIN.1)
}

const SEQUENTIAL: (&str, Option<u32>) = ("sequential", None);

/// A dashboard's display name, charts in layout order, data models and owners' e-mails.
type ExpectedDashboard = (String, Vec<String>, BTreeSet<String>, Vec<String>);

/// What OpenMetadata should get: dashboards (name → display name, charts in layout order, data
/// models, owners), charts (name → display name, type), data models (name → table name).
#[derive(Debug, PartialEq)]
struct Expected {
    dashboards: BTreeMap<String, ExpectedDashboard>,
    charts: BTreeMap<String, (String, String)>,
    data_models: BTreeMap<String, String>,
}

/// OpenMetadata's chart type of a Superset viz type (`get_standard_chart_type`).
fn chart_type(viz: &str) -> &'static str {
    match viz {
        "table" => "Table",
        "pie" => "Pie",
        "big_number_total" | "line" => "Line",
        "heatmap" => "Heatmap",
        "dist_bar" => "Bar",
        "box_plot" => "BoxPlot",
        _ => "Other",
    }
}

fn expected(
    keep_dashboard: impl Fn(&str, bool) -> bool,
    keep_chart: impl Fn(&str) -> bool,
    keep_model: impl Fn(&str) -> bool,
) -> Expected {
    let catalog = &superset::shared().catalog;
    let charts_by_id: BTreeMap<i64, &Value> = catalog["charts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["id"].as_i64().unwrap(), c))
        .collect();
    let table_of: BTreeMap<i64, String> = catalog["datasets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["id"].as_i64().unwrap(),
                d["table_name"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let mut want = Expected {
        dashboards: BTreeMap::new(),
        charts: BTreeMap::new(),
        data_models: BTreeMap::new(),
    };
    let kept: Vec<&Value> = catalog["dashboards"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| {
            keep_dashboard(
                d["dashboard_title"].as_str().unwrap(),
                d["published"] == true,
            )
        })
        .collect();
    // Data models: the datasets of the kept dashboards' charts.
    for d in &kept {
        for c in d["charts"].as_array().unwrap() {
            let ds = charts_by_id[&c.as_i64().unwrap()]["datasource_id"]
                .as_i64()
                .unwrap();
            if keep_model(&table_of[&ds]) {
                want.data_models
                    .insert(ds.to_string(), table_of[&ds].clone());
            }
        }
    }
    for d in kept {
        let mut charts = Vec::new();
        let mut models = BTreeSet::new();
        for c in d["charts"].as_array().unwrap() {
            let chart = charts_by_id[&c.as_i64().unwrap()];
            let ds = chart["datasource_id"].as_i64().unwrap().to_string();
            if want.data_models.contains_key(&ds) {
                models.insert(ds);
            }
            let name = chart["slice_name"].as_str().unwrap();
            if !keep_chart(name) {
                continue;
            }
            let id = c.to_string();
            want.charts.insert(
                id.clone(),
                (
                    name.to_owned(),
                    chart_type(chart["viz_type"].as_str().unwrap()).to_owned(),
                ),
            );
            charts.push(id);
        }
        let owners = d["owners"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["email"].as_str().unwrap().to_owned())
            .collect();
        want.dashboards.insert(
            d["id"].to_string(),
            (
                d["dashboard_title"].as_str().unwrap().to_owned(),
                charts,
                models,
                owners,
            ),
        );
    }
    want
}

fn all_dashboards(_: &str, _: bool) -> bool {
    true
}

fn all(_: &str) -> bool {
    true
}

/// What the records say, in [`Expected`]'s shape (owners: none, the file sink writes none).
fn found(records: &Records) -> Expected {
    let strings = |v: &Value| -> Vec<String> {
        v.as_array()
            .map(|a| a.iter().map(|s| s.as_str().unwrap().to_owned()).collect())
            .unwrap_or_default()
    };
    let last = |fqn: String| fqn.rsplit('.').next().unwrap().to_owned();
    Expected {
        dashboards: records
            .of_kind("CreateDashboardRequest")
            .map(|r| {
                let q = &r.request;
                (
                    q["name"].as_str().unwrap().to_owned(),
                    (
                        q["displayName"].as_str().unwrap().to_owned(),
                        strings(&q["charts"]).into_iter().map(last).collect(),
                        strings(&q["dataModels"]).into_iter().map(last).collect(),
                        Vec::new(),
                    ),
                )
            })
            .collect(),
        charts: records
            .of_kind("CreateChartRequest")
            .map(|r| {
                let q = &r.request;
                (
                    q["name"].as_str().unwrap().to_owned(),
                    (
                        q["displayName"].as_str().unwrap().to_owned(),
                        q["chartType"].as_str().unwrap().to_owned(),
                    ),
                )
            })
            .collect(),
        data_models: records
            .of_kind("CreateDashboardDataModelRequest")
            .map(|r| {
                let q = &r.request;
                (
                    q["name"].as_str().unwrap().to_owned(),
                    q["displayName"].as_str().unwrap().to_owned(),
                )
            })
            .collect(),
    }
}

fn without_owners(mut e: Expected) -> Expected {
    for d in e.dashboards.values_mut() {
        d.3.clear();
    }
    e
}

fn request<'a>(records: &'a Records, kind: &'a str, name: &str) -> &'a Value {
    records
        .of_kind(kind)
        .find(|r| r.request["name"] == name)
        .map(|r| &r.request)
        .unwrap_or_else(|| panic!("no {kind} {name} in {}", records.path.display()))
}

#[test]
fn every_dashboard_arrives_with_its_charts_after_the_data_models() {
    let s = superset::shared();
    let work = Workdir::new();
    let out = ingest(&work, &Options::default(), "out", SEQUENTIAL);
    out.assert_success();
    let records = out.records();
    assert_eq!(records.service()["serviceType"], "Superset");
    let want = expected(all_dashboards, all, all);
    assert_eq!(
        want.dashboards.len(),
        DASHBOARDS,
        "drafts included by default"
    );
    assert_eq!(want.data_models.len(), 3, "{:?}", want.data_models);
    assert_eq!(found(&records), without_owners(want));

    // Every data model before the first chart; each chart before the dashboard listing it.
    let kinds: Vec<&str> = records.items.iter().map(|r| r.kind.as_str()).collect();
    let last_model = kinds
        .iter()
        .rposition(|k| *k == "CreateDashboardDataModelRequest")
        .unwrap();
    let first_chart = kinds
        .iter()
        .position(|k| *k == "CreateChartRequest")
        .unwrap();
    assert!(last_model < first_chart, "data models first: {kinds:?}");
    for d in records.of_kind("CreateDashboardRequest") {
        for chart in d.request["charts"].as_array().unwrap() {
            let line = records
                .of_kind("CreateChartRequest")
                .find(|r| r.fqn == chart.as_str().unwrap())
                .map(|r| r.line)
                .unwrap();
            assert!(line < d.line, "{chart} before {}", d.fqn);
        }
    }

    // The chart on no dashboard and the dataset no chart uses are not ingested.
    let catalog = &s.catalog;
    let orphan = catalog["orphan"].to_string();
    assert!(
        records
            .of_kind("CreateChartRequest")
            .all(|r| r.request["name"] != orphan.as_str())
    );
    let unused = catalog["unused_dataset"].to_string();
    assert!(
        records
            .of_kind("CreateDashboardDataModelRequest")
            .all(|r| r.request["name"] != unused.as_str())
    );

    // Source URLs as Superset gives them, under hostPort; descriptions.
    let shared_kpi = catalog["shared"].to_string();
    let kpi = request(&records, "CreateChartRequest", &shared_kpi);
    assert_eq!(kpi["chartType"], "Line", "big_number_total: {kpi}");
    assert_eq!(kpi["description"], "Revenue, all time");
    assert_eq!(
        kpi["sourceUrl"],
        format!("{}/explore/?slice_id={shared_kpi}", s.server.url())
    );
    let first = catalog["dashboards"][0]["id"].to_string();
    let d = request(&records, "CreateDashboardRequest", &first);
    assert_eq!(
        d["sourceUrl"],
        format!("{}/superset/dashboard/{first}/", s.server.url())
    );
    assert_eq!(d["dashboardType"], "Dashboard");
    assert!(
        d.get("owners").is_none(),
        "the file sink writes no owners: {d}"
    );

    // The physical dataset `orders`: its columns typed as OpenMetadata's parser types them.
    let orders = catalog["datasets"][0]["id"].to_string();
    let m = request(&records, "CreateDashboardDataModelRequest", &orders);
    assert_eq!(m["displayName"], "orders");
    assert_eq!(m["dataModelType"], "SupersetDataModel");
    assert_eq!(m["description"], "Every order");
    assert_eq!(
        m["sourceUrl"],
        format!("{}/tablemodelview/edit/{orders}", s.server.url())
    );
    assert!(m.get("sql").is_none(), "{m}");
    let columns: Vec<(&str, &str, &str)> = m["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap(),
                c["dataType"].as_str().unwrap(),
                c["dataTypeDisplay"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        columns,
        [
            ("id", "INT", "INTEGER"),
            ("customer", "VARCHAR", "VARCHAR(40)"),
            ("amount", "NUMERIC", "NUMERIC(12, 2)"),
            ("created_at", "UNKNOWN", "TIMESTAMP WITHOUT TIME ZONE"),
            ("paid", "BOOLEAN", "BOOLEAN"),
            ("tags", "UNKNOWN", "TEXT[]"),
        ]
    );
    assert_eq!(m["columns"][2]["description"], "In euros");
    // The virtual dataset keeps its SQL; its columns are typed by Superset from the query.
    let totals = catalog["datasets"][2]["id"].to_string();
    let v = request(&records, "CreateDashboardDataModelRequest", &totals);
    assert!(
        v["sql"].as_str().unwrap().contains("FROM shop.orders"),
        "{v}"
    );
    assert_eq!(v["columns"].as_array().unwrap().len(), 3, "{v}");
    assert_eq!(out.report()["failed"], 0);
}

#[test]
fn sequential_and_local_write_the_same() {
    let work = Workdir::new();
    let options = Options {
        include_owners: Some(true),
        ..Options::default()
    };
    let seq = ingest(&work, &options, "sequential", SEQUENTIAL);
    seq.assert_success();
    let local = ingest(&work, &options, "local", ("local", Some(8)));
    local.assert_success();
    assert_eq!(
        seq.records().canonical_set(),
        local.records().canonical_set()
    );
    assert_eq!(
        found(&local.records()),
        without_owners(expected(all_dashboards, all, all))
    );
}

#[test]
fn dashboard_chart_and_data_model_filters_and_drafts() {
    let work = Workdir::new();
    let options = Options {
        filters: vec![
            ("dashboardFilterPattern", vec!["^sales"], vec![".*07$"]),
            ("chartFilterPattern", vec![], vec![".*chart 1$"]),
            ("dataModelFilterPattern", vec![], vec!["^customer_totals$"]),
        ],
        include_drafts: Some(false),
        ..Options::default()
    };
    let out = ingest(&work, &options, "out", SEQUENTIAL);
    out.assert_success();
    let want = expected(
        |title, published| {
            published && title.to_lowercase().starts_with("sales") && !title.ends_with("07")
        },
        |chart| !chart.ends_with("chart 1"),
        |model| model != "customer_totals",
    );
    assert!(
        want.dashboards.len() >= 4 && want.dashboards.len() < DASHBOARDS / 2 + 2,
        "{}",
        want.dashboards.len()
    );
    assert_eq!(want.data_models.len(), 2);
    assert_eq!(found(&out.records()), without_owners(want));
}

#[test]
fn a_wrong_password_fails_discovery_clearly() {
    let s = superset::shared();
    let work = Workdir::new();
    let wrong = "not-the-admin-pw";
    let out = run(
        &work,
        s.server.url(),
        &Options::default(),
        "out",
        SEQUENTIAL,
        wrong,
    );
    out.assert_code(1);
    assert!(
        out.stderr.contains("Superset login refused")
            && out.stderr.contains("HTTP 401")
            && out
                .stderr
                .contains("check connection.username, connection.password"),
        "{}",
        out.describe()
    );
    assert!(
        out.single_error().contains("discovery failed"),
        "{}",
        out.describe()
    );
}

/// Into OpenMetadata: charts and data models stored before the dashboards naming them, owners'
/// e-mails resolved to OpenMetadata users (Superset's mixed-case e-mail found lowercased), a
/// dashboard whose owners are no OpenMetadata users written without owners.
#[test]
fn into_openmetadata_with_owners() {
    let s = superset::shared();
    let om = StandIn::start(OM_TOKEN);
    let bob = om.add_user("bob", &BOB_EMAIL.to_lowercase());
    let work = Workdir::new();
    let options = Options {
        openmetadata: Some(om.host_port()),
        include_owners: Some(true),
        ..Options::default()
    };
    let out = ingest(&work, &options, "om", ("local", Some(4)));
    out.assert_success();
    assert!(
        om.unexpected_requests().is_empty(),
        "{:?}",
        om.unexpected_requests()
    );
    let want = expected(all_dashboards, all, all);
    let names =
        |c: Collection| -> BTreeSet<String> { om.entities(c).into_iter().map(|e| e.fqn).collect() };
    assert_eq!(
        names(Collection::Dashboards),
        want.dashboards.keys().map(|n| fqn(&[SERVICE, n])).collect()
    );
    assert_eq!(names(Collection::Charts).len(), want.charts.len());
    assert_eq!(
        names(Collection::DashboardDataModels),
        want.data_models
            .keys()
            .map(|n| fqn(&[SERVICE, "model", n]))
            .collect()
    );
    let (mut owned, mut unowned) = (0, 0);
    for (name, (_, _, _, owners)) in &want.dashboards {
        let stored = om
            .entity(Collection::Dashboards, &fqn(&[SERVICE, name]))
            .unwrap();
        let refs: Vec<String> = stored.body["owners"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|o| o["id"].as_str().unwrap().to_owned())
                    .collect()
            })
            .unwrap_or_default();
        if owners.iter().any(|o| o == BOB_EMAIL) {
            owned += 1;
            assert_eq!(
                refs,
                std::slice::from_ref(&bob),
                "{name}: {}\n{}",
                stored.body,
                out.describe()
            );
        } else {
            unowned += 1;
            assert!(
                refs.is_empty(),
                "{name}: admin@example.com is no OpenMetadata user"
            );
        }
    }
    assert!(owned > 0 && unowned > 0, "{owned} owned, {unowned} not");
    assert!(s.catalog["dashboards"].as_array().unwrap().iter().any(|d| {
        d["owners"]
            .as_array()
            .unwrap()
            .iter()
            .any(|o| o["email"] == ADMIN_EMAIL)
    }));
}

/// A production-like Superset: 5 calls a second (429 with `Retry-After`), 7 rows a page, tokens
/// that live 3 s. Four workers hit the limit and wait it out; the listings arrive whole across
/// pages; a slow sequential run (through a delaying relay) outlives its token and logs in again.
#[test]
fn rate_limits_small_pages_and_expiring_tokens() {
    let strict = superset::strict();
    let work = Workdir::new();
    let want = without_owners(expected(all_dashboards, all, all));
    let out = run(
        &work,
        strict.url(),
        &Options::default(),
        "limited",
        ("local", Some(4)),
        ADMIN.1,
    );
    out.assert_success();
    assert_eq!(found(&out.records()), want, "every listing page read");
    assert!(
        out.stderr.contains("HTTP 429; retry 1 of 5 in"),
        "the rate limit was met and waited out:\n{}",
        out.describe()
    );
    assert_eq!(out.report()["failed"], 0);

    let port: u16 = strict.url().rsplit(':').next().unwrap().parse().unwrap();
    let relay = Relay::to_addr(&format!("127.0.0.1:{port}"), Duration::from_millis(120));
    let slow = format!("http://127.0.0.1:{}", relay.port);
    let out = run(
        &work,
        &slow,
        &Options::default(),
        "slow",
        SEQUENTIAL,
        ADMIN.1,
    );
    out.assert_success();
    assert_eq!(found(&out.records()), want);
    assert!(
        out.stderr
            .contains("the credentials were refused (HTTP 401); renewing them"),
        "the expired token was renewed:\n{}",
        out.describe()
    );
}

/// The fields both tools write, by (kind, name), each chart once: what omrun's file holds and what
/// OpenMetadata's own connector handed its sink. Left out on purpose, each a documented
/// difference (docs/connectors.md "## Superset"): a dashboard's `dataModels` (omrun names the
/// data models its charts use; OpenMetadata's connector links them by lineage instead), a
/// column's `ordinalPosition` (omrun's) and `displayName` (OpenMetadata's: the column name again),
/// `sourceHash` and `service` (the sinks').
fn comparable(records: impl Iterator<Item = (String, Value)>) -> BTreeMap<(String, String), Value> {
    let keep = |v: &Value, keys: &[&str]| -> Value {
        keys.iter()
            .filter_map(|k| v.get(*k).map(|x| ((*k).to_owned(), x.clone())))
            .collect::<serde_json::Map<String, Value>>()
            .into()
    };
    let mut out = BTreeMap::new();
    for (kind, r) in records {
        let view = match kind.as_str() {
            "CreateChartRequest" => keep(
                &r,
                &[
                    "name",
                    "displayName",
                    "description",
                    "chartType",
                    "sourceUrl",
                ],
            ),
            "CreateDashboardRequest" => keep(
                &r,
                &[
                    "name",
                    "displayName",
                    "description",
                    "sourceUrl",
                    "charts",
                    "project",
                ],
            ),
            "CreateDashboardDataModelRequest" => {
                let mut v = keep(
                    &r,
                    &[
                        "name",
                        "displayName",
                        "description",
                        "dataModelType",
                        "sql",
                        "sourceUrl",
                    ],
                );
                v["columns"] = r["columns"]
                    .as_array()
                    .unwrap()
                    .iter()
                    // OpenMetadata's connector sends `children: []` for every column.
                    .map(|c| {
                        let mut c = c.clone();
                        if c["children"] == serde_json::json!([]) {
                            c.as_object_mut().unwrap().remove("children");
                        }
                        c
                    })
                    .map(|c| {
                        keep(
                            &c,
                            &[
                                "name",
                                "dataType",
                                "dataTypeDisplay",
                                "dataLength",
                                "arrayDataType",
                                "description",
                                "children",
                            ],
                        )
                    })
                    .collect();
                v
            }
            _ => continue,
        };
        let name = r["name"].as_str().unwrap().to_owned();
        out.insert((kind, name), view);
    }
    out
}

/// OpenMetadata's own Superset connector (its API source), run on the same Superset, writes the
/// same charts, dashboards and data models as omrun, field for field but for the differences
/// [`comparable`] names.
#[test]
fn the_same_as_openmetadatas_own_connector() {
    let om = StandIn::start(OM_TOKEN);
    let theirs = superset::openmetadata_ingest(&om, SERVICE);
    let theirs = comparable(
        theirs
            .into_iter()
            .map(|r| (r["kind"].as_str().unwrap().to_owned(), r["request"].clone())),
    );
    let work = Workdir::new();
    let out = ingest(&work, &Options::default(), "ours", SEQUENTIAL);
    out.assert_success();
    let records = out.records();
    let ours = comparable(
        records
            .items
            .iter()
            .map(|r| (r.kind.clone(), r.request.clone())),
    );
    let want = expected(all_dashboards, all, all);
    assert_eq!(
        theirs
            .keys()
            .filter(|(k, _)| k == "CreateDashboardRequest")
            .count(),
        want.dashboards.len(),
        "OpenMetadata's connector read every dashboard: {theirs:#?}"
    );
    for (key, view) in &ours {
        assert_eq!(Some(view), theirs.get(key), "{key:?}");
    }
    assert_eq!(
        ours.keys().collect::<Vec<_>>(),
        theirs.keys().collect::<Vec<_>>()
    );
}
