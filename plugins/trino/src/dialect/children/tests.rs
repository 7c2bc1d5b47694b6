use omrun_sdk::types::{Column, DataType};
use serde_json::{Map, Value};

use super::*;
use crate::dialect::trino_column_type;

/// What OpenMetadata's Trino connector made of each spelling: `"<spelling>" {"hive", "parsed"}`
/// per line, printed by tests/support/trino/om_trino_types.py.
const OPENMETADATA: &str = include_str!("../openmetadata_children.jsonl");

fn cases() -> Vec<(String, Value)> {
    OPENMETADATA
        .lines()
        .map(|line| {
            let mut values = serde_json::Deserializer::from_str(line).into_iter::<Value>();
            let spelling = values.next().unwrap().unwrap();
            (
                spelling.as_str().unwrap().to_owned(),
                values.next().unwrap().unwrap(),
            )
        })
        .collect()
}

/// OpenMetadata's name of a type: every one these spellings give is one word (`INT`, `VARCHAR`…).
fn name(t: DataType) -> Value {
    let debug = format!("{t:?}");
    let variant = debug.rsplit("::").next().unwrap_or_default();
    variant.to_uppercase().into()
}

/// A column and its fields in the shape of OpenMetadata's parsed dict (keys only where it has
/// them; `children` where there are any: a Trino row always has fields).
fn as_openmetadata(c: &Column, fields: &[NestedColumn]) -> Value {
    let mut m = Map::new();
    m.insert("name".into(), c.name.clone().into());
    m.insert("dataType".into(), name(c.data_type));
    m.insert("dataTypeDisplay".into(), c.data_type_display.clone().into());
    if let Some(a) = c.array_data_type {
        m.insert("arrayDataType".into(), name(a));
    }
    for (key, value) in [
        ("dataLength", c.data_length),
        ("precision", c.precision),
        ("scale", c.scale),
    ] {
        if let Some(v) = value {
            m.insert(key.into(), v.into());
        }
    }
    if !fields.is_empty() {
        let children = fields.iter().map(|f| as_openmetadata(&f.column, &f.fields));
        m.insert("children".into(), children.collect::<Vec<_>>().into());
    }
    Value::Object(m)
}

/// Whether a field of OpenMetadata's parsed dict, at any depth, has an empty name.
fn unnamed_field(parsed: &Value) -> bool {
    parsed["children"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|c| c["name"] == "" || unnamed_field(c))
}

/// The parser's own first step: lower case, no spaces.
fn normalised(text: &str) -> String {
    text.to_lowercase().replace(' ', "")
}

#[test]
fn children_as_openmetadata_s_trino_connector_gives_them() {
    let cases = cases();
    assert!(cases.len() >= 45, "{}", cases.len());
    let (mut nested, mut dropped, mut plain) = (0, 0, 0);
    for (spelling, theirs) in &cases {
        let ours = trino_children(spelling);
        let Some(their_hive) = theirs["hive"].as_str() else {
            assert_eq!(ours, Ok(Vec::new()), "{spelling}");
            plain += 1;
            continue;
        };
        // The same Hive spelling, as far as the parser can tell.
        let ty = parse(spelling).unwrap_or_else(|| panic!("{spelling}"));
        assert_eq!(normalised(&hive(&ty)), normalised(their_hive), "{spelling}");
        let parsed = &theirs["parsed"];
        // Where the parser raises, or names a field `` (which OpenMetadata's `Column` refuses),
        // its connector drops the column.
        if parsed.get("error").is_some() || unnamed_field(parsed) {
            assert!(ours.is_err(), "{spelling}: {ours:?}, OpenMetadata {parsed}");
            dropped += 1;
            continue;
        }
        let fields = ours.unwrap_or_else(|e| panic!("{spelling}: {e}"));
        // The column itself is typed by the dialect's mapping: the same as the parser's.
        let (mapped, display) = trino_column_type(spelling);
        let column = Column {
            name: String::new(),
            ..mapped.column("", display, 1)
        };
        let mut want = parsed.clone();
        want["name"] = "".into();
        assert_eq!(as_openmetadata(&column, &fields), want, "{spelling}");
        nested += usize::from(!fields.is_empty());
    }
    assert!(
        nested >= 30 && dropped >= 4 && plain >= 4,
        "{nested} with children, {dropped} dropped, {plain} plain"
    );
}

#[test]
fn an_empty_field_name_drops_the_column() {
    // OpenMetadata's parser takes `struct<:integer>`; its `Column` model refuses the empty name.
    assert!(trino_children("row(\"\" integer)").is_err());
    assert!(trino_children("array(row(\"x\" row(\"\" integer)))").is_err());
    assert_eq!(trino_children("row(\"x\" integer)").unwrap().len(), 1);
}
