//! The database tables a dataset's tables are loaded from, read from their Power Query (M) source
//! expressions as OpenMetadata's connector reads them (`_parse_table_info_from_source_exp` and the
//! parsers it calls, with their regular expressions): the navigation cases — Snowflake and
//! Databricks catalogs (`[Name="…",Kind="Database"|"Schema"|"Table"|"View"]`, a name given as a
//! dataset parameter resolved through the dataset's expressions), Amazon Redshift
//! (`AmazonRedshift.Database("host","db")` then `[Name="schema"]`, `[Name="table"]`) and SQL Server
//! (`Sql.Database("server","db")` then `[Schema="…",Item="…"]`). A table whose expression names no
//! source OpenMetadata knows stands for a table of its own name. Native queries (SQL text inside
//! the expression: `Value.NativeQuery`, `[Query="…"]`) and Google BigQuery expressions, which
//! OpenMetadata parses with its SQL lineage parser, give no upstream here.

use fancy_regex::Regex;
use std::sync::OnceLock;

use omrun_sdk::types::UpstreamTable;

use crate::api;

fn re(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    cell.get_or_init(|| Regex::new(pattern).expect("a valid pattern"))
}

macro_rules! pattern {
    ($name:ident, $re:expr) => {
        fn $name() -> &'static Regex {
            static CELL: OnceLock<Regex> = OnceLock::new();
            re(&CELL, $re)
        }
    };
}

pattern!(
    kind_database,
    r#"\[Name=(?:"([^"]+)"|([^,]+)),Kind="Database"\]"#
);
pattern!(
    kind_schema,
    r#"\[Name=(?:"([^"]+)"|([^,]+)),Kind="Schema"\]"#
);
pattern!(kind_table, r#"\[Name=(?:"([^"]+)"|([^,]+)),Kind="Table"\]"#);
pattern!(kind_view, r#"\[Name=(?:"([^"]+)"|([^,]+)),Kind="View"\]"#);
pattern!(parameter_value, r#"^"([^"]+)"\s+meta"#);
pattern!(
    redshift_db,
    r#"AmazonRedshift\.Database\("[^"]+","([^"]+)"\)"#
);
pattern!(quoted_name, r#"\[Name="([^"]+)"\]"#);
pattern!(
    sql_inline_query,
    r#"(?s)Sql\.Database\(\s*"([^"]+)"\s*,\s*"([^"]+)"\s*,\s*\[Query\s*=\s*"((?:[^"]|"")*)""#
);
pattern!(
    native_query,
    r#"(?s)Value\.NativeQuery\(\s*\w+\s*,\s*"((?:[^"]|"")*)""#
);
pattern!(
    sql_database,
    r#"Sql\.Database\(\s*"([^"]+)"\s*,\s*"([^"]+)""#
);
pattern!(
    schema_item,
    r#"\{?\[Schema\s*=\s*"([^"]+)"\s*,\s*Item\s*=\s*"([^"]+)"\]"#
);

/// What a source expression says: tables, or that it has SQL inside (not parsed here).
#[derive(Debug, PartialEq, Eq)]
enum Parsed {
    Tables(Vec<(Option<String>, Option<String>, String)>),
    NativeQuery,
    Unknown,
}

/// The upstream tables of every table of `dataset`, each with its columns paired by name (as
/// OpenMetadata pairs them with the database table's columns).
pub fn upstream(dataset: &api::Dataset) -> Vec<UpstreamTable> {
    let mut out = Vec::new();
    for table in &dataset.tables {
        let columns: Vec<(String, String)> = table
            .columns
            .iter()
            .filter_map(|c| c.name.clone().filter(|n| !n.is_empty()))
            .map(|n| (n.clone(), n))
            .collect();
        let parsed = table
            .source
            .first()
            .and_then(|s| s.expression.as_deref())
            .filter(|e| !e.is_empty())
            .map_or(Parsed::Unknown, |e| parse(e, dataset));
        let found = match parsed {
            Parsed::Tables(t) => t,
            Parsed::NativeQuery => continue,
            Parsed::Unknown => match table.name.clone().filter(|n| !n.is_empty()) {
                Some(name) => vec![(None, None, name)],
                None => continue,
            },
        };
        for (database, schema, name) in found {
            out.push(UpstreamTable::new(database, schema, name).with_columns(columns.clone()));
        }
    }
    out
}

/// `_parse_table_info_from_source_exp`: Snowflake, Redshift, BigQuery, Databricks, then SQL Server.
fn parse(expression: &str, dataset: &api::Dataset) -> Parsed {
    if expression.contains("Snowflake.Databases") {
        if expression.contains("Value.NativeQuery(Snowflake.Databases(") {
            return Parsed::NativeQuery;
        }
        if let Some(t) = catalog(expression, dataset) {
            return Parsed::Tables(vec![t]);
        }
    }
    if let Some(t) = redshift(expression) {
        return Parsed::Tables(vec![t]);
    }
    if expression.contains("GoogleBigQuery.Database") {
        return Parsed::NativeQuery;
    }
    if ["Databricks.Catalogs", "DatabricksMultiCloud.Catalogs"]
        .iter()
        .any(|k| expression.contains(k))
        // OpenMetadata looks at a Databricks source only in a dataset with expressions.
        && !dataset.expressions.is_empty()
    {
        if expression.contains("Value.NativeQuery(Databricks.Catalogs(") {
            return Parsed::NativeQuery;
        }
        if let Some(t) = catalog(expression, dataset) {
            return Parsed::Tables(vec![t]);
        }
    }
    sql_server(expression)
}

/// `_parse_catalog_table_definition`: the navigation steps by kind.
fn catalog(
    expression: &str,
    dataset: &api::Dataset,
) -> Option<(Option<String>, Option<String>, String)> {
    let step = |re: &Regex| -> Option<String> {
        let caps = re.captures(expression).ok()??;
        if let Some(quoted) = caps.get(1) {
            return Some(quoted.as_str().to_owned());
        }
        // An unquoted name: a dataset parameter, `"value" meta [...]`.
        let parameter = caps.get(2)?.as_str();
        dataset
            .expressions
            .iter()
            .filter(|e| e.name.as_deref() == Some(parameter))
            .filter_map(|e| e.expression.as_deref())
            .find_map(|e| {
                let c = parameter_value().captures(e).ok()??;
                Some(c.get(1)?.as_str().to_owned())
            })
    };
    let table = step(kind_table()).or_else(|| step(kind_view()))?;
    Some((step(kind_database()), step(kind_schema()), table))
}

/// `_parse_redshift_source`: the database of `AmazonRedshift.Database`, then the first two names.
fn redshift(expression: &str) -> Option<(Option<String>, Option<String>, String)> {
    let db = redshift_db()
        .captures(expression)
        .ok()??
        .get(1)?
        .as_str()
        .to_owned();
    let names: Vec<String> = quoted_name()
        .captures_iter(expression)
        .filter_map(|c| Some(c.ok()?.get(1)?.as_str().to_owned()))
        .collect();
    let table = names.get(1)?.clone();
    Some((Some(db), names.first().cloned(), table))
}

/// `_parse_sql_source` without its SQL: `Sql.Database("server","db")` then `[Schema=…,Item=…]`.
fn sql_server(expression: &str) -> Parsed {
    if !expression.contains("Sql.Database(") {
        return Parsed::Unknown;
    }
    if matches!(sql_inline_query().is_match(expression), Ok(true))
        || matches!(native_query().is_match(expression), Ok(true))
    {
        return Parsed::NativeQuery;
    }
    let found = (|| {
        let db = sql_database().captures(expression).ok()??;
        let item = schema_item().captures(expression).ok()??;
        Some((
            Some(db.get(2)?.as_str().to_owned()),
            Some(item.get(1)?.as_str().to_owned()),
            item.get(2)?.as_str().to_owned(),
        ))
    })();
    match found {
        Some(t) => Parsed::Tables(vec![t]),
        None => Parsed::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dataset(tables: &str, expressions: &str) -> api::Dataset {
        serde_json::from_str(&format!(
            r#"{{"id":"d","tables":{tables},"expressions":{expressions}}}"#
        ))
        .unwrap()
    }

    fn table(name: &str, expression: &str) -> String {
        serde_json::json!({"name": name, "columns": [{"name": "id"}, {"name": "amount"}],
                           "source": [{"expression": expression}]})
        .to_string()
    }

    fn one(expression: &str, expressions: &str) -> Vec<UpstreamTable> {
        upstream(&dataset(
            &format!("[{}]", table("pbi", expression)),
            expressions,
        ))
    }

    fn at(db: Option<&str>, schema: Option<&str>, table: &str) -> UpstreamTable {
        UpstreamTable::new(db.map(Into::into), schema.map(Into::into), table).with_columns([
            ("id".into(), "id".into()),
            ("amount".into(), "amount".into()),
        ])
    }

    #[test]
    fn snowflake_navigation() {
        let e = r#"let
    Source = Snowflake.Databases("acme.snowflakecomputing.com","WH"),
    SALES_Database = Source{[Name="SALES",Kind="Database"]}[Data],
    PUBLIC_Schema = SALES_Database{[Name="PUBLIC",Kind="Schema"]}[Data],
    ORDERS_Table = PUBLIC_Schema{[Name="ORDERS",Kind="Table"]}[Data]
in
    ORDERS_Table"#;
        assert_eq!(one(e, "[]"), [at(Some("SALES"), Some("PUBLIC"), "ORDERS")]);
        let view = e.replace(
            r#"Name="ORDERS",Kind="Table""#,
            r#"Name="V_ORDERS",Kind="View""#,
        );
        assert_eq!(
            one(&view, "[]"),
            [at(Some("SALES"), Some("PUBLIC"), "V_ORDERS")]
        );
        // A database given as a parameter of the dataset.
        let param = e.replace(r#"Name="SALES",Kind"#, r#"Name=Database_Name,Kind"#);
        let expressions =
            r#"[{"name":"Database_Name","expression":"\"PROD_DB\" meta [IsParameterQuery=true]"}]"#;
        assert_eq!(
            one(&param, expressions),
            [at(Some("PROD_DB"), Some("PUBLIC"), "ORDERS")]
        );
        assert_eq!(one(&param, "[]"), [at(None, Some("PUBLIC"), "ORDERS")]);
        let native =
            r#"Value.NativeQuery(Snowflake.Databases("a","b"){[Name="X"]}[Data], "select 1")"#;
        assert_eq!(one(native, "[]"), []);
    }

    #[test]
    fn databricks_navigation_needs_dataset_expressions() {
        let e = r#"let Source = Databricks.Catalogs("adb-1.azuredatabricks.net", "/sql/1.0/x", []),
  main = Source{[Name="main",Kind="Database"]}[Data],
  s = main{[Name="sales",Kind="Schema"]}[Data],
  t = s{[Name="orders",Kind="Table"]}[Data] in t"#;
        let expressions = r#"[{"name":"p","expression":"\"x\" meta []"}]"#;
        assert_eq!(
            one(e, expressions),
            [at(Some("main"), Some("sales"), "orders")]
        );
        // Without: OpenMetadata's fallback, the table's own name.
        assert_eq!(one(e, "[]"), [at(None, None, "pbi")]);
    }

    #[test]
    fn redshift_and_sql_server() {
        let e = r#"let Source = AmazonRedshift.Database("rs.example.com:5439","dev"),
  public = Source{[Name="public"]}[Data], sales = public{[Name="sales"]}[Data] in sales"#;
        assert_eq!(one(e, "[]"), [at(Some("dev"), Some("public"), "sales")]);
        let e = r#"let Source = Sql.Database("sql.example.com", "shop"),
  dbo_Orders = Source{[Schema="dbo",Item="Orders"]}[Data] in dbo_Orders"#;
        assert_eq!(one(e, "[]"), [at(Some("shop"), Some("dbo"), "Orders")]);
        let q = r#"Sql.Database("s", "db", [Query="select * from dbo.x"])"#;
        assert_eq!(one(q, "[]"), []);
        let n = r#"let Source = Sql.Database("s", "db"), r = Value.NativeQuery(Source, "select 1") in r"#;
        assert_eq!(one(n, "[]"), []);
    }

    #[test]
    fn anything_else_is_the_table_of_its_name() {
        assert_eq!(
            one(
                r#"let Source = Csv.Document(File.Contents("x.csv")) in Source"#,
                "[]"
            ),
            [at(None, None, "pbi")]
        );
        let no_source = dataset(r#"[{"name":"t","columns":[]}]"#, "[]");
        assert_eq!(upstream(&no_source), [UpstreamTable::new(None, None, "t")]);
        assert_eq!(
            one(r#"GoogleBigQuery.Database([BillingProject="p"])"#, "[]"),
            []
        );
    }
}
