"""Run first by tests/support/om_connector.py for OpenMetadata's own Superset connector: its
dashboard source's test connection is skipped, as om_connector.py skips the database sources'
(the OpenMetadata stand-in has no test-connection definitions). Nothing of Superset is stepped
around: the connector talks to the real Superset.
"""

from metadata.ingestion.source.dashboard.dashboard_service import DashboardServiceSource

DashboardServiceSource.test_connection = lambda self: None
