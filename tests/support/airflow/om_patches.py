"""Run first by tests/support/om_connector.py for OpenMetadata's own Airflow connector (its REST
source, `connection.type: RestAPI`).

1. An import shim for `airflow`. OpenMetadata's Airflow package imports Airflow itself when it is
   imported (`connection.py` and `metadata.py` import `airflow.models`, `airflow.settings`… at
   module level) for its other source, which reads Airflow's metadata database; the REST source
   never touches them. The openmetadata-ingestion virtualenv has no apache-airflow, and putting
   the Airflow virtualenv's packages on its path would mix two sets of pinned dependencies
   (SQLAlchemy, pydantic). So the names those imports ask for are stand-ins that fail loudly if
   anything uses them: the comparison then fails instead of silently reading nothing.
2. The pipeline source's test connection is skipped, as om_connector.py skips the database
   sources' (the OpenMetadata stand-in has no test-connection definitions).

Nothing of Airflow's REST API is stepped around: the connector talks to the real Airflow.
"""

import sys
import types


class _NotAirflow:
    """A name OpenMetadata imports from `airflow` for its database source."""

    def __init__(self, *args, **kwargs):
        raise RuntimeError(
            f"{type(self).__name__} is omrun's import shim, not Airflow: OpenMetadata's Airflow "
            "REST source was expected never to use it (tests/support/airflow/om_patches.py)"
        )


def _module(name, **names):
    module = types.ModuleType(name)
    module.__dict__.update(names)
    sys.modules[name] = module
    return module


def _stand_in(name):
    return type(name, (_NotAirflow,), {})


# Exactly what openmetadata-ingestion 2.0.7.0's airflow/connection.py and airflow/metadata.py
# import at module level; anything more is an ImportError, naming it.
_settings = _module("airflow.settings")
_module("airflow", __version__="0+omrun.import.shim", settings=_settings)
_module(
    "airflow.models",
    BaseOperator=_stand_in("BaseOperator"),
    DagRun=_stand_in("DagRun"),
    DagTag=_stand_in("DagTag"),
    TaskInstance=_stand_in("TaskInstance"),
)
_module("airflow.models.dag", DagModel=_stand_in("DagModel"))
_module("airflow.models.serialized_dag", SerializedDagModel=_stand_in("SerializedDagModel"))
_module("airflow.serialization")
_module("airflow.serialization.definitions")
_module("airflow.serialization.definitions.dag", SerializedDAG=_stand_in("SerializedDAG"))

from metadata.ingestion.source.pipeline.pipeline_service import (  # noqa: E402
    PipelineServiceSource,
)

PipelineServiceSource.test_connection = lambda self: None
