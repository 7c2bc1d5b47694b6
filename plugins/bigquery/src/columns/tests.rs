use super::*;
use DataType as D;

/// Three tables' `schema.fields`, as the BigQuery API writes them: every type in each mode, nested
/// records, arrays of records, each type's parameters (the built-in cases `types`,
/// `struct_spellings` and `arrays` of tests/support/bigquery/om_tables.py).
const TYPES: &str = r#"[
 {"name":"i","type":"INTEGER","description":"an id","mode":"REQUIRED"},{"name":"i64","type":"INT64"},
 {"name":"f","type":"FLOAT"},{"name":"f64","type":"FLOAT64"},{"name":"n","type":"NUMERIC"},
 {"name":"n_ps","type":"NUMERIC","precision":"10","scale":"2"},{"name":"n_p","type":"NUMERIC","precision":"10"},
 {"name":"bn","type":"BIGNUMERIC","precision":"40","scale":"5"},{"name":"bn0","type":"BIGNUMERIC"},
 {"name":"b","type":"BOOLEAN"},{"name":"b2","type":"BOOL"},{"name":"s","type":"STRING"},
 {"name":"s_len","type":"STRING","maxLength":"20","description":""},{"name":"by","type":"BYTES"},
 {"name":"by_len","type":"BYTES","maxLength":"16"},{"name":"ts","type":"TIMESTAMP"},{"name":"d","type":"DATE"},
 {"name":"t","type":"TIME"},{"name":"dt","type":"DATETIME"},{"name":"g","type":"GEOGRAPHY"},
 {"name":"j","type":"JSON"},{"name":"iv","type":"INTERVAL"},
 {"name":"r","type":"RANGE","rangeElementType":{"type":"DATE"}},{"name":"lower","type":"string"},
 {"name":"tags","type":"STRING","mode":"REPEATED"},
 {"name":"nums","type":"NUMERIC","precision":"10","scale":"2","mode":"REPEATED"},
 {"name":"ints","type":"INTEGER","mode":"REPEATED"},{"name":"bys","type":"BYTES","maxLength":"8","mode":"REPEATED"},
 {"name":"dts","type":"DATETIME","mode":"REPEATED"},{"name":"jsons","type":"JSON","mode":"REPEATED"},
 {"name":"addr","type":"RECORD","description":"where","mode":"NULLABLE","fields":[
   {"name":"street","type":"STRING","description":"the street","mode":"REQUIRED"},{"name":"zip","type":"INTEGER"},
   {"name":"geo","type":"STRUCT","fields":[{"name":"lat","type":"FLOAT64"},{"name":"lon","type":"FLOAT64"}]},
   {"name":"lines","type":"STRING","mode":"REPEATED"}]},
 {"name":"items","type":"RECORD","mode":"REPEATED","fields":[
   {"name":"sku","type":"STRING","maxLength":"12"},{"name":"qty","type":"INTEGER","mode":"REQUIRED"},
   {"name":"price","type":"NUMERIC","precision":"9","scale":"2"},
   {"name":"opts","type":"RECORD","mode":"REPEATED","fields":[{"name":"k","type":"STRING"},{"name":"v","type":"BYTES"}]}]},
 {"name":"one","type":"STRUCT","fields":[{"name":"x","type":"BOOL"}]},{"name":"empty","type":"RECORD","fields":[]},
 {"name":"secret","type":"STRING","policyTags":{"names":["projects/p/locations/us/taxonomies/1/policyTags/2"]}},
 {"name":"unknown_tag","type":"STRING","policyTags":{"names":["projects/p/locations/us/taxonomies/9/policyTags/9"]}}
]"#;

const STRUCT_SPELLINGS: &str = r#"[{"name":"s","type":"RECORD","fields":[
 {"name":"i","type":"INTEGER"},{"name":"f","type":"FLOAT"},{"name":"n","type":"NUMERIC","precision":"10","scale":"2"},
 {"name":"bn","type":"BIGNUMERIC","precision":"40","scale":"5"},{"name":"bn2","type":"BIGNUMERIC","precision":"20","scale":"10"},
 {"name":"n0","type":"NUMERIC"},{"name":"b","type":"BOOLEAN"},{"name":"st","type":"STRING","maxLength":"5"},
 {"name":"by","type":"BYTES","maxLength":"4"},{"name":"by0","type":"BYTES"},{"name":"ts","type":"TIMESTAMP"},
 {"name":"d","type":"DATE"},{"name":"t","type":"TIME"},{"name":"dt","type":"DATETIME"},{"name":"j","type":"JSON"},
 {"name":"iv","type":"INTERVAL"},{"name":"My Field","type":"STRING"},{"name":"Up","type":"INT64","mode":"REPEATED"},
 {"name":"rs","type":"RECORD","fields":[{"name":"a","type":"STRING"}],"mode":"REPEATED"}]}]"#;

const ARRAYS: &str = r#"[
 {"name":"fl","type":"FLOAT","mode":"REPEATED"},{"name":"bo","type":"BOOLEAN","mode":"REPEATED"},
 {"name":"ts","type":"TIMESTAMP","mode":"REPEATED"},{"name":"d","type":"DATE","mode":"REPEATED"},
 {"name":"t","type":"TIME","mode":"REPEATED"},{"name":"n0","type":"NUMERIC","mode":"REPEATED"},
 {"name":"np","type":"BIGNUMERIC","precision":"10","mode":"REPEATED"},{"name":"g","type":"GEOGRAPHY","mode":"REPEATED"},
 {"name":"iv","type":"INTERVAL","mode":"REPEATED"},{"name":"r","type":"RANGE","mode":"REPEATED"},
 {"name":"s","type":"STRING","mode":"REPEATED"},
 {"name":"recs","type":"RECORD","description":"simple records","mode":"REPEATED","fields":[
   {"name":"K","type":"STRING","mode":"REQUIRED"},{"name":"v","type":"INTEGER"},
   {"name":"sub","type":"RECORD","fields":[{"name":"z","type":"DATE"}]},
   {"name":"xs","type":"STRING","maxLength":"3","mode":"REPEATED"}]},
 {"name":"recs0","type":"RECORD","fields":[],"mode":"REPEATED"},{"name":"My Col","type":"INTEGER","mode":"REPEATED"}
]"#;

/// `(parent path, name, dataType, dataTypeDisplay, arrayDataType, dataLength, constraint)` as
/// OpenMetadata 2.0.7.0's BigQuery connector writes each column of the tables above: what
/// tests/support/bigquery/om_tables.py printed (its `dataLength` is 1 on a scalar without a
/// length; its complex columns carry neither a length nor a constraint). It dropped `items` and
/// its fields: see `an_array_of_records_openmetadata_cannot_parse_is_kept`.
#[allow(clippy::type_complexity)]
#[rustfmt::skip]
const OPENMETADATA: &[(&str, &str, DataType, &str, Option<DataType>, Option<u32>, Option<&str>)] = &[
    ("", "i", D::Int, "INTEGER", None, Some(1), Some("NOT_NULL")),
    ("", "i64", D::Int, "INTEGER", None, Some(1), Some("NULL")),
    ("", "f", D::Float, "FLOAT", None, Some(1), Some("NULL")),
    ("", "f64", D::Float, "FLOAT", None, Some(1), Some("NULL")),
    ("", "n", D::Int, "NUMERIC", None, Some(1), Some("NULL")),
    ("", "n_ps", D::Int, "NUMERIC(10, 2)", None, Some(1), Some("NULL")),
    ("", "n_p", D::Int, "NUMERIC(10)", None, Some(1), Some("NULL")),
    ("", "bn", D::Int, "NUMERIC(40, 5)", None, Some(1), Some("NULL")),
    ("", "bn0", D::Int, "NUMERIC", None, Some(1), Some("NULL")),
    ("", "b", D::Boolean, "BOOLEAN", None, Some(1), Some("NULL")),
    ("", "b2", D::Boolean, "BOOLEAN", None, Some(1), Some("NULL")),
    ("", "s", D::String, "string", None, Some(1), Some("NULL")),
    ("", "s_len", D::String, "string", None, Some(1), Some("NULL")),
    ("", "by", D::Binary, "BINARY", None, Some(1), Some("NULL")),
    ("", "by_len", D::Binary, "BINARY(16)", None, Some(16), Some("NULL")),
    ("", "ts", D::Timestamp, "TIMESTAMP", None, Some(1), Some("NULL")),
    ("", "d", D::Date, "DATE", None, Some(1), Some("NULL")),
    ("", "t", D::Time, "TIME", None, Some(1), Some("NULL")),
    ("", "dt", D::Datetime, "DATETIME", None, Some(1), Some("NULL")),
    ("", "g", D::Geography, "GEOGRAPHY", None, Some(1), Some("NULL")),
    ("", "j", D::Varchar, "string", None, Some(1), Some("NULL")),
    ("", "iv", D::Interval, "DATETIME", None, Some(1), Some("NULL")),
    ("", "r", D::Unknown, "<class 'sqlalchemy.sql.sqltypes.NullType'>", None, Some(1), Some("NULL")),
    ("", "lower", D::String, "string", None, Some(1), Some("NULL")),
    ("", "tags", D::Array, "array<string>", Some(D::String), None, None),
    ("", "nums", D::Array, "array<numeric<precision:10,scale:2>>", Some(D::Numeric), None, None),
    ("", "ints", D::Array, "array<integer>", Some(D::Int), None, None),
    ("", "bys", D::Array, "array<binary<length:8>>", Some(D::Binary), None, None),
    ("", "dts", D::Array, "array<datetime>", Some(D::Datetime), None, None),
    ("", "jsons", D::Array, "array<bqjson>", Some(D::Unknown), None, None),
    ("", "addr", D::Struct, "struct<street:string,zip:int64,geo:struct<lat:float64,lon:float64>,lines:array<string>>", None, None, None),
    ("addr", "street", D::String, "string", None, Some(1), Some("NOT_NULL")),
    ("addr", "zip", D::Int, "INTEGER", None, Some(1), Some("NULL")),
    ("addr", "geo", D::Struct, "struct<lat:float64,lon:float64>", None, None, None),
    ("addr.geo", "lat", D::Float, "FLOAT", None, Some(1), Some("NULL")),
    ("addr.geo", "lon", D::Float, "FLOAT", None, Some(1), Some("NULL")),
    ("addr", "lines", D::Array, "array<string>", Some(D::String), None, None),
    ("", "one", D::Struct, "struct<x:bool>", None, None, None),
    ("one", "x", D::Boolean, "BOOLEAN", None, Some(1), Some("NULL")),
    ("", "empty", D::Struct, "struct<unknown>", None, None, None),
    ("", "secret", D::String, "string", None, Some(1), Some("NULL")),
    ("", "unknown_tag", D::String, "string", None, Some(1), Some("NULL")),
    // struct_spellings: a struct is shown as the BigQuery dialect spells it, its fields as
    // columns are shown.
    ("", "s", D::Struct, "struct<i:int64,f:float64,n:numeric,bn:bignumeric,bn2:bignumeric,n0:numeric,b:bool,st:string,by:bytes(4),by0:bytes,ts:timestamp,d:date,t:time,dt:datetime,j:string,iv:datetime,my:field:string,up:array<int64>,rs:array<struct<a:string>>>", None, None, None),
    ("s", "i", D::Int, "INTEGER", None, Some(1), Some("NULL")),
    ("s", "f", D::Float, "FLOAT", None, Some(1), Some("NULL")),
    ("s", "n", D::Int, "NUMERIC(10, 2)", None, Some(1), Some("NULL")),
    ("s", "bn", D::Int, "NUMERIC(40, 5)", None, Some(1), Some("NULL")),
    ("s", "bn2", D::Int, "NUMERIC(20, 10)", None, Some(1), Some("NULL")),
    ("s", "n0", D::Int, "NUMERIC", None, Some(1), Some("NULL")),
    ("s", "b", D::Boolean, "BOOLEAN", None, Some(1), Some("NULL")),
    ("s", "st", D::String, "string", None, Some(1), Some("NULL")),
    ("s", "by", D::Binary, "BINARY(4)", None, Some(4), Some("NULL")),
    ("s", "by0", D::Binary, "BINARY", None, Some(1), Some("NULL")),
    ("s", "ts", D::Timestamp, "TIMESTAMP", None, Some(1), Some("NULL")),
    ("s", "d", D::Date, "DATE", None, Some(1), Some("NULL")),
    ("s", "t", D::Time, "TIME", None, Some(1), Some("NULL")),
    ("s", "dt", D::Datetime, "DATETIME", None, Some(1), Some("NULL")),
    ("s", "j", D::Varchar, "string", None, Some(1), Some("NULL")),
    ("s", "iv", D::Interval, "DATETIME", None, Some(1), Some("NULL")),
    ("s", "My Field", D::String, "string", None, Some(1), Some("NULL")),
    ("s", "Up", D::Array, "array<integer>", Some(D::Int), None, None),
    ("s", "rs", D::Array, "array<struct<a:string>>", Some(D::Struct), None, None),
    ("s.rs", "a", D::String, "string", None, Some(1), Some("NULL")),
    // arrays: shown as Python writes the SQLAlchemy type, rewritten.
    ("", "fl", D::Array, "array<float>", Some(D::Float), None, None),
    ("", "bo", D::Array, "array<boolean>", Some(D::Boolean), None, None),
    ("", "ts", D::Array, "array<timestamp>", Some(D::Timestamp), None, None),
    ("", "d", D::Array, "array<date>", Some(D::Date), None, None),
    ("", "t", D::Array, "array<time>", Some(D::Time), None, None),
    ("", "n0", D::Array, "array<numeric>", Some(D::Numeric), None, None),
    ("", "np", D::Array, "array<numeric<precision:10>>", Some(D::Numeric), None, None),
    ("", "g", D::Array, "array<geography>", Some(D::Geography), None, None),
    ("", "iv", D::Array, "array<interval>", Some(D::Interval), None, None),
    ("", "r", D::Array, "array<nulltype>", Some(D::Unknown), None, None),
    ("", "s", D::Array, "array<string>", Some(D::String), None, None),
    ("", "recs", D::Array, "array<struct<k:string,v:integer,sub:struct<z:date>,xs:array<string<length:3>>>>", Some(D::Struct), None, None),
    ("recs", "K", D::String, "string", None, Some(1), Some("NOT_NULL")),
    ("recs", "v", D::Int, "INTEGER", None, Some(1), Some("NULL")),
    ("recs", "sub", D::Struct, "struct<z:date>", None, None, None),
    ("recs.sub", "z", D::Date, "DATE", None, Some(1), Some("NULL")),
    ("recs", "xs", D::Array, "array<string<length:3>>", Some(D::String), None, None),
    ("", "recs0", D::Array, "array<struct>", Some(D::Struct), None, None),
    ("", "My Col", D::Array, "array<integer>", Some(D::Int), None, None),
];

fn fields(json: &str) -> Vec<TableFieldSchema> {
    serde_json::from_str(json).unwrap()
}

fn no_tags(_: &TableFieldSchema) -> Vec<TagLabel> {
    vec![]
}

/// Each column's dotted parent path, from the flat list's `parent` indexes.
fn parent_path(columns: &[Column], i: usize) -> String {
    match columns[i].parent {
        None => String::new(),
        Some(p) => {
            let above = parent_path(columns, p as usize);
            let name = &columns[p as usize].name;
            if above.is_empty() {
                name.clone()
            } else {
                format!("{above}.{name}")
            }
        }
    }
}

#[test]
fn types_as_openmetadata_writes_them() {
    let mut all = Vec::new();
    for json in [TYPES, STRUCT_SPELLINGS, ARRAYS] {
        let columns = columns(&fields(json), &mut no_tags);
        for i in 0..columns.len() {
            all.push((parent_path(&columns, i), columns[i].clone()));
        }
    }
    let ours: Vec<_> = all
        .iter()
        .filter(|(path, c)| !path.starts_with("items") && c.name != "items")
        .collect();
    assert_eq!(ours.len(), OPENMETADATA.len());
    for ((path, c), &(parent, name, data_type, display, element, length, constraint)) in
        ours.into_iter().zip(OPENMETADATA)
    {
        let at = format!("{parent}/{name}");
        assert_eq!((path.as_str(), c.name.as_str()), (parent, name), "{at}");
        assert_eq!(c.data_type, data_type, "{at}");
        assert_eq!(c.data_type_display, display, "{at}");
        assert_eq!(c.array_data_type, element, "{at}");
        // OpenMetadata's 1 is no length: the sink writes it where OpenMetadata would.
        assert_eq!(length.filter(|l| *l != 1), c.data_length, "{at}");
        assert_eq!((c.precision, c.scale), (None, None), "{at}");
        if let Some(constraint) = constraint {
            assert_eq!(c.nullable, constraint == "NULL", "{at}");
        }
    }
}

#[test]
fn nesting_descriptions_and_positions() {
    let columns = columns(&fields(TYPES), &mut no_tags);
    let find = |name: &str| columns.iter().position(|c| c.name == name).unwrap();
    let addr = find("addr");
    assert_eq!(columns[addr].description.as_deref(), Some("where"));
    assert_eq!(columns[addr].ordinal_position, 31);
    assert!(columns[addr].nullable, "a NULLABLE record");
    let street = find("street");
    assert_eq!(columns[street].parent, Some(addr as u32));
    assert_eq!(columns[street].description.as_deref(), Some("the street"));
    assert!(!columns[street].nullable);
    let lines = find("lines");
    assert_eq!(
        (columns[lines].parent, columns[lines].ordinal_position),
        (Some(addr as u32), 4)
    );
    assert!(columns[lines].nullable, "REPEATED is nullable");
    // An empty description is none; a missing one too.
    assert_eq!(columns[find("s_len")].description, None);
    assert_eq!(columns[find("i")].description.as_deref(), Some("an id"));
    // An empty record has no children: the next column follows it at the top.
    let empty = find("empty");
    assert_eq!(columns[empty + 1].parent, None);
    // Top-level positions count top-level columns only.
    let tops: Vec<u32> = columns
        .iter()
        .filter(|c| c.parent.is_none())
        .map(|c| c.ordinal_position)
        .collect();
    assert_eq!(tops, (1..=tops.len() as u32).collect::<Vec<_>>());
}

#[test]
fn an_array_of_records_openmetadata_cannot_parse_is_kept() {
    // OpenMetadata's parser reads the display of `items` back and raises on `string<length:12>`
    // (a colon inside brackets where it expects `name:type`): its connector drops the column and
    // its fields. Here it is kept, shown as OpenMetadata shows it, its fields typed as usual.
    let columns = columns(&fields(TYPES), &mut no_tags);
    let at = columns.iter().position(|c| c.name == "items").unwrap();
    let items = &columns[at];
    assert_eq!(items.data_type, D::Array);
    assert_eq!(items.array_data_type, Some(D::Struct));
    assert_eq!(
        items.data_type_display,
        "array<struct<sku:string<length:12>,qty:integer,price:numeric<precision:9,scale:2>,opts:array<struct<k:string,v:binary>>>>"
    );
    let children: Vec<(&str, &str)> = columns
        .iter()
        .filter(|c| c.parent == Some(at as u32))
        .map(|c| (c.name.as_str(), c.data_type_display.as_str()))
        .collect();
    assert_eq!(
        children,
        [
            ("sku", "string"),
            ("qty", "INTEGER"),
            ("price", "NUMERIC(9, 2)"),
            ("opts", "array<struct<k:string,v:binary>>")
        ]
    );
}

#[test]
fn a_struct_the_dialect_cannot_spell_is_kept() {
    // OpenMetadata loses every column of a table with GEOGRAPHY or an unknown type (RANGE) inside
    // a (non-repeated) record: the BigQuery dialect cannot compile the record's type. Here the
    // field is spelt as BigQuery names its type.
    let columns = columns(
        &fields(
            r#"[{"name":"id","type":"INTEGER"},{"name":"p","type":"RECORD","fields":[
                {"name":"g","type":"GEOGRAPHY"},{"name":"r","type":"RANGE"},
                {"name":"q","type":"RECORD","fields":[{"name":"g2","type":"GEOGRAPHY","mode":"REPEATED"}]}]}]"#,
        ),
        &mut no_tags,
    );
    let shown: Vec<&str> = columns
        .iter()
        .map(|c| c.data_type_display.as_str())
        .collect();
    assert_eq!(
        shown,
        [
            "INTEGER",
            "struct<g:geography,r:range,q:struct<g2:array<geography>>>",
            "GEOGRAPHY",
            "<class 'sqlalchemy.sql.sqltypes.NullType'>",
            "struct<g2:array<geography>>",
            "array<geography>",
        ]
    );
}

#[test]
fn tags_are_asked_for_every_column_nested_or_not() {
    let mut asked = Vec::new();
    let columns = columns(&fields(ARRAYS), &mut |f: &TableFieldSchema| {
        asked.push(f.name.clone().unwrap());
        if f.name.as_deref() == Some("z") {
            vec![TagLabel::new("PII", "Date", "c", "t")]
        } else {
            vec![]
        }
    });
    assert_eq!(asked.len(), columns.len());
    let z = columns.iter().find(|c| c.name == "z").unwrap();
    assert_eq!(z.tags, [TagLabel::new("PII", "Date", "c", "t")]);
}

#[test]
fn odd_fields() {
    // Nameless fields are left out (the API requires a name); a missing type or mode is
    // OpenMetadata's NULLABLE NullType; the API's lower-case spellings are upper-cased.
    let columns = columns(
        &fields(
            r#"[{"type":"STRING"},{"name":""},{"name":"x"},{"name":"y","type":"int64","mode":"repeated"},{"name":"z","type":"DATE","mode":"weird"}]"#,
        ),
        &mut no_tags,
    );
    let shape: Vec<(&str, DataType, &str, bool, u32)> = columns
        .iter()
        .map(|c| {
            (
                c.name.as_str(),
                c.data_type,
                c.data_type_display.as_str(),
                c.nullable,
                c.ordinal_position,
            )
        })
        .collect();
    assert_eq!(
        shape,
        [
            (
                "x",
                D::Unknown,
                "<class 'sqlalchemy.sql.sqltypes.NullType'>",
                true,
                1
            ),
            ("y", D::Array, "array<integer>", true, 2),
            // OpenMetadata: `nullable: mode in ("NULLABLE", "REPEATED")`.
            ("z", D::Date, "DATE", false, 3),
        ]
    );
}
