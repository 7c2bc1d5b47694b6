//! Field-by-field differences between two JSON documents of one entity, each at a readable path:
//! `columns[sku].dataType`, `tableConstraints[{…}]`, `storedProcedureCode.code`.

use std::collections::BTreeSet;

use omrun_tests::canonical;
use serde_json::Value;

/// One field that differs: where, and the value on each side (`None`: absent).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct FieldDiff {
    pub path: String,
    pub openmetadata: Option<String>,
    pub omrun: Option<String>,
}

impl std::fmt::Display for FieldDiff {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let side = |v: &Option<String>| v.clone().unwrap_or_else(|| "(absent)".into());
        write!(
            f,
            "{}: OpenMetadata {} | omrun {}",
            self.path,
            side(&self.openmetadata),
            side(&self.omrun)
        )
    }
}

/// Every field where `openmetadata` and `omrun` differ. Lists of named objects (columns) are
/// matched by name, their order being a difference of its own (`columns(order)`);
/// `tableConstraints` is a set, each constraint present on one side only being a difference.
pub fn diff(openmetadata: &Value, omrun: &Value) -> Vec<FieldDiff> {
    let mut out = Vec::new();
    walk("", openmetadata, omrun, &mut out);
    out
}

fn walk(path: &str, a: &Value, b: &Value, out: &mut Vec<FieldDiff>) {
    let at = |key: &str| {
        if path.is_empty() {
            key.to_owned()
        } else {
            format!("{path}.{key}")
        }
    };
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            for k in keys {
                match (x.get(k), y.get(k)) {
                    (Some(v), Some(w)) if k == "tableConstraints" => as_set(&at(k), v, w, out),
                    (Some(v), Some(w)) => walk(&at(k), v, w, out),
                    (v, w) => out.push(FieldDiff {
                        path: at(k),
                        openmetadata: v.map(short),
                        omrun: w.map(short),
                    }),
                }
            }
        }
        (Value::Array(x), Value::Array(y)) if is_named(x) && is_named(y) => {
            let names = |v: &[Value]| -> Vec<String> { v.iter().map(name).collect() };
            if names(x) != names(y) {
                let (nx, ny) = (names(x), names(y));
                let shared: Vec<&String> = nx.iter().filter(|n| ny.contains(n)).collect();
                let shared_y: Vec<&String> = ny.iter().filter(|n| nx.contains(n)).collect();
                if shared != shared_y {
                    out.push(FieldDiff {
                        path: format!("{path}(order)"),
                        openmetadata: Some(nx.join(",")),
                        omrun: Some(ny.join(",")),
                    });
                }
            }
            let all: BTreeSet<String> = names(x).into_iter().chain(names(y)).collect();
            for n in all {
                let find = |v: &[Value]| v.iter().find(|i| name(i) == n).cloned();
                let p = format!("{path}[{n}]");
                match (find(x), find(y)) {
                    (Some(v), Some(w)) => walk(&p, &v, &w, out),
                    (v, w) => out.push(FieldDiff {
                        path: p,
                        openmetadata: v.as_ref().map(short),
                        omrun: w.as_ref().map(short),
                    }),
                }
            }
        }
        _ if a != b => out.push(FieldDiff {
            path: path.to_owned(),
            openmetadata: Some(short(a)),
            omrun: Some(short(b)),
        }),
        _ => {}
    }
}

/// Two lists compared as sets of values: each item on one side only is a difference at
/// `path[{item}]`.
fn as_set(path: &str, a: &Value, b: &Value, out: &mut Vec<FieldDiff>) {
    let items = |v: &Value| -> BTreeSet<String> {
        v.as_array().into_iter().flatten().map(canonical).collect()
    };
    let (x, y) = (items(a), items(b));
    for item in x.symmetric_difference(&y) {
        out.push(FieldDiff {
            path: format!("{path}[{item}]"),
            openmetadata: x.contains(item).then(|| "present".into()),
            omrun: y.contains(item).then(|| "present".into()),
        });
    }
}

fn is_named(items: &[Value]) -> bool {
    !items.is_empty()
        && items
            .iter()
            .all(|i| i.get("name").is_some_and(Value::is_string))
}

fn name(item: &Value) -> String {
    item["name"].as_str().unwrap_or_default().to_owned()
}

/// A value as compact JSON, cut at 300 characters (view definitions are long).
fn short(v: &Value) -> String {
    let s = canonical(v);
    match s.char_indices().nth(300) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s,
    }
}

/// `v` without the fields no two servers share: ids (of the entity and of every reference),
/// versions, timestamps, `href`, change descriptions.
pub fn without_bookkeeping(v: &Value) -> Value {
    const BOOKKEEPING: &[&str] = &[
        "id",
        "href",
        "version",
        "updatedAt",
        "updatedBy",
        "changeDescription",
        "incrementalChangeDescription",
    ];
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(k, _)| !BOOKKEEPING.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), without_bookkeeping(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(without_bookkeeping).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn paths_name_columns_and_constraints() {
        let om = json!({"name": "t", "columns": [{"name": "a", "dataType": "NULL"}, {"name": "b"}],
            "tableConstraints": [{"constraintType": "UNIQUE", "columns": ["a"]}]});
        let ours = json!({"name": "t", "columns": [{"name": "a", "dataType": "VARCHAR"}, {"name": "b", "x": 1}],
            "tableConstraints": []});
        let paths: Vec<String> = diff(&om, &ours).into_iter().map(|d| d.path).collect();
        assert_eq!(
            paths,
            [
                "columns[a].dataType",
                "columns[b].x",
                "tableConstraints[{\"columns\":[\"a\"],\"constraintType\":\"UNIQUE\"}]"
            ]
        );
        assert!(diff(&om, &om).is_empty());
        let swapped = json!({"name": "t", "columns": [{"name": "b"}, {"name": "a", "dataType": "NULL"}],
            "tableConstraints": [{"columns": ["a"], "constraintType": "UNIQUE"}]});
        assert_eq!(diff(&om, &swapped)[0].path, "columns(order)");
    }

    #[test]
    fn bookkeeping_is_left_out_at_every_level() {
        let v = json!({"id": "1", "version": 0.2, "name": "t",
            "databaseSchema": {"id": "2", "type": "databaseSchema", "fullyQualifiedName": "s"}});
        assert_eq!(
            without_bookkeeping(&v),
            json!({"name": "t", "databaseSchema": {"type": "databaseSchema", "fullyQualifiedName": "s"}})
        );
    }
}
