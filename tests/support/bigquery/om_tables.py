"""What OpenMetadata's own BigQuery connector makes of BigQuery REST `Table` resources: its columns
(with their nested children), clustering constraint, partitioning, view definition, table type and
source URL, each computed by openmetadata-ingestion 2.0.7.0's own code
(`bigquery/metadata.py`'s `get_columns`, `get_table_partition_details`, `get_schema_definition`,
`update_table_constraints`, `_get_source_url`, and `SqlColumnHandlerMixin.get_columns_and_constraints`
for the column fields) on `google.cloud.bigquery.Table.from_api_repr(resource)`, the object its
client builds from the same JSON. Only the connector's calls to BigQuery and OpenMetadata are
stepped around: the table is handed to it, constraints from INFORMATION_SCHEMA are none, and a
column's policy tag is looked up in the case's `policyTags` (name → [taxonomy, tag]) as its cache
would be, and reported beside the column instead of being resolved against OpenMetadata.

    PY=~/.cache/omrun/om-ingest-venv/bin/python
    OM_BQ_PATH=/tmp/sqlabq/src:$HOME/.cache/omrun/bigquery-venv/lib/python3.11/site-packages \
        $PY tests/support/bigquery/om_tables.py [CASES.json]

`OM_BQ_PATH` adds what OpenMetadata's BigQuery extra needs and its ingest virtualenv lacks:
sqlalchemy-bigquery 1.15.0 (the version openmetadata-ingestion 2.0.7.0 requires at least: `pip
download sqlalchemy-bigquery==1.15.0 --no-deps`, unpacked) and google-cloud-bigquery (3.47.0 here).
google-cloud-logging, imported only for incremental extraction, is stubbed.

CASES.json is a list of `{"name", "project", "dataset", "table": <Table resource>, "policyTags":
{…}}`; without it, the built-in cases below. One JSON line per case. The unit tests of
plugins/bigquery (src/columns/tests.rs, src/convert/tests.rs) hold what it printed.
"""

import json
import os
import sys
import types
import warnings

warnings.filterwarnings("ignore")
for extra in os.environ.get("OM_BQ_PATH", "").split(":"):
    if extra:
        sys.path.append(extra)

import google.cloud  # noqa: E402

for name in ("google.cloud.logging", "google.cloud.logging_v2", "google.cloud.logging_v2.entries"):
    stub = types.ModuleType(name)
    stub.__path__ = []
    stub.Client = object
    stub.LogEntry = object
    sys.modules[name] = stub
google.cloud.logging = sys.modules["google.cloud.logging"]

from google.cloud.bigquery import Table  # noqa: E402

from metadata.generated.schema.entity.data.table import TableType  # noqa: E402
from metadata.generated.schema.metadataIngestion.databaseServiceMetadataPipeline import (  # noqa: E402
    DatabaseServiceMetadataPipeline,
)
from metadata.ingestion.source.database.bigquery import metadata as om  # noqa: E402


def field(name, type_, mode=None, **more):
    resource = {"name": name, "type": type_, **more}
    if mode:
        resource["mode"] = mode
    return resource


def ref(table):
    return {"projectId": "proj", "datasetId": "sales", "tableId": table}


# Every type of BigQuery's REST API in each mode, nested records, arrays of records and the
# type's own parameters.
FIELDS = [
    field("i", "INTEGER", "REQUIRED", description="an id"),
    field("i64", "INT64"),
    field("f", "FLOAT"),
    field("f64", "FLOAT64"),
    field("n", "NUMERIC"),
    field("n_ps", "NUMERIC", precision="10", scale="2"),
    field("n_p", "NUMERIC", precision="10"),
    field("bn", "BIGNUMERIC", precision="40", scale="5"),
    field("bn0", "BIGNUMERIC"),
    field("b", "BOOLEAN"),
    field("b2", "BOOL"),
    field("s", "STRING"),
    field("s_len", "STRING", maxLength="20", description=""),
    field("by", "BYTES"),
    field("by_len", "BYTES", maxLength="16"),
    field("ts", "TIMESTAMP"),
    field("d", "DATE"),
    field("t", "TIME"),
    field("dt", "DATETIME"),
    field("g", "GEOGRAPHY"),
    field("j", "JSON"),
    field("iv", "INTERVAL"),
    field("r", "RANGE", rangeElementType={"type": "DATE"}),
    field("lower", "string"),
    field("tags", "STRING", "REPEATED"),
    field("nums", "NUMERIC", "REPEATED", precision="10", scale="2"),
    field("ints", "INTEGER", "REPEATED"),
    field("bys", "BYTES", "REPEATED", maxLength="8"),
    field("dts", "DATETIME", "REPEATED"),
    field("jsons", "JSON", "REPEATED"),
    field("addr", "RECORD", "NULLABLE", description="where", fields=[
        field("street", "STRING", "REQUIRED", description="the street"),
        field("zip", "INTEGER"),
        field("geo", "STRUCT", fields=[field("lat", "FLOAT64"), field("lon", "FLOAT64")]),
        field("lines", "STRING", "REPEATED"),
    ]),
    field("items", "RECORD", "REPEATED", fields=[
        field("sku", "STRING", maxLength="12"),
        field("qty", "INTEGER", "REQUIRED"),
        field("price", "NUMERIC", precision="9", scale="2"),
        field("opts", "RECORD", "REPEATED", fields=[field("k", "STRING"), field("v", "BYTES")]),
    ]),
    field("one", "STRUCT", fields=[field("x", "BOOL")]),
    field("empty", "RECORD", fields=[]),
    field("secret", "STRING", policyTags={"names": ["projects/p/locations/us/taxonomies/1/policyTags/2"]}),
    field("unknown_tag", "STRING", policyTags={"names": ["projects/p/locations/us/taxonomies/9/policyTags/9"]}),
]

CASES = [
    {"name": "types", "table": {"tableReference": ref("orders"), "type": "TABLE",
                                "schema": {"fields": FIELDS},
                                "clustering": {"fields": ["s", "i"]},
                                "timePartitioning": {"type": "DAY", "field": "D"}},
     "policyTags": {"projects/p/locations/us/taxonomies/1/policyTags/2": ["PII", "Secret"]}},
    {"name": "struct_spellings", "table": {"tableReference": ref("spell"), "type": "TABLE", "schema": {"fields": [
        field("s", "RECORD", fields=[
            field("i", "INTEGER"), field("f", "FLOAT"), field("n", "NUMERIC", precision="10", scale="2"),
            field("bn", "BIGNUMERIC", precision="40", scale="5"), field("bn2", "BIGNUMERIC", precision="20", scale="10"),
            field("n0", "NUMERIC"), field("b", "BOOLEAN"), field("st", "STRING", maxLength="5"),
            field("by", "BYTES", maxLength="4"), field("by0", "BYTES"), field("ts", "TIMESTAMP"),
            field("d", "DATE"), field("t", "TIME"), field("dt", "DATETIME"), field("j", "JSON"),
            field("iv", "INTERVAL"), field("My Field", "STRING"), field("Up", "INT64", "REPEATED"),
            field("rs", "RECORD", "REPEATED", fields=[field("a", "STRING")]),
        ])]}}},
    {"name": "arrays", "table": {"tableReference": ref("arr"), "type": "TABLE", "schema": {"fields": [
        field("fl", "FLOAT", "REPEATED"), field("bo", "BOOLEAN", "REPEATED"), field("ts", "TIMESTAMP", "REPEATED"),
        field("d", "DATE", "REPEATED"), field("t", "TIME", "REPEATED"), field("n0", "NUMERIC", "REPEATED"),
        field("np", "BIGNUMERIC", "REPEATED", precision="10"), field("g", "GEOGRAPHY", "REPEATED"),
        field("iv", "INTERVAL", "REPEATED"), field("r", "RANGE", "REPEATED"), field("s", "STRING", "REPEATED"),
        field("recs", "RECORD", "REPEATED", description="simple records", fields=[
            field("K", "STRING", "REQUIRED"), field("v", "INTEGER"), field("sub", "RECORD", fields=[field("z", "DATE")]),
            field("xs", "STRING", "REPEATED", maxLength="3")]),
        field("recs0", "RECORD", "REPEATED", fields=[]),
        field("My Col", "INTEGER", "REPEATED"),
    ]}}},
    {"name": "struct_of_range", "table": {"tableReference": ref("rng"), "type": "TABLE",
                                          "schema": {"fields": [field("id", "INTEGER"), field(
                                              "p", "RECORD", fields=[field("r", "RANGE")])]}}},
    {"name": "hive_without_fields", "table": {"tableReference": ref("ext3"), "type": "EXTERNAL",
                                              "schema": {"fields": [field("v", "STRING")]},
                                              "externalDataConfiguration": {"hivePartitioningOptions": {"mode": "AUTO"}},
                                              "timePartitioning": {"type": "DAY", "field": "v"}}},
    {"name": "hive_without_mode", "table": {"tableReference": ref("ext4"), "type": "EXTERNAL",
                                            "schema": {"fields": [field("v", "STRING")]},
                                            "externalDataConfiguration": {"hivePartitioningOptions": {"fields": ["V"]}}}},
    {"name": "time_without_type", "table": {"tableReference": ref("nt"), "type": "TABLE",
                                            "schema": {"fields": [field("a", "DATE")]},
                                            "timePartitioning": {"field": "a"}}},
    {"name": "ingestion_without_type", "table": {"tableReference": ref("nt2"), "type": "TABLE",
                                                 "schema": {"fields": [field("a", "DATE")]},
                                                 "timePartitioning": {}}},
    {"name": "range_without_field", "table": {"tableReference": ref("rf"), "type": "TABLE",
                                              "schema": {"fields": [field("a", "INTEGER")]},
                                              "rangePartitioning": {"range": {"interval": "5"}}}},
    {"name": "empty_clustering", "table": {"tableReference": ref("ec"), "type": "TABLE",
                                           "schema": {"fields": [field("a", "INTEGER")]},
                                           "clustering": {"fields": []}}},
    {"name": "view_empty_query_mview", "table": {"tableReference": ref("vq"), "type": "VIEW",
                                                 "view": {"query": ""}, "materializedView": {"query": "SELECT 2"}}},
    {"name": "table_with_view_query", "table": {"tableReference": ref("tv"), "type": "TABLE",
                                                "view": {"query": "SELECT 3"}}},
    {"name": "base_table_unencoded_url", "project": "my-proj", "dataset": "d.x", "table": {"tableReference": ref("t y"), "type": "BASE TABLE"}},
    {"name": "ingestion_hour", "table": {"tableReference": ref("h"), "type": "TABLE",
                                         "schema": {"fields": [field("a", "STRING")]},
                                         "timePartitioning": {"type": "HOUR"}}},
    {"name": "ingestion_day", "table": {"tableReference": ref("d"), "type": "TABLE",
                                        "schema": {"fields": [field("a", "STRING")]},
                                        "timePartitioning": {"type": "DAY", "expirationMs": "1000"}}},
    {"name": "ingestion_month", "table": {"tableReference": ref("m"), "type": "TABLE",
                                          "schema": {"fields": [field("a", "STRING")]},
                                          "timePartitioning": {"type": "MONTH"}}},
    {"name": "time_unit_unknown_field", "table": {"tableReference": ref("tu"), "type": "TABLE",
                                                  "schema": {"fields": [field("a", "STRING")]},
                                                  "timePartitioning": {"type": "YEAR", "field": "gone"}}},
    {"name": "range", "table": {"tableReference": ref("r"), "type": "TABLE",
                                "schema": {"fields": [field("Bucket", "INTEGER")]},
                                "rangePartitioning": {"field": "bucket",
                                                      "range": {"start": "0", "end": "100", "interval": "10"}}}},
    {"name": "range_no_interval", "table": {"tableReference": ref("r2"), "type": "TABLE",
                                            "schema": {"fields": [field("bucket", "INTEGER")]},
                                            "rangePartitioning": {"field": "bucket", "range": {"start": "0"}}}},
    {"name": "hive", "table": {"tableReference": ref("ext"), "type": "EXTERNAL",
                               "schema": {"fields": [field("Dt", "DATE"), field("country", "STRING"), field("v", "STRING")]},
                               "externalDataConfiguration": {"sourceFormat": "PARQUET", "hivePartitioningOptions": {
                                   "mode": "AUTO", "sourceUriPrefix": "gs://b/t/", "fields": ["dt", "country"]}},
                               "timePartitioning": {"type": "DAY", "field": "dt"}}},
    {"name": "hive_unknown_field", "table": {"tableReference": ref("ext2"), "type": "EXTERNAL",
                                             "schema": {"fields": [field("v", "STRING")]},
                                             "externalDataConfiguration": {"hivePartitioningOptions": {
                                                 "mode": "CUSTOM", "fields": ["dt"]}}}},
    {"name": "partition_definition", "table": {"tableReference": ref("pd"), "type": "TABLE",
                                               "schema": {"fields": [field("Region", "STRING"), field("v", "STRING")]},
                                               "partitionDefinition": {"partitionedColumn": [{"field": "region"}, {}]}}},
    {"name": "view", "table": {"tableReference": ref("v"), "type": "VIEW",
                               "schema": {"fields": [field("a", "STRING")]},
                               "view": {"query": "SELECT a FROM `proj.sales.orders`", "useLegacySql": False}}},
    {"name": "view_without_query", "table": {"tableReference": ref("v0"), "type": "VIEW", "view": {}}},
    {"name": "materialized_view", "table": {"tableReference": ref("mv"), "type": "MATERIALIZED_VIEW",
                                            "schema": {"fields": [field("n", "INTEGER")]},
                                            "materializedView": {"query": "SELECT COUNT(*) n FROM t", "enableRefresh": True}}},
    {"name": "snapshot", "table": {"tableReference": ref("snap"), "type": "SNAPSHOT",
                                   "schema": {"fields": [field("a", "STRING")]}}},
    {"name": "no_schema", "table": {"tableReference": ref("bare"), "type": "TABLE"}},
    {"name": "geography_alone", "table": {"tableReference": ref("geo"), "type": "TABLE",
                                          "schema": {"fields": [field("id", "INTEGER"), field("g", "GEOGRAPHY")]}}},
    {"name": "struct_of_geography", "table": {"tableReference": ref("geo2"), "type": "TABLE",
                                              "schema": {"fields": [field("id", "INTEGER"), field(
                                                  "p", "RECORD", fields=[field("g", "GEOGRAPHY")])]}}},
]


class Context:
    def __init__(self, project, dataset):
        self.database = project
        self.database_schema = dataset

    def get(self):
        return self


class Inspector:
    """Its only use here is the view-definition fallback, sqlalchemy-bigquery's
    `get_view_definition`: the table's `view_query`, which the connector has just found empty."""

    def get_view_definition(self, *_args, **_kwargs):
        return None


def flat(columns, parent=None, out=None):
    out = [] if out is None else out
    for column in columns or []:
        dumped = json.loads(column.model_dump_json(exclude_none=True))
        children = column.children
        dumped.pop("children", None)
        dumped.pop("fullyQualifiedName", None)
        dumped["parent"] = parent
        out.append(dumped)
        flat(children, dumped["name"] if parent is None else f"{parent}.{dumped['name']}", out)
    return out


def run(case):
    project, dataset = case.get("project", "proj"), case.get("dataset", "sales")
    table = Table.from_api_repr(case["table"])
    name = table.table_id
    src = om.BigquerySource.__new__(om.BigquerySource)
    src.source_config = DatabaseServiceMetadataPipeline()
    src.context = Context(project, dataset)
    src.service_connection = types.SimpleNamespace(includePolicyTags=True)
    src.get_table_obj = lambda _name: table
    src._get_columns_with_constraints = lambda *_args: ([], [], [])
    src._policy_tag_cache = {k: {"taxonomy": v[0], "display_name": v[1]}
                             for k, v in case.get("policyTags", {}).items()}
    src._policy_tag_client = None
    tags = {}

    def column_tags(table_name, column):
        if column.get("policy_tags"):
            src.get_policy_tags_for_column(column)
            # Resolved, the connector has replaced the PolicyTagList by the tag's display name.
            tag = column.get("policy_tags")
            tags[column["name"]] = [column.get("taxonomy"), tag if isinstance(tag, str) else None]
        return None

    src.get_column_tag_labels = column_tags
    table_type = om._bigquery_table_types.get(table.table_type, TableType.Regular)
    columns, constraints, _ = src.get_columns_and_constraints(dataset, name, project, Inspector(), table_type)
    constraints = src.update_table_constraints(name, dataset, project, constraints, [], columns)
    _, partition = src.get_table_partition_details(name, dataset, Inspector())
    definition = src.get_schema_definition(table_type, name, dataset, Inspector())
    return {
        "name": case["name"],
        "tableType": table_type.value,
        "columns": flat(columns),
        "policyTags": {k: v for k, v in tags.items() if v != [None, None]} or None,
        "constraints": [json.loads(c.model_dump_json(exclude_none=True)) for c in constraints or []],
        "partition": json.loads(partition.model_dump_json(exclude_none=True)) if partition else None,
        "definition": definition,
        "sourceUrl": src.get_source_url(project, dataset, name, table_type),
    }


if __name__ == "__main__":
    with open(sys.argv[1]) if len(sys.argv) > 1 else open(os.devnull) as given:
        cases = json.load(given) if len(sys.argv) > 1 else CASES
    for case in cases:
        print(json.dumps(run(case)))
    print(json.dumps({"database": om.BigquerySource._get_source_url(None, "proj"),
                      "schema": om.BigquerySource._get_source_url(None, "proj", "sales")}))
