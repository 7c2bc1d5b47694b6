"""One of OpenMetadata's own database connectors (openmetadata-ingestion's `metadata ingest`
workflow) run on a workflow file, recording every Create request its sink is handed, one JSON line
each, into OUT:

    python om_connector.py WORKFLOW.yaml OUT.jsonl

Run by the tests (tests/support/trino.rs, tests/support/snowflake.rs) with the interpreter of the
openmetadata-ingestion virtualenv and the connector's client package on PYTHONPATH (that
virtualenv has no connector extras). Two things differ from `metadata ingest`: the source's test
connection is skipped (the OpenMetadata stand-in has no test-connection definitions), and the
requests are recorded as the sink receives them. `OMRUN_OM_PATCHES` may name a Python file run
first, to step around what a source's emulator lacks.
"""

import json
import os
import runpy
import sys

import yaml
from metadata.ingestion.sink.metadata_rest import MetadataRestSink
from metadata.ingestion.source.database.database_service import DatabaseServiceSource

DatabaseServiceSource.test_connection = lambda self: None
if os.environ.get("OMRUN_OM_PATCHES"):
    runpy.run_path(os.environ["OMRUN_OM_PATCHES"])

seen = []
write_create_request = MetadataRestSink.write_create_request


def recording(self, request):
    seen.append({"kind": type(request).__name__,
                 "request": json.loads(request.model_dump_json(exclude_none=True))})
    return write_create_request(self, request)


MetadataRestSink.write_create_request = recording

from metadata.workflow.metadata import MetadataWorkflow  # noqa: E402

workflow = MetadataWorkflow.create(yaml.safe_load(open(sys.argv[1])))
workflow.execute()
workflow.print_status()
workflow.stop()
with open(sys.argv[2], "w") as out:
    for record in seen:
        out.write(json.dumps(record) + "\n")
sys.exit(1 if workflow.get_failures() else 0)
