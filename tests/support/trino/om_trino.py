"""OpenMetadata's own Trino connector (openmetadata-ingestion's `metadata ingest` workflow) run on a
workflow file, recording every Create request its sink is handed, one JSON line each, into OUT:

    python om_trino.py WORKFLOW.yaml OUT.jsonl

Run by the tests (tests/support/trino.rs) with the interpreter of the openmetadata-ingestion
virtualenv and PyPI `trino` on PYTHONPATH (that virtualenv has no Trino extra). Two things differ
from `metadata ingest`: the source's test connection is skipped (the OpenMetadata stand-in has no
Trino test-connection definition), and the requests are recorded as the sink receives them.
"""

import json
import sys

import yaml
from metadata.ingestion.sink.metadata_rest import MetadataRestSink
from metadata.ingestion.source.database.database_service import DatabaseServiceSource

DatabaseServiceSource.test_connection = lambda self: None

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
