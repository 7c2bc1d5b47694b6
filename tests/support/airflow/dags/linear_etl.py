"""A linear DAG on a cron schedule: extract >> transform >> load, with docs, tags and an owner.
Seeded for omrun's Airflow connector tests (tests/support/airflow.rs)."""

from datetime import datetime

from airflow.providers.standard.operators.bash import BashOperator
from airflow.providers.standard.operators.python import PythonOperator
from airflow.sdk import DAG


def transform():
    return 42


with DAG(
    dag_id="linear_etl",
    description="Loads the shop's orders every morning",
    doc_md="# Orders ETL\nExtracts, transforms and loads the orders.",
    schedule="0 6 * * *",
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=2,
    tags=["etl", "orders"],
    default_args={"owner": "data-eng"},
    is_paused_upon_creation=False,
):
    extract = BashOperator(
        task_id="extract",
        bash_command="echo extract",
        doc_md="Reads the **orders** table.",
    )
    shape = PythonOperator(task_id="transform", python_callable=transform)
    load = BashOperator(
        task_id="load",
        bash_command="echo load",
        start_date=datetime(2026, 1, 2),
        end_date=datetime(2030, 12, 31),
    )
    extract >> shape >> load
