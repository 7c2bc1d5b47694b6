"""omrun ingestion as an Airflow DAG: discover, then one worker task per shard, then finalize.

Rendered by `omrun airflow render` (docs/airflow.md): change the omrun config and render again
rather than editing this file. Each task runs the `omrun` command installed on the Airflow worker.
No secret is written here: each ${VAR} of the config is read, on the worker, from its environment,
else from the Airflow Variable or Connection field SETTINGS["variables"] names.
"""

import datetime
import json
import os
import subprocess
import tempfile

from airflow.sdk import Connection, Variable, dag, get_current_context, task
from airflow.sdk.exceptions import AirflowFailException

# The config (its ${VAR}s unexpanded), the shard count, retries and caps, from omrun.
SETTINGS = __OMRUN_SETTINGS__


def _secret(name, source):
    """The value of ${name} from Airflow, or None when Airflow has none."""
    if "connection" in source:
        try:
            connection = Connection.get(source["connection"])
        except Exception as error:
            raise RuntimeError(
                f"the Airflow connection {source['connection']!r} (for ${{{name}}}) "
                f"cannot be read: {type(error).__name__}"
            ) from None
        field = source["field"]
        if field.startswith("extra."):
            value = connection.extra_dejson.get(field[len("extra."):])
        else:
            value = getattr(connection, field)
        return None if value is None else str(value)
    return Variable.get(source["variable"], default=None)


def _environment():
    """The worker's environment, completed from Airflow for the config's variables it lacks."""
    env = dict(os.environ)
    for name, source in SETTINGS["variables"].items():
        if not env.get(name):
            value = _secret(name, source)
            if value is not None:
                env[name] = value
    return env


def _omrun(command, *arguments, output):
    """Runs `omrun COMMAND -c CONFIG ARGUMENTS…`, its output into the task's log, in a fresh
    folder ({work} in an argument). Returns its exit status and the JSON file `output` it wrote."""
    with tempfile.TemporaryDirectory(prefix="omrun-") as work:
        config = os.path.join(work, "config.yaml")
        with open(config, "w", encoding="utf-8") as file:
            file.write(SETTINGS["config"])
        argv = [SETTINGS["omrun"], command, "-c", config]
        if SETTINGS["plugin"]:
            argv += ["--plugin", SETTINGS["plugin"]]
        argv += [argument.replace("{work}", work) for argument in arguments]
        process = subprocess.Popen(
            argv,
            env=_environment(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
        )
        try:
            for line in process.stdout:
                print(line.rstrip("\n"), flush=True)
            status = process.wait()
        finally:
            # The task was stopped (timeout, marked failed): omrun goes with it.
            if process.poll() is None:
                process.kill()
                process.wait()
        path = output.replace("{work}", work)
        result = None
        if os.path.exists(path):
            with open(path, encoding="utf-8") as file:
                result = json.load(file)
        return status, result


def _check(command, status):
    if status != 0:
        raise RuntimeError(f"omrun {command} exited with status {status}")


_RETRY = SETTINGS["retry"]


@dag(
    dag_id=SETTINGS["dag_id"],
    description=SETTINGS["description"],
    doc_md=__doc__,
    schedule=None,
    catchup=False,
    # Two runs of one ingestion at once would race on the same entities.
    max_active_runs=1,
    is_paused_upon_creation=False,
    dagrun_timeout=(
        datetime.timedelta(seconds=SETTINGS["timeout_seconds"])
        if SETTINGS["timeout_seconds"] is not None
        else None
    ),
    tags=["omrun"],
    default_args={
        "retries": _RETRY["retries"],
        "retry_delay": datetime.timedelta(seconds=_RETRY["delay_seconds"]),
        "retry_exponential_backoff": _RETRY["backoff_factor"],
        "max_retry_delay": datetime.timedelta(seconds=_RETRY["max_delay_seconds"]),
    },
)
def omrun_ingestion():
    @task
    def discover():
        """The service, databases and schemas; returns the shard list (one small item a shard)."""
        status, shards = _omrun(
            "discover",
            "--shards",
            str(SETTINGS["shards"]),
            "--out",
            "{work}/shards.json",
            output="{work}/shards.json",
        )
        _check("discover", status)
        return shards

    @task(max_active_tis_per_dag=SETTINGS["shards"], pool=SETTINGS["pool"] or "default_pool")
    def worker(item):
        """The entities of one shard."""
        status, report = _omrun(
            "worker",
            "--shard",
            item["shard"],
            "--report-json",
            "{work}/report.json",
            output="{work}/report.json",
        )
        # Kept whatever the outcome: finalize reads each shard's last report, failures included.
        get_current_context()["ti"].xcom_push(key="report", value=report)
        _check("worker", status)

    @task(trigger_rule="all_done")
    def finalize():
        """Foreign keys across shards, stale entities, and the run's report (XCom `report`)."""
        ti = get_current_context()["ti"]
        if ti.xcom_pull(task_ids="discover") is None:
            raise AirflowFailException("discover did not finish: no worker ran")
        reports = [r for r in (ti.xcom_pull(task_ids="worker", key="report") or []) if r]
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as file:
            json.dump(reports, file)
        try:
            status, report = _omrun(
                "finalize",
                "--shards",
                str(SETTINGS["shards"]),
                "--reports",
                "@" + file.name,
                "--report-json",
                "{work}/report.json",
                output="{work}/report.json",
            )
        finally:
            os.unlink(file.name)
        ti.xcom_push(key="report", value=report)
        _check("finalize", status)
        if report and report.get("failed"):
            # The run failed, which trying finalize again cannot change (it does not redo a
            # worker's entities): the DAG run shows it.
            raise AirflowFailException(
                f"{report['failed']} entities failed; the report (XCom `report`) names them"
            )

    worker.expand(item=discover()) >> finalize()


omrun_ingestion()
