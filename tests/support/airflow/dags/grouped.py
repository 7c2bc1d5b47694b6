"""A TaskGroup, no schedule (runs only when triggered): prep.clean >> prep.check >> publish.
Seeded for omrun's Airflow connector tests (tests/support/airflow.rs)."""

from datetime import datetime

from airflow.providers.standard.operators.empty import EmptyOperator
from airflow.sdk import DAG, TaskGroup

with DAG(
    dag_id="grouped",
    schedule=None,
    start_date=datetime(2026, 1, 1),
    is_paused_upon_creation=False,
):
    with TaskGroup("prep") as prep:
        clean = EmptyOperator(task_id="clean")
        check = EmptyOperator(task_id="check", doc_md="Checks the cleaned rows.")
        clean >> check
    publish = EmptyOperator(task_id="publish")
    prep >> publish
