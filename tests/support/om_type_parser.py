"""What OpenMetadata's own `ColumnTypeParser._parse_datatype_string` (openmetadata-ingestion
2.0.7.0, `column_type_parser.py`) makes of Hive/Spark-style type strings: the column fields it
returns, with a struct's fields (and those of an array's struct elements) as `children`, at any
depth. One line per type: the type as JSON, then what the parser returned as JSON (keys sorted),
or `{"error": …}` where it raises — or returns a list, as it does for a union, which no connector
can make a column of.

    ~/.cache/omrun/om-ingest-venv/bin/python tests/support/om_type_parser.py [TYPE…]

Without arguments, the built-in list below, whose answers plugins/common-db holds as the
expectations of its port of the parser (src/type_parser/openmetadata.jsonl):

    ~/.cache/omrun/om-ingest-venv/bin/python tests/support/om_type_parser.py \
        > plugins/common-db/src/type_parser/openmetadata.jsonl

`--table` prints the parser's table of source types instead (`_SOURCE_TYPE_TO_OM_TYPE`, upper-case
spelling → OpenMetadata's type), which the port holds as src/type_parser/source_types.json.
"""

import json
import sys
import warnings

warnings.filterwarnings("ignore")

from metadata.ingestion.source.database.column_type_parser import ColumnTypeParser  # noqa: E402

TYPES = [
    # Primitives, as `_parse_primitive_datatype_string` maps them.
    "int", "BIGINT", "string", "binary", "void", "variant", "timestamp_ntz", "date", "boolean",
    "decimal(10,2)", "decimal(5)", "decimal", "numeric(12,3)", "decimal( 10 , 2 )", "decimalx",
    "char(10)", "varchar(255)", "varchar(abc)", "geography(4326)", "x(1)(2,3)", "a(1)b(2)",
    "interval day to second", "string collate utf8_lcase", "", "unknown_type",
    # Arrays: the element's type, and its fields when it is a struct.
    "array<string>", "array<decimal(10,2)>", "array<char(4)>", "array<>", "array<struct>",
    "array<struct<>>", "array<struct<a:int,b:string>>", "ARRAY<STRUCT<A:INT>>",
    "array<array<int>>", "array<array<struct<a:int>>>", "array<map<string,int>>",
    "array<struct<a:array<struct<b:int>>>>", "array<row(a int)>", "array<record<a:int>>",
    "array<int",
    # Maps: no children, whatever the values.
    "map<string,int>", "map<string,array<string>>", "map<string,struct<a:int>>",
    "map<decimal(10,2),int>", "map<string>", "map<string,int,int>", "map<string,int",
    "map<string,>",
    # Structs.
    "struct<city:string,zip:string>", "struct<a:int,b:struct<c:array<string>>>",
    "struct<a:int,b:array<struct<c:string>>>", "struct<>", "struct<a:struct<>>",
    "struct<a:decimal(10,2),b:char(3),c:varchar(20),d:interval day to second>",
    "Struct<A: INT, B: STRING>", "struct<`a b`:int>", "struct<`a`:int,`b`:string>",
    "struct<`a:int>", "struct<a:b:int>", "struct<a.b:int,c-d:string>", "struct<:int>",
    "struct<a:int,>", "struct<a:int,,b:int>", "struct<a>", "struct<a:>",
    "struct<a:map<string,struct<b:int>>>", "struct<a:array<struct>>",
    "struct<a:array<array<struct<b:int>>>>", "struct<a:struct<b:struct<c:struct<d:int>>>>",
    "struct<a:uniontype<int,string>>", "struct<a:int", "struct<a:int>>", "struct<a:array<int)>",
    "struct<a:int]>", "struct<a:array<int>,b:map<string,decimal(3,1)>,c:struct<d:array<struct<e:int,f:decimal(4,2)>>>>",
    "a:int,b:string", "struct<a,b:int>", "struct<`a,b`:int>", "struct<a:int comment 'x'>",
    # Unions: a list, not a column.
    "uniontype<int,string>", "union<int>",
]


def parse(type_string: str) -> dict:
    try:
        parsed = ColumnTypeParser._parse_datatype_string(type_string)  # pylint: disable=protected-access
    except Exception as e:  # noqa: BLE001 — every connector drops a column its parser raises on
        return {"error": f"{type(e).__name__}: {e}"}
    if not isinstance(parsed, dict):
        return {"error": f"not a column: {type(parsed).__name__}"}
    return parsed


if sys.argv[1:] == ["--table"]:
    table = ColumnTypeParser._SOURCE_TYPE_TO_OM_TYPE  # pylint: disable=protected-access
    print(json.dumps(table, sort_keys=True, indent=0))
    sys.exit(0)

for t in sys.argv[1:] or TYPES:
    print(json.dumps(t), json.dumps(parse(t), sort_keys=True, default=str))
