"""Prints, as JSON on its last line (Airflow logs to standard output before it), what Airflow's
own DagBag makes of the DAG files in a folder: its import errors, and for each DAG the settings
omrun renders (tests/tests/orchestration/airflow.rs).

    python dag_settings.py FOLDER
"""

import json
import sys

from airflow.dag_processing.dagbag import DagBag


def seconds(delta):
    return None if delta is None else delta.total_seconds()


def task_settings(task):
    settings = {
        "downstream": sorted(task.downstream_task_ids),
        "mapped": bool(getattr(task, "is_mapped", False)),
        "retries": task.retries,
        "retry_delay": seconds(task.retry_delay),
        "retry_exponential_backoff": task.retry_exponential_backoff,
        "max_retry_delay": seconds(task.max_retry_delay),
        "max_active_tis_per_dag": task.max_active_tis_per_dag,
        "trigger_rule": str(task.trigger_rule.value if hasattr(task.trigger_rule, "value") else task.trigger_rule),
        "pool": task.pool,
    }
    if hasattr(task, "pod_template_dict") and not settings["mapped"]:
        settings["pod"] = {
            "image": task.image,
            "namespace": task.namespace,
            "arguments": task.arguments,
            "template": task.pod_template_dict,
        }
    return settings


def main(folder):
    bag = DagBag(folder)
    print(
        json.dumps(
            {
                "import_errors": {name: str(error) for name, error in bag.import_errors.items()},
                "dags": {
                    dag_id: {
                        "max_active_runs": dag.max_active_runs,
                        "dagrun_timeout": seconds(dag.dagrun_timeout),
                        "schedule": None if type(dag.timetable).__name__ == "NullTimetable" else str(dag.timetable),
                        "tasks": {task.task_id: task_settings(task) for task in dag.tasks},
                    }
                    for dag_id, dag in bag.dags.items()
                },
            },
            default=str,
        )
    )


if __name__ == "__main__":
    main(sys.argv[1])
