"""How OpenMetadata's own Unity Catalog connector types a column, for each Databricks `type_text`
given (or a built-in list): the steps of its `get_columns` (unitycatalog/metadata.py,
openmetadata-ingestion 2.0.7.0) — `struct`/`array` alone become `struct<>`/`array<>`, the text
lower-cased goes through `ColumnTypeParser._parse_datatype_string`, `dataLength` defaults to 1 —
and its pydantic `Column`. One line per type: the type as JSON, then its fields as JSON, or
`{"error": …}` where OpenMetadata's connector drops the column.

    ~/.cache/omrun/om-ingest-venv/bin/python tests/support/databricks/om_column_types.py [TYPE…]

The unit test `types_as_openmetadata_maps_them` (plugins/databricks/src/convert.rs) holds what this
printed for the built-in list.
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
         "x(1)(2,3)"]

FIELDS = ["dataType", "dataTypeDisplay", "arrayDataType", "dataLength", "precision", "scale"]


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
        return {k: column.get(k) for k in FIELDS}
    except Exception as e:  # the connector logs a warning and drops the column
        return {"error": type(e).__name__}


for t in sys.argv[1:] or TYPES:
    print(json.dumps(t), json.dumps(om_type(t)))
