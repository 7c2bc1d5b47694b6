//! Redshift's type spellings to OpenMetadata's column types. Most are PostgreSQL's and go to the
//! shared mapping; these are Redshift's own, or Spectrum's (external tables use Hive's names).

use omrun_common_db::column_type::{ColumnType, column_type};
use omrun_sdk::types::DataType;

/// The column type of a Redshift spelling (`format_type` output, or `svv_columns` for external
/// tables). OpenMetadata has `SUPER` and `HLLSKETCH` for Redshift, and its own Redshift
/// connector maps them so.
pub fn redshift_column_type(spelling: &str) -> ColumnType {
    let lower = spelling.trim().to_ascii_lowercase();
    let base = lower
        .split(['(', '<'])
        .next()
        .unwrap_or_default()
        .trim_end();
    let only = |data_type| ColumnType {
        data_type,
        array_data_type: None,
        data_length: None,
        precision: None,
        scale: None,
    };
    match base {
        "super" => only(DataType::Super),
        "hllsketch" => only(DataType::Hllsketch),
        "struct" => only(DataType::Struct),
        "map" => only(DataType::Map),
        // `varbyte(64000)` and its synonyms keep their length.
        "varbyte" | "binary varying" => column_type(&lower.replacen(base, "varbinary", 1)),
        _ => column_type(&lower),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use DataType as D;

    fn t(spelling: &str) -> DataType {
        redshift_column_type(spelling).data_type
    }

    #[test]
    fn redshift_types() {
        assert_eq!(t("super"), D::Super);
        assert_eq!(t("SUPER"), D::Super);
        assert_eq!(t("hllsketch"), D::Hllsketch);
        assert_eq!(t("geometry"), D::Geometry);
        assert_eq!(t("geography"), D::Geography);
        let varbyte = redshift_column_type("varbyte(64000)");
        assert_eq!(
            (varbyte.data_type, varbyte.data_length),
            (D::Varbinary, Some(64000))
        );
        let varying = redshift_column_type("binary varying(16)");
        assert_eq!(
            (varying.data_type, varying.data_length),
            (D::Varbinary, Some(16))
        );
        assert_eq!(t("varbinary(8)"), D::Varbinary);
    }

    #[test]
    fn postgresql_spellings_go_to_the_shared_mapping() {
        let c = redshift_column_type("character varying(256)");
        assert_eq!((c.data_type, c.data_length), (D::Varchar, Some(256)));
        let c = redshift_column_type("numeric(18,2)");
        assert_eq!(
            (c.data_type, c.precision, c.scale),
            (D::Numeric, Some(18), Some(2))
        );
        assert_eq!(t("timestamp without time zone"), D::Timestamp);
        assert_eq!(t("timestamp with time zone"), D::Timestamp);
        assert_eq!(t("double precision"), D::Double);
        assert_eq!(t("\"char\""), D::Char);
        assert_eq!(t("character(10)"), D::Char);
        assert_eq!(t("bigint"), D::Bigint);
    }

    #[test]
    fn spectrum_types() {
        assert_eq!(t("int"), D::Int);
        assert_eq!(t("string"), D::String);
        assert_eq!(t("struct<a:int,b:string>"), D::Struct);
        assert_eq!(t("map<string,int>"), D::Map);
        let c = redshift_column_type("array<int>");
        assert_eq!((c.data_type, c.array_data_type), (D::Array, Some(D::Int)));
    }
}
