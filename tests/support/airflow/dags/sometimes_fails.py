"""A run with a failed task: check fails, so notify is upstream_failed and the run failed;
cleanup runs all the same (trigger rule all_done). No schedule.
Seeded for omrun's Airflow connector tests (tests/support/airflow.rs)."""

from datetime import datetime

from airflow.providers.standard.operators.bash import BashOperator
from airflow.providers.standard.operators.empty import EmptyOperator
from airflow.sdk import DAG

with DAG(
    dag_id="sometimes_fails",
    schedule=None,
    start_date=datetime(2026, 1, 1),
    tags=["etl"],
    is_paused_upon_creation=False,
):
    check = BashOperator(task_id="check", bash_command="exit 1", retries=0)
    notify = EmptyOperator(task_id="notify")
    cleanup = EmptyOperator(task_id="cleanup", trigger_rule="all_done")
    check >> notify
    check >> cleanup
