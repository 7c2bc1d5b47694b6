//! The Metabase connector end to end: the real plugin (`build/plugins/metabase.wasm`) in omrun,
//! against the Metabase stand-in (tests/support/metabase.rs), into the file sink (every line
//! checked against OpenMetadata's schemas, charts and data models before the dashboards naming
//! them) and into the OpenMetadata stand-in; and OpenMetadata's own Metabase connector against
//! the same stand-in, as the oracle of what omrun writes (and the check that the stand-in answers
//! as Metabase does: OpenMetadata's client reads it without a complaint).
//!
//! What is expected is derived from the stand-in's catalog here, independently of the plugin: a
//! dashboard `<id>` with a chart `<card id>` per card it shows, in order, each card once; the
//! `default` dashboard with the cards on none; a data model `<card id>` per Metabase model.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use omrun_tests::metabase::{MetabaseStandIn, Settings};
use omrun_tests::om_ingest::run_connector;
use omrun_tests::openmetadata::{Collection, StandIn};
use omrun_tests::{Omrun, Records, RunOutput, Workdir, fqn, plugin, repo_root, yaml_str};
use serde_json::Value;

const SERVICE: &str = "metabase_test";
/// Characters a JSON body must carry escaped: the stand-in compares the decoded value.
const PASSWORD: &str = "mb-p4ss\"w\\rd ü";
const API_KEY: &str = "mb_3xAmpleK3y/+=";
const OM_TOKEN: &str = "om-test-jwt-metabase";

/// `sourceConfig.config` and the run's shape.
#[derive(Clone, Default)]
struct Options {
    /// `(key, includes, excludes)` of the filter patterns.
    filters: Vec<(&'static str, Vec<&'static str>, Vec<&'static str>)>,
    include_owners: Option<bool>,
    include_data_models: Option<bool>,
    /// Sign in with the API key instead of username and password.
    api_key: bool,
    /// Write to this OpenMetadata stand-in instead of the file.
    openmetadata: Option<String>,
}

fn settings(dashboards: usize) -> Settings {
    let mut s = Settings::new(dashboards, PASSWORD);
    s.api_key = Some(API_KEY.into());
    s
}

/// `sourceConfig.config` as YAML lines (six spaces in).
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

fn config(work: &Workdir, mb: &MetabaseStandIn, o: &Options) -> PathBuf {
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
    let credentials = if o.api_key {
        "      apiKey: ${METABASE_API_KEY}\n"
    } else {
        "      username: admin@example.com\n      password: ${METABASE_PASSWORD}\n"
    };
    let yaml = format!(
        "source:
  type: metabase
  serviceName: {SERVICE}
  serviceConnection:
    config:
      type: Metabase
      hostPort: {host_port}
{credentials}  sourceConfig:
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
        host_port = yaml_str(&mb.url()),
        source = source_config(o),
    );
    work.write("config.yaml", yaml)
}

/// Runs the plugin with the config of `o`; `name` names the output files. The secrets come from
/// the environment and must appear nowhere omrun writes.
fn ingest(
    work: &Workdir,
    mb: &MetabaseStandIn,
    o: &Options,
    name: &str,
    mode: (&str, Option<u32>),
) -> RunOutput {
    let config = config(work, mb, o);
    let output = work.join(&format!("{name}.jsonl"));
    let mut cmd = Omrun::ingest(work.path(), config)
        .plugin(plugin("metabase"))
        .mode(mode.0, mode.1)
        .env("METABASE_PASSWORD", PASSWORD)
        .env("METABASE_API_KEY", API_KEY)
        .env("OM_JWT_TOKEN", OM_TOKEN)
        .secret(PASSWORD)
        .secret(API_KEY)
        .report_json(&work.join(&format!("{name}.report.json")));
    if o.openmetadata.is_none() {
        cmd = cmd.arg("--file-sink").arg(&output).output(&output);
    }
    cmd.run()
}

fn sequential() -> (&'static str, Option<u32>) {
    ("sequential", None)
}

/// OpenMetadata's `get_standard_chart_type` for the displays the catalog uses.
fn chart_type(display: &str) -> &'static str {
    match display {
        "table" => "Table",
        "bar" => "Bar",
        "line" => "Line",
        "pie" => "Pie",
        "area" => "Area",
        "scatter" => "Scatter",
        "gauge" => "Gauge",
        "map" => "Map",
        _ => "Other",
    }
}

fn slug(name: &str) -> String {
    name.to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect()
}

/// What OpenMetadata should get for a dashboard.
#[derive(Debug, PartialEq)]
struct Want {
    display_name: Option<String>,
    project: Option<String>,
    charts: Vec<String>,
    data_models: BTreeSet<String>,
    /// The creator's e-mail, lower-cased.
    owner: Option<String>,
}

/// What OpenMetadata should get for the stand-in's catalog: dashboards by name, charts by name
/// with (display name, type), data models by name.
struct Expected {
    dashboards: BTreeMap<String, Want>,
    charts: BTreeMap<String, (String, String)>,
    data_models: BTreeSet<String>,
}

type Keep<'a> = &'a dyn Fn(&str) -> bool;

/// `keep`: (dashboard name, chart name, data model name, project name) filters; a dashboard in
/// the root collection has project `None`, kept only by `keep_root`.
fn expected(
    mb: &MetabaseStandIn,
    keep_dashboard: Keep,
    keep_chart: Keep,
    keep_model: Keep,
    keep_project: &dyn Fn(Option<&str>) -> bool,
) -> Expected {
    let c = mb.catalog();
    let collections: BTreeMap<String, String> = c["collections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| (x["id"].to_string(), x["name"].as_str().unwrap().to_string()))
        .collect();
    let cards = c["cards"].as_array().unwrap();
    let data_models: BTreeSet<String> = cards
        .iter()
        .filter(|x| x["type"] == "model" && keep_model(x["name"].as_str().unwrap()))
        .map(|x| x["id"].to_string())
        .collect();
    let users = &c["users"];
    let mut dashboards = BTreeMap::new();
    let mut charts = BTreeMap::new();
    let mut shown = BTreeSet::new();
    let mut listed: Vec<&Value> = c["dashboards"].as_object().unwrap().values().collect();
    listed.sort_by_key(|d| d["id"].as_i64());
    let mut any = false;
    let mut add_chart = |card: &Value, list: &mut Vec<String>| {
        let id = card["id"].to_string();
        let name = card["name"].as_str().unwrap();
        if keep_chart(name) && !list.contains(&id) {
            list.push(id.clone());
            let kind = chart_type(card["display"].as_str().unwrap());
            charts.insert(id, (name.to_string(), kind.to_string()));
        }
    };
    for d in listed {
        let name = d["name"].as_str().unwrap();
        if !keep_dashboard(name) {
            continue;
        }
        any = true;
        let mut shows = Vec::new();
        let mut models = BTreeSet::new();
        for dc in d["dashcards"].as_array().unwrap() {
            let card = &dc["card"];
            if card["id"].is_null() {
                continue;
            }
            shown.insert(card["id"].to_string());
            let id = card["id"].to_string();
            if card["type"] == "model" && data_models.contains(&id) {
                models.insert(id);
            }
            if let Some(model) = card["dataset_query"]["query"]["source-table"]
                .as_str()
                .and_then(|s| s.strip_prefix("card__"))
                && data_models.contains(model)
            {
                models.insert(model.to_string());
            }
            shows.push(card);
        }
        let project = d["collection_id"]
            .as_i64()
            .map(|id| collections[&id.to_string()].clone());
        // Left out by its project, its cards still count as shown (as in OpenMetadata).
        if !keep_project(project.as_deref()) {
            continue;
        }
        let mut list = Vec::new();
        for card in shows {
            add_chart(card, &mut list);
        }
        let creator = d["creator_id"].to_string();
        dashboards.insert(
            d["id"].to_string(),
            Want {
                display_name: Some(name.to_string()),
                project,
                charts: list,
                data_models: models,
                owner: Some(users[&creator]["email"].as_str().unwrap().to_lowercase()),
            },
        );
    }
    // The cards on no dashboard (the filter's dashboards), under `default`.
    if any && keep_dashboard("default") && keep_project(Some("default")) {
        let mut list = Vec::new();
        for card in cards {
            if !shown.contains(&card["id"].to_string()) {
                add_chart(card, &mut list);
            }
        }
        dashboards.insert(
            "default".into(),
            Want {
                display_name: None,
                project: Some("default".into()),
                charts: list,
                data_models: BTreeSet::new(),
                owner: None,
            },
        );
    }
    Expected {
        dashboards,
        charts,
        data_models,
    }
}

fn all(_: &str) -> bool {
    true
}

fn any_project(_: Option<&str>) -> bool {
    true
}

/// The records match `want` exactly: every dashboard with its display name, project, source
/// URL, charts (by FQN, in card order) and data models; every chart with its display name, type
/// and source URL; every data model.
fn assert_matches(records: &Records, want: &Expected, base: &str) {
    let f = |name: &str| fqn(&[SERVICE, name]);
    let model_fqn = |name: &str| fqn(&[SERVICE, "model", name]);
    assert_eq!(
        records.fqns("CreateDashboardRequest"),
        want.dashboards.keys().map(|n| f(n)).collect(),
    );
    assert_eq!(
        records.fqns("CreateDashboardDataModelRequest"),
        want.data_models.iter().map(|n| model_fqn(n)).collect(),
    );
    for (name, w) in &want.dashboards {
        let d = entity(records, "CreateDashboardRequest", &f(name));
        let listed: Vec<&str> = d["charts"]
            .as_array()
            .map(|a| a.iter().map(|c| c.as_str().unwrap()).collect())
            .unwrap_or_default();
        let charts: Vec<String> = w.charts.iter().map(|c| f(c)).collect();
        assert_eq!(listed, charts, "charts of dashboard {name}: {d}");
        let models: BTreeSet<String> = d["dataModels"]
            .as_array()
            .map(|a| a.iter().map(|m| m.as_str().unwrap().to_string()).collect())
            .unwrap_or_default();
        let want_models: BTreeSet<String> = w.data_models.iter().map(|m| model_fqn(m)).collect();
        assert_eq!(models, want_models, "data models of {name}");
        assert_eq!(d["displayName"].as_str(), w.display_name.as_deref(), "{d}");
        assert_eq!(d["project"].as_str(), w.project.as_deref(), "{d}");
        assert_eq!(d["dashboardType"], "Dashboard");
        match &w.display_name {
            Some(display) => assert_eq!(
                d["sourceUrl"],
                format!("{base}/dashboard/{name}-{}", slug(display)),
                "{d}"
            ),
            None => assert!(d.get("sourceUrl").is_none(), "{d}"),
        }
    }
    let mut got = BTreeMap::new();
    for r in records.of_kind("CreateChartRequest") {
        let q = &r.request;
        let name = q["name"].as_str().unwrap().to_string();
        let display = q["displayName"].as_str().unwrap().to_string();
        assert_eq!(
            q["sourceUrl"],
            format!("{base}/question/{name}-{}", slug(&display)),
            "{q}"
        );
        got.insert(
            name,
            (display, q["chartType"].as_str().unwrap().to_string()),
        );
    }
    assert_eq!(got, want.charts, "the charts and their types");
    for r in records.of_kind("CreateDashboardDataModelRequest") {
        assert_eq!(
            r.request["dataModelType"], "MetabaseDataModel",
            "{}",
            r.request
        );
    }
}

/// The request of the `kind` entity with this FQN (a chart and a dashboard may share one).
fn entity<'a>(records: &'a Records, kind: &'a str, fqn: &str) -> &'a Value {
    match records.of_kind(kind).find(|r| r.fqn == fqn) {
        Some(r) => &r.request,
        None => panic!("no {kind} {fqn} in {}", records.path.display()),
    }
}

fn logins(mb: &MetabaseStandIn) -> (usize, usize) {
    (
        mb.count("POST", "/api/session", 200),
        mb.count("POST", "/api/session", 401),
    )
}

#[test]
fn dashboards_charts_and_models_as_openmetadata_names_them() {
    let mb = MetabaseStandIn::start(settings(14));
    let work = Workdir::new();
    let out = ingest(&work, &mb, &Options::default(), "out", sequential());
    out.assert_success();
    let records = out.records();
    assert_eq!(records.service()["serviceType"], "Metabase");
    let want = expected(&mb, &all, &all, &all, &any_project);
    assert_matches(&records, &want, &mb.url());
    // Cards on no dashboard: two models, a question on a model, a native question.
    assert_eq!(want.dashboards["default"].charts, ["11", "12", "13"]);
    // Dashboard 7 shows model 10: the model is its data model as well as its chart.
    assert_eq!(
        want.dashboards["7"].data_models,
        BTreeSet::from(["10".to_string()])
    );

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
            let chart = chart.as_str().unwrap();
            let first = records
                .of_kind("CreateChartRequest")
                .find(|r| r.fqn == chart)
                .map(|r| r.line)
                .unwrap();
            assert!(first < d.line, "{chart} before {}", d.fqn);
        }
    }
    // A name with `&`, `:` and parentheses in its URL, as OpenMetadata writes it.
    let d1 = entity(&records, "CreateDashboardRequest", &fqn(&[SERVICE, "1"]));
    assert_eq!(
        d1["sourceUrl"],
        format!("{}/dashboard/1-sales---kpis--q1--1-", mb.url())
    );
    assert_eq!(d1["description"], "Sales at a glance");
    assert!(d1.get("project").is_none(), "the root collection: {d1}");
    // A model: its result columns, its collection, its SQL when native.
    let m10 = entity(
        &records,
        "CreateDashboardDataModelRequest",
        &fqn(&[SERVICE, "model", "10"]),
    );
    let columns: Vec<(&str, &str)> = m10["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["name"].as_str().unwrap(), c["dataType"].as_str().unwrap()))
        .collect();
    assert_eq!(
        columns,
        [
            ("ID", "BIGINT"),
            ("USER_ID", "INT"),
            ("TOTAL", "FLOAT"),
            ("CREATED_AT", "TIMESTAMP")
        ]
    );
    assert_eq!(m10["displayName"], "Orders model");
    assert_eq!(m10["description"], "Every order, cleaned");
    assert_eq!(m10["project"], "Sales");
    assert_eq!(
        m10["sourceUrl"],
        format!("{}/model/10-orders-model", mb.url())
    );
    let m11 = entity(
        &records,
        "CreateDashboardDataModelRequest",
        &fqn(&[SERVICE, "model", "11"]),
    );
    assert_eq!(m11["sql"], "SELECT id, name FROM public.customers");

    // One login; the password reached the stand-in (it refuses anything else) and no log.
    assert_eq!(logins(&mb), (1, 0));
    assert!(
        mb.requests().iter().all(|r| r["status"] != 404),
        "{:#?}",
        mb.requests()
    );
    // Discovery: the collections, the dashboards of each (root + 5), the cards. Then one call
    // per dashboard, the default one's (one per dashboard again), one per model and its tables.
    let calls = |prefix: &str| mb.calls(prefix).len();
    assert_eq!(calls("/api/collection"), 1 + 6);
    assert_eq!(calls("/api/card"), 1 + 2, "the list, then each model");
    assert_eq!(calls("/api/dashboard/"), 14 * 2);
    assert_eq!(calls("/api/user/"), 0, "includeOwners defaults to false");
    assert_eq!(out.report()["failed"], 0);
}

#[test]
fn sequential_and_local_write_the_same() {
    let mb = MetabaseStandIn::start(settings(40));
    let work = Workdir::new();
    let options = Options {
        include_owners: Some(true),
        ..Options::default()
    };
    let seq = ingest(&work, &mb, &options, "sequential", sequential());
    seq.assert_success();
    let local = ingest(&work, &mb, &options, "local", ("local", Some(8)));
    local.assert_success();
    assert_eq!(
        seq.records().canonical_set(),
        local.records().canonical_set()
    );
    let want = expected(&mb, &all, &all, &all, &any_project);
    assert_matches(&local.records(), &want, &mb.url());
}

#[test]
fn dashboard_chart_project_and_data_model_filters() {
    let mb = MetabaseStandIn::start(settings(24));
    let work = Workdir::new();
    let options = Options {
        filters: vec![
            // By name: the "& KPIs" ones and `default` left out.
            ("dashboardFilterPattern", vec![], vec![".*KPIs", "default"]),
            (
                "chartFilterPattern",
                vec!["(sales|finance|marketing) chart"],
                vec![],
            ),
            // By collection: the root collection has none, so it is left out too.
            (
                "projectFilterPattern",
                vec![],
                vec!["Operations", ".*Personal"],
            ),
            ("dataModelFilterPattern", vec!["orders"], vec![]),
        ],
        ..Options::default()
    };
    let out = ingest(&work, &mb, &options, "out", ("local", Some(3)));
    out.assert_success();
    let keep_dashboard = |n: &str| !n.contains("KPIs") && n != "default";
    let keep_chart = |n: &str| {
        let n = n.to_lowercase();
        ["sales chart", "finance chart", "marketing chart"]
            .iter()
            .any(|p| n.starts_with(p))
    };
    let keep_model = |n: &str| n.to_lowercase().starts_with("orders");
    let keep_project =
        |p: Option<&str>| p.is_some_and(|p| p != "Operations" && !p.contains("Personal"));
    let want = expected(
        &mb,
        &keep_dashboard,
        &keep_chart,
        &keep_model,
        &keep_project,
    );
    assert!(
        want.dashboards.len() >= 5 && want.dashboards.len() < 24,
        "{:?}",
        want.dashboards.keys()
    );
    assert_matches(&out.records(), &want, &mb.url());
    assert_eq!(want.data_models, BTreeSet::from(["10".to_string()]));
    // Left-out dashboards are never fetched.
    assert_eq!(mb.calls("/api/dashboard/").len(), want.dashboards.len());
}

#[test]
fn owners_are_looked_up_once_per_user_and_only_when_asked() {
    let mb = MetabaseStandIn::start(settings(30));
    let work = Workdir::new();
    let options = Options {
        include_owners: Some(true),
        include_data_models: Some(false),
        ..Options::default()
    };
    let out = ingest(&work, &mb, &options, "with", sequential());
    out.assert_success();
    let asked = mb.calls("/api/user/");
    let distinct: BTreeSet<_> = asked.iter().collect();
    assert_eq!(asked.len(), 5, "one call per user: {asked:?}");
    assert_eq!(distinct.len(), 5);
    let records = out.records();
    assert_eq!(records.count("CreateDashboardDataModelRequest"), 0);
    assert!(
        records
            .of_kind("CreateDashboardRequest")
            .all(|d| d.request.get("dataModels").is_none())
    );
    // Without includeDataModels, models are only charts: no call for each.
    assert_eq!(
        mb.calls("/api/card").len(),
        1,
        "the list (default dashboard)"
    );
}

#[test]
fn an_api_key_instead_of_a_password() {
    let mb = MetabaseStandIn::start(settings(6));
    let work = Workdir::new();
    let options = Options {
        api_key: true,
        ..Options::default()
    };
    let out = ingest(&work, &mb, &options, "out", sequential());
    out.assert_success();
    assert_matches(
        &out.records(),
        &expected(&mb, &all, &all, &all, &any_project),
        &mb.url(),
    );
    assert_eq!(logins(&mb), (0, 0), "no session with an API key");
    assert!(
        mb.requests().iter().all(|r| r["auth"] == "api-key"),
        "{:#?}",
        mb.requests()
    );
}

#[test]
fn a_wrong_password_fails_discovery_clearly() {
    let mb = MetabaseStandIn::start(settings(3));
    let work = Workdir::new();
    let wrong = "not-the-mb-password";
    let config = config(&work, &mb, &Options::default());
    let out = Omrun::ingest(work.path(), config)
        .plugin(plugin("metabase"))
        .env("METABASE_PASSWORD", wrong)
        .secret(wrong)
        .run();
    out.assert_code(1);
    assert!(
        out.stderr
            .contains("Metabase refused the login of admin@example.com")
            && out.stderr.contains("check username and password")
            && out.stderr.contains("401"),
        "{}",
        out.describe()
    );
    assert_eq!(
        logins(&mb),
        (0, 2),
        "one login per discovery attempt: a refused password is not retried"
    );
    assert!(
        out.single_error().contains("discovery failed"),
        "{}",
        out.describe()
    );
}

#[test]
fn expired_sessions_log_in_again() {
    let mut s = settings(30);
    s.session_ttl = Some(Duration::from_millis(700));
    s.latency = Duration::from_millis(50);
    let mb = MetabaseStandIn::start(s);
    let work = Workdir::new();
    let out = ingest(&work, &mb, &Options::default(), "out", sequential());
    out.assert_success();
    assert_matches(
        &out.records(),
        &expected(&mb, &all, &all, &all, &any_project),
        &mb.url(),
    );
    let unauthorized = mb.count_status(401);
    let (ok, refused) = logins(&mb);
    assert!(unauthorized >= 2, "{unauthorized} answers 401");
    assert_eq!(refused, 0);
    assert_eq!(ok, unauthorized + 1, "one login per 401, plus the first");
    assert_eq!(out.report()["retried"], 0, "the plugin recovered by itself");
}

#[test]
fn rate_limits_are_waited_out_and_nothing_is_lost() {
    let mut s = settings(20);
    // 8 calls a second for the whole stand-in, while 4 workers ask as fast as they can.
    s.rate_limit = Some((8, Duration::from_secs(1)));
    let mb = MetabaseStandIn::start(s);
    let work = Workdir::new();
    let started = Instant::now();
    let out = ingest(&work, &mb, &Options::default(), "out", ("local", Some(4)));
    out.assert_success();
    assert_matches(
        &out.records(),
        &expected(&mb, &all, &all, &all, &any_project),
        &mb.url(),
    );
    assert!(mb.count_status(429) > 0, "the rate limit was hit");
    assert!(
        started.elapsed() >= Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(out.report()["failed"], 0);
}

#[test]
fn into_openmetadata_with_owners_as_users() {
    let mb = MetabaseStandIn::start(settings(20));
    let om = StandIn::start(OM_TOKEN);
    // Metabase keeps user 3's e-mail as typed, `User3@Example.com`: OpenMetadata's are lowercase.
    let known = [
        ("1", om.add_user("ada", "user1@example.com")),
        ("3", om.add_user("alan", "user3@example.com")),
    ];
    let work = Workdir::new();
    let options = Options {
        openmetadata: Some(om.host_port()),
        include_owners: Some(true),
        ..Options::default()
    };
    let out = ingest(&work, &mb, &options, "om", ("local", Some(4)));
    out.assert_success();
    assert!(
        om.unexpected_requests().is_empty(),
        "{:?}",
        om.unexpected_requests()
    );
    let want = expected(&mb, &all, &all, &all, &any_project);
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
            .iter()
            .map(|m| fqn(&[SERVICE, "model", m]))
            .collect()
    );
    let (mut owned, mut unowned) = (0, 0);
    for (name, w) in &want.dashboards {
        let stored = om
            .entity(Collection::Dashboards, &fqn(&[SERVICE, name]))
            .unwrap_or_else(|| panic!("dashboard {name} written"));
        let owners = stored.body["owners"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let user = w
            .owner
            .as_deref()
            .and_then(|e| e.strip_prefix("user"))
            .and_then(|e| e.split('@').next());
        match known.iter().find(|(n, _)| Some(*n) == user) {
            Some((_, id)) => {
                owned += 1;
                assert_eq!(owners.len(), 1, "{name}: {}", stored.body);
                assert_eq!(owners[0]["id"], id.as_str(), "{name}");
            }
            None => {
                unowned += 1;
                assert!(owners.is_empty(), "{name}: {}", stored.body);
            }
        }
        assert_eq!(
            stored.body["charts"].as_array().map_or(0, Vec::len),
            w.charts.len(),
            "{name}"
        );
    }
    assert!(owned > 0 && unowned > 0, "{owned} owned, {unowned} not");
}

/// OpenMetadata's own Metabase connector (openmetadata-ingestion 2.0.7.0) against the same
/// stand-in, into an OpenMetadata stand-in: what it writes is what omrun writes, but for the
/// differences docs/connectors.md lists, each asserted here.
#[test]
fn openmetadata_connector_writes_what_omrun_writes() {
    let mb = MetabaseStandIn::start(settings(16));
    let om = StandIn::start(OM_TOKEN);
    let source = format!(
        "source:\n  type: metabase\n  serviceName: {SERVICE}\n  serviceConnection:\n    config:\n      \
         type: Metabase\n      hostPort: {}\n      username: admin@example.com\n      password: {}\n  \
         sourceConfig:\n    config:\n{}",
        yaml_str(&mb.url()),
        yaml_str(PASSWORD),
        source_config(&Options::default())
    );
    let patches = repo_root().join("tests/support/metabase/om_patches.py");
    let theirs = run_connector(
        "Metabase",
        &source,
        &om,
        std::ffi::OsStr::new(""),
        Some(&patches),
    );
    // Its client logged in with the password, listed as omrun does, and met no refusal.
    assert!(logins(&mb).0 >= 1, "{:#?}", mb.requests());
    assert!(
        mb.requests().iter().all(|r| r["status"] == 200),
        "{:#?}",
        mb.requests()
    );

    let work = Workdir::new();
    let out = ingest(&work, &mb, &Options::default(), "ours", sequential());
    out.assert_success();
    let ours = out.records();

    // Charts and dashboards, as sets of their requests' fields (OpenMetadata writes a card shown
    // on two dashboards twice; omrun too, once per dashboard).
    let canonical = |kind: &str, q: &Value| -> String {
        let mut q = q.clone();
        let o = q.as_object_mut().unwrap();
        for k in [
            "service",
            "sourceHash",
            "owners",
            "dashboardType",
            "dataModels",
        ] {
            o.remove(k);
        }
        // OpenMetadata writes an empty source URL for its `default` dashboard, omrun none.
        if kind == "CreateDashboardRequest" && o.get("sourceUrl") == Some(&Value::from("")) {
            o.remove("sourceUrl");
        }
        format!("{kind} {q}")
    };
    let theirs_set: BTreeSet<String> = theirs
        .iter()
        .filter(|r| r["kind"] != "CreateDashboardServiceRequest")
        .map(|r| canonical(r["kind"].as_str().unwrap(), &r["request"]))
        .collect();
    let ours_set: BTreeSet<String> = ours
        .items
        .iter()
        .filter(|r| r.kind == "CreateChartRequest" || r.kind == "CreateDashboardRequest")
        .map(|r| canonical(&r.kind, &r.request))
        .collect();
    assert_eq!(
        ours_set.difference(&theirs_set).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "omrun wrote what OpenMetadata did not"
    );
    assert_eq!(
        theirs_set.difference(&ours_set).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "OpenMetadata wrote what omrun did not"
    );
    // The differences: omrun's data models (Metabase models), which OpenMetadata's connector
    // does not make, and the dashboards listing them.
    assert!(
        theirs
            .iter()
            .all(|r| r["kind"] != "CreateDashboardDataModelRequest")
    );
    assert_eq!(ours.count("CreateDashboardDataModelRequest"), 2);
    let default = theirs
        .iter()
        .find(|r| r["request"]["name"] == "default")
        .expect("OpenMetadata's default dashboard");
    assert_eq!(default["request"]["sourceUrl"], "", "{default}");
}
