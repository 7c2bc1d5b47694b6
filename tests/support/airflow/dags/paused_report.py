"""A paused DAG (OpenMetadata's `includeUnDeployedPipelines: false` leaves it out), weekly.
Seeded for omrun's Airflow connector tests (tests/support/airflow.rs)."""

from datetime import datetime

from airflow.providers.standard.operators.empty import EmptyOperator
from airflow.sdk import DAG

with DAG(
    dag_id="paused_report",
    description="Weekly report, switched off",
    schedule="@weekly",
    start_date=datetime(2026, 1, 1),
    catchup=False,
    tags=["report", "etl"],
    default_args={"owner": "carol"},
    is_paused_upon_creation=True,
):
    EmptyOperator(task_id="render")
