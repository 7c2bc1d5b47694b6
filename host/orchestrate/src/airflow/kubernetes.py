"""omrun ingestion as an Airflow DAG: discover, then one worker pod per shard, then finalize.

Rendered by `omrun airflow render` (docs/airflow.md): change the omrun config and render again
rather than editing this file. Each task is a pod of the omrun worker image (the cncf.kubernetes
provider's KubernetesPodOperator), as an Argo Workflow's pods are: the config from a ConfigMap,
each ${VAR} of it from a Kubernetes Secret (both named in SETTINGS["pod"]). No secret is written
here.
"""

import datetime

from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator
from airflow.sdk import dag, task
from airflow.sdk.exceptions import AirflowFailException

# The pods' image and template, the shard count, retries and caps, from omrun.
SETTINGS = __OMRUN_SETTINGS__

# KubernetesPodOperator's sidecar reads a task's XCom from this file.
XCOM = "/airflow/xcom/return.json"
_RETRY = SETTINGS["retry"]


def _pod(**arguments):
    """What every task's pod has: the pod template omrun rendered (service account, config and
    work volumes, each variable from the Secret, limits, security context), and the retries."""
    return dict(
        namespace=SETTINGS["namespace"],
        image=SETTINGS["image"],
        cmds=["omrun"],
        pod_template_dict=SETTINGS["pod"],
        kubernetes_conn_id=SETTINGS["kubernetes_conn_id"],
        in_cluster=SETTINGS["kubernetes_conn_id"] is None,
        get_logs=True,
        # Failed pods stay for `kubectl logs`.
        on_finish_action="delete_succeeded_pod",
        do_xcom_push=True,
        **arguments,
    )


def _command(command, *arguments):
    """`omrun COMMAND -c CONFIG [--plugin PATH] ARGUMENTS…` as the pod's arguments."""
    argv = [command, "-c", SETTINGS["config_file"]]
    if SETTINGS["plugin"]:
        argv += ["--plugin", SETTINGS["plugin"]]
    return argv + list(arguments)


def _worker(item):
    return _command("worker", "--shard", item["shard"], "--report-json", XCOM)


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
    shards = str(SETTINGS["shards"])
    discover = KubernetesPodOperator(
        **_pod(
            task_id="discover",
            arguments=_command("discover", "--shards", shards, "--out", XCOM),
        )
    )
    worker = KubernetesPodOperator.partial(
        **_pod(
            task_id="worker",
            max_active_tis_per_dag=SETTINGS["shards"],
            pool=SETTINGS["pool"] or "default_pool",
        )
    ).expand(arguments=discover.output.map(_worker))
    finalize = KubernetesPodOperator(
        **_pod(
            task_id="finalize",
            trigger_rule="all_done",
            # The workers' reports, one JSON list; a worker that failed pushed none (its shard
            # then counts as not reported, and stale entities are kept).
            arguments=_command(
                "finalize",
                "--shards",
                shards,
                "--reports",
                "{{ ti.xcom_pull(task_ids='worker') | list | tojson }}",
                "--report-json",
                XCOM,
            ),
        )
    )
    @task
    def verdict(report):
        """Fails the DAG run when entities failed: finalize's pod succeeds then (retrying it
        cannot redo a worker's entities), but the run did not."""
        if report and report.get("failed"):
            raise AirflowFailException(
                f"{report['failed']} entities failed; finalize's report (its XCom) names them"
            )

    discover >> worker >> finalize
    verdict(finalize.output)


omrun_ingestion()
