//! The Tableau connector end to end: the real plugin (`build/plugins/tableau.wasm`) in omrun,
//! against the Tableau stand-in (tests/support/tableau/: REST API and Metadata API), into the file
//! sink (every line checked against OpenMetadata's schemas, data models before the charts and
//! dashboards naming them) and into the OpenMetadata stand-in; and OpenMetadata's own Tableau
//! connector against the same stand-in, for what it writes.
//!
//! What is expected is derived from the stand-in's catalog here, independently of the plugin: a
//! dashboard per workbook named by its id, a chart per view named by its id (type `Other`: no
//! Tableau sheet type is one of OpenMetadata's chart types), a data model per embedded data source
//! of a kept workbook and per published one it draws on, named by id.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use omrun_tests::openmetadata::{Collection, StandIn};
use omrun_tests::tableau::{
    PASSWORD, SITE, Settings, TOKEN_NAME, TOKEN_SECRET, TableauStandIn, USERNAME,
};
use omrun_tests::{Omrun, Records, RunOutput, Workdir, fqn, plugin, yaml_str};
use serde_json::Value;

const SERVICE: &str = "tableau_test";
const OM_TOKEN: &str = "om-test-jwt-tableau";

#[derive(Clone, Default)]
struct Options {
    /// `(key, includes, excludes)` of the filter patterns.
    filters: Vec<(&'static str, Vec<&'static str>, Vec<&'static str>)>,
    include_owners: Option<bool>,
    include_data_models: Option<bool>,
    /// Sign in with the user name and password instead of the token.
    password: bool,
    /// Write to this OpenMetadata stand-in instead of the file.
    openmetadata: Option<String>,
}

fn source_config(o: &Options) -> String {
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
    ] {
        if let Some(v) = value {
            source.push_str(&format!("      {key}: {v}\n"));
        }
    }
    source
}

fn connection(tableau: &TableauStandIn, o: &Options) -> String {
    let auth = if o.password {
        format!(
            "      authType:\n        username: {USERNAME}\n        password: ${{TABLEAU_PASSWORD}}\n"
        )
    } else {
        format!(
            "      authType:\n        personalAccessTokenName: {TOKEN_NAME}\n        \
             personalAccessTokenSecret: ${{TABLEAU_TOKEN_SECRET}}\n"
        )
    };
    format!(
        "    config:\n      type: Tableau\n      hostPort: {}\n      siteName: {SITE}\n{auth}",
        yaml_str(&tableau.url())
    )
}

fn config(work: &Workdir, tableau: &TableauStandIn, o: &Options) -> PathBuf {
    let (sink, server) = match &o.openmetadata {
        None => (
            "sink:\n  type: file\n  config:\n    filename: unused.jsonl\n".to_string(),
            String::new(),
        ),
        Some(host_port) => (
            "sink:\n  type: metadata-rest\n  config: {}\n".to_string(),
            format!(
                "  openMetadataServerConfig:\n    hostPort: {}\n    authProvider: openmetadata\n    \
                 securityConfig:\n      jwtToken: ${{OM_JWT_TOKEN}}\n",
                yaml_str(host_port)
            ),
        ),
    };
    let yaml = format!(
        "source:
  type: tableau
  serviceName: {SERVICE}
  serviceConnection:
{connection}  sourceConfig:
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
        connection = connection(tableau, o),
        source = source_config(o),
    );
    work.write("config.yaml", yaml)
}

/// Runs the plugin with the config of `o`; `name` names the output files. The secrets come from
/// the environment and must appear nowhere omrun writes.
fn ingest(
    work: &Workdir,
    tableau: &TableauStandIn,
    o: &Options,
    name: &str,
    mode: (&str, Option<u32>),
) -> RunOutput {
    let config = config(work, tableau, o);
    let output = work.join(&format!("{name}.jsonl"));
    let mut cmd = Omrun::ingest(work.path(), config)
        .plugin(plugin("tableau"))
        .mode(mode.0, mode.1)
        .env("TABLEAU_TOKEN_SECRET", TOKEN_SECRET)
        .env("TABLEAU_PASSWORD", PASSWORD)
        .env("OM_JWT_TOKEN", OM_TOKEN)
        .secret(TOKEN_SECRET)
        .secret(PASSWORD)
        .report_json(&work.join(&format!("{name}.report.json")));
    if o.openmetadata.is_none() {
        cmd = cmd.arg("--file-sink").arg(&output).output(&output);
    }
    cmd.run()
}

fn sequential() -> (&'static str, Option<u32>) {
    ("sequential", None)
}

fn s(v: &Value) -> &str {
    v.as_str().unwrap_or_default()
}

/// What OpenMetadata should get: each kept workbook's id with its views' ids (in order) and its
/// data models' ids; every data model with its type and field count.
struct Expected {
    dashboards: BTreeMap<String, (Vec<String>, BTreeSet<String>)>,
    data_models: BTreeMap<String, (&'static str, usize)>,
}

fn project_path(catalog: &Value, id: &str) -> String {
    let projects = catalog["projects"].as_array().unwrap();
    let p = projects.iter().find(|p| p["id"] == id).unwrap();
    match p["parentProjectId"].as_str() {
        Some(parent) => format!("{}.{}", project_path(catalog, parent), s(&p["name"])),
        None => s(&p["name"]).to_owned(),
    }
}

fn expected(
    tableau: &TableauStandIn,
    keep_workbook: impl Fn(&str, &str) -> bool,
    keep_view: impl Fn(&str) -> bool,
    keep_model: impl Fn(&str) -> bool,
) -> Expected {
    let catalog = tableau.catalog();
    let published = catalog["publishedDatasources"].as_array().unwrap();
    let mut dashboards = BTreeMap::new();
    let mut data_models = BTreeMap::new();
    for w in tableau.workbooks() {
        let path = project_path(catalog, s(&w["projectId"]));
        if !keep_workbook(s(&w["name"]), &path) {
            continue;
        }
        let views = w["views"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|v| keep_view(s(&v["name"])))
            .map(|v| s(&v["id"]).to_owned())
            .collect();
        let mut models = BTreeSet::new();
        for e in w["embeddedDatasources"].as_array().unwrap() {
            if keep_model(s(&e["name"])) {
                let fields = e["fields"].as_array().unwrap().len();
                data_models.insert(
                    s(&e["id"]).to_owned(),
                    ("TableauEmbeddedDatasource", fields),
                );
                models.insert(s(&e["id"]).to_owned());
            }
            for p in e["upstreamDatasources"].as_array().unwrap() {
                let p = published.iter().find(|x| x["id"] == *p).unwrap();
                if keep_model(s(&p["name"])) {
                    let fields = p["fields"].as_array().unwrap().len();
                    data_models.insert(
                        s(&p["id"]).to_owned(),
                        ("TableauPublishedDatasource", fields),
                    );
                    models.insert(s(&p["id"]).to_owned());
                }
            }
        }
        dashboards.insert(s(&w["id"]).to_owned(), (views, models));
    }
    Expected {
        dashboards,
        data_models,
    }
}

fn all(_: &str) -> bool {
    true
}

fn all2(_: &str, _: &str) -> bool {
    true
}

/// The request of the `kind` entity with this FQN.
fn entity<'a>(records: &'a Records, kind: &'a str, fqn: &str) -> &'a Value {
    match records.of_kind(kind).find(|r| r.fqn == fqn) {
        Some(r) => &r.request,
        None => panic!("no {kind} {fqn} in {}", records.path.display()),
    }
}

fn assert_matches(records: &Records, want: &Expected) {
    let f = |name: &str| fqn(&[SERVICE, name]);
    let model_fqn = |name: &str| fqn(&[SERVICE, "model", name]);
    assert_eq!(
        records.fqns("CreateDashboardRequest"),
        want.dashboards.keys().map(|n| f(n)).collect(),
    );
    assert_eq!(
        records.fqns("CreateDashboardDataModelRequest"),
        want.data_models.keys().map(|n| model_fqn(n)).collect(),
    );
    for (name, (charts, models)) in &want.dashboards {
        let d = entity(records, "CreateDashboardRequest", &f(name));
        let listed: Vec<&str> = d["charts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap())
            .collect();
        let charts: Vec<String> = charts.iter().map(|c| f(c)).collect();
        assert_eq!(listed, charts, "charts of workbook {name}: {d}");
        let listed: BTreeSet<&str> = d["dataModels"]
            .as_array()
            .map(|a| a.iter().map(|m| m.as_str().unwrap()).collect())
            .unwrap_or_default();
        let models: BTreeSet<String> = models.iter().map(|m| model_fqn(m)).collect();
        assert_eq!(
            listed,
            models.iter().map(String::as_str).collect(),
            "data models of {name}"
        );
        assert_eq!(d["dashboardType"], "Dashboard");
    }
    let charts: usize = want.dashboards.values().map(|(c, _)| c.len()).sum();
    assert_eq!(records.count("CreateChartRequest"), charts);
    assert!(
        records
            .of_kind("CreateChartRequest")
            .all(|c| c.request["chartType"] == "Other")
    );
    for r in records.of_kind("CreateDashboardDataModelRequest") {
        let name = s(&r.request["name"]);
        let (kind, fields) = want.data_models[name];
        assert_eq!(r.request["dataModelType"], kind, "{}", r.request);
        assert_eq!(
            r.request["columns"].as_array().map(Vec::len),
            Some(fields),
            "{}",
            r.request
        );
        assert_eq!(r.request["serviceType"], "Tableau");
    }
}

#[test]
fn every_workbook_arrives_with_its_views_after_the_data_models() {
    // 230 workbooks: three pages of 100, as tableauserverclient's pager (OpenMetadata's) reads.
    let tableau = TableauStandIn::start(Settings::new(230, 3));
    let work = Workdir::new();
    let out = ingest(&work, &tableau, &Options::default(), "out", sequential());
    out.assert_success();
    let records = out.records();
    assert_eq!(records.service()["serviceType"], "Tableau");
    let want = expected(&tableau, all2, all, all);
    assert!(want.data_models.len() > 300, "{}", want.data_models.len());
    assert_matches(&records, &want);

    // Every data model before the first chart; each chart before the dashboard that lists it.
    let kinds: Vec<&str> = records.items.iter().map(|r| r.kind.as_str()).collect();
    let last_model = kinds
        .iter()
        .rposition(|k| *k == "CreateDashboardDataModelRequest")
        .unwrap();
    let first_chart = kinds
        .iter()
        .position(|k| *k == "CreateChartRequest")
        .unwrap();
    assert!(last_model < first_chart, "data models first");
    let line = |fqn: &str| {
        records
            .of_kind("CreateChartRequest")
            .find(|r| r.fqn == fqn)
            .map(|r| r.line)
            .unwrap()
    };
    for d in records.of_kind("CreateDashboardRequest") {
        for chart in d.request["charts"].as_array().unwrap() {
            assert!(line(chart.as_str().unwrap()) < d.line);
        }
    }

    // Workbook 3 as OpenMetadata's connector writes it.
    let w = &tableau.workbooks()[3];
    let d = entity(
        &records,
        "CreateDashboardRequest",
        &fqn(&[SERVICE, s(&w["id"])]),
    );
    assert_eq!(d["displayName"], w["name"], "{d}");
    assert_eq!(d["project"], "Marketing", "{d}");
    assert_eq!(
        d["sourceUrl"],
        format!("{}/#/site/omrun/workbooks/1003/views", tableau.url()),
        "{d}"
    );
    assert!(d.get("description").is_none(), "workbook 3 has none: {d}");
    let view = &w["views"][1];
    let chart = entity(
        &records,
        "CreateChartRequest",
        &fqn(&[SERVICE, s(&view["id"])]),
    );
    assert_eq!(chart["displayName"], view["name"]);
    assert_eq!(
        chart["sourceUrl"],
        format!(
            "{}#/site/omrun/views/MarketingWorkbook3/Sheet1",
            tableau.url()
        ),
        "{chart}"
    );
    // Its first data source draws on published data source 0: a mirrored field takes its
    // column's type, the calculated one is a RECORD with the columns it reads.
    let embedded = &w["embeddedDatasources"][0];
    let m = entity(
        &records,
        "CreateDashboardDataModelRequest",
        &fqn(&[SERVICE, "model", s(&embedded["id"])]),
    );
    assert_eq!(m["displayName"], embedded["name"]);
    assert_eq!(
        m["project"], "Marketing",
        "an embedded data source's workbook's project"
    );
    let published = entity(
        &records,
        "CreateDashboardDataModelRequest",
        &fqn(&[SERVICE, "model", s(&embedded["upstreamDatasources"][0])]),
    );
    assert_eq!(published["dataModelType"], "TableauPublishedDatasource");
    assert_eq!(published["project"], "Sales", "{published}");
    assert_eq!(published["description"], "Orders, published 0");
    let columns = published["columns"].as_array().unwrap();
    assert_eq!(columns[0]["dataType"], "BIGINT", "{published}");
    assert_eq!(columns[0]["dataTypeDisplay"], "I8");
    assert_eq!(columns[1]["dataType"], "TIMESTAMP");
    assert_eq!(columns[2]["dataType"], "STRING");
    let calc = columns.last().unwrap();
    assert_eq!(calc["dataType"], "RECORD");
    assert_eq!(calc["dataTypeDisplay"], "Tableau Field");
    assert_eq!(
        calc["description"],
        "What an order brings\n\n**Formula:** `SUM([Amount]) / COUNT([Id])`"
    );
    assert_eq!(calc["children"].as_array().map(Vec::len), Some(2), "{calc}");
    // A data source over the custom SQL query carries it.
    let custom = tableau.catalog()["customSQLTables"][0].clone();
    let over_sql = s(&custom["downstreamDatasources"][0]);
    let m = entity(
        &records,
        "CreateDashboardDataModelRequest",
        &fqn(&[SERVICE, "model", over_sql]),
    );
    assert_eq!(m["sql"], custom["query"], "{m}");

    // One sign-in; every REST call in JSON with the token; pages of 100.
    assert_eq!(tableau.sign_ins(), (1, 0));
    let requests = tableau.requests();
    assert!(
        requests
            .iter()
            .filter(
                |r| !s(&r["path"]).ends_with("/signin") && !s(&r["path"]).ends_with("/serverInfo")
            )
            .all(|r| r["auth"] == true && r["token"] == 1),
        "every call signed in with the one token"
    );
    assert!(requests.iter().all(|r| r["accept"] == "json"));
    let pages: Vec<(&str, &str)> = requests
        .iter()
        .filter(|r| s(&r["path"]).ends_with("/workbooks"))
        .map(|r| (s(&r["query"]["pageNumber"]), s(&r["query"]["pageSize"])))
        .collect();
    assert_eq!(pages, [("1", "100"), ("2", "100"), ("3", "100")]);
    assert!(requests.iter().all(|r| r.get("graphql_error").is_none()));
    // Names only in discovery: the data sources in pages of paginationLimit (10).
    let listing = requests
        .iter()
        .filter(|r| r["roots"] == serde_json::json!(["embeddedDatasourcesConnection"]))
        .count();
    let embedded: usize = tableau
        .workbooks()
        .iter()
        .map(|w| w["embeddedDatasources"].as_array().unwrap().len())
        .sum();
    assert_eq!(listing, embedded.div_ceil(10));
    assert_eq!(out.report()["failed"], 0);
}

#[test]
fn sequential_and_local_write_the_same() {
    let tableau = TableauStandIn::start(Settings::new(60, 4));
    let work = Workdir::new();
    let options = Options {
        include_owners: Some(true),
        ..Options::default()
    };
    let seq = ingest(&work, &tableau, &options, "sequential", sequential());
    seq.assert_success();
    let local = ingest(&work, &tableau, &options, "local", ("local", Some(8)));
    local.assert_success();
    assert_eq!(
        seq.records().canonical_set(),
        local.records().canonical_set()
    );
    assert_matches(&local.records(), &expected(&tableau, all2, all, all));
    assert_eq!(tableau.sign_ins().1, 0);
}

#[test]
fn dashboard_chart_data_model_and_project_filters() {
    let tableau = TableauStandIn::start(Settings::new(40, 3));
    let work = Workdir::new();
    let options = Options {
        filters: vec![
            (
                "dashboardFilterPattern",
                vec!["sales", "finance"],
                vec![".* 13$"],
            ),
            ("projectFilterPattern", vec![], vec!["Sales\\.Regional"]),
            ("chartFilterPattern", vec![], vec!["Sheet 1 of"]),
            ("dataModelFilterPattern", vec![], vec!["Published orders 1"]),
        ],
        ..Options::default()
    };
    let out = ingest(&work, &tableau, &options, "out", sequential());
    out.assert_success();
    let want = expected(
        &tableau,
        |name, path| {
            let n = name.to_lowercase();
            (n.starts_with("sales") || n.starts_with("finance"))
                && !n.ends_with(" 13")
                && path != "Sales.Regional"
        },
        |view| !view.starts_with("Sheet 1 of"),
        |model| model != "Published orders 1",
    );
    assert!(
        want.dashboards.len() >= 10 && want.dashboards.len() < 20,
        "{}",
        want.dashboards.len()
    );
    assert_matches(&out.records(), &want);
    // Filtered workbooks are not even read; the projects are listed for their paths.
    let read = tableau.count(|r| {
        let p = s(&r["path"]);
        p.contains("/workbooks/") && p.ends_with("/views")
    });
    assert_eq!(read, want.dashboards.len());
    assert_eq!(tableau.count(|r| s(&r["path"]).ends_with("/projects")), 1);
}

#[test]
fn owners_are_read_once_per_user_and_only_when_asked() {
    let tableau = TableauStandIn::start(Settings::new(20, 2));
    let work = Workdir::new();
    let users = |t: &TableauStandIn| t.count(|r| s(&r["path"]).contains("/users/"));
    let out = ingest(
        &work,
        &tableau,
        &Options::default(),
        "without",
        sequential(),
    );
    out.assert_success();
    assert_eq!(users(&tableau), 0, "includeOwners defaults to false");

    let options = Options {
        include_owners: Some(true),
        include_data_models: Some(false),
        ..Options::default()
    };
    let out = ingest(&work, &tableau, &options, "with", sequential());
    out.assert_success();
    assert_eq!(users(&tableau), 3, "one call per user");
    let records = out.records();
    assert_eq!(records.count("CreateDashboardDataModelRequest"), 0);
    assert!(
        records
            .of_kind("CreateDashboardRequest")
            .all(|d| d.request.get("dataModels").is_none())
    );
}

/// Owners' e-mails become OpenMetadata user references; a workbook whose owner has no e-mail or
/// no OpenMetadata user is written without one.
#[test]
fn into_openmetadata_with_owners_as_users() {
    let tableau = TableauStandIn::start(Settings::new(24, 2));
    let om = StandIn::start(OM_TOKEN);
    // Tableau has them as `Owner1@Example.COM`: OpenMetadata's index holds e-mails lowercase.
    let known = om.add_user("owner.one", "owner1@example.com");
    let work = Workdir::new();
    let options = Options {
        openmetadata: Some(om.host_port()),
        include_owners: Some(true),
        ..Options::default()
    };
    let out = ingest(&work, &tableau, &options, "om", ("local", Some(4)));
    out.assert_success();
    assert!(
        om.unexpected_requests().is_empty(),
        "{:?}",
        om.unexpected_requests()
    );
    let want = expected(&tableau, all2, all, all);
    let names =
        |c: Collection| -> BTreeSet<String> { om.entities(c).into_iter().map(|e| e.fqn).collect() };
    assert_eq!(names(Collection::Dashboards).len(), want.dashboards.len());
    assert_eq!(
        names(Collection::DashboardDataModels),
        want.data_models
            .keys()
            .map(|m| fqn(&[SERVICE, "model", m]))
            .collect()
    );
    let owner1 = s(&tableau.catalog()["users"][0]["id"]).to_owned();
    let (mut owned, mut unowned) = (0, 0);
    for w in tableau.workbooks() {
        let stored = om
            .entity(Collection::Dashboards, &fqn(&[SERVICE, s(&w["id"])]))
            .expect("written");
        let owners = stored.body["owners"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        if w["ownerId"] == owner1.as_str() {
            owned += 1;
            assert_eq!(owners.len(), 1, "{}", stored.body);
            assert_eq!(owners[0]["id"], known.as_str());
        } else {
            unowned += 1;
            assert!(owners.is_empty(), "{}", stored.body);
        }
        let charts = stored.body["charts"].as_array().map(Vec::len).unwrap_or(0);
        assert_eq!(charts, want.dashboards[s(&w["id"])].0.len());
    }
    assert!(owned > 0 && unowned > 0);
}

#[test]
fn rate_limits_are_waited_out_and_nothing_is_lost() {
    let mut settings = Settings::new(16, 2);
    settings.rate_limit = Some(8);
    let tableau = TableauStandIn::start(settings);
    let work = Workdir::new();
    let started = Instant::now();
    let out = ingest(
        &work,
        &tableau,
        &Options::default(),
        "out",
        ("local", Some(4)),
    );
    out.assert_success();
    assert_matches(&out.records(), &expected(&tableau, all2, all, all));
    assert!(tableau.count_status(429) > 0, "the rate limit was hit");
    assert!(
        started.elapsed() >= Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert!(
        out.stderr.contains("HTTP 429; retry 1 of 5 in 1s"),
        "the plugin waits as told:\n{}",
        out.describe()
    );
    assert_eq!(out.report()["failed"], 0);
}

#[test]
fn an_expired_token_makes_the_plugin_sign_in_again() {
    // Tokens die after 1 s (Tableau's say nothing usable ahead): each 401 makes the plugin sign in
    // again, once, and go on.
    let mut settings = Settings::new(20, 1);
    settings.token_ttl = Some(1.0);
    settings.latency_ms = 60;
    let tableau = TableauStandIn::start(settings);
    let work = Workdir::new();
    let out = ingest(&work, &tableau, &Options::default(), "out", sequential());
    out.assert_success();
    assert_matches(&out.records(), &expected(&tableau, all2, all, all));
    let unauthorized = tableau.count(|r| r["status"] == 401 && r["code"] == "401002");
    let (sign_ins, refused) = tableau.sign_ins();
    assert!(unauthorized >= 2, "{unauthorized} answers 401");
    assert_eq!(refused, 0);
    assert_eq!(
        sign_ins,
        unauthorized + 1,
        "one sign-in per 401, plus the first"
    );
    assert_eq!(out.report()["retried"], 0, "the plugin recovered by itself");
}

#[test]
fn a_user_name_and_password_sign_in_too() {
    let tableau = TableauStandIn::start(Settings::new(5, 1));
    let work = Workdir::new();
    let options = Options {
        password: true,
        ..Options::default()
    };
    let out = ingest(&work, &tableau, &options, "out", sequential());
    out.assert_success();
    assert_matches(&out.records(), &expected(&tableau, all2, all, all));
    let sign_in = tableau
        .requests()
        .into_iter()
        .find(|r| s(&r["path"]).ends_with("/signin"))
        .unwrap();
    assert_eq!(sign_in["signin"], "password");
    assert_eq!(sign_in["status"], 200);
}

#[test]
fn a_wrong_token_secret_fails_discovery_clearly() {
    let tableau = TableauStandIn::start(Settings::new(3, 1));
    let work = Workdir::new();
    let wrong = "not-the-tb-secret";
    let config = config(&work, &tableau, &Options::default());
    let out = Omrun::ingest(work.path(), config)
        .plugin(plugin("tableau"))
        .env("TABLEAU_TOKEN_SECRET", wrong)
        .secret(wrong)
        .run();
    out.assert_code(1);
    assert!(
        out.stderr.contains("Tableau sign-in refused (HTTP 401")
            && out.stderr.contains("check authType and siteName"),
        "{}",
        out.describe()
    );
    assert_eq!(
        tableau.sign_ins(),
        (0, 2),
        "one sign-in per discovery attempt: the plugin does not retry a refused token"
    );
    assert!(
        out.single_error().contains("discovery failed"),
        "{}",
        out.describe()
    );
}

#[test]
fn a_metadata_api_refusal_fails_the_data_model_and_says_why() {
    // A node limit too small for one data source's fields: Tableau cuts the answer and says so.
    let mut settings = Settings::new(4, 1);
    settings.node_limit = Some(12);
    let tableau = TableauStandIn::start(settings);
    let work = Workdir::new();
    let out = ingest(&work, &tableau, &Options::default(), "out", sequential());
    out.assert_code(1);
    let report = out.report();
    let failures = report["failures"].as_array().unwrap();
    assert!(!failures.is_empty(), "{report}");
    assert!(
        failures
            .iter()
            .all(|f| s(&f["error"]).contains("NODE_LIMIT_EXCEEDED")),
        "{report}"
    );
}

/// OpenMetadata's own Tableau connector and omrun's plugin against the same stand-in write the
/// same dashboards, charts and data models, up to what the contract cannot carry: tags (of
/// dashboards, charts and data models), a data model's owners, a column's `displayName` (docs/
/// connectors.md, "Tableau"). Each difference is asserted here, so a change on either side shows.
#[test]
fn what_openmetadata_s_own_connector_writes() {
    let tableau = TableauStandIn::start(Settings::new(12, 2));
    let om = StandIn::start(OM_TOKEN);
    let theirs = omrun_tests::tableau::openmetadata_ingest(
        &tableau,
        &om,
        SERVICE,
        "      includeTags: false\n",
    );
    let work = Workdir::new();
    let out = ingest(&work, &tableau, &Options::default(), "ours", sequential());
    out.assert_success();
    let records = out.records();

    // Theirs by kind and name (a published data source is sent once per workbook using it: the
    // same request each time).
    let mut by_name: BTreeMap<(String, String), Value> = BTreeMap::new();
    for r in &theirs {
        let kind = s(&r["kind"]).to_owned();
        let name = s(&r["request"]["name"]).to_owned();
        by_name.insert((kind, name), r["request"].clone());
    }
    let kinds = [
        ("CreateDashboardRequest", "CreateDashboardRequest"),
        ("CreateChartRequest", "CreateChartRequest"),
        (
            "CreateDashboardDataModelRequest",
            "CreateDashboardDataModelRequest",
        ),
    ];
    for (ours_kind, their_kind) in kinds {
        let ours: BTreeSet<String> = records
            .of_kind(ours_kind)
            .map(|r| s(&r.request["name"]).to_owned())
            .collect();
        let them: BTreeSet<String> = by_name
            .keys()
            .filter(|(k, _)| k == their_kind)
            .map(|(_, n)| n.clone())
            .collect();
        assert_eq!(ours, them, "{ours_kind}: the same names");
        assert!(!ours.is_empty());
    }
    // Field by field, but for what the contract cannot carry (and `sourceHash`, omrun's own).
    let strip = |v: &Value, also: &[&str]| -> Value {
        let mut v = v.clone();
        let o = v.as_object_mut().unwrap();
        for k in ["sourceHash", "tags", "owners"].iter().chain(also) {
            o.remove(*k);
        }
        v
    };
    for r in records
        .of_kind("CreateDashboardRequest")
        .chain(records.of_kind("CreateChartRequest"))
    {
        let theirs = &by_name[&(r.kind.clone(), s(&r.request["name"]).to_owned())];
        let mut ours = strip(&r.request, &[]);
        let mut them = strip(theirs, &[]);
        // Theirs leave `dashboardType` to the server's default, `Dashboard`, which ours send.
        if ours.get("dashboardType") == Some(&Value::from("Dashboard")) {
            assert!(them.get("dashboardType").is_none(), "{them}");
            ours.as_object_mut().unwrap().remove("dashboardType");
        }
        // Data models listed in another order (theirs: as registered; ours: Tableau's).
        for v in [&mut ours, &mut them] {
            if let Some(models) = v.get_mut("dataModels").and_then(Value::as_array_mut) {
                models.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
            }
        }
        assert_eq!(ours, them, "{}", r.kind);
    }
    for r in records.of_kind("CreateDashboardDataModelRequest") {
        let theirs = &by_name[&(r.kind.clone(), s(&r.request["name"]).to_owned())];
        assert_eq!(
            strip(&r.request, &["columns"]),
            strip(theirs, &["columns"]),
            "{}",
            r.request["name"]
        );
        // Columns: the same but for `displayName` (a field's name, a column's name), which
        // contract 0.3.0's columns lack, and `children: []`, which theirs always send.
        fn plain(c: &Value) -> Value {
            let mut c = c.clone();
            let o = c.as_object_mut().unwrap();
            o.remove("displayName");
            o.remove("ordinalPosition");
            if let Some(children) = o.remove("children") {
                let children: Vec<Value> = children.as_array().unwrap().iter().map(plain).collect();
                if !children.is_empty() {
                    o.insert("children".into(), children.into());
                }
            }
            c
        }
        let cols = |v: &Value| -> Vec<Value> {
            v["columns"].as_array().unwrap().iter().map(plain).collect()
        };
        assert_eq!(cols(&r.request), cols(theirs), "{}", r.request["name"]);
        assert!(
            theirs["columns"][0]["displayName"].is_string(),
            "theirs name the field: {theirs}"
        );
    }
}
