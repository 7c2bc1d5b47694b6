//! The Looker connector end to end: the real plugin (`build/plugins/looker.wasm`) in omrun, against
//! the Looker API stand-in (tests/support/looker.rs), into the file sink (every line checked against
//! OpenMetadata's schemas, charts and data models before the dashboards naming them) and into the
//! OpenMetadata stand-in.
//!
//! What is expected is derived from the stand-in's catalog here, independently of the plugin: a
//! dashboard `<id>` (`::` as `_`) with a chart per tile (`<element id>`), a data model
//! `<model>_<explore>` per explore, as OpenMetadata's own Looker connector names them.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use omrun_tests::looker::{LookerStandIn, Settings, USERS, VIS_TYPES};
use omrun_tests::openmetadata::{Collection, StandIn};
use omrun_tests::{Omrun, Records, RunOutput, Workdir, fqn, plugin, yaml_str};
use serde_json::Value;

const SERVICE: &str = "looker_test";
const CLIENT_ID: &str = "omrun-test-client";
/// Characters the URL must carry percent-encoded: the stand-in compares the decoded value.
const SECRET: &str = "lk-s3cr&t/+ü =";
const OM_TOKEN: &str = "om-test-jwt-looker";

/// `sourceConfig.config` and the run's shape.
#[derive(Clone, Default)]
struct Options {
    /// `(key, includes, excludes)` of the filter patterns.
    filters: Vec<(&'static str, Vec<&'static str>, Vec<&'static str>)>,
    include_owners: Option<bool>,
    include_data_models: Option<bool>,
    /// Write to this OpenMetadata stand-in instead of the file.
    openmetadata: Option<String>,
}

fn settings(dashboards: usize, models: usize) -> Settings {
    Settings::new(dashboards, models, CLIENT_ID, SECRET)
}

fn config(work: &Workdir, looker: &LookerStandIn, o: &Options) -> PathBuf {
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
  type: looker
  serviceName: {SERVICE}
  serviceConnection:
    config:
      type: Looker
      hostPort: {host_port}
      clientId: {CLIENT_ID}
      clientSecret: ${{LOOKER_CLIENT_SECRET}}
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
        host_port = yaml_str(&looker.host_port()),
    );
    work.write("config.yaml", yaml)
}

/// Runs the plugin with the config of `o`; `name` names the output files. The secret comes from
/// the environment and must appear nowhere omrun writes.
fn ingest(
    work: &Workdir,
    looker: &LookerStandIn,
    o: &Options,
    name: &str,
    mode: (&str, Option<u32>),
) -> RunOutput {
    let config = config(work, looker, o);
    let output = work.join(&format!("{name}.jsonl"));
    let mut cmd = Omrun::ingest(work.path(), config)
        .plugin(plugin("looker"))
        .mode(mode.0, mode.1)
        .env("LOOKER_CLIENT_SECRET", SECRET)
        .env("OM_JWT_TOKEN", OM_TOKEN)
        .secret(SECRET)
        .report_json(&work.join(&format!("{name}.report.json")));
    if o.openmetadata.is_none() {
        cmd = cmd.arg("--file-sink").arg(&output).output(&output);
    }
    cmd.run()
}

fn sequential() -> (&'static str, Option<u32>) {
    ("sequential", None)
}

/// What OpenMetadata should get for the stand-in's catalog: each dashboard's name with its
/// charts' names and its data models' names; each chart's type; the data models.
struct Expected {
    dashboards: BTreeMap<String, (Vec<String>, BTreeSet<String>)>,
    chart_types: BTreeMap<String, String>,
    data_models: BTreeSet<String>,
}

fn expected(
    looker: &LookerStandIn,
    keep_dashboard: impl Fn(&str) -> bool,
    keep_chart: impl Fn(&str) -> bool,
    keep_model: impl Fn(&str) -> bool,
) -> Expected {
    let catalog = looker.catalog();
    let data_models: BTreeSet<String> = catalog
        .explores
        .iter()
        .map(|(m, e, _)| format!("{m}_{e}"))
        .filter(|n| keep_model(n))
        .collect();
    let mut dashboards = BTreeMap::new();
    let mut chart_types = BTreeMap::new();
    for d in &catalog.dashboards {
        if !keep_dashboard(d["title"].as_str().unwrap()) {
            continue;
        }
        let mut charts = Vec::new();
        let mut models = BTreeSet::new();
        for e in d["dashboard_elements"].as_array().unwrap() {
            let id = e["id"].as_str().unwrap().to_string();
            let q = &e["query"];
            if let (Some(m), Some(x)) = (q["model"].as_str(), q["view"].as_str()) {
                let name = format!("{m}_{x}");
                if data_models.contains(&name) {
                    models.insert(name);
                }
            }
            if !keep_chart(e["title"].as_str().unwrap_or(&id)) {
                continue;
            }
            let kind = match (e["type"].as_str(), q["vis_config"]["type"].as_str()) {
                (Some("text"), _) => "Text",
                (_, Some(vis)) => VIS_TYPES.iter().find(|(v, _)| *v == vis).unwrap().1,
                _ => "Other",
            };
            chart_types.insert(id.clone(), kind.to_string());
            charts.push(id);
        }
        let name = d["id"].as_str().unwrap().replace("::", "_");
        dashboards.insert(name, (charts, models));
    }
    Expected {
        dashboards,
        chart_types,
        data_models,
    }
}

fn all(_: &str) -> bool {
    true
}

/// The records match `want` exactly: every dashboard, its charts (by FQN, in tile order) and data
/// models, every chart's type, every data model with its columns.
fn assert_matches(records: &Records, want: &Expected) {
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
    for (name, (charts, models)) in &want.dashboards {
        let d = entity(records, "CreateDashboardRequest", &f(name));
        let listed: Vec<&str> = d["charts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap())
            .collect();
        let charts: Vec<String> = charts.iter().map(|c| f(c)).collect();
        assert_eq!(listed, charts, "charts of dashboard {name}: {d}");
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
        assert!(
            d["sourceUrl"]
                .as_str()
                .is_some_and(|u| u.contains("/dashboards/")),
            "{d}"
        );
    }
    let types: BTreeMap<String, String> = records
        .of_kind("CreateChartRequest")
        .map(|r| {
            (
                r.request["name"].as_str().unwrap().to_string(),
                r.request["chartType"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(types, want.chart_types, "the charts and their types");
    for r in records.of_kind("CreateDashboardDataModelRequest") {
        assert_eq!(r.request["dataModelType"], "LookMlExplore");
        assert!(
            r.request["columns"]
                .as_array()
                .is_some_and(|c| c.len() >= 6),
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

fn login_calls(looker: &LookerStandIn) -> (usize, usize) {
    (
        looker.count("POST", "/api/4.0/login", 200),
        looker.count("POST", "/api/4.0/login", 404),
    )
}

#[test]
fn every_dashboard_arrives_with_its_charts_after_the_data_models() {
    let looker = LookerStandIn::start(settings(25, 3));
    let work = Workdir::new();
    let out = ingest(&work, &looker, &Options::default(), "out", sequential());
    out.assert_success();
    let records = out.records();
    assert_eq!(records.service()["serviceType"], "Looker");
    assert_matches(&records, &expected(&looker, all, all, all));

    // Every data model before the first chart or dashboard; each dashboard right after its charts.
    let kinds: Vec<&str> = records.items.iter().map(|r| r.kind.as_str()).collect();
    let last_model = kinds
        .iter()
        .rposition(|k| *k == "CreateDashboardDataModelRequest")
        .unwrap();
    let first_other = kinds
        .iter()
        .position(|k| *k == "CreateChartRequest")
        .unwrap();
    assert!(last_model < first_other, "data models first: {kinds:?}");
    // Each chart before the dashboard that lists it (the sink may group a batch's charts).
    let line = |kind: &str, fqn: &str| {
        records
            .of_kind(kind)
            .find(|r| r.fqn == fqn)
            .map(|r| r.line)
            .unwrap()
    };
    for d in records.of_kind("CreateDashboardRequest") {
        for chart in d.request["charts"].as_array().unwrap() {
            let chart = chart.as_str().unwrap();
            assert!(
                line("CreateChartRequest", chart) < d.line,
                "{chart} before {}",
                d.fqn
            );
        }
    }
    // The LookML dashboard `model_0::overview` keeps OpenMetadata's name for it.
    entity(
        &records,
        "CreateDashboardRequest",
        &fqn(&[SERVICE, "model_0_overview"]),
    );
    // Dashboard 2's first tile: a line chart with its share URL; its fourth: a text tile.
    let tile = entity(&records, "CreateChartRequest", &fqn(&[SERVICE, "11"]));
    assert_eq!(tile["chartType"], "Line", "{tile}");
    assert_eq!(tile["displayName"], "Tile 0 of 1", "{tile}");
    assert!(
        tile["sourceUrl"].as_str().unwrap().ends_with("/x/q11"),
        "{tile}"
    );
    let text = entity(&records, "CreateChartRequest", &fqn(&[SERVICE, "14"]));
    assert_eq!(text["chartType"], "Text", "{text}");
    assert_eq!(text["description"], "Read me 1.3", "{text}");

    // The stand-in received the real secret (it refuses anything else) on one login.
    assert_eq!(login_calls(&looker), (1, 0));
    assert!(
        looker
            .requests()
            .iter()
            .all(|r| r.query.as_deref().is_none_or(|q| !q.contains("s3cr"))),
        "the stand-in's log keeps no secret"
    );
    assert!(
        looker.unexpected_requests().is_empty(),
        "{:?}",
        looker.unexpected_requests()
    );
    // Names only, then one call per dashboard and per data model, the model list once.
    let calls = looker.requests().len();
    assert_eq!(calls, 1 + 1 + 1 + 25 + 9, "{:#?}", looker.requests());
    assert_eq!(out.report()["failed"], 0);
}

#[test]
fn sequential_and_local_write_the_same() {
    let looker = LookerStandIn::start(settings(60, 4));
    let work = Workdir::new();
    let options = Options {
        include_owners: Some(true),
        ..Options::default()
    };
    let seq = ingest(&work, &looker, &options, "sequential", sequential());
    seq.assert_success();
    let local = ingest(&work, &looker, &options, "local", ("local", Some(8)));
    local.assert_success();
    assert_eq!(
        seq.records().canonical_set(),
        local.records().canonical_set()
    );
    assert_matches(&local.records(), &expected(&looker, all, all, all));
    assert_eq!(login_calls(&looker).1, 0);
}

#[test]
fn dashboard_chart_and_data_model_filters() {
    let looker = LookerStandIn::start(settings(30, 3));
    let work = Workdir::new();
    let options = Options {
        filters: vec![
            (
                "dashboardFilterPattern",
                vec!["sales", "finance"],
                vec![".*0012$"],
            ),
            ("chartFilterPattern", vec![], vec!["Tile 0 of", "^[0-9]+$"]),
            ("dataModelFilterPattern", vec![], vec!["model_1_"]),
        ],
        ..Options::default()
    };
    let out = ingest(&work, &looker, &options, "out", sequential());
    out.assert_success();
    let records = out.records();
    let want = expected(
        &looker,
        |title| {
            let t = title.to_lowercase();
            (t.starts_with("sales") || t.starts_with("finance")) && !t.ends_with("0012")
        },
        // Untitled tiles are matched by id, which the second exclude removes.
        |title| !title.starts_with("Tile 0 of") && !title.bytes().all(|b| b.is_ascii_digit()),
        |model| !model.starts_with("model_1_"),
    );
    assert!(
        want.dashboards.len() >= 10 && want.dashboards.len() < 20,
        "{}",
        want.dashboards.len()
    );
    assert!(!want.data_models.is_empty() && want.data_models.len() < 9);
    assert_matches(&records, &want);
    // Filtered dashboards are not even fetched.
    let fetched = looker
        .requests()
        .iter()
        .filter(|r| r.path.starts_with("/api/4.0/dashboards/"))
        .count();
    assert_eq!(fetched, want.dashboards.len());
}

#[test]
fn owners_are_looked_up_once_per_user_and_only_when_asked() {
    let looker = LookerStandIn::start(settings(30, 2));
    let work = Workdir::new();
    let out = ingest(&work, &looker, &Options::default(), "without", sequential());
    out.assert_success();
    let users = |looker: &LookerStandIn| {
        looker
            .requests()
            .iter()
            .filter(|r| r.path.starts_with("/api/4.0/users/"))
            .map(|r| (r.path.clone(), r.status))
            .collect::<Vec<_>>()
    };
    assert!(users(&looker).is_empty(), "includeOwners defaults to false");

    let looker = LookerStandIn::start(settings(30, 2));
    let options = Options {
        include_owners: Some(true),
        include_data_models: Some(false),
        ..Options::default()
    };
    let out = ingest(&work, &looker, &options, "with", sequential());
    out.assert_success();
    let asked = users(&looker);
    let distinct: BTreeSet<_> = asked.iter().collect();
    assert_eq!(asked.len(), USERS, "one call per user: {asked:?}");
    assert_eq!(distinct.len(), USERS);
    assert!(asked.iter().all(|(_, status)| *status == 200));
    // The e-mail reaches the sink's entity model; OpenMetadata's Create request takes owners as
    // user references the sink cannot make up, so the file carries none (host/sink/src/requests/).
    let records = out.records();
    assert_eq!(
        records.count("CreateDashboardDataModelRequest"),
        0,
        "includeDataModels: false"
    );
    assert!(
        records
            .of_kind("CreateDashboardRequest")
            .all(|d| d.request.get("dataModels").is_none())
    );
    assert!(
        looker
            .requests()
            .iter()
            .all(|r| !r.path.starts_with("/api/4.0/lookml_models"))
    );
}

#[test]
fn rate_limits_are_waited_out_and_nothing_is_lost() {
    let mut s = settings(24, 2);
    // 6 calls a second for the whole stand-in, while 4 workers ask as fast as they can.
    s.rate_limit = Some((6, Duration::from_secs(1)));
    let looker = LookerStandIn::start(s);
    let work = Workdir::new();
    let started = Instant::now();
    let out = ingest(
        &work,
        &looker,
        &Options::default(),
        "out",
        ("local", Some(4)),
    );
    out.assert_success();
    assert_matches(&out.records(), &expected(&looker, all, all, all));
    let limited = looker.count_status(429);
    assert!(
        limited > 0,
        "the rate limit was hit: {:#?}",
        looker.requests()
    );
    // 24 dashboards, 6 data models, listings and logins at 6 a second.
    assert!(
        started.elapsed() >= Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
    assert!(
        out.stderr.contains("HTTP 429; retry 1 of 5 in 1s"),
        "the plugin says it waits as told:\n{}",
        out.describe()
    );
    assert_eq!(out.report()["failed"], 0);
}

#[test]
fn short_lived_tokens_are_renewed() {
    // Tokens live 2 s and say so: the plugin logs in again before they run out (never a 401).
    let mut s = settings(40, 1);
    s.token_ttl = Duration::from_secs(2);
    s.latency = Duration::from_millis(100);
    let looker = LookerStandIn::start(s);
    let work = Workdir::new();
    let out = ingest(&work, &looker, &Options::default(), "ahead", sequential());
    out.assert_success();
    assert_matches(&out.records(), &expected(&looker, all, all, all));
    let (logins, refused) = login_calls(&looker);
    assert!(
        logins >= 3 && refused == 0,
        "{logins} logins, {refused} refused"
    );
    assert_eq!(looker.count_status(401), 0);

    // Tokens say an hour but die after 1 s: each 401 makes the plugin log in again, once.
    let mut s = settings(30, 1);
    s.token_ttl = Duration::from_secs(1);
    s.advertised_ttl = Some(Duration::from_secs(3600));
    s.latency = Duration::from_millis(100);
    let looker = LookerStandIn::start(s);
    let out = ingest(&work, &looker, &Options::default(), "late", sequential());
    out.assert_success();
    assert_matches(&out.records(), &expected(&looker, all, all, all));
    let unauthorized = looker.count_status(401);
    let (logins, _) = login_calls(&looker);
    assert!(unauthorized >= 2, "{unauthorized} answers 401");
    assert_eq!(
        logins,
        unauthorized + 1,
        "one login per 401, plus the first"
    );
    assert_eq!(out.report()["retried"], 0, "the plugin recovered by itself");
}

#[test]
fn a_redirect_to_another_host_is_denied_by_the_host() {
    let looker = LookerStandIn::start(settings(5, 1));
    // A second Looker on another port: the config does not grant it.
    let elsewhere = LookerStandIn::start(settings(5, 1));
    let target = format!("{}/api/4.0/dashboards/2", elsewhere.host_port());
    looker.redirect_dashboard("2", &target);
    let work = Workdir::new();
    let out = ingest(&work, &looker, &Options::default(), "out", sequential());
    out.assert_code(1);

    assert!(
        elsewhere.requests().is_empty(),
        "nothing reached the other host: {:?}",
        elsewhere.requests()
    );
    let port = elsewhere
        .host_port()
        .rsplit(':')
        .next()
        .unwrap()
        .to_string();
    out.assert_stderr_line(&format!("denied HTTP request to 127.0.0.1:{port}"));
    let report = out.report();
    assert_eq!(report["failed"], 1, "{report}");
    let failure = &report["failures"][0];
    assert_eq!(failure["fqn"], fqn(&[SERVICE, "2"]), "{report}");
    let error = failure["error"].as_str().unwrap();
    assert!(
        error.contains("denied the request to http://127.0.0.1:")
            && error.contains("GET /api/4.0/dashboards/2"),
        "{error}"
    );
    // The others made it.
    let records = out.records();
    assert_eq!(records.count("CreateDashboardRequest"), 4);
}

#[test]
fn a_wrong_secret_fails_discovery_clearly() {
    let looker = LookerStandIn::start(settings(3, 1));
    let work = Workdir::new();
    let wrong = "not-the-lk-secret";
    let config = config(&work, &looker, &Options::default());
    let out = Omrun::ingest(work.path(), config)
        .plugin(plugin("looker"))
        .env("LOOKER_CLIENT_SECRET", wrong)
        .secret(wrong)
        .run();
    // Discovery fails; the host tries it again (maxAttempts) and gives up.
    out.assert_code(1);
    assert!(
        out.stderr.contains("Looker login refused (HTTP 404")
            && out.stderr.contains("check clientId and clientSecret"),
        "{}",
        out.describe()
    );
    assert_eq!(
        login_calls(&looker),
        (0, 2),
        "one login per discovery attempt: the plugin does not retry a refused key"
    );
    assert!(
        out.single_error().contains("discovery failed"),
        "{}",
        out.describe()
    );
}

#[test]
fn an_unreachable_looker_stops_the_run_at_once() {
    let looker = LookerStandIn::start(settings(1, 1));
    let work = Workdir::new();
    let config = config(&work, &looker, &Options::default());
    // A port nothing listens on, in place of the stand-in's.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let text = std::fs::read_to_string(&config).unwrap();
    let text = text.replace(&looker.host_port(), &format!("http://127.0.0.1:{port}"));
    std::fs::write(&config, text).unwrap();
    let started = Instant::now();
    let out = Omrun::ingest(work.path(), config)
        .plugin(plugin("looker"))
        .env("LOOKER_CLIENT_SECRET", SECRET)
        .secret(SECRET)
        .run();
    out.assert_code(2);
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(
        out.single_error(),
        format!(
            "error: cannot reach the source: 127.0.0.1:{port} refused the connection: nothing \
             listens on port {port} there"
        ),
        "{}",
        out.describe()
    );
}

#[test]
fn into_openmetadata() {
    let looker = LookerStandIn::start(settings(20, 2));
    let om = StandIn::start(OM_TOKEN);
    let work = Workdir::new();
    let options = Options {
        openmetadata: Some(om.host_port()),
        ..Options::default()
    };
    let out = ingest(&work, &looker, &options, "om", ("local", Some(4)));
    out.assert_success();
    assert!(
        om.unexpected_requests().is_empty(),
        "{:?}",
        om.unexpected_requests()
    );
    let want = expected(&looker, all, all, all);
    let names =
        |c: Collection| -> BTreeSet<String> { om.entities(c).into_iter().map(|e| e.fqn).collect() };
    assert_eq!(names(Collection::Dashboards).len(), want.dashboards.len());
    assert_eq!(names(Collection::Charts).len(), want.chart_types.len());
    assert_eq!(
        names(Collection::DashboardDataModels),
        want.data_models
            .iter()
            .map(|m| fqn(&[SERVICE, "model", m]))
            .collect()
    );
    let d = om
        .entity(Collection::Dashboards, &fqn(&[SERVICE, "1"]))
        .expect("dashboard 1");
    let charts: Vec<&Value> = d.body["charts"]
        .as_array()
        .map(|a| a.iter().collect())
        .unwrap_or_default();
    assert_eq!(charts.len(), want.dashboards["1"].0.len(), "{}", d.body);
}

/// Owners' e-mails become OpenMetadata user references, by id, when a user has the e-mail; a
/// dashboard whose owner is no OpenMetadata user is written without one. Each e-mail is looked up
/// once, though two workers write dashboards of the same owners at once.
#[test]
fn owners_become_openmetadata_users_or_teams_looked_up_once_per_email() {
    let looker = LookerStandIn::start(settings(30, 1));
    let om = StandIn::start(OM_TOKEN);
    // Looker has them as `Owner1@Example.COM`: OpenMetadata's index holds e-mails lowercase.
    // Owner 3's address is a team's (a shared mailbox), found after no user has it.
    let known = [
        ("1", om.add_user("owner.one", "owner1@example.com"), "user"),
        ("2", om.add_user("owner.two", "owner2@example.com"), "user"),
        ("3", om.add_team("data.team", "owner3@example.com"), "team"),
    ];
    let work = Workdir::new();
    let options = Options {
        openmetadata: Some(om.host_port()),
        include_owners: Some(true),
        include_data_models: Some(false),
        ..Options::default()
    };
    let out = ingest(&work, &looker, &options, "owners", ("local", Some(2)));
    out.assert_success();
    assert!(
        om.unexpected_requests().is_empty(),
        "{:?}",
        om.unexpected_requests()
    );
    let (mut owned, mut unowned) = (0, 0);
    for d in &looker.catalog().dashboards {
        let name = d["id"].as_str().unwrap().replace("::", "_");
        let stored = om
            .entity(Collection::Dashboards, &fqn(&[SERVICE, &name]))
            .unwrap_or_else(|| panic!("dashboard {name} written"));
        let owners = stored.body["owners"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let user = d["user_id"].as_str().unwrap();
        match known.iter().find(|(n, _, _)| *n == user) {
            Some((_, id, kind)) => {
                owned += 1;
                assert_eq!(owners.len(), 1, "{name}: {}", stored.body);
                assert_eq!(owners[0]["id"], id.as_str(), "{name}");
                assert_eq!(owners[0]["type"], *kind, "{name}");
            }
            None => {
                unowned += 1;
                assert!(
                    owners.is_empty(),
                    "{name} has no OpenMetadata owner: {}",
                    stored.body
                );
            }
        }
    }
    assert!(owned > 0 && unowned > 0, "{owned} owned, {unowned} not");
    let calls = |path: &str| -> Vec<String> {
        om.requests()
            .into_iter()
            .filter(|r| r.path.starts_with(path))
            .map(|r| format!("{}?{}", r.path, r.query.unwrap_or_default()))
            .collect()
    };
    let searches = calls("/api/v1/search/query");
    let distinct: BTreeSet<_> = searches.iter().collect();
    let users = known.iter().filter(|k| k.2 == "user").count();
    // Every e-mail in the user index; those no user has in the team index too.
    let expected = USERS + (USERS - users);
    assert_eq!(
        searches.len(),
        expected,
        "one search per e-mail and index: {searches:?}"
    );
    assert_eq!(distinct.len(), expected, "{searches:?}");
    let reads = calls("/api/v1/users/name/");
    assert_eq!(reads.len(), users, "one read per user found: {reads:?}");
    let reads = calls("/api/v1/teams/name/");
    assert_eq!(
        reads,
        ["/api/v1/teams/name/data.team?"],
        "one read per team found"
    );
}
