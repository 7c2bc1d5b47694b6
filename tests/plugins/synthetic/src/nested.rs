//! What contract 0.3.0 added, as a BigQuery connector gives it: a RECORD column `address` whose
//! fields are `street`, `zip` (with a policy tag) and a RECORD `geo` of `lat` and `lon`, built as
//! a tree and flattened by the SDK; the dataset's and the table's labels as tags, with the
//! descriptions OpenMetadata's BigQuery connector gives them; source URLs on the database, the
//! schema and each table.

use omrun_sdk::types::{Column, DataType, Entity, NestedColumn, TagLabel};

const CONSOLE: &str = "https://console.example/synthetic";

/// A dataset's or a table's label `key: value`, as OpenMetadata's BigQuery connector makes a tag of
/// it: the key is the classification.
fn label(key: &str, value: &str, on: &str) -> TagLabel {
    TagLabel::new(
        key,
        value,
        format!("BigQuery {on} Classification"),
        format!("Bigquery {on} Label"),
    )
}

/// A policy tag: its taxonomy is the classification. A dot in the name: its FQN is quoted.
fn policy_tag(name: &str) -> TagLabel {
    TagLabel::new(
        "policy.v1",
        name,
        "BigQuery Policy Classification",
        "Bigquery Policy Tag",
    )
}

fn field(name: &str, data_type: DataType, display: &str) -> Column {
    Column {
        name: name.into(),
        data_type,
        data_type_display: display.into(),
        array_data_type: None,
        data_length: None,
        precision: None,
        scale: None,
        nullable: true,
        // Set by `NestedColumn::flatten` for the fields; the top-level column's is the table's.
        ordinal_position: 0,
        description: None,
        parent: None,
        tags: Vec::new(),
    }
}

fn leaf(name: &str, data_type: DataType, display: &str) -> NestedColumn {
    NestedColumn::new(field(name, data_type, display), Vec::new())
}

/// `address` at `position`, with its fields.
fn address(position: u32) -> NestedColumn {
    let mut zip = field("zip", DataType::String, "string");
    zip.nullable = false;
    zip.tags = vec![policy_tag("postal code")];
    let geo = NestedColumn::new(
        field("geo", DataType::Struct, "struct<lat:float64,lon:float64>"),
        vec![
            leaf("lat", DataType::Double, "float64"),
            leaf("lon", DataType::Double, "float64"),
        ],
    );
    let mut top = field(
        "address",
        DataType::Struct,
        "struct<street:string,zip:string,geo:struct<lat:float64,lon:float64>>",
    );
    top.ordinal_position = position;
    NestedColumn::new(
        top,
        vec![
            leaf("street", DataType::String, "string"),
            NestedColumn::new(zip, Vec::new()),
            geo,
        ],
    )
}

/// Adds the nested column, tags and source URLs to `entity`; with `malformed: Some(n)`, table `tn`
/// gets a field whose parent index is past it.
pub fn add(entity: &mut Entity, malformed: Option<usize>) {
    match entity {
        Entity::Database(d) => d.source_url = Some(format!("{CONSOLE}/{}", d.name)),
        Entity::DatabaseSchema(s) => {
            s.source_url = Some(format!("{CONSOLE}/{}/{}", s.database, s.name));
            s.tags = vec![label("team", "sales", "Dataset")];
        }
        Entity::Table(t) => {
            t.source_url = Some(format!("{CONSOLE}/{}/{}/{}", t.database, t.schema, t.name));
            t.tags = vec![
                label("team", "sales", "Table"),
                label("env", "prod", "Table"),
            ];
            // The whole list as a tree, flattened once: parents are indices into all of it.
            let position = t.columns.len() as u32 + 1;
            let mut tree: Vec<NestedColumn> = std::mem::take(&mut t.columns)
                .into_iter()
                .map(|c| NestedColumn::new(c, Vec::new()))
                .collect();
            tree.push(address(position));
            t.columns = NestedColumn::flatten(tree);
            if malformed.is_some_and(|n| t.name == format!("t{n}")) {
                // `street` names `lat`, which comes after it.
                let at = |name: &str| t.columns.iter().position(|c| c.name == name);
                let (street, lat) = (at("street").unwrap(), at("lat").unwrap());
                t.columns[street].parent = Some(lat as u32);
            }
        }
        _ => {}
    }
}
