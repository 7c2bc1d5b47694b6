"""What fakesnow lacks, stepped around for OpenMetadata's own Snowflake connector
(tests/support/om_connector.py runs this first): `SHOW EXTERNAL TABLES` is not parsed, so the
connector is told of no external tables, as an account without any would tell it."""

from metadata.ingestion.source.database.snowflake.metadata import SnowflakeSource

SnowflakeSource.set_external_location_map = (
    lambda self, database_name: self.external_location_map.clear()
)
