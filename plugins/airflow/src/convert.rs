//! Airflow's DAGs, tasks and runs as OpenMetadata's Airflow connector (its REST source,
//! `ingestion/source/pipeline/airflow/api/source.py`) writes them: the pipeline of a DAG, its
//! tasks, its latest runs with their tasks' statuses.

use std::collections::BTreeSet;

use omrun_sdk::types::{
    ExecutionStatus, Pipeline, PipelineRun, PipelineState, PipelineTask, TagLabel, TaskStatus,
};

use crate::api::{Dag, DagRun, Task, TaskInstance};
use crate::client::quote;
use crate::config::ApiVersion;
use crate::time::millis;

/// OpenMetadata's classification of Airflow's DAG tags, with its descriptions.
pub const TAG_CLASSIFICATION: &str = "AirflowTags";
const CLASSIFICATION_DESCRIPTION: &str = "Tags associated with airflow entities.";
const TAG_DESCRIPTION: &str = "Airflow Tag";

/// Where the source's links point and what the config keeps.
pub struct Shape<'a> {
    /// `hostPort`, without a trailing `/`.
    pub base_url: &'a str,
    pub version: ApiVersion,
    pub include_owners: bool,
    pub include_tags: bool,
}

/// OpenMetadata's `STATUS_MAP`: an Airflow state as a status; any other state (`scheduled`,
/// `up_for_retry`, `deferred`, none yet…) is pending.
pub fn status(state: Option<&str>) -> ExecutionStatus {
    match state {
        Some("success") => ExecutionStatus::Successful,
        Some("failed" | "upstream_failed") => ExecutionStatus::Failed,
        Some("skipped") => ExecutionStatus::Skipped,
        _ => ExecutionStatus::Pending,
    }
}

/// The pipeline of `dag` with its `tasks` (runs are added by [`run`]).
pub fn pipeline(dag: &Dag, tasks: &[Task], shape: &Shape) -> Pipeline {
    let dag_id = &dag.dag_id;
    let schedule_interval = match shape.version {
        ApiVersion::V2 => dag.timetable_summary.clone(),
        ApiVersion::V1 => dag.schedule_interval_value(),
    };
    Pipeline {
        name: dag_id.clone(),
        display_name: None,
        description: dag.description.clone().filter(|d| !d.is_empty()),
        source_url: Some(dag_url(shape, dag_id)),
        schedule_interval,
        // As Airflow gives it; the host writes it as OpenMetadata's client does.
        start_date: dag.start_date.clone(),
        concurrency: dag.max_active_runs.and_then(|n| u32::try_from(n).ok()),
        pipeline_location: dag.fileloc.clone().or_else(|| dag.file_loc.clone()),
        state: dag.is_paused.map(|paused| match paused {
            true => PipelineState::Inactive,
            false => PipelineState::Active,
        }),
        tasks: tasks.iter().map(|t| task(shape, dag_id, t)).collect(),
        owners: match shape.include_owners {
            true => dag.owners.clone().unwrap_or_default(),
            false => Vec::new(),
        },
        tags: match shape.include_tags {
            true => dag.tag_names().into_iter().map(tag).collect(),
            false => Vec::new(),
        },
        runs: Vec::new(),
    }
}

/// One of OpenMetadata's `AirflowTags`.
pub fn tag(name: String) -> TagLabel {
    TagLabel::new(
        TAG_CLASSIFICATION,
        name,
        CLASSIFICATION_DESCRIPTION,
        TAG_DESCRIPTION,
    )
}

fn task(shape: &Shape, dag_id: &str, t: &Task) -> PipelineTask {
    PipelineTask {
        name: t.task_id.clone(),
        display_name: None,
        description: t.doc_md.clone().filter(|d| !d.is_empty()),
        source_url: Some(task_url(shape, dag_id, &t.task_id)),
        downstream_tasks: t.downstream_task_ids.clone().unwrap_or_default(),
        task_type: t.class_ref.as_ref().and_then(|c| c.class_name.clone()),
        task_sql: None,
        start_date: t.start_date.clone(),
        end_date: t.end_date.clone(),
        tags: Vec::new(),
    }
}

/// The DAG in Airflow's UI: `/dags/{id}` (Airflow 3), `/dags/{id}/grid` (Airflow 2).
fn dag_url(shape: &Shape, dag_id: &str) -> String {
    let (base, dag) = (shape.base_url, quote(dag_id, "/"));
    match shape.version {
        ApiVersion::V2 => format!("{base}/dags/{dag}"),
        ApiVersion::V1 => format!("{base}/dags/{dag}/grid"),
    }
}

/// A task in Airflow's UI: `/dags/{id}/tasks/{task}` (Airflow 3), the task instance list
/// filtered on it (Airflow 2).
fn task_url(shape: &Shape, dag_id: &str, task_id: &str) -> String {
    let (base, dag, task) = (shape.base_url, quote(dag_id, "/"), quote(task_id, "/"));
    match shape.version {
        ApiVersion::V2 => format!("{base}/dags/{dag}/tasks/{task}"),
        ApiVersion::V1 => {
            format!("{base}/taskinstance/list/?_flt_3_dag_id={dag}&_flt_3_task_id={task}")
        }
    }
}

/// A run with the statuses of the pipeline's `tasks` in it; `None` for a run with no date at
/// all, which OpenMetadata skips. Its time is the logical date, else the start, else the end.
pub fn run(
    run: &DagRun,
    instances: &[TaskInstance],
    tasks: &BTreeSet<&str>,
) -> Option<PipelineRun> {
    let logical = run
        .logical_date
        .as_deref()
        .or(run.execution_date.as_deref());
    let timestamp = millis(logical)
        .or_else(|| millis(run.start_date.as_deref()))
        .or_else(|| millis(run.end_date.as_deref()))?;
    let statuses = instances
        .iter()
        .filter_map(|ti| {
            let name = ti.task_id.as_deref().unwrap_or_default();
            tasks.contains(name).then(|| TaskStatus {
                name: name.to_owned(),
                execution_status: status(ti.state.as_deref()),
                start_time: millis(ti.start_date.as_deref()),
                end_time: millis(ti.end_date.as_deref()),
                log_link: None,
            })
        })
        .collect();
    Some(PipelineRun {
        execution_id: run.dag_run_id.clone(),
        timestamp,
        execution_status: status(run.state.as_deref()),
        // OpenMetadata's connector writes none.
        end_time: None,
        tasks: statuses,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(version: ApiVersion) -> Shape<'static> {
        Shape {
            base_url: "http://af:8080",
            version,
            include_owners: true,
            include_tags: true,
        }
    }

    fn dag(json: &str) -> Dag {
        serde_json::from_str(json).unwrap()
    }

    fn tasks() -> Vec<Task> {
        serde_json::from_str(
            r#"[{"task_id":"extract","downstream_task_ids":["prep.clean"],"doc_md":"Reads.",
                 "start_date":"2026-01-01T00:00:00Z","end_date":null,
                 "class_ref":{"module_path":"airflow.providers.standard.operators.bash","class_name":"BashOperator"}},
                {"task_id":"prep.clean","downstream_task_ids":[],"doc_md":"","class_ref":null}]"#,
        )
        .unwrap()
    }

    #[test]
    fn a_v2_dag_as_openmetadata_writes_it() {
        let d = dag(
            r#"{"dag_id":"my etl","description":"Loads","is_paused":true,
            "fileloc":"/dags/etl.py","timetable_summary":"0 6 * * *","max_active_runs":2,
            "owners":["data-eng","bob"],"tags":[{"name":"etl"},{"name":"orders"}],
            "schedule_interval":{"value":"ignored in v2"}}"#,
        );
        let p = pipeline(&d, &tasks(), &shape(ApiVersion::V2));
        assert_eq!(p.name, "my etl");
        assert_eq!(p.description.as_deref(), Some("Loads"));
        assert_eq!(
            p.source_url.as_deref(),
            Some("http://af:8080/dags/my%20etl")
        );
        assert_eq!(p.schedule_interval.as_deref(), Some("0 6 * * *"));
        assert_eq!(p.start_date, None);
        assert_eq!(p.concurrency, Some(2));
        assert_eq!(p.pipeline_location.as_deref(), Some("/dags/etl.py"));
        assert_eq!(p.state, Some(PipelineState::Inactive));
        assert_eq!(p.owners, ["data-eng", "bob"]);
        let tags: Vec<(&str, &str, &str, &str)> = p
            .tags
            .iter()
            .map(|t| {
                (
                    t.classification.as_str(),
                    t.name.as_str(),
                    t.classification_description.as_str(),
                    t.tag_description.as_str(),
                )
            })
            .collect();
        assert_eq!(
            tags,
            [
                (
                    "AirflowTags",
                    "etl",
                    "Tags associated with airflow entities.",
                    "Airflow Tag"
                ),
                (
                    "AirflowTags",
                    "orders",
                    "Tags associated with airflow entities.",
                    "Airflow Tag"
                ),
            ]
        );
        let [extract, clean] = p.tasks.as_slice() else {
            panic!("{:?}", p.tasks)
        };
        assert_eq!(extract.name, "extract");
        assert_eq!(extract.description.as_deref(), Some("Reads."));
        assert_eq!(
            extract.source_url.as_deref(),
            Some("http://af:8080/dags/my%20etl/tasks/extract")
        );
        assert_eq!(extract.downstream_tasks, ["prep.clean"]);
        assert_eq!(extract.task_type.as_deref(), Some("BashOperator"));
        assert_eq!(extract.start_date.as_deref(), Some("2026-01-01T00:00:00Z"));
        assert_eq!(extract.end_date, None);
        assert_eq!(clean.description, None, "an empty doc_md is none");
        assert_eq!(clean.task_type, None);
        assert!(p.runs.is_empty());
    }

    #[test]
    fn a_v1_dag_and_what_the_config_leaves_out() {
        let d = dag(
            r#"{"dag_id":"etl","description":"","is_paused":false,"file_loc":"/d.py",
            "schedule_interval":{"__type":"CronExpression","value":"@daily"},
            "timetable_summary":"ignored in v1","start_date":"2026-01-01T00:00:00Z",
            "owners":["a"],"tags":[{"name":"x"}]}"#,
        );
        let s = Shape {
            include_owners: false,
            include_tags: false,
            ..shape(ApiVersion::V1)
        };
        let p = pipeline(&d, &tasks(), &s);
        assert_eq!(p.description, None);
        assert_eq!(
            p.source_url.as_deref(),
            Some("http://af:8080/dags/etl/grid")
        );
        assert_eq!(
            p.tasks[1].source_url.as_deref(),
            Some("http://af:8080/taskinstance/list/?_flt_3_dag_id=etl&_flt_3_task_id=prep.clean")
        );
        assert_eq!(p.schedule_interval.as_deref(), Some("@daily"));
        assert_eq!(p.start_date.as_deref(), Some("2026-01-01T00:00:00Z"));
        assert_eq!(p.pipeline_location.as_deref(), Some("/d.py"));
        assert_eq!(p.state, Some(PipelineState::Active));
        assert!(p.owners.is_empty() && p.tags.is_empty());
        assert_eq!(pipeline(&dag(r#"{"dag_id":"n"}"#), &[], &s).state, None);
    }

    #[test]
    fn states_map_as_openmetadatas_status_map() {
        use ExecutionStatus::*;
        for (state, want) in [
            (Some("success"), Successful),
            (Some("failed"), Failed),
            (Some("upstream_failed"), Failed),
            (Some("skipped"), Skipped),
            (Some("queued"), Pending),
            (Some("running"), Pending),
            (Some("up_for_retry"), Pending),
            (Some("scheduled"), Pending),
            (None, Pending),
        ] {
            assert_eq!(status(state), want, "{state:?}");
        }
    }

    fn dag_run(json: &str) -> DagRun {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn a_run_is_dated_by_its_logical_date_else_start_else_end() {
        let instances: Vec<TaskInstance> = serde_json::from_str(
            r#"[{"task_id":"check","state":"failed","start_date":"2026-02-01T00:00:01Z",
                 "end_date":"2026-02-01T00:00:02.5Z"},
                {"task_id":"notify","state":"upstream_failed","start_date":null,"end_date":null},
                {"task_id":"gone","state":"removed"}]"#,
        )
        .unwrap();
        let tasks: BTreeSet<&str> = ["check", "notify"].into();
        let r = run(
            &dag_run(
                r#"{"dag_run_id":"manual__1","state":"failed",
                "logical_date":"2026-02-01T00:00:00Z","start_date":"2026-03-01T00:00:00Z"}"#,
            ),
            &instances,
            &tasks,
        )
        .unwrap();
        assert_eq!(r.execution_id.as_deref(), Some("manual__1"));
        assert_eq!(r.timestamp, 1_769_904_000_000);
        assert_eq!(r.execution_status, ExecutionStatus::Failed);
        assert_eq!(r.end_time, None);
        let statuses: Vec<(&str, ExecutionStatus, Option<i64>, Option<i64>)> = r
            .tasks
            .iter()
            .map(|t| {
                (
                    t.name.as_str(),
                    t.execution_status,
                    t.start_time,
                    t.end_time,
                )
            })
            .collect();
        assert_eq!(
            statuses,
            [
                (
                    "check",
                    ExecutionStatus::Failed,
                    Some(1_769_904_001_000),
                    Some(1_769_904_002_500)
                ),
                ("notify", ExecutionStatus::Failed, None, None),
            ],
            "a task no longer in the DAG is left out"
        );
        let v1 = dag_run(
            r#"{"dag_run_id":"r","state":"running","execution_date":"2026-02-01T00:00:00+00:00"}"#,
        );
        assert_eq!(run(&v1, &[], &tasks).unwrap().timestamp, 1_769_904_000_000);
        let started = dag_run(
            r#"{"dag_run_id":"r","logical_date":null,"start_date":"1970-01-01T00:00:01Z","end_date":"1970-01-01T00:00:02Z"}"#,
        );
        assert_eq!(run(&started, &[], &tasks).unwrap().timestamp, 1000);
        let ended = dag_run(r#"{"dag_run_id":"r","end_date":"1970-01-01T00:00:02Z"}"#);
        assert_eq!(run(&ended, &[], &tasks).unwrap().timestamp, 2000);
        let undated = dag_run(r#"{"dag_run_id":"r","state":"queued"}"#);
        assert!(run(&undated, &[], &tasks).is_none());
    }
}
