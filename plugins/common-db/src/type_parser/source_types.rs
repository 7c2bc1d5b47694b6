//! OpenMetadata's `ColumnTypeParser._SOURCE_TYPE_TO_OM_TYPE` (openmetadata-ingestion 2.0.7.0): a
//! source type's upper-case spelling → OpenMetadata's data type and its name. Every entry is
//! there (the test `the_table_is_openmetadata_s` counts them); keys with spaces never match a
//! parsed spelling (spaces are removed first), as in OpenMetadata.

use omrun_sdk::types::DataType;

/// The data type and name OpenMetadata's table gives `upper`, if it has it.
pub(super) fn source_type(upper: &str) -> Option<(DataType, &'static str)> {
    use DataType as D;
    Some(match upper {
        "AggregateFunction()" | "SimpleAggregateFunction()" => {
            (D::Aggregatefunction, "AGGREGATEFUNCTION")
        }
        "ARRAY" => (D::Array, "ARRAY"),
        "BIGINT" | "BIGSERIAL" | "I8" | "INT128" | "INT16" | "INT256" | "INT32" | "INT64"
        | "INT8" | "UI8" | "UINT128" | "UINT16" | "UINT256" | "UINT32" | "UINT64" | "UINT8" => {
            (D::Bigint, "BIGINT")
        }
        "BFILE" | "BINARY" | "BSTR" | "BYREF" | "CURSOR" | "FILETIME" | "GUID" | "HYPERLOGLOG"
        | "IDISPATCH" | "LONG RAW" | "PROPVARIANT" | "RAW" | "RESERVED" | "TABLE" | "VECTOR" => {
            (D::Binary, "BINARY")
        }
        "BIT" => (D::Bit, "BIT"),
        "BLOB" | "LRAW" | "TINYBLOB" => (D::Blob, "BLOB"),
        "BOOL" | "BOOLEAN" | "WDC_BOOL" => (D::Boolean, "BOOLEAN"),
        "BYTEA" => (D::Bytea, "BYTEA"),
        "BYTEINT" => (D::Byteint, "BYTEINT"),
        "BYTES" => (D::Bytes, "BYTES"),
        "BPCHAR" | "CHAR" | "CHARACTER" | "CUKY" | "GRAPHIC" | "LANG" | "NCHAR" | "NUMC"
        | "UNIT" => (D::Char, "CHAR"),
        "CIDR" => (D::Cidr, "CIDR"),
        "CLOB" | "DBCLOB" | "NCLOB" => (D::Clob, "CLOB"),
        "DATE" | "DATS" | "DBDATE" | "WDC_DATE" => (D::Date, "DATE"),
        "DATETIME" | "DATETIME2" | "DATETIME64" | "DATETIMEOFFSET" | "SMALLDATETIME"
        | "WDC_DATETIME" => (D::Datetime, "DATETIME"),
        "TSRANGE" => (D::Datetimerange, "DATETIMERANGE"),
        "CURR" | "DEC" | "DECIMAL" | "QUAN" => (D::Decimal, "DECIMAL"),
        "BINARY_DOUBLE" | "DECFLOAT" | "DOUBLE" | "DOUBLE PRECISION" | "DOUBLE_PRECISION"
        | "FLOAT64" | "FLOAT8" | "R8" => (D::Double, "DOUBLE"),
        "ENUM" => (D::Enum, "ENUM"),
        "BINARY_FLOAT" | "FLOAT" | "FLOAT32" | "FLOAT4" | "FLTP" | "R4" | "REAL" | "WDC_FLOAT" => {
            (D::Float, "FLOAT")
        }
        "GEOGRAPHY" => (D::Geography, "GEOGRAPHY"),
        "BOX" | "CIRCLE" | "GEOMETRY" | "LINE" | "LSEG" | "PATH" | "POINT" | "POLYGON"
        | "WDC_GEOMETRY" => (D::Geometry, "GEOMETRY"),
        "HIERARCHYID" => (D::Hierarchyid, "HIERARCHYID"),
        "HLLSKETCH" => (D::Hllsketch, "HLLSKETCH"),
        "IMAGE" => (D::Image, "IMAGE"),
        "INET" => (D::Inet, "INET"),
        "CLNT" | "I1" | "I2" | "I4" | "INT" | "INT1" | "INT4" | "INTEGER" | "MEDIUMINT" | "UI1"
        | "UI4" | "UINT" | "UINT4" | "WDC_INT" => (D::Int, "INT"),
        "INTERVAL" | "INTERVAL DAY TO SECOND" | "INTERVAL YEAR TO MONTH" => {
            (D::Interval, "INTERVAL")
        }
        "IPV4" => (D::Ipv4, "IPV4"),
        "IPV6" => (D::Ipv6, "IPV6"),
        "JSON" | "JSONB" | "OBJECT" | "UDT" | "VARIANT" => (D::Json, "JSON"),
        "LONG" => (D::Long, "LONG"),
        "LONGBLOB" => (D::Longblob, "LONGBLOB"),
        "LOWCARDINALITY" => (D::Lowcardinality, "LOWCARDINALITY"),
        "MACADDR" | "MACADDR8" => (D::Macaddr, "MACADDR"),
        "MAP" => (D::Map, "MAP"),
        "MEDIUMBLOB" => (D::Mediumblob, "MEDIUMBLOB"),
        "MEDIUMTEXT" => (D::Mediumtext, "MEDIUMTEXT"),
        "MONEY" => (D::Money, "MONEY"),
        "NTEXT" => (D::Ntext, "NTEXT"),
        "EMPTY" | "NULL" | "VOID" => (D::Null, "NULL"),
        "NUMBER" | "ROWVERSION" | "SMALLMONEY" => (D::Number, "NUMBER"),
        "BIGNUMERIC" | "CY" | "NUMERIC" | "VARNUMERIC" => (D::Numeric, "NUMERIC"),
        "PG_LSN" => (D::PgLsn, "PG_LSN"),
        "PG_SNAPSHOT" => (D::PgSnapshot, "PG_SNAPSHOT"),
        "SET" => (D::Set, "SET"),
        "INT2" | "SMALLINT" | "SMALLSERIAL" | "UI2" | "UINT2" => (D::Smallint, "SMALLINT"),
        "SPATIAL" => (D::Spatial, "SPATIAL"),
        "RSTR" | "STR" | "STRG" | "STRING" | "WDC_STRING" | "WSTR" => (D::String, "STRING"),
        "RECORD" | "ROW" | "STRUCT" => (D::Struct, "STRUCT"),
        "SUPER" => (D::Super, "SUPER"),
        "LONGTEXT" | "TEXT" | "TINYTEXT" => (D::Text, "TEXT"),
        "DBTIME" | "TIME" | "TIME WITH TIME ZONE" | "TIME WITHOUT TIME ZONE" | "TIMS" => {
            (D::Time, "TIME")
        }
        "DBTIMESTAMP"
        | "TIMESTAMP"
        | "TIMESTAMP WITH TIME ZONE"
        | "TIMESTAMP WITHOUT TIME ZONE"
        | "TIMESTAMPTZ"
        | "TIMESTAMP_LTZ"
        | "TIMESTAMP_NTZ"
        | "TIMESTAMP_TZ"
        | "TIMESTMP"
        | "TIMETZ" => (D::Timestamp, "TIMESTAMP"),
        "TINYINT" => (D::Tinyint, "TINYINT"),
        "TSQUERY" => (D::Tsquery, "TSQUERY"),
        "TSVECTOR" => (D::Tsvector, "TSVECTOR"),
        "TUPLE" => (D::Tuple, "TUPLE"),
        "TXID_SNAPSHOT" => (D::TxidSnapshot, "TXID_SNAPSHOT"),
        "UNION" => (D::Union, "UNION"),
        "IUNKNOWN" | "UNKNOWN" => (D::Unknown, "UNKNOWN"),
        "UUID" => (D::Uuid, "UUID"),
        "BINARY VARYING" | "SQL_VARIANT" | "VARBINARY" => (D::Varbinary, "VARBINARY"),
        "CHARACTER VARYING" | "ERROR" | "HCHAPTER" | "LONG VARCHAR" | "LONGVARCHAR"
        | "LONGVARGRAPHIC" | "NVARCHAR" | "ROWID" | "UROWID" | "VARCHAR" | "VARGRAPHIC" => {
            (D::Varchar, "VARCHAR")
        }
        "XML" | "XMLCLOB" | "XMLFILE" | "XMLTYPE" | "XMLVARCHAR" => (D::Xml, "XML"),
        "YEAR" => (D::Year, "YEAR"),
        _ => return None,
    })
}
