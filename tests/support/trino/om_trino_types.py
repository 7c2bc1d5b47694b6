"""What OpenMetadata's own Trino connector (openmetadata-ingestion 2.0.7.0, `trino/metadata.py`
and `sql_column_handler.py`) makes of a Trino type spelling's structure: `_get_columns` rewrites a
`row(…)` or `array(…)` into its Hive spelling (`parse_row_data_type`, `parse_array_data_type`,
which name unnamed fields `fieldN` and strip the quotes of named ones), and the column handler
parses that text with `ColumnTypeParser._parse_datatype_string` (after `clean_raw_data_type`,
which the Trino connector leaves as it is). Other spellings (scalars, `map(…)`) are not
"complex": no Hive text, no children.

One line per spelling: the spelling as JSON, then `{"hive": <text or null>, "parsed": <what the
parser returned, keys sorted, or {"error": …} where it raises (the column handler then drops the
column)>}`. The Trino plugin's unit tests hold the answers for the built-in list below
(plugins/trino/src/dialect/openmetadata_children.jsonl):

    PYTHONPATH=<a folder with the trino-venv's `trino` and `tzlocal` linked in> \
    ~/.cache/omrun/om-ingest-venv/bin/python tests/support/trino/om_trino_types.py \
        > plugins/trino/src/dialect/openmetadata_children.jsonl

(the om-ingest virtualenv has no Trino extra; scripts/trino-standin.sh's virtualenv has PyPI
`trino` 0.340.0, which `trino/metadata.py` imports.)
"""

import json
import sys
import warnings

warnings.filterwarnings("ignore")

from metadata.ingestion.source.database.column_type_parser import ColumnTypeParser  # noqa: E402
from metadata.ingestion.source.database.trino import metadata as trino  # noqa: E402

SPELLINGS = [
    # Not complex: scalars and maps (`_get_columns` rewrites only `row` and `array`).
    "integer", "varchar(10)", "map(varchar, integer)", "map(varchar, row(\"a\" integer))",
    "map(varchar, array(row(\"a\" integer)))",
    # Rows: named, unnamed, mixed, nested, every scalar family as a field.
    "row(\"a\" integer, \"b\" varchar(10))",
    "row(\"city\" varchar, \"zip\" char(5))",
    "row(\"x\" row(\"y\" double), \"z\" array(varchar))",
    "row(bigint, varchar)",
    "row(integer, row(varchar, double))",
    "row(bigint, \"field1\" varchar)",
    "row(\"field2\" bigint, varchar, \"field2_1\" integer)",
    "row(\"MyField\" integer, \"t\" timestamp(3) with time zone)",
    "ROW(\"A\" INTEGER, \"B\" VARCHAR(3))",
    "row(a integer, b varchar)",
    "row(\"a b\" integer, \"q\"\"x\" varchar)",
    "row(timestamp(3) with time zone, varchar)",
    "row(\"d\" decimal(10,2), \"c\" char(3), \"v\" varbinary, \"u\" uuid, \"j\" json)",
    "row(\"ti\" tinyint, \"r\" real, \"s\" smallint, \"b\" boolean, \"dt\" date, \"db\" double)",
    "row(\"t\" timestamp(6), \"tz\" time(3) with time zone, \"i\" interval day to second, "
    "\"iy\" interval year to month)",
    "row(\"ip\" ipaddress, \"h\" hyperloglog, \"g\" geometry, \"q\" qdigest(bigint))",
    "row(\"m\" map(varchar, integer))",
    "row(\"m\" map(varchar, row(\"a\" integer)))",
    "row(\"arr\" array(row(\"k\" varchar, \"v\" integer)))",
    "row(\"aa\" array(array(row(\"k\" varchar))))",
    "row(\"ai\" array(integer), \"ad\" array(decimal(4,1)))",
    "row(\"n\" row(\"m\" row(\"o\" row(\"p\" integer))))",
    "row(\"a\" integer, \"a\" varchar)",
    "row(\"d\" decimal(10, 2))",
    # Field names the Hive spelling cannot carry as they are.
    "row(\"a,b\" integer)",
    "row(\"a:b\" integer)",
    "row(\"a<b\" integer)",
    "row(\"a(b\" integer)",
    "row(\"\" integer)",
    "row(\"`x`\" integer)",
    "row(\"x\" row(\"y,z\" integer))",
    # Arrays.
    "array(varchar)", "array(integer)", "array(decimal(10,2))",
    "array(timestamp(3) with time zone)", "array(array(integer))",
    "array(map(varchar, integer))",
    "array(row(\"a\" integer, \"b\" varchar))",
    "array(row(integer, varchar))",
    "array(row(\"Big Name\" bigint))",
    "array(array(row(\"a\" integer)))",
    "array(row(\"x\" row(\"y\" array(row(\"z\" integer)))))",
    "array(row(\"a,b\" integer))",
]


def openmetadata(spelling: str) -> dict:
    type_str = spelling.strip()
    type_name, type_opts = trino.get_type_name_and_opts(type_str)
    if type_opts and type_name.lower() == trino.ROW_DATA_TYPE:
        hive = trino.parse_row_data_type(type_str)
    elif type_opts and type_name.lower() == trino.ARRAY_DATA_TYPE:
        hive = trino.parse_array_data_type(type_str)
    else:
        return {"hive": None, "parsed": None}
    try:
        parsed = ColumnTypeParser._parse_datatype_string(hive)  # pylint: disable=protected-access
    except Exception as e:  # noqa: BLE001 — the column handler drops a column it raises on
        parsed = {"error": f"{type(e).__name__}: {e}"}
    return {"hive": hive, "parsed": parsed}


for s in sys.argv[1:] or SPELLINGS:
    print(json.dumps(s), json.dumps(openmetadata(s), sort_keys=True, default=str))
