//! A field's type as OpenMetadata sees it: the SQLAlchemy type sqlalchemy-bigquery 1.15.0's
//! `_get_sqla_column_type` builds from the field (its `_types._type_map`, with the three entries
//! OpenMetadata's `bigquery/metadata.py` adds: `GEOGRAPHY`, `JSON` as its `BQJSON`, `INTERVAL`),
//! and the three ways OpenMetadata turns that object into text:
//! - [`SqlaType::repr`]: Python's `repr()`, which its `_array_sys_data_type_repr` rewrites into
//!   an array's `dataTypeDisplay`;
//! - [`SqlaType::bigquery_spec`]: the BigQuery dialect's type compiler (`BigQueryTypeCompiler`),
//!   which `STRUCT.get_col_spec` uses for a struct's `dataTypeDisplay`;
//! - [`SqlaType::generic_str`]: `str()` under SQLAlchemy's default dialect, a scalar's
//!   `dataTypeDisplay` (`get_system_data_type`).

use crate::api::TableFieldSchema;

/// The SQLAlchemy type of a field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SqlaType {
    /// `INTEGER`, `INT64` → `sqlalchemy.types.Integer`.
    Integer,
    /// `FLOAT`, `FLOAT64` → `Float`.
    Float,
    /// `NUMERIC`, `BIGNUMERIC` → `Numeric(precision, scale)`.
    Numeric {
        precision: Option<i64>,
        scale: Option<i64>,
    },
    /// `BOOLEAN`, `BOOL` → `Boolean`.
    Boolean,
    /// `STRING` → `String(maxLength)`.
    String {
        length: Option<i64>,
    },
    /// `BYTES` → `BINARY(maxLength)`.
    Binary {
        length: Option<i64>,
    },
    /// `DATETIME`, `DATE`, `TIME`, `TIMESTAMP` → their SQLAlchemy types.
    Datetime,
    Date,
    Time,
    Timestamp,
    /// `GEOGRAPHY` → OpenMetadata's `create_sqlalchemy_type("GEOGRAPHY")`.
    Geography,
    /// `JSON` → OpenMetadata's `BQJSON`, a `String`.
    Json,
    /// `INTERVAL` → `Interval`, a decorator over `DateTime`.
    Interval,
    /// `RECORD`, `STRUCT` → sqlalchemy-bigquery's `STRUCT(*fields)`.
    Struct(Vec<(String, SqlaType)>),
    /// Mode `REPEATED` → `ARRAY(item)`.
    Array(Box<SqlaType>),
    /// Any other type (`RANGE`, a type this table does not know): the `NullType` class, kept
    /// with the type's own name.
    Null(String),
}

impl SqlaType {
    /// `_get_sqla_column_type(field)`.
    pub fn of(field: &TableFieldSchema) -> Self {
        // `SchemaField.field_type` upper-cases the API's `type`.
        let name = field
            .field_type
            .as_deref()
            .unwrap_or_default()
            .to_uppercase();
        let scalar = match name.as_str() {
            "INTEGER" | "INT64" => Self::Integer,
            "FLOAT" | "FLOAT64" => Self::Float,
            "NUMERIC" | "BIGNUMERIC" => Self::Numeric {
                precision: field.precision,
                scale: field.scale,
            },
            "BOOLEAN" | "BOOL" => Self::Boolean,
            "STRING" => Self::String {
                length: field.max_length,
            },
            "BYTES" => Self::Binary {
                length: field.max_length,
            },
            "DATETIME" => Self::Datetime,
            "DATE" => Self::Date,
            "TIME" => Self::Time,
            "TIMESTAMP" => Self::Timestamp,
            "GEOGRAPHY" => Self::Geography,
            "JSON" => Self::Json,
            "INTERVAL" => Self::Interval,
            "RECORD" | "STRUCT" => Self::Struct(
                field
                    .fields
                    .iter()
                    .map(|f| (f.name.clone().unwrap_or_default(), Self::of(f)))
                    .collect(),
            ),
            // The map's `ARRAY` entry cannot be built without an item type (the API marks arrays
            // by mode, never by type): like any unknown type, `NullType`.
            _ => Self::Null(name),
        };
        if is_repeated(field) {
            Self::Array(Box::new(scalar))
        } else {
            scalar
        }
    }

    /// Python's `repr()` of the type object (SQLAlchemy's `generic_repr`: only the arguments that
    /// differ from their defaults, by keyword).
    pub fn repr(&self) -> String {
        let keywords = |args: &[(&str, Option<i64>)]| {
            args.iter()
                .filter_map(|(k, v)| v.map(|v| format!("{k}={v}")))
                .collect::<Vec<_>>()
                .join(", ")
        };
        match self {
            Self::Integer => "Integer()".into(),
            Self::Float => "Float()".into(),
            Self::Numeric { precision, scale } => format!(
                "Numeric({})",
                keywords(&[("precision", *precision), ("scale", *scale)])
            ),
            Self::Boolean => "Boolean()".into(),
            Self::String { length } => format!("String({})", keywords(&[("length", *length)])),
            Self::Binary { length } => format!("BINARY({})", keywords(&[("length", *length)])),
            Self::Datetime => "DATETIME()".into(),
            Self::Date => "DATE()".into(),
            Self::Time => "TIME()".into(),
            Self::Timestamp => "TIMESTAMP()".into(),
            Self::Geography => "GEOGRAPHY()".into(),
            Self::Json => "BQJSON()".into(),
            Self::Interval => "Interval()".into(),
            // `STRUCT.__repr__`.
            Self::Struct(fields) => format!(
                "STRUCT({})",
                fields
                    .iter()
                    .map(|(name, t)| format!("{name}={}", t.repr()))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Self::Array(item) => format!("ARRAY({})", item.repr()),
            // `ARRAY` instantiates a type class it is given.
            Self::Null(_) => "NullType()".into(),
        }
    }

    /// The BigQuery dialect's spelling (`BigQueryTypeCompiler` without a column, so no length or
    /// precision suffix). `Err` with BigQuery's own name where the compiler raises (GEOGRAPHY,
    /// which OpenMetadata's type has no visitor for; NullType).
    pub fn bigquery_spec(&self) -> Result<String, String> {
        Ok(match self {
            Self::Integer => "INT64".into(),
            Self::Float => "FLOAT64".into(),
            // `visit_NUMERIC`: BIGNUMERIC beyond NUMERIC's range, whatever the field was declared.
            Self::Numeric { precision, scale } => {
                if precision.is_some_and(|p| p > 38) || scale.is_some_and(|s| s > 9) {
                    "BIGNUMERIC".into()
                } else {
                    "NUMERIC".into()
                }
            }
            Self::Boolean => "BOOL".into(),
            // `BQJSON` is a `String`: `visit_string` → `visit_VARCHAR` → `STRING`.
            Self::String { .. } | Self::Json => "STRING".into(),
            Self::Binary { length: Some(n) } => format!("BYTES({n})"),
            Self::Binary { length: None } => "BYTES".into(),
            // `Interval` compiles as its implementation, `DateTime`.
            Self::Datetime | Self::Interval => "DATETIME".into(),
            Self::Date => "DATE".into(),
            Self::Time => "TIME".into(),
            Self::Timestamp => "TIMESTAMP".into(),
            Self::Geography => return Err("GEOGRAPHY".into()),
            Self::Null(name) => return Err(name.clone()),
            Self::Struct(fields) => {
                let mut spec = Vec::with_capacity(fields.len());
                let mut failed = false;
                for (name, t) in fields {
                    let field = t.bigquery_spec().unwrap_or_else(|own| {
                        failed = true;
                        own
                    });
                    spec.push(format!("{name} {field}"));
                }
                let spec = format!("STRUCT<{}>", spec.join(", "));
                return if failed { Err(spec) } else { Ok(spec) };
            }
            Self::Array(item) => {
                return item
                    .bigquery_spec()
                    .map(|s| format!("ARRAY<{s}>"))
                    .map_err(|s| format!("ARRAY<{s}>"));
            }
        })
    }

    /// `str()` of a scalar type under SQLAlchemy's default dialect.
    pub fn generic_str(&self) -> String {
        match self {
            Self::Integer => "INTEGER".into(),
            Self::Float => "FLOAT".into(),
            Self::Numeric {
                precision: None, ..
            } => "NUMERIC".into(),
            Self::Numeric {
                precision: Some(p),
                scale: None,
            } => format!("NUMERIC({p})"),
            Self::Numeric {
                precision: Some(p),
                scale: Some(s),
            } => format!("NUMERIC({p}, {s})"),
            Self::Boolean => "BOOLEAN".into(),
            Self::String { length: None } | Self::Json => "VARCHAR".into(),
            Self::String { length: Some(n) } => format!("VARCHAR({n})"),
            Self::Binary { length: None } => "BINARY".into(),
            Self::Binary { length: Some(n) } => format!("BINARY({n})"),
            Self::Datetime | Self::Interval => "DATETIME".into(),
            Self::Date => "DATE".into(),
            Self::Time => "TIME".into(),
            Self::Timestamp => "TIMESTAMP".into(),
            Self::Geography => "GEOGRAPHY".into(),
            Self::Struct(_) => self.bigquery_spec().unwrap_or_else(|s| s),
            Self::Array(_) => "ARRAY".into(),
            // A type left as the `NullType` class, not an instance: `str()` of a class.
            Self::Null(_) => "<class 'sqlalchemy.sql.sqltypes.NullType'>".into(),
        }
    }
}

/// Whether a field is an array (`mode: REPEATED`; `SchemaField.mode` upper-cases it).
pub fn is_repeated(field: &TableFieldSchema) -> bool {
    field
        .mode
        .as_deref()
        .is_some_and(|m| m.eq_ignore_ascii_case("REPEATED"))
}
