//! The Power BI stand-in (`tests/support/powerbi/standin.py`: Microsoft Entra ID's token endpoint
//! and the Power BI REST API, checked by msal in `scripts/powerbi-standin.sh selftest`) serving a
//! synthetic tenant that [`Tenant::new`] writes, deterministic so a test can derive what
//! OpenMetadata must get from the same JSON.
//!
//! Per workspace `w` (named `Sales w`, `Finance w`, `Marketing w` in turn; plus one `Deleted`
//! workspace, `Archive`, that must never be ingested): `reports` reports (ids `r-…`, each with
//! `1 + i % 3` pages, every fifth a paginated `RDL` report), `dashboards` dashboards with three
//! tiles each (the third untitled, the second without report), `datasets` datasets with an
//! `orders` table (three columns, two measures) loaded from Snowflake, SQL Server, Redshift or
//! a CSV file in turn, and one dataflow with an exported definition. Users: each report and
//! dashboard has an owner `owner{n}@example.com` (n in 0..[`OWNERS`], written in mixed case), a
//! reader and a guest; every other report was last changed by `editor@example.com`.

use std::path::Path;
use std::time::Duration;

use serde_json::{Value, json};

use crate::python_standin::PythonStandIn;

pub const OWNERS: usize = 3;
pub const TENANT: &str = "5f3c2a10-7c1e-4b8e-9d2a-0c0ffee00001";
pub const EDITOR: &str = "editor@example.com";

/// A Power BI id: a GUID, its first group the item's kind.
pub fn guid(kind: u32, workspace: usize, item: usize) -> String {
    format!("{kind:08x}-{workspace:04x}-4000-8000-{item:012x}")
}

/// The stand-in's tenant and behaviour.
#[derive(Clone, Debug)]
pub struct Tenant {
    pub workspaces: usize,
    pub reports: usize,
    pub dashboards: usize,
    pub datasets: usize,
    pub client_id: String,
    pub client_secret: String,
    /// How long a token is honoured.
    pub token_ttl: Duration,
    /// The `expires_in` the token answer says; `None`: the real one.
    pub advertised_ttl: Option<Duration>,
    /// Status calls until a scan succeeds.
    pub scan_polls: u32,
    /// API calls a second before 429 (`None`: no limit).
    pub rate_limit: Option<u32>,
    /// Added to every answer.
    pub latency: Duration,
}

impl Tenant {
    pub fn new(workspaces: usize, client_id: &str, client_secret: &str) -> Self {
        Tenant {
            workspaces,
            reports: 3,
            dashboards: 2,
            datasets: 2,
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            token_ttl: Duration::from_secs(3600),
            advertised_ttl: None,
            scan_polls: 3,
            rate_limit: None,
            latency: Duration::ZERO,
        }
    }

    /// The catalog the stand-in serves.
    pub fn catalog(&self) -> Value {
        let mut workspaces: Vec<Value> = (0..self.workspaces).map(|w| self.workspace(w)).collect();
        let mut archive = self.workspace(self.workspaces);
        archive["name"] = json!("Archive");
        archive["state"] = json!("Deleted");
        workspaces.push(archive);
        json!({
            "tenant": TENANT,
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "workspaces": workspaces,
        })
    }

    fn workspace(&self, w: usize) -> Value {
        let name = format!("{} {w}", ["Sales", "Finance", "Marketing"][w % 3]);
        let users = |right: &str, n: usize| {
            json!([
                {"emailAddress": format!("Owner{}@Example.COM", n % OWNERS), "displayName": "Owner",
                 "userType": "Member", "principalType": "User", right: "Owner"},
                {"emailAddress": "reader@example.com", "userType": "Member", "principalType": "User",
                 right: "Read"},
                {"emailAddress": "guest@elsewhere.example", "userType": "Guest", "principalType": "User",
                 right: "Admin"},
            ])
        };
        let reports: Vec<Value> = (0..self.reports)
            .map(|r| {
                let pages: Vec<Value> = (0..1 + r % 3)
                    .map(|p| {
                        let name = if p == 0 {
                            "ReportSection".to_string()
                        } else {
                            format!("ReportSection{p}")
                        };
                        json!({"name": name, "displayName": format!("Page {p}"), "order": p})
                    })
                    .collect();
                let mut report = json!({
                    "id": guid(1, w, r), "name": format!("Report {w}.{r}"),
                    "datasetId": guid(3, w, r % self.datasets.max(1)),
                    "reportType": if r % 5 == 4 { "PaginatedReport" } else { "PowerBIReport" },
                    "format": if r % 5 == 4 { "RDL" } else { "PBIX" },
                    "createdDateTime": "2026-01-02T03:04:05.67Z",
                    "users": users("reportUserAccessRight", w + r),
                    "pages": pages,
                });
                if r % 2 == 0 {
                    report["description"] = json!(format!("About report {w}.{r}"));
                    report["modifiedBy"] = json!(EDITOR.to_uppercase());
                }
                report
            })
            .collect();
        let dashboards: Vec<Value> = (0..self.dashboards)
            .map(|d| {
                let tiles: Vec<Value> = (0..3)
                    .map(|t| {
                        let mut tile = json!({"id": guid(5, w, d * 10 + t)});
                        if t != 2 {
                            tile["title"] = json!(format!("Tile {t} of {w}.{d}"));
                        }
                        if t != 1 && self.reports > 0 {
                            tile["reportId"] = json!(guid(1, w, t % self.reports));
                            tile["datasetId"] = json!(guid(3, w, 0));
                        }
                        tile
                    })
                    .collect();
                json!({"id": guid(2, w, d), "displayName": format!("Dashboard {w}.{d}"),
                       "isReadOnly": false, "tiles": tiles,
                       "users": users("dashboardUserAccessRight", w + d + 1)})
            })
            .collect();
        let datasets: Vec<Value> = (0..self.datasets)
            .map(|s| {
                json!({
                    "id": guid(3, w, s), "name": format!("Model {w}.{s}"),
                    "description": if s == 0 { Value::from(format!("Sales model {w}")) } else { Value::Null },
                    "configuredBy": EDITOR, "isEffectiveIdentityRequired": false,
                    "tables": [{
                        "name": "orders", "isHidden": false,
                        "columns": [
                            {"name": "id", "dataType": "Int64", "isHidden": false, "columnType": "Data"},
                            {"name": "amount", "dataType": "Decimal", "isHidden": false, "columnType": "Data"},
                            {"name": "created", "dataType": "DateTime", "isHidden": false, "columnType": "Data"},
                        ],
                        "measures": [
                            {"name": "Total", "expression": "SUM(orders[amount])", "isHidden": false},
                            {"name": "Secret", "expression": "COUNTROWS(orders)", "isHidden": true,
                             "description": "Hidden count"},
                        ],
                        "source": [{"expression": source_expression(w + s)}],
                    }],
                    "expressions": [],
                    "users": users("datasetUserAccessRight", s),
                })
            })
            .collect();
        let flow = json!({
            "objectId": guid(4, w, 0), "name": format!("Flow {w}"), "description": "Customers",
            "configuredBy": EDITOR, "modifiedBy": EDITOR,
            "export": {"name": format!("Flow {w}"), "version": "1.0", "entities": [
                {"$type": "LocalEntity", "name": "customers", "description": "Who buys",
                 "attributes": [{"name": "id", "dataType": "int64"}, {"name": "name", "dataType": "string"}]},
            ]},
        });
        json!({
            "id": guid(0, w, 0), "name": name, "type": "Workspace", "state": "Active",
            "isOnDedicatedCapacity": false,
            "reports": reports, "dashboards": dashboards, "datasets": datasets, "dataflows": [flow],
        })
    }

    /// The stand-in's arguments for these settings.
    fn args(&self) -> Vec<String> {
        let mut args = vec![
            "--token-ttl".into(),
            format!("{}", self.token_ttl.as_secs_f64()),
            "--scan-polls".into(),
            self.scan_polls.to_string(),
            "--latency-ms".into(),
            self.latency.as_millis().to_string(),
        ];
        if let Some(ttl) = self.advertised_ttl {
            args.extend(["--expires-in".into(), ttl.as_secs().to_string()]);
        }
        if let Some(limit) = self.rate_limit {
            args.extend(["--rate-limit".into(), limit.to_string()]);
        }
        args
    }
}

/// The source expression of dataset table `n`: Snowflake, SQL Server, Redshift, CSV in turn.
pub fn source_expression(n: usize) -> String {
    match n % 4 {
        0 => "let\n    Source = Snowflake.Databases(\"acme.snowflakecomputing.com\",\"WH\"),\n    \
              SALES_Database = Source{[Name=\"SALES\",Kind=\"Database\"]}[Data],\n    \
              PUBLIC_Schema = SALES_Database{[Name=\"PUBLIC\",Kind=\"Schema\"]}[Data],\n    \
              ORDERS_Table = PUBLIC_Schema{[Name=\"ORDERS\",Kind=\"Table\"]}[Data]\nin\n    ORDERS_Table"
            .into(),
        1 => "let\n    Source = Sql.Database(\"sql.example.com\", \"shop\"),\n    \
              dbo_Orders = Source{[Schema=\"dbo\",Item=\"Orders\"]}[Data]\nin\n    dbo_Orders"
            .into(),
        2 => "let\n    Source = AmazonRedshift.Database(\"rs.example.com:5439\",\"dev\"),\n    \
              public = Source{[Name=\"public\"]}[Data],\n    sales = public{[Name=\"sales\"]}[Data]\nin\n    sales"
            .into(),
        _ => "let\n    Source = Csv.Document(File.Contents(\"C:\\orders.csv\"))\nin\n    Source".into(),
    }
}

/// A running stand-in; stopped when dropped.
pub struct PowerBiStandIn {
    pub tenant: Tenant,
    catalog: Value,
    server: PythonStandIn,
    tls: bool,
}

impl PowerBiStandIn {
    pub fn start(tenant: Tenant) -> Self {
        Self::start_with(tenant, &[])
    }

    /// With extra arguments (`--tls-cert`, `--tls-key`).
    pub fn start_with(tenant: Tenant, extra: &[&str]) -> Self {
        let catalog = tenant.catalog();
        let mut args = tenant.args();
        args.extend(extra.iter().map(|a| a.to_string()));
        let server = PythonStandIn::start("Power BI", "powerbi", &catalog, &args);
        PowerBiStandIn {
            tenant,
            catalog,
            server,
            tls: extra.contains(&"--tls-cert"),
        }
    }

    /// With TLS (certificate and key files), as msal needs for an authority.
    pub fn start_tls(tenant: Tenant, cert: &Path, key: &Path) -> Self {
        let (cert, key) = (cert.to_string_lossy(), key.to_string_lossy());
        Self::start_with(tenant, &["--tls-cert", &cert, "--tls-key", &key])
    }

    /// `http://127.0.0.1:PORT` (https with TLS): the authority and the API.
    pub fn url(&self) -> String {
        if self.tls {
            format!("https://{}", self.server.host_port())
        } else {
            self.server.url()
        }
    }

    pub fn host_port(&self) -> String {
        self.server.host_port()
    }

    pub fn catalog(&self) -> &Value {
        &self.catalog
    }

    /// The active workspaces of the catalog.
    pub fn active_workspaces(&self) -> Vec<&Value> {
        self.catalog["workspaces"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|w| w["state"] == "Active")
            .collect()
    }

    /// Every request so far: `{api, method, path, query, status, code?, bearer}`.
    pub fn requests(&self) -> Vec<Value> {
        self.server.requests()
    }

    /// How many requests had this method, a path starting with `prefix` and this status.
    pub fn count(&self, method: &str, prefix: &str, status: u64) -> usize {
        self.requests()
            .iter()
            .filter(|r| r["method"] == method && r["status"] == status)
            .filter(|r| r["path"].as_str().is_some_and(|p| p.starts_with(prefix)))
            .count()
    }

    /// The token requests: (granted, refused).
    pub fn token_calls(&self) -> (usize, usize) {
        let token: Vec<Value> = self
            .requests()
            .into_iter()
            .filter(|r| r["api"] == "token")
            .collect();
        let granted = token.iter().filter(|r| r["status"] == 200).count();
        (granted, token.len() - granted)
    }

    /// API answers with this status.
    pub fn count_status(&self, status: u64) -> usize {
        self.requests()
            .iter()
            .filter(|r| r["api"] == "powerbi" && r["status"] == status)
            .count()
    }
}
