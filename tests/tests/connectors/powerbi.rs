//! The Power BI connector end to end: the real plugin (`build/plugins/powerbi.wasm`) in omrun,
//! against the Power BI stand-in (tests/support/powerbi.rs: Entra ID's token endpoint and the
//! Power BI REST API, checked by msal), into the file sink (every line checked against
//! OpenMetadata's schemas) and into the OpenMetadata stand-in.
//!
//! What is expected is derived from the stand-in's catalog here, independently of the plugin, as
//! OpenMetadata's own Power BI connector names things: a dashboard per report (`Report`, its pages
//! as charts `<report id>_<page name>`) and per dashboard (`Dashboard`, its tiles as charts named
//! by their ids), a data model per dataset (`PowerBIDataModel`) and dataflow (`PowerBIDataFlow`),
//! all named by their Power BI ids; the project is the workspace's name.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use omrun_tests::openmetadata::{Collection, StandIn};
use omrun_tests::powerbi::{EDITOR, PowerBiStandIn, TENANT, Tenant};
use omrun_tests::{Omrun, Records, RunOutput, Workdir, fqn, plugin, yaml_str};
use serde_json::{Value, json};

const SERVICE: &str = "powerbi_test";
const CLIENT_ID: &str = "9d1e0a6c-0000-4000-8000-00000000c1d1";
/// Characters a form body must carry percent-encoded: the stand-in compares the decoded value.
const SECRET: &str = "pbi~S3cr&t=+/ ü%";
const OM_TOKEN: &str = "om-test-jwt-powerbi";

#[derive(Clone, Default)]
struct Options {
    /// `(key, includes, excludes)` of the filter patterns.
    filters: Vec<(&'static str, Vec<&'static str>, Vec<&'static str>)>,
    include_owners: Option<bool>,
    include_data_models: Option<bool>,
    use_admin_apis: Option<bool>,
    page: Option<u32>,
    /// Write to this OpenMetadata stand-in instead of the file.
    openmetadata: Option<String>,
    /// `lineageInformation.dbServicePrefixes`.
    db_service_prefixes: Vec<&'static str>,
}

fn tenant(workspaces: usize) -> Tenant {
    Tenant::new(workspaces, CLIENT_ID, SECRET)
}

fn config(work: &Workdir, pbi: &PowerBiStandIn, o: &Options) -> PathBuf {
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
    if !o.db_service_prefixes.is_empty() {
        let prefixes: Vec<String> = o.db_service_prefixes.iter().map(|p| yaml_str(p)).collect();
        source.push_str(&format!(
            "      lineageInformation:\n        dbServicePrefixes: [{}]\n",
            prefixes.join(", ")
        ));
    }
    let mut connection = String::new();
    if let Some(admin) = o.use_admin_apis {
        connection.push_str(&format!("      useAdminApis: {admin}\n"));
    }
    if let Some(page) = o.page {
        connection.push_str(&format!("      pagination_entity_per_page: {page}\n"));
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
    let url = yaml_str(&pbi.url());
    let yaml = format!(
        "source:
  type: powerbi
  serviceName: {SERVICE}
  serviceConnection:
    config:
      type: PowerBI
      clientId: {CLIENT_ID}
      clientSecret: ${{POWERBI_CLIENT_SECRET}}
      tenantId: {TENANT}
      authorityURI: {url}
      apiURL: {url}
      hostPort: {url}
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
"
    );
    work.write("config.yaml", yaml)
}

/// Runs the plugin; the secret comes from the environment and must appear nowhere omrun writes.
fn ingest(
    work: &Workdir,
    pbi: &PowerBiStandIn,
    o: &Options,
    name: &str,
    mode: (&str, Option<u32>),
) -> RunOutput {
    let config = config(work, pbi, o);
    let output = work.join(&format!("{name}.jsonl"));
    let mut cmd = Omrun::ingest(work.path(), config)
        .plugin(plugin("powerbi"))
        .mode(mode.0, mode.1)
        .env("POWERBI_CLIENT_SECRET", SECRET)
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

/// What OpenMetadata should get: dashboards (name → type, display name, project, chart names),
/// charts (name → display name), data models (name → type).
#[derive(Debug, Default)]
struct Expected {
    dashboards: BTreeMap<String, (String, String, String, Vec<String>)>,
    charts: BTreeMap<String, String>,
    data_models: BTreeMap<String, String>,
}

fn s(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_string()
}

fn expected(
    pbi: &PowerBiStandIn,
    keep_project: impl Fn(&str) -> bool,
    keep_dashboard: impl Fn(&str) -> bool,
    keep_chart: impl Fn(&str) -> bool,
    keep_model: impl Fn(&str) -> bool,
    dataflows: bool,
) -> Expected {
    let mut want = Expected::default();
    for ws in pbi.active_workspaces() {
        let project = s(&ws["name"]);
        if !keep_project(&project) {
            continue;
        }
        for d in ws["datasets"].as_array().unwrap() {
            if keep_model(&s(&d["name"])) {
                want.data_models
                    .insert(s(&d["id"]), "PowerBIDataModel".into());
            }
        }
        for f in ws["dataflows"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|_| dataflows)
        {
            if keep_model(&s(&f["name"])) {
                want.data_models
                    .insert(s(&f["objectId"]), "PowerBIDataFlow".into());
            }
        }
        for r in ws["reports"].as_array().unwrap() {
            if !keep_dashboard(&s(&r["name"])) {
                continue;
            }
            let mut charts = Vec::new();
            for p in r["pages"].as_array().unwrap() {
                if keep_chart(&s(&p["displayName"])) {
                    let name = format!("{}_{}", s(&r["id"]), s(&p["name"]));
                    want.charts.insert(name.clone(), s(&p["displayName"]));
                    charts.push(name);
                }
            }
            want.dashboards.insert(
                s(&r["id"]),
                ("Report".into(), s(&r["name"]), project.clone(), charts),
            );
        }
        for d in ws["dashboards"].as_array().unwrap() {
            if !keep_dashboard(&s(&d["displayName"])) {
                continue;
            }
            let mut charts = Vec::new();
            for t in d["tiles"].as_array().unwrap() {
                let shown = t["title"]
                    .as_str()
                    .map(str::to_string)
                    .unwrap_or(s(&t["id"]));
                if keep_chart(&shown) {
                    want.charts.insert(s(&t["id"]), shown);
                    charts.push(s(&t["id"]));
                }
            }
            want.dashboards.insert(
                s(&d["id"]),
                (
                    "Dashboard".into(),
                    s(&d["displayName"]),
                    project.clone(),
                    charts,
                ),
            );
        }
    }
    want
}

fn all(_: &str) -> bool {
    true
}

fn everything(pbi: &PowerBiStandIn) -> Expected {
    expected(pbi, all, all, all, all, true)
}

/// The records match `want` exactly.
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
    for (name, (kind, shown, project, charts)) in &want.dashboards {
        let d = entity(records, "CreateDashboardRequest", &f(name));
        assert_eq!(d["dashboardType"], kind.as_str(), "{d}");
        assert_eq!(d["displayName"], shown.as_str(), "{d}");
        assert_eq!(d["project"], project.as_str(), "{d}");
        let listed: Vec<&str> = d["charts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap())
            .collect();
        let charts: Vec<String> = charts.iter().map(|c| f(c)).collect();
        assert_eq!(listed, charts, "charts of {name}: {d}");
        assert!(
            d.get("dataModels").is_none(),
            "as OpenMetadata: no dataModels: {d}"
        );
    }
    let charts: BTreeMap<String, String> = records
        .of_kind("CreateChartRequest")
        .map(|r| (s(&r.request["name"]), s(&r.request["displayName"])))
        .collect();
    assert_eq!(charts, want.charts, "the charts and their display names");
    assert!(
        records
            .of_kind("CreateChartRequest")
            .all(|c| c.request["chartType"] == "Other")
    );
    for r in records.of_kind("CreateDashboardDataModelRequest") {
        let name = s(&r.request["name"]);
        assert_eq!(
            r.request["dataModelType"],
            want.data_models[&name].as_str(),
            "{}",
            r.request
        );
        assert_eq!(r.request["serviceType"], "PowerBI");
    }
}

fn entity<'a>(records: &'a Records, kind: &'a str, fqn: &str) -> &'a Value {
    match records.of_kind(kind).find(|r| r.fqn == fqn) {
        Some(r) => &r.request,
        None => panic!("no {kind} {fqn} in {}", records.path.display()),
    }
}

/// Calls to the API path under `/v1.0/myorg/` starting with `prefix`, any status.
fn calls(pbi: &PowerBiStandIn, method: &str, prefix: &str) -> usize {
    let full = format!("/v1.0/myorg/{prefix}");
    pbi.requests()
        .iter()
        .filter(|r| {
            r["method"] == method && r["path"].as_str().is_some_and(|p| p.starts_with(&full))
        })
        .count()
}

#[test]
fn reports_dashboards_and_data_models_from_one_scan() {
    let pbi = PowerBiStandIn::start(tenant(4));
    let work = Workdir::new();
    let out = ingest(&work, &pbi, &Options::default(), "out", sequential());
    out.assert_success();
    let records = out.records();
    assert_eq!(records.service()["serviceType"], "PowerBI");
    let want = everything(&pbi);
    assert_eq!(
        (want.dashboards.len(), want.data_models.len()),
        (4 * 5, 4 * 3)
    );
    assert_matches(&records, &want);

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
    let line = |fqn: &str| {
        records
            .of_kind("CreateChartRequest")
            .find(|r| r.fqn == fqn)
            .unwrap()
            .line
    };
    for d in records.of_kind("CreateDashboardRequest") {
        for chart in d.request["charts"].as_array().unwrap() {
            assert!(
                line(chart.as_str().unwrap()) < d.line,
                "{chart} before {}",
                d.fqn
            );
        }
    }

    // OpenMetadata's URLs: a report opens on its first page; a paginated one under rdlreports.
    let web = pbi.url();
    let ws = pbi.active_workspaces()[1]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let report = pbi.active_workspaces()[1]["reports"][1].clone();
    let r = entity(
        &records,
        "CreateDashboardRequest",
        &fqn(&[SERVICE, &s(&report["id"])]),
    );
    assert_eq!(
        r["sourceUrl"],
        format!(
            "{web}/groups/{ws}/reports/{}/ReportSection?experience=power-bi",
            s(&report["id"])
        )
    );
    assert!(r.get("description").is_none(), "{r}");
    let first = entity(
        &records,
        "CreateDashboardRequest",
        &fqn(&[SERVICE, &s(&pbi.active_workspaces()[1]["reports"][0]["id"])]),
    );
    assert_eq!(first["description"], "About report 1.0");
    let page = entity(
        &records,
        "CreateChartRequest",
        &fqn(&[SERVICE, &format!("{}_ReportSection1", s(&report["id"]))]),
    );
    assert_eq!(
        page["sourceUrl"],
        format!(
            "{web}/groups/{ws}/reports/{}/ReportSection1?experience=power-bi",
            s(&report["id"])
        )
    );
    let dash = &pbi.active_workspaces()[1]["dashboards"][0];
    let d = entity(
        &records,
        "CreateDashboardRequest",
        &fqn(&[SERVICE, &s(&dash["id"])]),
    );
    assert_eq!(
        d["sourceUrl"],
        format!(
            "{web}/groups/{ws}/dashboards/{}?experience=power-bi",
            s(&dash["id"])
        )
    );
    let tile = entity(
        &records,
        "CreateChartRequest",
        &fqn(&[SERVICE, &s(&dash["tiles"][1]["id"])]),
    );
    assert_eq!(
        tile["sourceUrl"],
        format!("{web}/groups/{ws}/dashboards/{}", s(&dash["id"])),
        "no report: the dashboard"
    );
    let untitled = entity(
        &records,
        "CreateChartRequest",
        &fqn(&[SERVICE, &s(&dash["tiles"][2]["id"])]),
    );
    assert_eq!(
        untitled["displayName"], dash["tiles"][2]["id"],
        "an untitled tile shows its id"
    );

    // A dataset: its table as a TABLE column with columns and measures as children.
    let dataset = &pbi.active_workspaces()[1]["datasets"][0];
    let m = entity(
        &records,
        "CreateDashboardDataModelRequest",
        &fqn(&[SERVICE, "model", &s(&dataset["id"])]),
    );
    assert_eq!(m["displayName"], "Model 1.0");
    assert_eq!(m["description"], "Sales model 1");
    assert_eq!(m["project"], "Finance 1");
    assert_eq!(
        m["sourceUrl"],
        format!(
            "{web}/groups/{ws}/datasets/{}/details?experience=power-bi",
            s(&dataset["id"])
        )
    );
    let table = &m["columns"][0];
    assert_eq!(
        (
            &table["name"],
            &table["dataType"],
            &table["dataTypeDisplay"]
        ),
        (&"orders".into(), &"TABLE".into(), &"PowerBI Table".into())
    );
    let children: Vec<(String, String)> = table["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (s(&c["name"]), s(&c["dataType"])))
        .collect();
    assert_eq!(
        children,
        [
            ("id", "BIGINT"),
            ("amount", "DECIMAL"),
            ("created", "DATETIME"),
            ("Total", "MEASURE VISIBLE"),
            ("Secret", "MEASURE HIDDEN")
        ]
        .map(|(a, b)| (a.to_string(), b.to_string()))
    );
    assert_eq!(
        table["children"][3]["description"],
        "Expression : SUM(orders[amount])"
    );
    // A dataflow: its exported entities.
    let flow = &pbi.active_workspaces()[1]["dataflows"][0];
    let f = entity(
        &records,
        "CreateDashboardDataModelRequest",
        &fqn(&[SERVICE, "model", &s(&flow["objectId"])]),
    );
    assert_eq!(f["columns"][0]["name"], "customers");
    assert_eq!(f["columns"][0]["children"][1]["dataType"], "STRING");
    assert_eq!(
        f["sourceUrl"],
        format!(
            "{web}/groups/{ws}/dataflows/{}?experience=power-bi",
            s(&flow["objectId"])
        )
    );

    // One token; the workspace list, one scan (polled until it succeeded), one page call per
    // report, one export per dataflow; nothing of the Deleted workspace.
    assert_eq!(pbi.token_calls(), (1, 0));
    assert_eq!(calls(&pbi, "GET", "admin/groups"), 1);
    assert_eq!(calls(&pbi, "POST", "admin/workspaces/getInfo"), 1);
    assert_eq!(calls(&pbi, "GET", "admin/workspaces/scanStatus/"), 3);
    assert_eq!(calls(&pbi, "GET", "admin/workspaces/scanResult/"), 1);
    assert_eq!(
        calls(&pbi, "GET", "groups/"),
        4 * 3,
        "the pages of each report"
    );
    assert_eq!(calls(&pbi, "GET", "admin/dataflows/"), 4);
    assert_eq!(pbi.requests().len(), 1 + 1 + 1 + 3 + 1 + 12 + 4);
    assert!(
        pbi.requests()
            .iter()
            .all(|r| r["status"].as_u64().unwrap() < 300),
        "{:#?}",
        pbi.requests()
    );
    assert!(!records.canonical_set().join("\n").contains("Archive"));
    assert_eq!(out.report()["failed"], 0);
}

#[test]
fn sequential_and_local_write_the_same() {
    let pbi = PowerBiStandIn::start(tenant(6));
    let work = Workdir::new();
    let options = Options {
        include_owners: Some(true),
        ..Options::default()
    };
    let seq = ingest(&work, &pbi, &options, "sequential", sequential());
    seq.assert_success();
    let local = ingest(&work, &pbi, &options, "local", ("local", Some(8)));
    local.assert_success();
    assert_eq!(
        seq.records().canonical_set(),
        local.records().canonical_set()
    );
    assert_matches(&local.records(), &everything(&pbi));
    // One scan for the sequential run; for the local one, one in discovery and one per other
    // worker that got work (it cannot be handed the scan's id).
    let scans = pbi.count("POST", "/v1.0/myorg/admin/workspaces/getInfo", 202);
    assert!((3..=1 + 1 + 8).contains(&scans), "{scans} scans");
    assert_eq!(pbi.token_calls().1, 0);
}

#[test]
fn workspaces_are_listed_in_pages_and_scanned_100_at_a_time() {
    let mut t = tenant(230);
    t.reports = 1;
    t.dashboards = 0;
    t.datasets = 1;
    t.scan_polls = 2;
    let pbi = PowerBiStandIn::start(t);
    let work = Workdir::new();
    let options = Options {
        page: Some(120),
        ..Options::default()
    };
    let out = ingest(&work, &pbi, &options, "out", sequential());
    out.assert_success();
    assert_matches(&out.records(), &everything(&pbi));
    // 231 workspaces (one deleted) by 120: two pages; scans of at most 100 (the API's limit).
    let listed: Vec<String> = pbi
        .requests()
        .iter()
        .filter(|r| r["path"] == "/v1.0/myorg/admin/groups")
        .map(|r| format!("{}+{}", s(&r["query"]["$top"]), s(&r["query"]["$skip"])))
        .collect();
    assert_eq!(listed, ["120+0", "120+120"]);
    assert_eq!(
        pbi.count("POST", "/v1.0/myorg/admin/workspaces/getInfo", 202),
        3
    );
    assert_eq!(
        pbi.count("POST", "/v1.0/myorg/admin/workspaces/getInfo", 400),
        0
    );
}

#[test]
fn project_dashboard_chart_and_data_model_filters() {
    let pbi = PowerBiStandIn::start(tenant(6));
    let work = Workdir::new();
    let options = Options {
        filters: vec![
            (
                "projectFilterPattern",
                vec!["^Sales", "^Finance"],
                vec![".*3$"],
            ),
            ("dashboardFilterPattern", vec![], vec![r"^Report \d\.1$"]),
            ("chartFilterPattern", vec![], vec!["^Page 1$", "^Tile 0"]),
            ("dataModelFilterPattern", vec!["^Model"], vec![]),
        ],
        ..Options::default()
    };
    let out = ingest(&work, &pbi, &options, "out", sequential());
    out.assert_success();
    let want = expected(
        &pbi,
        |p| (p.starts_with("Sales") || p.starts_with("Finance")) && !p.ends_with('3'),
        |d| !(d.starts_with("Report ") && d.ends_with(".1")),
        |c| c != "Page 1" && !c.starts_with("Tile 0"),
        |m| m.starts_with("Model"),
        true,
    );
    assert_eq!(want.data_models.len(), 3 * 2, "{want:?}");
    assert_matches(&out.records(), &want);
    // Filtered-out workspaces are not scanned; filtered-out reports' pages are not read.
    let scanned: Vec<Value> = pbi
        .requests()
        .iter()
        .filter(|r| r["path"] == "/v1.0/myorg/admin/workspaces/getInfo")
        .map(|r| r["workspaces"].clone())
        .collect();
    let kept: Vec<Value> = pbi
        .active_workspaces()
        .iter()
        .filter(|w| ["Sales 0", "Finance 1", "Finance 4"].contains(&w["name"].as_str().unwrap()))
        .map(|w| w["id"].clone())
        .collect();
    assert_eq!(scanned, [Value::from(kept)]);
    assert_eq!(
        calls(&pbi, "GET", "groups/"),
        3 * 2,
        "{:#?}",
        pbi.requests()
    );
    assert_eq!(
        calls(&pbi, "GET", "admin/dataflows/"),
        0,
        "no dataflow is kept"
    );
}

#[test]
fn without_admin_apis_each_workspace_is_read_by_itself() {
    let pbi = PowerBiStandIn::start(tenant(3));
    let work = Workdir::new();
    let options = Options {
        use_admin_apis: Some(false),
        ..Options::default()
    };
    let out = ingest(&work, &pbi, &options, "out", sequential());
    out.assert_success();
    // As OpenMetadata: no dataflows without the admin API.
    assert_matches(&out.records(), &expected(&pbi, all, all, all, all, false));
    assert!(
        pbi.requests()
            .iter()
            .all(|r| !r["path"].as_str().unwrap().contains("/admin/"))
    );
    assert_eq!(
        calls(&pbi, "GET", "groups"),
        1 + 3 * (1 + 2 + 1 + 1 + 2) + 3 * 3
    );
}

#[test]
fn owners_become_openmetadata_users() {
    let pbi = PowerBiStandIn::start(tenant(4));
    let om = StandIn::start(OM_TOKEN);
    let known = [
        (
            "owner0@example.com",
            om.add_user("owner.zero", "owner0@example.com"),
        ),
        (
            "owner1@example.com",
            om.add_user("owner.one", "owner1@example.com"),
        ),
        (EDITOR, om.add_user("editor", EDITOR)),
    ];
    let work = Workdir::new();
    let options = Options {
        openmetadata: Some(om.host_port()),
        include_owners: Some(true),
        include_data_models: Some(false),
        ..Options::default()
    };
    let out = ingest(&work, &pbi, &options, "owners", ("local", Some(2)));
    out.assert_success();
    assert!(
        om.unexpected_requests().is_empty(),
        "{:?}",
        om.unexpected_requests()
    );
    let id = |email: &str| {
        known
            .iter()
            .find(|(e, _)| *e == email)
            .map(|(_, id)| id.clone())
    };
    let mut checked = 0;
    for ws in pbi.active_workspaces() {
        let items = ws["reports"]
            .as_array()
            .unwrap()
            .iter()
            .chain(ws["dashboards"].as_array().unwrap());
        for item in items {
            let stored = om
                .entity(Collection::Dashboards, &fqn(&[SERVICE, &s(&item["id"])]))
                .expect("written");
            let got: Vec<String> = stored.body["owners"]
                .as_array()
                .cloned()
                .unwrap_or_default()
                .iter()
                .map(|o| s(&o["id"]))
                .collect();
            // The member with Owner rights (mixed case at the source), then the last editor;
            // readers and guests never; e-mails no OpenMetadata user has are left out.
            let mut want: Vec<String> = Vec::new();
            let owner = s(&item["users"][0]["emailAddress"]).to_lowercase();
            want.extend(id(&owner));
            if item["modifiedBy"].is_string() {
                want.extend(id(EDITOR));
            }
            assert_eq!(got, want, "{}", stored.body);
            checked += 1;
        }
    }
    assert_eq!(checked, 4 * 5);
    // owner2@example.com is no OpenMetadata user: never an owner.
    assert_eq!(
        om.entities(Collection::DashboardDataModels).len(),
        0,
        "includeDataModels: false"
    );
}

#[test]
fn into_openmetadata() {
    let pbi = PowerBiStandIn::start(tenant(5));
    let om = StandIn::start(OM_TOKEN);
    let work = Workdir::new();
    let options = Options {
        openmetadata: Some(om.host_port()),
        ..Options::default()
    };
    let out = ingest(&work, &pbi, &options, "om", ("local", Some(4)));
    out.assert_success();
    assert!(
        om.unexpected_requests().is_empty(),
        "{:?}",
        om.unexpected_requests()
    );
    let want = everything(&pbi);
    let names =
        |c: Collection| -> BTreeSet<String> { om.entities(c).into_iter().map(|e| e.fqn).collect() };
    assert_eq!(
        names(Collection::Dashboards),
        want.dashboards.keys().map(|n| fqn(&[SERVICE, n])).collect()
    );
    assert_eq!(
        names(Collection::Charts),
        want.charts.keys().map(|n| fqn(&[SERVICE, n])).collect()
    );
    assert_eq!(
        names(Collection::DashboardDataModels),
        want.data_models
            .keys()
            .map(|m| fqn(&[SERVICE, "model", m]))
            .collect()
    );
    let (name, (_, _, _, charts)) = want
        .dashboards
        .iter()
        .find(|(_, d)| d.0 == "Report" && d.3.len() == 3)
        .unwrap();
    let d = om
        .entity(Collection::Dashboards, &fqn(&[SERVICE, name]))
        .unwrap();
    assert_eq!(
        d.body["charts"].as_array().map(Vec::len),
        Some(charts.len()),
        "{}",
        d.body
    );
}

/// Puts `service.database.schema.table (id, amount)` into the OpenMetadata stand-in, as a
/// database ingestion would have.
fn seed_table(om: &StandIn, [service, database, schema, table]: [&str; 4]) -> String {
    om.seed(
        Collection::DatabaseServices,
        json!({"name": service, "serviceType": "Snowflake"}),
    );
    om.seed(
        Collection::Databases,
        json!({"name": database, "service": service}),
    );
    let db = fqn(&[service, database]);
    om.seed(
        Collection::DatabaseSchemas,
        json!({"name": schema, "database": db}),
    );
    let columns =
        json!([{"name": "ID", "dataType": "INT"}, {"name": "AMOUNT", "dataType": "DECIMAL"}]);
    let schema_fqn = fqn(&[service, database, schema]);
    om.seed(
        Collection::Tables,
        json!({"name": table, "databaseSchema": schema_fqn, "columns": columns}),
    )
    .fqn
}

#[test]
fn datasets_get_lineage_from_the_tables_their_sources_name() {
    // Dataset tables read Snowflake SALES.PUBLIC.ORDERS, SQL Server shop.dbo.Orders, Redshift
    // dev.public.sales or a CSV file, in turn (`source_expression`). OpenMetadata holds the
    // Snowflake table in two services; the prefix picks one. The others are nowhere.
    let pbi = PowerBiStandIn::start(tenant(2));
    let om = StandIn::start(OM_TOKEN);
    let orders = seed_table(&om, ["snowflake_prod", "SALES", "PUBLIC", "ORDERS"]);
    seed_table(&om, ["snowflake_dev", "SALES", "PUBLIC", "ORDERS"]);
    let work = Workdir::new();
    let options = Options {
        openmetadata: Some(om.host_port()),
        db_service_prefixes: vec!["snowflake_prod"],
        ..Options::default()
    };
    let out = ingest(&work, &pbi, &options, "lineage", ("local", Some(2)));
    out.assert_success();
    assert!(
        om.unexpected_requests().is_empty(),
        "{:?}",
        om.unexpected_requests()
    );

    let models_reading_orders: BTreeSet<String> = pbi
        .active_workspaces()
        .into_iter()
        .flat_map(|w| w["datasets"].as_array().cloned().unwrap_or_default())
        .filter(|d| {
            let source = &d["tables"][0]["source"][0]["expression"];
            source
                .as_str()
                .is_some_and(|e| e.contains("Snowflake.Databases"))
        })
        .map(|d| fqn(&[SERVICE, "model", d["id"].as_str().unwrap()]))
        .collect();
    assert!(!models_reading_orders.is_empty());
    let edges = om.lineage();
    let from_orders: BTreeSet<String> = edges
        .iter()
        .filter(|e| e.from_fqn == orders)
        .map(|e| e.to_fqn.clone())
        .collect();
    assert_eq!(from_orders, models_reading_orders, "{edges:#?}");
    assert!(
        edges
            .iter()
            .all(|e| !e.from_fqn.starts_with("snowflake_dev.")),
        "the prefix excludes the other service: {edges:#?}"
    );
    // Column pairs by name, whatever the case: ORDERS.ID → the data model's id.
    let edge = edges.iter().find(|e| e.from_fqn == orders).unwrap();
    let pairs: BTreeSet<(String, String)> = edge.details["columnsLineage"]
        .as_array()
        .unwrap_or_else(|| panic!("column lineage: {edge:?}"))
        .iter()
        .map(|c| {
            let from = c["fromColumns"][0]
                .as_str()
                .unwrap()
                .rsplit('.')
                .next()
                .unwrap()
                .to_owned();
            let to = c["toColumn"]
                .as_str()
                .unwrap()
                .rsplit('.')
                .next()
                .unwrap()
                .to_owned();
            (from, to)
        })
        .collect();
    assert_eq!(
        pairs,
        BTreeSet::from([
            ("ID".into(), "id".into()),
            ("AMOUNT".into(), "amount".into())
        ])
    );
    // Only tables feed data models here: the plugin names no data model on a report (its
    // dataset → report edge is not written yet; see docs/connectors.md, Power BI).
    assert!(
        edges
            .iter()
            .all(|e| e.from_type == "table" && e.to_type == "dashboardDataModel"),
        "{edges:#?}"
    );
    assert_eq!(
        edges
            .iter()
            .filter(|e| e.details["source"] != "DashboardLineage")
            .count(),
        0
    );
    // Each data model an edge points to is read once by the lineage writer, however many
    // tables feed it.
    let mut reads: BTreeMap<String, usize> = BTreeMap::new();
    for r in om.requests() {
        if r.method == "GET"
            && r.path.starts_with("/api/v1/dashboard/datamodels/name/")
            && r.query.as_deref() == Some("fields=columns")
        {
            *reads.entry(r.path).or_default() += 1;
        }
    }
    assert!(!reads.is_empty());
    assert!(reads.values().all(|n| *n == 1), "{reads:#?}");
}

#[test]
fn a_wrong_secret_fails_discovery_clearly() {
    let pbi = PowerBiStandIn::start(tenant(2));
    let work = Workdir::new();
    let wrong = "the-secret-id-not-its-value";
    let config = config(&work, &pbi, &Options::default());
    let out = Omrun::ingest(work.path(), config)
        .plugin(plugin("powerbi"))
        .env("POWERBI_CLIENT_SECRET", wrong)
        .secret(wrong)
        .secret(SECRET)
        .run();
    out.assert_code(1);
    assert!(
        out.stderr.contains("Entra ID refused the token request (HTTP 401: AADSTS7000215: Invalid client secret provided.")
            && out.stderr.contains("check clientId, clientSecret, tenantId and scope"),
        "{}",
        out.describe()
    );
    assert!(
        out.single_error().contains("discovery failed"),
        "{}",
        out.describe()
    );
    // One refused token request per discovery attempt; no API call without a token.
    assert_eq!(pbi.token_calls(), (0, 2));
    assert_eq!(pbi.count_status(200), 0);
}

#[test]
fn rate_limits_are_waited_out_and_nothing_is_lost() {
    let mut t = tenant(6);
    t.rate_limit = Some(8);
    let pbi = PowerBiStandIn::start(t);
    let work = Workdir::new();
    let started = Instant::now();
    let out = ingest(&work, &pbi, &Options::default(), "out", ("local", Some(4)));
    out.assert_success();
    assert_matches(&out.records(), &everything(&pbi));
    assert!(pbi.count_status(429) > 0, "the rate limit was hit");
    assert!(
        started.elapsed() >= Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert!(
        out.stderr.contains("HTTP 429; retry 1 of"),
        "{}",
        out.describe()
    );
    assert_eq!(out.report()["failed"], 0);
}

#[test]
fn tokens_are_renewed_before_they_expire_and_after_a_401() {
    // Tokens live 2 s and say so: renewed ahead (never a 401).
    let mut t = tenant(3);
    t.token_ttl = Duration::from_secs(2);
    t.latency = Duration::from_millis(150);
    let pbi = PowerBiStandIn::start(t);
    let work = Workdir::new();
    let out = ingest(&work, &pbi, &Options::default(), "ahead", sequential());
    out.assert_success();
    assert_matches(&out.records(), &everything(&pbi));
    let (granted, refused) = pbi.token_calls();
    assert!(granted >= 2 && refused == 0, "{granted} tokens");
    assert_eq!(pbi.count_status(401), 0);

    // Tokens say an hour but die after 1 s: each 401 (TokenExpired) gets a new one, once.
    let mut t = tenant(3);
    t.token_ttl = Duration::from_secs(1);
    t.advertised_ttl = Some(Duration::from_secs(3600));
    t.latency = Duration::from_millis(120);
    let pbi = PowerBiStandIn::start(t);
    let out = ingest(&work, &pbi, &Options::default(), "late", sequential());
    out.assert_success();
    assert_matches(&out.records(), &everything(&pbi));
    let expired = pbi
        .requests()
        .iter()
        .filter(|r| r["code"] == "TokenExpired")
        .count();
    assert!(expired >= 2, "{expired} answers 401");
    assert_eq!(
        pbi.token_calls().0,
        expired + 1,
        "one token per 401, plus the first"
    );
    assert_eq!(out.report()["retried"], 0, "the plugin recovered by itself");
}

#[test]
fn msal_takes_the_standin_for_entra_id() {
    let passed = omrun_tests::python_standin::selftest_passed("powerbi");
    assert!(passed >= 20, "{passed} checks");
}

/// The workflow `source:` of OpenMetadata's own run: the authority over TLS (msal takes only https
/// authorities), the API plain.
fn om_source(authority: &PowerBiStandIn, pbi: &PowerBiStandIn) -> String {
    format!(
        "source:
  type: powerbi
  serviceName: {SERVICE}
  serviceConnection:
    config:
      type: PowerBI
      clientId: {CLIENT_ID}
      clientSecret: {secret}
      tenantId: {TENANT}
      authorityURI: {authority}/
      apiURL: {api}
      hostPort: {api}
      useAdminApis: true
  sourceConfig:
    config:
      type: DashboardMetadata
      includeDataModels: true
      includeOwners: true
",
        secret = yaml_str(SECRET),
        authority = authority.url(),
        api = pbi.url(),
    )
}

/// Requests by name, each canonical, for a collection.
fn by_name(requests: impl IntoIterator<Item = Value>) -> BTreeMap<String, Value> {
    requests.into_iter().map(|r| (s(&r["name"]), r)).collect()
}

/// OpenMetadata's own Power BI connector (openmetadata-ingestion 2.0.7.0, msal for the token)
/// against the same stand-in: omrun writes what it writes, but for the differences listed in
/// docs/connectors.md, each normalised here by name.
#[test]
fn openmetadata_own_connector_writes_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    let made = std::process::Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
        ])
        .args(["-addext", "subjectAltName=IP:127.0.0.1", "-keyout"])
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .expect("openssl");
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let mut t = tenant(3);
    t.scan_polls = 2;
    let authority = PowerBiStandIn::start_tls(t.clone(), &cert, &key);
    let pbi = PowerBiStandIn::start(t);
    // msal would ask login.microsoftonline.com whether the authority is known, and requests
    // trusts only the system's authorities: both stepped around, nothing else.
    let patches = dir.path().join("patches.py");
    std::fs::write(
        &patches,
        format!(
            "import os\nimport msal\n\
             from metadata.ingestion.source.dashboard.dashboard_service import DashboardServiceSource\n\
             os.environ['REQUESTS_CA_BUNDLE'] = os.environ['CURL_CA_BUNDLE'] = {cert:?}\n\
             DashboardServiceSource.test_connection = lambda self: None\n\
             class _Local(msal.ConfidentialClientApplication):\n    \
                 def __init__(self, *a, **k):\n        \
                     k.setdefault('instance_discovery', False)\n        \
                     super().__init__(*a, **k)\n\
             msal.ConfidentialClientApplication = _Local\n",
            cert = cert.to_string_lossy()
        ),
    )
    .unwrap();
    // The same users in both servers, so owners come out by the same ids.
    let users = |om: &StandIn| -> BTreeMap<String, String> {
        [
            ("owner.zero", "owner0@example.com"),
            ("owner.one", "owner1@example.com"),
            ("editor", EDITOR),
        ]
        .into_iter()
        .map(|(name, email)| (om.add_user(name, email), name.to_string()))
        .collect()
    };
    let theirs_om = StandIn::start(OM_TOKEN);
    let their_users = users(&theirs_om);
    omrun_tests::om_ingest::run_connector(
        "Power BI",
        &om_source(&authority, &pbi),
        &theirs_om,
        std::ffi::OsStr::new(""),
        Some(&patches),
    );
    let ours_om = StandIn::start(OM_TOKEN);
    let our_users = users(&ours_om);
    let work = Workdir::new();
    let options = Options {
        openmetadata: Some(ours_om.host_port()),
        include_owners: Some(true),
        ..Options::default()
    };
    ingest(&work, &pbi, &options, "ours", sequential()).assert_success();

    for c in [
        Collection::Dashboards,
        Collection::Charts,
        Collection::DashboardDataModels,
    ] {
        let theirs = by_name(theirs_om.create_requests(c));
        let ours = by_name(ours_om.create_requests(c).into_iter().map(normalise));
        assert!(
            !theirs.is_empty(),
            "{c:?}: OpenMetadata's connector wrote none"
        );
        assert_eq!(
            theirs.keys().collect::<Vec<_>>(),
            ours.keys().collect::<Vec<_>>(),
            "{c:?}: the same names"
        );
        let mut with_owners = 0;
        for (name, their) in &theirs {
            let mut diff = Vec::new();
            let (mut their, mut our) = (normalise_theirs(their.clone()), ours[name].clone());
            // Owners by user name: each server made up its own ids (and so its own hashes).
            let mut owned = false;
            for (request, users) in [(&mut their, &their_users), (&mut our, &our_users)] {
                if let Some(owners) = request.get_mut("owners").and_then(Value::as_array_mut) {
                    owned |= !owners.is_empty();
                    for o in owners {
                        *o = users[&s(&o["id"])].clone().into();
                    }
                }
            }
            if owned {
                with_owners += 1;
                their.as_object_mut().unwrap().remove("sourceHash");
                our.as_object_mut().unwrap().remove("sourceHash");
            }
            if c == Collection::DashboardDataModels {
                // The hash of what differs in the columns; data models have no owners in
                // contract 0.3.0.
                their.as_object_mut().unwrap().remove("sourceHash");
                their.as_object_mut().unwrap().remove("owners");
                our.as_object_mut().unwrap().remove("sourceHash");
            }
            differences("", &their, &our, &mut diff);
            assert!(diff.is_empty(), "{c:?} {name}:\n{}", diff.join("\n"));
        }
        if c == Collection::Dashboards {
            assert!(
                with_owners >= 10,
                "owners compared on {with_owners} dashboards"
            );
        }
    }
}

/// omrun's request with what OpenMetadata leaves out taken out: columns' `ordinalPosition`.
fn normalise(mut request: Value) -> Value {
    fn walk(columns: &mut Value) {
        for c in columns.as_array_mut().into_iter().flatten() {
            c.as_object_mut().unwrap().remove("ordinalPosition");
            if let Some(children) = c.get_mut("children") {
                walk(children);
            }
        }
    }
    walk(&mut request["columns"]);
    request
}

/// The paths at which `a` and `b` differ, with both values.
fn differences(path: &str, a: &Value, b: &Value, out: &mut Vec<String>) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for k in x.keys().chain(y.keys().filter(|k| !x.contains_key(*k))) {
                let (va, vb) = (
                    x.get(k).unwrap_or(&Value::Null),
                    y.get(k).unwrap_or(&Value::Null),
                );
                differences(&format!("{path}.{k}"), va, vb, out);
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (va, vb)) in x.iter().zip(y).enumerate() {
                differences(&format!("{path}[{i}]"), va, vb, out);
            }
        }
        _ if a != b => out.push(format!("{path}: theirs {a}, ours {b}")),
        _ => {}
    }
}

/// OpenMetadata's request with what omrun's contract cannot say taken out: columns'
/// `displayName` (their name), descriptions trimmed (OpenMetadata's measures end with `\n\n`).
fn normalise_theirs(mut request: Value) -> Value {
    fn walk(columns: &mut Value) {
        for c in columns.as_array_mut().into_iter().flatten() {
            let o = c.as_object_mut().unwrap();
            o.remove("displayName");
            if let Some(d) = o.get("description").and_then(Value::as_str).map(str::trim) {
                if d.is_empty() {
                    o.remove("description");
                } else {
                    o.insert("description".into(), d.into());
                }
            }
            if let Some(children) = c.get_mut("children") {
                walk(children);
            }
        }
    }
    walk(&mut request["columns"]);
    request
}
