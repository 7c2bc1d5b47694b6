use omrun_sdk::types::DataType;
use serde_json::{Map, Value, json};

use super::*;

/// What OpenMetadata's parser returned for each type string: `"<type>" <fields or {"error"}>`
/// per line, printed by tests/support/om_type_parser.py.
const OPENMETADATA: &str = include_str!("openmetadata.jsonl");

/// OpenMetadata's `_SOURCE_TYPE_TO_OM_TYPE`, printed by `om_type_parser.py --table`.
const SOURCE_TYPES: &str = include_str!("source_types.json");

fn source_types() -> Vec<(String, String)> {
    let table: Map<String, Value> = serde_json::from_str(SOURCE_TYPES).unwrap();
    table
        .into_iter()
        .map(|(k, v)| (k, v.as_str().unwrap().to_owned()))
        .collect()
}

/// OpenMetadata's name of a data type (every one the parser gives is a value of its table).
fn name(t: DataType) -> String {
    source_types()
        .into_iter()
        .find_map(|(key, _)| source_type(&key).filter(|(d, _)| *d == t).map(|(_, n)| n))
        .unwrap_or_else(|| panic!("{t:?} is no type of OpenMetadata's table"))
        .to_owned()
}

/// A parsed type in the shape of OpenMetadata's dict (keys only where it has them).
fn as_openmetadata(t: &ParsedType) -> Value {
    let mut m = Map::new();
    m.insert("dataType".into(), name(t.data_type).into());
    m.insert("dataTypeDisplay".into(), t.display.clone().into());
    if let Some(a) = t.array_data_type {
        m.insert("arrayDataType".into(), name(a).into());
    }
    for (key, value) in [
        ("dataLength", t.data_length),
        ("precision", t.precision),
        ("scale", t.scale),
    ] {
        if let Some(v) = value {
            m.insert(key.into(), v.into());
        }
    }
    if let Some(children) = &t.children {
        let children: Vec<Value> = children
            .iter()
            .map(|f| {
                let mut child = as_openmetadata(&f.field_type);
                child["name"] = f.name.clone().into();
                child
            })
            .collect();
        m.insert("children".into(), children.into());
    }
    Value::Object(m)
}

fn cases() -> Vec<(String, Value)> {
    OPENMETADATA
        .lines()
        .map(|line| {
            let mut values = serde_json::Deserializer::from_str(line).into_iter::<Value>();
            let t = values.next().unwrap().unwrap();
            (
                t.as_str().unwrap().to_owned(),
                values.next().unwrap().unwrap(),
            )
        })
        .collect()
}

#[test]
fn every_type_string_as_openmetadata_s_parser_reads_it() {
    let cases = cases();
    assert!(cases.len() >= 80, "{}", cases.len());
    let (mut nested, mut refused) = (0, 0);
    for (text, theirs) in &cases {
        match (parse(text), theirs.get("error")) {
            (Ok(ours), None) => {
                assert_eq!(&as_openmetadata(&ours), theirs, "{text}");
                nested += usize::from(
                    ours.fields()
                        .iter()
                        .any(|f| f.field_type.children.is_some()),
                );
            }
            (Err(_), Some(_)) => refused += 1,
            (ours, _) => panic!("{text}: ours {ours:?}, OpenMetadata's {theirs}"),
        }
    }
    assert!(
        nested >= 7 && refused >= 15,
        "{nested} nested, {refused} refused"
    );
}

#[test]
fn the_table_is_openmetadata_s() {
    let table = source_types();
    assert_eq!(table.len(), 213);
    for (key, om_name) in table {
        let (_, ours) = source_type(&key).unwrap_or_else(|| panic!("{key} missing"));
        assert_eq!(ours, om_name, "{key}");
    }
    assert_eq!(source_type("INTEGERS"), None);
}

#[test]
fn a_tree_of_fields() {
    let t = parse("struct<id:bigint,Geo:struct<lat:double,lon:double>,tags:array<struct<k:string,v:decimal(5,1)>>,m:map<string,struct<x:int>>>")
        .unwrap();
    assert_eq!(t.data_type, DataType::Struct);
    let names: Vec<&str> = t.fields().iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["id", "geo", "tags", "m"]);
    let geo = &t.fields()[1].field_type;
    assert_eq!(
        (geo.data_type, geo.display.as_str()),
        (DataType::Struct, "struct<lat:double,lon:double>")
    );
    assert_eq!(geo.fields()[1].name, "lon");
    // An array of structs: its children are the elements' fields.
    let tags = &t.fields()[2].field_type;
    assert_eq!(
        (tags.data_type, tags.array_data_type),
        (DataType::Array, Some(DataType::Struct))
    );
    let v = &tags.fields()[1].field_type;
    assert_eq!(
        (v.data_type, v.precision, v.scale),
        (DataType::Decimal, Some(5), Some(1))
    );
    // A map has none, whatever its values.
    assert_eq!(t.fields()[3].field_type.children, None);
    assert_eq!(t.fields()[0].field_type.children, None);
}

#[test]
fn commas_inside_brackets_do_not_split_fields() {
    let t = parse("struct<a:decimal(10,2),b:map<string,array<int>>,c:int>").unwrap();
    let shape: Vec<(&str, &str)> = t
        .fields()
        .iter()
        .map(|f| (f.name.as_str(), f.field_type.display.as_str()))
        .collect();
    assert_eq!(
        shape,
        [
            ("a", "decimal(10,2)"),
            ("b", "map<string,array<int>>"),
            ("c", "int")
        ]
    );
}

#[test]
fn names_in_backquotes_or_with_colons() {
    let t = parse("struct<`order id`:int,`x`:string,a:b:int>").unwrap();
    let names: Vec<&str> = t.fields().iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["orderid", "x", "a:b"]);
}

#[test]
fn what_openmetadata_s_parser_refuses() {
    for text in [
        "struct<a:int",
        "struct<a:int>>",
        "struct<a>",
        "struct<a:>",
        "struct<a:int,,b:int>",
        "struct<`a:int>",
        "array<int",
        "map<string>",
        "uniontype<int,string>",
        "struct<a:uniontype<int,string>>",
    ] {
        assert!(parse(text).is_err(), "{text}");
    }
    assert_eq!(
        parse("struct<a:int>>").unwrap_err().to_string(),
        "Brackets are not correctly paired: a:int>"
    );
}

#[test]
fn helpers_behave_as_python_s() {
    assert_eq!(py_slice("struct<a:int>", 7, 1), "a:int");
    assert_eq!(py_slice("struct", 7, 1), "");
    assert_eq!(py_slice("`", 1, 1), "");
    assert_eq!(py_strip("\u{1f} a\t\n"), "a");
    assert_eq!(data_length("varchar(20)"), 20);
    assert_eq!(data_length("a(1)b(2)"), 2);
    assert_eq!(data_length("x(1)(2,3)"), 1);
    assert_eq!(data_length("x(7)\n(8)"), 7);
    assert_eq!(data_length("x()"), 1);
    assert_eq!(
        fixed_decimal("decimal(\t10 ,2)x"),
        Some(("decimal(\t10 ,2)", Some(10), Some(2)))
    );
    assert_eq!(fixed_decimal("numeric(a)"), Some(("numeric", None, None)));
    assert_eq!(fixed_decimal("dec"), None);
    assert_eq!(family("varchar(20)"), (DataType::Varchar, "VARCHAR"));
    assert_eq!(family("nope<int>"), (DataType::Unknown, "UNKNOWN"));
    assert_eq!(
        json!(split_outside_brackets("a,(b,c),", ',', true).unwrap()),
        json!(["a", "(b,c)"])
    );
}
