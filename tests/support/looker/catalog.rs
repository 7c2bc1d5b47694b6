//! The Looker stand-in's content: `dashboards` synthetic dashboards and `models` LookML models,
//! the same for the same sizes (no randomness), varied enough to exercise a connector: 1–8 tiles
//! per dashboard of every visualisation kind, text tiles, untitled tiles, tiles on an explore that
//! does not exist, folders, owners, a LookML dashboard (`model_0::overview`) whose id holds `::`.

use serde_json::{Value, json};

/// Explores per LookML model.
pub const EXPLORES_PER_MODEL: usize = 3;
/// Looker users; dashboard `i` is owned by user `i % USERS + 1`.
pub const USERS: usize = 7;

/// Visualisation types in turn, with the OpenMetadata `chartType` each should become.
pub const VIS_TYPES: &[(&str, &str)] = &[
    ("looker_column", "Bar"),
    ("looker_line", "Line"),
    ("looker_pie", "Pie"),
    ("table", "Table"),
    ("looker_bar", "Bar"),
    ("looker_area", "Area"),
    ("looker_funnel", "Other"),
];

const TOPICS: &[&str] = &["Sales", "Marketing", "Finance", "Operations"];
const FOLDERS: &[&str] = &["Shared", "Finance", "Personal"];

/// What the stand-in serves.
#[derive(Debug, Clone)]
pub struct Catalog {
    /// Looker's answers for `GET /dashboards/{id}`, in id order.
    pub dashboards: Vec<Value>,
    /// `GET /lookml_models/{model}/explores/{explore}`, by (model, explore).
    pub explores: Vec<(String, String, Value)>,
    /// Model names, in order.
    pub models: Vec<String>,
}

impl Catalog {
    /// `dashboards` dashboards (the last one the LookML dashboard) on `models` models; `base` is
    /// the stand-in's URL, for share URLs.
    pub fn new(dashboards: usize, models: usize, base: &str) -> Catalog {
        let models = models.max(1);
        let model_names: Vec<String> = (0..models).map(|m| format!("model_{m}")).collect();
        let explores = model_names
            .iter()
            .enumerate()
            .flat_map(|(m, model)| {
                (0..EXPLORES_PER_MODEL).map(move |e| {
                    let name = format!("explore_{e}");
                    (model.clone(), name.clone(), explore(m, e, model, &name))
                })
            })
            .collect();
        let dashboards = (0..dashboards)
            .map(|i| {
                let id = if i + 1 == dashboards && dashboards > 1 {
                    "model_0::overview".to_string()
                } else {
                    (i + 1).to_string()
                };
                dashboard(i, &id, models, base)
            })
            .collect();
        Catalog {
            dashboards,
            explores,
            models: model_names,
        }
    }

    /// `GET /dashboards?fields=id,title`.
    pub fn dashboard_list(&self) -> Value {
        self.dashboards
            .iter()
            .map(|d| json!({"id": d["id"], "title": d["title"]}))
            .collect()
    }

    pub fn dashboard(&self, id: &str) -> Option<&Value> {
        self.dashboards.iter().find(|d| d["id"] == id)
    }

    /// `GET /lookml_models?fields=name,explores(name)`.
    pub fn model_list(&self) -> Value {
        self.models
            .iter()
            .map(|m| {
                let explores: Vec<Value> = self
                    .explores
                    .iter()
                    .filter(|(model, _, _)| model == m)
                    .map(|(_, e, _)| json!({"name": e}))
                    .collect();
                json!({"name": m, "explores": explores, "project_name": project(m)})
            })
            .collect()
    }

    pub fn explore(&self, model: &str, explore: &str) -> Option<&Value> {
        self.explores
            .iter()
            .find(|(m, e, _)| m == model && e == explore)
            .map(|(_, _, x)| x)
    }

    /// `GET /users/{id}`, for ids `1..=USERS`: mixed case, as people type them.
    pub fn user(&self, id: &str) -> Option<Value> {
        let n: usize = id.parse().ok()?;
        (1..=USERS)
            .contains(&n)
            .then(|| json!({"id": id, "email": format!("Owner{n}@Example.COM")}))
    }
}

fn project(model: &str) -> String {
    format!("project_{model}")
}

fn explore(m: usize, e: usize, model: &str, name: &str) -> Value {
    let view = format!("view_{e}");
    let field = |f: &str, kind: &str, description: Option<&str>| json!({"name": format!("{view}.{f}"), "label": f, "type": kind, "description": description});
    let mut dimensions = vec![
        field("id", "number", Some("Primary key")),
        field("name", "string", None),
        field("created_date", "date_date", None),
        field("created_time", "date_time", None),
    ];
    if (m + e).is_multiple_of(2) {
        dimensions.push(field("is_active", "yesno", Some("Still « active »")));
        dimensions.push(field("tags", "list", None));
    }
    let measures = vec![
        field("count", "count", None),
        field("total", "sum", Some("Sum of amounts")),
    ];
    json!({
        "name": name,
        "label": format!("Explore {e} of {model}"),
        "model_name": model,
        "project_name": project(model),
        "description": if e == 0 { Value::Null } else { json!(format!("Explore {e} of {model}")) },
        "sql_table_name": if e.is_multiple_of(2) { json!(format!("analytics.{model}_{view}")) } else { Value::Null },
        "fields": {"dimensions": dimensions, "measures": measures},
    })
}

fn dashboard(i: usize, id: &str, models: usize, base: &str) -> Value {
    let tiles = 1 + (i * 5) % 8;
    let elements: Vec<Value> = (0..tiles).map(|j| element(i, j, models, base)).collect();
    json!({
        "id": id,
        "title": format!("{} dashboard {i:04}", TOPICS[i % TOPICS.len()]),
        "description": if i.is_multiple_of(3) { Value::Null } else { json!(format!("About topic {i}")) },
        "folder": {"id": (i % FOLDERS.len()).to_string(), "name": FOLDERS[i % FOLDERS.len()]},
        "user_id": (i % USERS + 1).to_string(),
        "dashboard_elements": elements,
    })
}

fn element(i: usize, j: usize, models: usize, base: &str) -> Value {
    // Globally unique, as Looker's element ids are.
    let id = format!("{}", i * 10 + j + 1);
    if j % 4 == 3 {
        return json!({
            "id": id, "type": "text", "title": Value::Null,
            "title_text": "Notes", "body_text": format!("Read me {i}.{j}"), "query": Value::Null,
        });
    }
    let (vis, _) = VIS_TYPES[(i + j) % VIS_TYPES.len()];
    let model = format!("model_{}", (i + j) % models);
    // Every 5th tile queries an explore Looker no longer has: no data model for it.
    let explore = if (i + j) % 5 == 4 {
        "gone".to_string()
    } else {
        format!("explore_{}", (i * j) % EXPLORES_PER_MODEL)
    };
    let title = if j == 5 {
        Value::Null
    } else {
        json!(format!("Tile {j} of {i}"))
    };
    json!({
        "id": id,
        "type": "vis",
        "title": title,
        "subtitle_text": if j == 1 { json!("Weekly") } else { Value::Null },
        "note_text": Value::Null,
        "query": {
            "model": model, "view": explore,
            "share_url": format!("{base}/x/q{id}"),
            "vis_config": {"type": vis, "stacking": "normal"},
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_varied() {
        let a = Catalog::new(20, 4, "http://x");
        let b = Catalog::new(20, 4, "http://x");
        assert_eq!(a.dashboards, b.dashboards);
        assert_eq!(a.explores.len(), 4 * EXPLORES_PER_MODEL);
        assert_eq!(a.dashboards[19]["id"], "model_0::overview");
        let tiles: Vec<usize> = a
            .dashboards
            .iter()
            .map(|d| d["dashboard_elements"].as_array().unwrap().len())
            .collect();
        assert_eq!(tiles.iter().min(), Some(&1));
        assert_eq!(tiles.iter().max(), Some(&8));
        assert!(a.user("3").is_some() && a.user("99").is_none());
    }
}
