"""Fan-out and fan-in on a preset schedule: start >> [left, middle, right] >> join. Two owners.
Seeded for omrun's Airflow connector tests (tests/support/airflow.rs)."""

from datetime import datetime

from airflow.providers.standard.operators.empty import EmptyOperator
from airflow.sdk import DAG

with DAG(
    dag_id="fan_out_in",
    schedule="@daily",
    start_date=datetime(2026, 1, 1),
    catchup=False,
    tags=["fan"],
    is_paused_upon_creation=False,
):
    start = EmptyOperator(task_id="start", owner="alice")
    branches = [EmptyOperator(task_id=name, owner="bob") for name in ("left", "middle", "right")]
    join = EmptyOperator(task_id="join", owner="alice")
    start >> branches >> join
