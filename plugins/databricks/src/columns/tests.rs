use omrun_common_db::type_parser::family;
use serde_json::{Value, json};

use super::*;

/// What OpenMetadata's Unity Catalog connector makes of each `type_text`: `"<type_text>" <fields>`
/// per line, printed by tests/support/databricks/om_column_types.py (its `get_columns` steps and
/// pydantic `Column`; `dataLength` 1 on a column without one, not on its children).
const OPENMETADATA: &str = include_str!("openmetadata.jsonl");

fn info(name: &str, type_text: &str, type_json: Option<Value>) -> ColumnInfo {
    ColumnInfo {
        name: Some(name.into()),
        type_text: Some(type_text.into()),
        type_name: None,
        type_json: type_json.map(|j| j.to_string()),
        comment: None,
        nullable: None,
        position: Some(0),
        partition_index: None,
    }
}

/// OpenMetadata's type name as a data type (each one the connector gives names itself in its
/// table).
fn data_type(name: &Value) -> DataType {
    let name = name.as_str().unwrap();
    let (t, n) = family(name);
    assert_eq!(n, name, "{name} is a type of OpenMetadata's table");
    t
}

/// Checks column `at` of `flat` (and its children, at any depth) against OpenMetadata's fields.
fn check(flat: &[Column], at: usize, theirs: &Value, top: bool, what: &str) {
    let c = &flat[at];
    let what = format!("{what}/{}", c.name);
    assert_eq!(c.data_type, data_type(&theirs["dataType"]), "{what}");
    assert_eq!(c.data_type_display, theirs["dataTypeDisplay"], "{what}");
    let element = theirs.get("arrayDataType").filter(|t| !t.is_null());
    assert_eq!(c.array_data_type, element.map(data_type), "{what}");
    let length = theirs.get("dataLength").and_then(Value::as_u64);
    // OpenMetadata's 1 on a column without a length is no length (the sink's conventions decide).
    let ours = if top {
        c.data_length.or(Some(1))
    } else {
        c.data_length
    };
    assert_eq!(ours.map(u64::from), length, "{what}");
    let number = |k: &str| theirs.get(k).and_then(Value::as_u64).map(|n| n as u32);
    assert_eq!(
        (c.precision, c.scale),
        (number("precision"), number("scale")),
        "{what}"
    );
    let children: Vec<usize> = (0..flat.len())
        .filter(|&i| flat[i].parent == Some(at as u32))
        .collect();
    let theirs = theirs["children"].as_array().cloned().unwrap_or_default();
    assert_eq!(children.len(), theirs.len(), "{what}");
    for (position, (&i, t)) in children.iter().zip(&theirs).enumerate() {
        assert_eq!(flat[i].name, t["name"], "{what}");
        assert_eq!(flat[i].ordinal_position, position as u32 + 1, "{what}");
        check(flat, i, t, false, &what);
    }
}

#[test]
fn types_as_openmetadata_maps_them() {
    let (mut checked, mut nested) = (0, 0);
    for line in OPENMETADATA.lines() {
        let mut values = serde_json::Deserializer::from_str(line).into_iter::<Value>();
        let text = values.next().unwrap().unwrap();
        let theirs = values.next().unwrap().unwrap();
        let text = text.as_str().unwrap();
        if theirs.get("error").is_some() {
            // Its connector drops the column; ours keeps it (tested below).
            continue;
        }
        let flat = columns(&[info("c", text, None)]);
        check(&flat, 0, &theirs, true, text);
        checked += 1;
        nested += usize::from(flat.iter().any(|c| c.parent.is_some_and(|p| p > 0)));
    }
    assert!(
        checked >= 48 && nested >= 2,
        "{checked} types, {nested} nested twice"
    );
}

#[test]
fn where_openmetadata_s_parser_raises_the_closest_type_is_kept() {
    let t = column_type("uniontype<int,string>");
    assert_eq!(
        (t.data_type, t.display.as_str()),
        (DataType::Union, "uniontype<int,string>")
    );
    assert_eq!(column_type("map<string>").data_type, DataType::Map);
    let t = column_type("array<int");
    assert_eq!(
        (t.data_type, t.array_data_type),
        (DataType::Array, Some(DataType::Int))
    );
    let t = column_type("struct<a>");
    assert_eq!((t.data_type, t.children), (DataType::Struct, None));
    assert_eq!(column_type("").data_type, DataType::Unknown);
    // Kept, without children.
    assert_eq!(columns(&[info("s", "struct<a>", None)]).len(), 1);
}

/// A column in the flat list: name, parent, position, nullable, description.
type Shape<'a> = (&'a str, Option<u32>, u32, bool, Option<&'a str>);

#[test]
fn children_take_comments_and_nullability_from_type_json() {
    let text = "struct<City:string,geo:struct<lat:double,lon:double>,tags:array<struct<k:string>>>";
    let field = |name: &str, t: Value, nullable: bool, comment: Option<&str>| {
        json!({"name": name, "type": t, "nullable": nullable,
               "metadata": comment.map(|c| json!({"comment": c})).unwrap_or(json!({}))})
    };
    let geo = json!({"type": "struct", "fields": [
        field("lat", json!("double"), false, Some("Latitude")),
        field("lon", json!("double"), true, Some("  ")),
    ]});
    let tags = json!({"type": "array", "containsNull": true, "elementType": {"type": "struct",
        "fields": [field("k", json!("string"), false, Some("Key"))]}});
    let spark = field(
        "place",
        json!({"type": "struct", "fields": [
            field("City", json!("string"), true, Some("Where")),
            field("geo", geo, false, None),
            field("tags", tags, true, None),
        ]}),
        true,
        Some("A place"),
    );
    let flat = columns(&[info("place", text, Some(spark))]);
    let shape: Vec<Shape> = flat
        .iter()
        .map(|c| {
            (
                c.name.as_str(),
                c.parent,
                c.ordinal_position,
                c.nullable,
                c.description.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        shape,
        [
            ("place", None, 1, true, None),
            ("city", Some(0), 1, true, Some("Where")),
            ("geo", Some(0), 2, false, None),
            ("lat", Some(2), 1, false, Some("Latitude")),
            ("lon", Some(2), 2, true, None),
            ("tags", Some(0), 3, true, None),
            ("k", Some(5), 1, false, Some("Key")),
        ]
    );
    // Without type_json (or with one that is not JSON): every child nullable, none described.
    let mut bare = info("place", text, None);
    bare.type_json = Some("{not json".into());
    let flat = columns(&[bare]);
    assert_eq!(flat.len(), 7);
    assert!(flat.iter().all(|c| c.nullable && c.description.is_none()));
}
