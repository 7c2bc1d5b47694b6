"""What the Unity Catalog stand-in is not, stepped around for OpenMetadata's own Unity Catalog
connector (tests/support/om_connector.py runs this first), each because the stand-in is not a whole
Databricks workspace:

- `hostPort` keeps its `http://` scheme (OpenMetadata strips any scheme, and Databricks' SDK then
  dials https; the stand-in speaks http);
- PyPI `databricks-sqlalchemy` is not installed: OpenMetadata's Databricks (SQL) connector, which
  the Unity Catalog one imports helpers from, patches that package's dialect at import, so an
  empty class stands in for it (no SQL runs here, see below) rather than it and its Thrift client;
- there is no SQL warehouse (no `httpPath`): the connector's SQL engine is an empty SQLite
  database, so its SQL reads (which tables have constraints, tags, DDL) fail, each with the
  warning the connector logs when a warehouse cannot answer them, and it carries on as it does
  then: without keys and tags.
"""

import sys
import types

import sqlalchemy

dialect = types.ModuleType("databricks.sqlalchemy.base")
dialect.DatabricksDialect = type("DatabricksDialect", (), {})
sys.modules["databricks.sqlalchemy"] = types.ModuleType("databricks.sqlalchemy")
sys.modules["databricks.sqlalchemy.base"] = dialect

from metadata.ingestion.source.database.unitycatalog import connection  # noqa: E402

connection.normalize_host_port = lambda host_port: host_port.rstrip("/")
connection.UnityCatalogSqlConnection._get_client = lambda self: sqlalchemy.create_engine("sqlite://")
