//! The file sink's output: JSON Lines of `{"kind": "<Create…Request>", "request": {…}}`.
//!
//! [`Records::read`] is the only way the tests read sink output, and it checks, for every line of
//! every run: the line shape, the request against OpenMetadata's JSON Schema of its kind, and for the
//! whole file: one service first, parents before children (service, then databases, then schemas,
//! then tables; or a dashboard service, then data models, then charts and dashboards), every
//! parent reference (and a dashboard's charts and data models, and a table's foreign keys) naming
//! an entity already written, each entity once — except a table whose foreign keys named tables
//! not written yet: it comes again later, the same with those keys (OpenMetadata's order); and
//! every tag label naming a tag (and the tag its classification) written before it ([`tags`]).
//! The records are the entities as finally written, classifications and tags included.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::Value;

mod tags;
pub use tags::label_fqns;

/// One line of sink output.
#[derive(Clone, Debug)]
pub struct Record {
    /// 1-based line number in the file.
    pub line: usize,
    pub kind: String,
    pub request: Value,
    /// The entity's fully qualified name, derived from its parent reference and name.
    pub fqn: String,
}

/// A whole sink file, validated.
#[derive(Clone, Debug)]
pub struct Records {
    pub path: PathBuf,
    pub items: Vec<Record>,
}

/// An FQN part: quoted when it contains a dot, as OpenMetadata does (`svc.db.public."my.table"`).
pub fn fqn_part(name: &str) -> String {
    if name.contains('.') {
        format!("\"{name}\"")
    } else {
        name.to_string()
    }
}

/// `parts` joined into an FQN, each part quoted as needed.
pub fn fqn(parts: &[&str]) -> String {
    parts
        .iter()
        .map(|p| fqn_part(p))
        .collect::<Vec<_>>()
        .join(".")
}

/// The value with object keys sorted at every level, as compact JSON: equal values give equal strings
/// whatever the key order in the file.
pub fn canonical(v: &Value) -> String {
    fn sort(v: &Value) -> Value {
        match v {
            Value::Object(m) => {
                let sorted: BTreeMap<&String, Value> =
                    m.iter().map(|(k, v)| (k, sort(v))).collect();
                let mut out = serde_json::Map::new();
                for (k, v) in sorted {
                    out.insert(k.clone(), v);
                }
                Value::Object(out)
            }
            Value::Array(a) => Value::Array(a.iter().map(sort).collect()),
            other => other.clone(),
        }
    }
    // serde_json may be built with `preserve_order` somewhere in the workspace; build the string by
    // hand from the sorted tree so the order is ours either way.
    fn write(v: &Value, out: &mut String) {
        match v {
            Value::Object(m) => {
                let mut keys: Vec<&String> = m.keys().collect();
                keys.sort();
                out.push('{');
                for (i, k) in keys.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&Value::String((*k).clone()).to_string());
                    out.push(':');
                    write(&m[*k], out);
                }
                out.push('}');
            }
            Value::Array(a) => {
                out.push('[');
                for (i, x) in a.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write(x, out);
                }
                out.push(']');
            }
            other => out.push_str(&other.to_string()),
        }
    }
    let mut s = String::new();
    write(&sort(v), &mut s);
    s
}

/// omrun's own line for a lineage edge, both ends by name (OpenMetadata's `AddLineageRequest`
/// needs ids only a server gives): `{"from", "to", "columnsLineage"?, "source"}`.
pub const LINEAGE_EDGE: &str = "LineageEdge";

/// Checks a `LineageEdge` line: its shape, and that the entity it points to was written before
/// it (`written`), as the OpenMetadata sink sends an edge only after its destination. Returns the
/// destination's FQN.
fn check_lineage_edge(origin: &str, request: &Value, written: impl Fn(&str) -> bool) -> String {
    let keys: BTreeSet<&str> = request
        .as_object()
        .map(|o| o.keys().map(String::as_str).collect())
        .unwrap_or_default();
    let allowed = BTreeSet::from(["from", "to", "columnsLineage", "source"]);
    assert!(
        keys.is_subset(&allowed) && keys.contains("from") && keys.contains("to"),
        "{origin}: a LineageEdge has `from`, `to` and maybe `columnsLineage`, `source`: {request}"
    );
    assert_eq!(request["source"], "DashboardLineage", "{origin}: {request}");
    let to = &request["to"];
    let to_type = str_field(origin, to, "type");
    assert!(
        ["dashboardDataModel", "chart", "dashboard"].contains(&to_type),
        "{origin}: lineage into a {to_type}: {request}"
    );
    let to_fqn = str_field(origin, to, "fullyQualifiedName");
    assert!(
        written(to_fqn),
        "{origin}: lineage into {to_fqn}, which was not written before it"
    );
    let from = &request["from"];
    match str_field(origin, from, "type") {
        "table" => {
            str_field(origin, from, "table");
            for part in ["database", "schema"] {
                assert!(
                    from[part].is_null() || from[part].is_string(),
                    "{origin}: `from.{part}` is neither a string nor null: {request}"
                );
            }
        }
        "dashboardDataModel" => {
            str_field(origin, from, "fullyQualifiedName");
        }
        other => panic!("{origin}: lineage from a {other}: {request}"),
    }
    if let Some(columns) = request.get("columnsLineage") {
        assert_eq!(
            to_type, "dashboardDataModel",
            "{origin}: column lineage into a {to_type}, which OpenMetadata refuses: {request}"
        );
        for c in columns.as_array().into_iter().flatten() {
            str_field(origin, c, "toColumn");
            assert!(
                !str_list(origin, c, "fromColumns").is_empty(),
                "{origin}: a column pair without `fromColumns`: {request}"
            );
        }
    }
    to_fqn.to_owned()
}

const DATABASE_SERVICE: &str = "CreateDatabaseServiceRequest";
const DASHBOARD_SERVICE: &str = "CreateDashboardServiceRequest";
const PIPELINE_SERVICE: &str = "CreatePipelineServiceRequest";
const ML_MODEL_SERVICE: &str = "CreateMlModelServiceRequest";

/// A pipeline's run: `{"kind": "PipelineStatus", "pipeline": "<its FQN>", "request": {…}}`, the
/// body of OpenMetadata's `PUT /v1/pipelines/{fqn}/status`.
pub const PIPELINE_STATUS: &str = "PipelineStatus";

/// The service kind a request kind belongs under, and its level in the parents-first order.
fn place(kind: &str) -> Option<(&'static str, u8)> {
    Some(match kind {
        DATABASE_SERVICE => (DATABASE_SERVICE, 0),
        "CreateDatabaseRequest" => (DATABASE_SERVICE, 1),
        "CreateDatabaseSchemaRequest" => (DATABASE_SERVICE, 2),
        // Tables and stored procedures both live in a schema; the sink may interleave them.
        "CreateTableRequest" | "CreateStoredProcedureRequest" => (DATABASE_SERVICE, 3),
        DASHBOARD_SERVICE => (DASHBOARD_SERVICE, 0),
        "CreateDashboardDataModelRequest" => (DASHBOARD_SERVICE, 1),
        // A dashboard comes with its charts, batch after batch: the two interleave.
        "CreateChartRequest" | "CreateDashboardRequest" => (DASHBOARD_SERVICE, 2),
        PIPELINE_SERVICE => (PIPELINE_SERVICE, 0),
        // A pipeline comes with its runs, pipeline after pipeline: the two interleave.
        "CreatePipelineRequest" | PIPELINE_STATUS => (PIPELINE_SERVICE, 1),
        ML_MODEL_SERVICE => (ML_MODEL_SERVICE, 0),
        "CreateMlModelRequest" => (ML_MODEL_SERVICE, 1),
        _ => return None,
    })
}

/// A pipeline's tasks: each name once, every downstream task one of them.
fn check_tasks(origin: &str, pipeline: &Value) {
    let tasks = pipeline["tasks"].as_array().cloned().unwrap_or_default();
    let names: Vec<&str> = tasks.iter().map(|t| str_field(origin, t, "name")).collect();
    let unique: BTreeSet<&str> = names.iter().copied().collect();
    assert_eq!(
        unique.len(),
        names.len(),
        "{origin}: a task named twice: {names:?}"
    );
    for task in &tasks {
        for downstream in str_list(origin, task, "downstreamTasks") {
            assert!(
                unique.contains(downstream),
                "{origin}: task {} runs before {downstream}, which is not a task of the pipeline",
                task["name"]
            );
        }
    }
}

/// A run names only its pipeline's tasks, as OpenMetadata's `validateTask` requires.
fn check_run_tasks(origin: &str, pipeline: &Value, run: &Value) {
    let tasks: BTreeSet<&str> = pipeline["tasks"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|t| t["name"].as_str())
        .collect();
    for status in run["taskStatus"].as_array().into_iter().flatten() {
        let name = str_field(origin, status, "name");
        assert!(
            tasks.contains(name),
            "{origin}: a run names task {name}, not one of {tasks:?}"
        );
    }
}

/// The strings of an optional array field.
fn str_list<'a>(origin: &str, request: &'a Value, field: &str) -> Vec<&'a str> {
    match request.get(field) {
        None => Vec::new(),
        Some(v) => v
            .as_array()
            .and_then(|a| a.iter().map(Value::as_str).collect())
            .unwrap_or_else(|| panic!("{origin}: `{field}` is not an array of strings: {request}")),
    }
}

fn str_field<'a>(origin: &str, request: &'a Value, field: &str) -> &'a str {
    request
        .get(field)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("{origin}: request has no string `{field}`: {request}"))
}

impl Records {
    /// Reads, validates and checks a sink file. Panics with the file, line and reason on any problem.
    pub fn read(path: &Path) -> Records {
        let text = std::fs::read_to_string(path)
            .unwrap_or_else(|e| panic!("cannot read the sink output {}: {e}", path.display()));
        let schemas = crate::schema::schemas();
        let mut items: Vec<Record> = Vec::new();
        // The service's kind and FQN.
        let mut service: Option<(&str, String)> = None;
        let mut databases = BTreeSet::new();
        let mut db_schemas = BTreeSet::new();
        // Tables, stored procedures and dashboards: (kind, FQN).
        let mut leaves = BTreeSet::new();
        let mut data_models = BTreeSet::new();
        let mut charts = BTreeSet::new();
        // A chart's request by FQN: a chart several dashboards show is written with each of them
        // (as OpenMetadata's connectors do: Metabase cards, Superset charts), always the same.
        let mut chart_requests: BTreeMap<String, Value> = BTreeMap::new();
        // Tables written so far, with their columns: what a foreign key may name.
        let mut tables: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut last_level = 0u8;
        let mut written_tags = tags::Tags::default();

        for (i, raw) in text.lines().enumerate() {
            let line = i + 1;
            let origin = format!("{}:{line}", path.display());
            assert!(
                !raw.trim().is_empty(),
                "{origin}: empty line in JSON Lines output"
            );
            let v: Value = serde_json::from_str(raw)
                .unwrap_or_else(|e| panic!("{origin}: not JSON ({e}): {raw}"));
            let obj = v
                .as_object()
                .unwrap_or_else(|| panic!("{origin}: not a JSON object: {raw}"));
            let keys: BTreeSet<&str> = obj.keys().map(String::as_str).collect();
            let kind = obj["kind"]
                .as_str()
                .unwrap_or_else(|| panic!("{origin}: `kind` is not a string: {raw}"));
            let expected_keys = if kind == PIPELINE_STATUS {
                BTreeSet::from(["kind", "pipeline", "request"])
            } else {
                BTreeSet::from(["kind", "request"])
            };
            assert_eq!(
                keys, expected_keys,
                "{origin}: a line is exactly {expected_keys:?}: {raw}"
            );
            let request = &obj["request"];
            assert!(
                request.is_object(),
                "{origin}: `request` is not an object: {raw}"
            );
            if kind == LINEAGE_EDGE {
                let written = |fqn: &str| {
                    data_models.contains(fqn)
                        || charts.contains(fqn)
                        || leaves.iter().any(|(_, f)| f == fqn)
                };
                let fqn = check_lineage_edge(&origin, request, written);
                items.push(Record {
                    line,
                    kind: kind.to_string(),
                    request: request.clone(),
                    fqn,
                });
                continue;
            }
            schemas.assert_valid(&origin, raw, kind, request);
            if kind == PIPELINE_STATUS {
                let fqn = str_field(&origin, &v, "pipeline").to_owned();
                let pipeline = items
                    .iter()
                    .rev()
                    .find(|r| r.kind == "CreatePipelineRequest" && r.fqn == fqn)
                    .unwrap_or_else(|| {
                        panic!("{origin}: a run of {fqn}, which was not written before it")
                    });
                check_run_tasks(&origin, &pipeline.request, request);
                items.push(Record {
                    line,
                    kind: kind.to_string(),
                    request: request.clone(),
                    fqn,
                });
                continue;
            }

            if let Some(fqn) = written_tags.line(&origin, kind, request) {
                assert!(
                    service.is_some(),
                    "{origin}: {kind} before any service: the service must be the first line"
                );
                items.push(Record {
                    line,
                    kind: kind.to_string(),
                    request: request.clone(),
                    fqn,
                });
                continue;
            }
            written_tags.check_labels(&origin, request);

            let name = str_field(&origin, request, "name");
            let (family, lvl) =
                place(kind).unwrap_or_else(|| panic!("{origin}: unexpected kind {kind}"));
            assert!(
                lvl >= last_level,
                "{origin}: {kind} after a {}: parents must come before children \
                 (service, then databases, then schemas, then tables; or service, then data \
                 models, then charts and dashboards)",
                items.last().map(|r| r.kind.as_str()).unwrap_or("?")
            );
            last_level = lvl;
            assert!(
                lvl == 0 || service.is_some(),
                "{origin}: {kind} before any service: the service must be the first line"
            );
            if lvl > 0 {
                let (service_kind, _) = service.as_ref().unwrap();
                assert_eq!(
                    family, *service_kind,
                    "{origin}: a {kind} does not belong under a {service_kind}"
                );
            }
            // The FQN of the service a request names, checked to be the one written first.
            let svc = || {
                let svc = str_field(&origin, request, "service");
                let written = &service.as_ref().unwrap().1;
                assert_eq!(
                    svc, written,
                    "{origin}: {kind} {name} names service {svc}, not the service written before it"
                );
                svc
            };
            let fqn = match (kind, lvl) {
                (_, 0) => {
                    assert!(
                        service.is_none(),
                        "{origin}: a second service ({kind}): {raw}"
                    );
                    assert!(
                        items.is_empty(),
                        "{origin}: the service must be the first line"
                    );
                    service = Some((family, fqn_part(name)));
                    fqn_part(name)
                }
                ("CreateDashboardDataModelRequest", _) => {
                    let f = format!("{}.model.{}", svc(), fqn_part(name));
                    assert!(
                        data_models.insert(f.clone()),
                        "{origin}: data model {f} written twice"
                    );
                    f
                }
                ("CreateChartRequest", _) => {
                    let f = format!("{}.{}", svc(), fqn_part(name));
                    if !charts.insert(f.clone()) {
                        assert_eq!(
                            chart_requests.get(&f),
                            Some(request),
                            "{origin}: chart {f} written twice, differently"
                        );
                    }
                    chart_requests.insert(f.clone(), request.clone());
                    f
                }
                ("CreatePipelineRequest" | "CreateMlModelRequest", _) => {
                    let f = format!("{}.{}", svc(), fqn_part(name));
                    if kind == "CreatePipelineRequest" {
                        check_tasks(&origin, request);
                    }
                    assert!(
                        leaves.insert((kind.to_string(), f.clone())),
                        "{origin}: {kind} {f} written twice"
                    );
                    f
                }
                ("CreateDashboardRequest", _) => {
                    let f = format!("{}.{}", svc(), fqn_part(name));
                    for (field, written) in [("charts", &charts), ("dataModels", &data_models)] {
                        for named in str_list(&origin, request, field) {
                            assert!(
                                written.contains(named),
                                "{origin}: dashboard {f} names {named} in `{field}`, which was not \
                                 written before it (written: {written:?})"
                            );
                        }
                    }
                    assert!(
                        leaves.insert((kind.to_string(), f.clone())),
                        "{origin}: {kind} {f} written twice"
                    );
                    f
                }
                (_, 1) => {
                    let f = format!("{}.{}", svc(), fqn_part(name));
                    assert!(
                        databases.insert(f.clone()),
                        "{origin}: database {f} written twice"
                    );
                    f
                }
                (_, 2) => {
                    let db = str_field(&origin, request, "database");
                    assert!(
                        databases.contains(db),
                        "{origin}: schema {name} names database {db}, which was not written before it \
                         (written: {databases:?})"
                    );
                    let f = format!("{db}.{}", fqn_part(name));
                    assert!(
                        db_schemas.insert(f.clone()),
                        "{origin}: schema {f} written twice"
                    );
                    f
                }
                _ => {
                    let schema = str_field(&origin, request, "databaseSchema");
                    assert!(
                        db_schemas.contains(schema),
                        "{origin}: table {name} names schema {schema}, which was not written before it \
                         (written: {db_schemas:?})"
                    );
                    let f = format!("{schema}.{}", fqn_part(name));
                    if kind == "CreateTableRequest" {
                        check_foreign_keys(&origin, request, &tables);
                    }
                    if !leaves.insert((kind.to_string(), f.clone())) {
                        // OpenMetadata's rule: a table goes first without its keys to tables not
                        // written yet, and once those are, again with them; nothing else repeats.
                        let earlier = items
                            .iter()
                            .position(|r| r.kind == kind && r.fqn == f)
                            .unwrap();
                        assert_completes(&origin, &items[earlier].request, request);
                        items.remove(earlier);
                    }
                    if kind == "CreateTableRequest" {
                        tables.insert(f.clone(), column_names(request));
                    }
                    f
                }
            };
            items.push(Record {
                line,
                kind: kind.to_string(),
                request: request.clone(),
                fqn,
            });
        }
        assert!(
            service.is_some(),
            "{}: no CreateDatabaseServiceRequest or CreateDashboardServiceRequest (file has {} lines)",
            path.display(),
            items.len()
        );
        Records {
            path: path.to_path_buf(),
            items,
        }
    }

    pub fn of_kind<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a Record> + 'a {
        self.items.iter().filter(move |r| r.kind == kind)
    }

    pub fn count(&self, kind: &str) -> usize {
        self.of_kind(kind).count()
    }

    pub fn service(&self) -> &Value {
        &self.items[0].request
    }

    pub fn database_fqns(&self) -> BTreeSet<String> {
        self.of_kind("CreateDatabaseRequest")
            .map(|r| r.fqn.clone())
            .collect()
    }

    pub fn schema_fqns(&self) -> BTreeSet<String> {
        self.of_kind("CreateDatabaseSchemaRequest")
            .map(|r| r.fqn.clone())
            .collect()
    }

    /// The FQNs of the entities of one request kind, e.g. `CreateDashboardRequest`.
    pub fn fqns(&self, kind: &str) -> BTreeSet<String> {
        self.of_kind(kind).map(|r| r.fqn.clone()).collect()
    }

    pub fn table_fqns(&self) -> BTreeSet<String> {
        self.of_kind("CreateTableRequest")
            .map(|r| r.fqn.clone())
            .collect()
    }

    /// The request of the entity with this FQN. Panics listing what there is.
    pub fn get(&self, fqn: &str) -> &Value {
        match self.items.iter().find(|r| r.fqn == fqn) {
            Some(r) => &r.request,
            None => panic!(
                "{}: no entity {fqn}; entities: {:?}",
                self.path.display(),
                self.items.iter().map(|r| &r.fqn).collect::<Vec<_>>()
            ),
        }
    }

    /// Every line as canonical JSON, sorted: equal for two runs that wrote the same records in any
    /// order. `tableConstraints` are sorted too (their order carries no meaning); columns are not.
    pub fn canonical_set(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .items
            .iter()
            .map(|r| {
                let mut req = r.request.clone();
                if let Some(Value::Array(cs)) = req.get_mut("tableConstraints") {
                    cs.sort_by_key(canonical);
                }
                canonical(&serde_json::json!({"kind": r.kind, "request": req}))
            })
            .collect();
        out.sort();
        out
    }
}

/// Every foreign key of a table names, by `service.db.schema.table.column`, a column of a table on
/// an earlier line: what OpenMetadata's server requires of a request when it arrives.
fn check_foreign_keys(origin: &str, table: &Value, written: &BTreeMap<String, Vec<String>>) {
    for key in table["tableConstraints"].as_array().into_iter().flatten() {
        for referred in key["referredColumns"].as_array().into_iter().flatten() {
            let referred = referred.as_str().unwrap_or_default();
            let mut parts = split_fqn(referred);
            let column = parts.pop().unwrap_or_default();
            let parent = parts
                .iter()
                .map(|p| fqn_part(p))
                .collect::<Vec<_>>()
                .join(".");
            let columns = written.get(&parent).unwrap_or_else(|| {
                panic!(
                    "{origin}: table {} has a foreign key to {parent}, which was not written before \
                     it: OpenMetadata would refuse the table",
                    table["name"]
                )
            });
            assert!(
                columns.contains(&column),
                "{origin}: table {} has a foreign key to column {column} of {parent}, which has \
                 only {columns:?}",
                table["name"]
            );
        }
    }
}

/// A table written again must be the same request with more foreign keys (and so another hash).
fn assert_completes(origin: &str, first: &Value, again: &Value) {
    let without_keys = |v: &Value| {
        let mut v = v.clone();
        let keys: Vec<Value> = v["tableConstraints"]
            .as_array()
            .map(|cs| {
                cs.iter()
                    .filter(|c| c["constraintType"] != "FOREIGN_KEY")
                    .cloned()
                    .collect()
            })
            .unwrap_or_default();
        let obj = v.as_object_mut().unwrap();
        obj.remove("sourceHash");
        if keys.is_empty() {
            obj.remove("tableConstraints");
        } else {
            obj.insert("tableConstraints".into(), keys.into());
        }
        v
    };
    assert_eq!(
        without_keys(first),
        without_keys(again),
        "{origin}: table {} written again with more than its foreign keys changed",
        again["name"]
    );
    let foreign = |v: &Value| constraints(v, "FOREIGN_KEY");
    let (before, after) = (foreign(first), foreign(again));
    assert!(
        before.iter().all(|k| after.contains(k)) && after.len() > before.len(),
        "{origin}: table {} written twice, the second time without more foreign keys: {before:?} \
         then {after:?}",
        again["name"]
    );
}

/// The parts of an FQN: split at dots outside double quotes, the quotes removed.
pub fn split_fqn(fqn: &str) -> Vec<String> {
    let mut parts = vec![String::new()];
    let mut quoted = false;
    for c in fqn.chars() {
        match c {
            '"' => quoted = !quoted,
            '.' if !quoted => parts.push(String::new()),
            c => parts.last_mut().unwrap().push(c),
        }
    }
    parts
}

/// Column `name` of a CreateTableRequest. Panics listing the columns.
pub fn column<'a>(table: &'a Value, name: &str) -> &'a Value {
    let cols = table["columns"]
        .as_array()
        .unwrap_or_else(|| panic!("no columns in {table}"));
    cols.iter().find(|c| c["name"] == name).unwrap_or_else(|| {
        panic!(
            "table {} has no column {name}; columns: {:?}",
            table["name"],
            cols.iter().map(|c| c["name"].clone()).collect::<Vec<_>>()
        )
    })
}

/// The column names of a CreateTableRequest, in order.
pub fn column_names(table: &Value) -> Vec<String> {
    table["columns"]
        .as_array()
        .unwrap_or_else(|| panic!("no columns in {table}"))
        .iter()
        .map(|c| c["name"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// The table constraints of `constraint_type` as (columns, referredColumns) pairs.
pub fn constraints(table: &Value, constraint_type: &str) -> Vec<(Vec<String>, Vec<String>)> {
    let strings = |v: &Value| -> Vec<String> {
        v.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    table
        .get("tableConstraints")
        .and_then(Value::as_array)
        .map(|cs| {
            cs.iter()
                .filter(|c| c["constraintType"] == constraint_type)
                .map(|c| (strings(&c["columns"]), strings(&c["referredColumns"])))
                .collect()
        })
        .unwrap_or_default()
}

/// True when `cols` is a primary key (or unique key, with `kind = "UNIQUE"`) of the table.
/// OpenMetadata puts a single-column key on the column (`constraint`) and a multi-column one in
/// `tableConstraints`; either place is accepted for a single column, only the table level for more.
pub fn has_key(table: &Value, kind: &str, cols: &[&str]) -> bool {
    let at_table = constraints(table, kind)
        .iter()
        .any(|(c, _)| c.iter().map(String::as_str).eq(cols.iter().copied()));
    let at_column = cols.len() == 1 && column(table, cols[0])["constraint"] == kind;
    at_table || at_column
}

#[cfg(test)]
mod tests;
