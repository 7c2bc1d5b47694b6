"""Run first by tests/support/om_connector.py for OpenMetadata's own MLflow connector: its ML
model source's test connection is skipped, as om_connector.py skips the database sources' (the
OpenMetadata stand-in has no test-connection definitions). Nothing of MLflow is stepped around:
the connector talks to the real MLflow tracking server with MLflow's own client.
"""

import os

from metadata.ingestion.source.mlmodel.mlmodel_service import MlModelServiceSource

MlModelServiceSource.test_connection = lambda self: None
# Before MLflow's client is imported: no usage reports (MLflow 3.x sends them by default; the tests
# have no internet), as the tests' server and seed.py run (tests/support/mlflow.rs, QUIET).
os.environ["MLFLOW_DISABLE_TELEMETRY"] = "true"
os.environ["DO_NOT_TRACK"] = "true"
