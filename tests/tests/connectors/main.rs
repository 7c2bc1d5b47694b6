//! The connectors end to end: each real plugin against a real source (PostgreSQL, MariaDB,
//! SQLite, the Looker stand-in), in both modes, and a plugin that can only stream.

mod airflow;
mod bigquery;
mod bigquery_standin;
mod databricks;
mod looker;
mod metabase;
mod mlflow;
mod mysql;
mod postgres_filters;
mod postgres_metadata;
mod postgres_scale;
mod postgres_tls;
mod powerbi;
mod presto;
mod redshift;
mod snowflake;
mod sqlite;
mod streaming;
mod superset;
mod tableau;
mod tableau_standin;
mod trino;
