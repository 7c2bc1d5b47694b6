"""Run before OpenMetadata's Metabase connector (tests/support/om_connector.py, OMRUN_OM_PATCHES):
the dashboard source's test connection is skipped, as om_connector.py skips the database ones' (the
OpenMetadata stand-in has no test-connection definitions). Nothing of the Metabase client is
changed: it talks to the stand-in as it would to Metabase."""

from metadata.ingestion.source.dashboard.dashboard_service import DashboardServiceSource

DashboardServiceSource.test_connection = lambda self: None
