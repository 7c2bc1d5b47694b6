"""How OpenMetadata's own Unity Catalog connector types a column, for each Databricks `type_text`
given (or a built-in list): the steps of its `get_columns` (unitycatalog/metadata.py,
openmetadata-ingestion 2.0.7.0) — `struct`/`array` alone become `struct<>`/`array<>`, the text
lower-cased goes through `ColumnTypeParser._parse_datatype_string`, `dataLength` defaults to 1 (on
the column, not on its children) — and its pydantic `Column`. One line per type: the type as JSON,
then its fields as JSON (`null` for one it lacks), `children` a list of the child columns' fields
(each with its `name`, only the fields it has, and its own `children`), or `{"error": …}` where
OpenMetadata's connector drops the column.

    ~/.cache/omrun/om-ingest-venv/bin/python tests/support/databricks/om_column_types.py [TYPE…]

plugins/databricks/src/columns/openmetadata.jsonl holds what this printed for the built-in list
(the unit test `types_as_openmetadata_maps_them`).
"""

import json
import sys
import warnings

warnings.filterwarnings("ignore")

from metadata.generated.schema.entity.data.table import Column  # noqa: E402
from metadata.ingestion.source.database.column_type_parser import ColumnTypeParser  # noqa: E402

TYPES = ["int", "bigint", "smallint", "tinyint", "float", "double", "boolean", "string", "binary",
         "date", "timestamp", "timestamp_ntz", "decimal(10,2)", "decimal(38,0)", "decimal(5)", "char(10)",
         "varchar(255)", "void", "variant", "interval day to second", "interval year to month",
         "array<string>", "array<int>", "array<decimal(10,2)>", "array<struct<a:int,b:string>>",
         "array<array<int>>", "array<map<string,int>>", "map<string,int>", "map<string,array<string>>",
         "struct<city:string,zip:string>", "struct<a:int,b:struct<c:array<string>>>", "struct", "array",
         "geography(4326)", "geometry(4326)", "STRING", "Struct<A: INT, B: STRING>",
         "string collate utf8_lcase", "uniontype<int,string>", "object", "long", "varchar(abc)",
         "x(1)(2,3)", "struct<>", "array<struct<at:timestamp,event:string>>", "STRUCT<City:STRING>",
         "struct<a:struct<b:struct<c:int>>,d:array<struct<e:char(2),f:decimal(4,1)>>,g:map<string,struct<h:int>>>",
         "struct<a:struct<>>", "struct<a:int", "struct<a>", "array<array<struct<a:int>>>",
         "struct<`a b`:int,`c`:string>"]

FIELDS = ["dataType", "dataTypeDisplay", "arrayDataType", "dataLength", "precision", "scale"]


def child(column: dict) -> dict:
    """A child column's fields (those it has), with its own children."""
    out = {k: column[k] for k in ["name", *FIELDS] if k in column}
    if "children" in column:
        out["children"] = [child(c) for c in column["children"]]
    return out


def om_type(type_text: str) -> dict:
    text = type_text
    try:
        if text.lower().startswith("union"):
            text = text.replace(" ", "")
        if text.lower() in ("struct", "array"):
            text = text.lower() + "<>"
        parsed = ColumnTypeParser._parse_datatype_string(text.lower())  # pylint: disable=protected-access
        parsed["name"] = "c"
        parsed["dataLength"] = parsed.get("dataLength", 1)
        column = json.loads(Column(**parsed).model_dump_json(exclude_none=True))
        fields = {k: column.get(k) for k in FIELDS}
        fields["children"] = [child(c) for c in column["children"]] if "children" in column else None
        return fields
    except Exception as e:  # the connector logs a warning and drops the column
        return {"error": type(e).__name__}


for t in sys.argv[1:] or TYPES:
    print(json.dumps(t), json.dumps(om_type(t)))
