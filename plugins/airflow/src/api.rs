//! The parts of Airflow's REST API answers the connector reads: the same for `/api/v1` (Airflow
//! 2.x) and `/api/v2` (Airflow 3), but for the fields named per version. Everything but the ids
//! is optional: Airflow nulls what is not set, and versions add and drop fields.

use serde::Deserialize;
use serde_json::Value;

/// The page size of the listings (OpenMetadata's, and Airflow's default maximum).
pub const PAGE_SIZE: usize = 100;

/// `POST /auth/token` (Airflow 3).
#[derive(Debug, Deserialize)]
pub struct Token {
    pub access_token: Option<String>,
}

/// A DAG as `GET /dags` lists it and `GET /dags/{dag_id}` answers.
#[derive(Debug, Clone, Deserialize)]
pub struct Dag {
    pub dag_id: String,
    pub description: Option<String>,
    pub is_paused: Option<bool>,
    pub fileloc: Option<String>,
    /// An older spelling of `fileloc`, read as OpenMetadata reads it.
    pub file_loc: Option<String>,
    #[serde(default)]
    pub owners: Option<Vec<String>>,
    /// `{name}` objects (both versions); plain names are read too.
    #[serde(default)]
    pub tags: Option<Vec<Value>>,
    /// v2: the schedule as Airflow summarises its timetable (`0 6 * * *`, `@once`, an asset
    /// expression), `null` for none.
    pub timetable_summary: Option<String>,
    /// v1: `{"__type": "CronExpression", "value": "0 6 * * *"}`, a `TimeDelta` without a value,
    /// or `null`.
    pub schedule_interval: Option<Value>,
    pub max_active_runs: Option<i64>,
    /// Not in the listings of either version (only in `/details`); read when there.
    pub start_date: Option<String>,
}

impl Dag {
    /// Its tag names, objects or plain strings alike, empty names left out.
    pub fn tag_names(&self) -> Vec<String> {
        (self.tags.iter().flatten())
            .filter_map(|tag| match tag {
                Value::Object(o) => o.get("name").and_then(Value::as_str).map(str::to_owned),
                Value::String(s) => Some(s.clone()),
                _ => None,
            })
            .filter(|name| !name.is_empty())
            .collect()
    }

    /// v1's schedule: the `value` of `schedule_interval` (a cron expression or preset), or the
    /// string itself; `None` for a `TimeDelta` or `RelativeDelta`, which have none.
    pub fn schedule_interval_value(&self) -> Option<String> {
        match self.schedule_interval.as_ref()? {
            Value::Object(o) => o.get("value").and_then(Value::as_str).map(str::to_owned),
            Value::String(s) => Some(s.clone()),
            _ => None,
        }
    }
}

/// A task of `GET /dags/{dag_id}/tasks`.
#[derive(Debug, Clone, Deserialize)]
pub struct Task {
    pub task_id: String,
    #[serde(default)]
    pub downstream_task_ids: Option<Vec<String>>,
    pub doc_md: Option<String>,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    pub class_ref: Option<ClassRef>,
}

/// The operator's class.
#[derive(Debug, Clone, Deserialize)]
pub struct ClassRef {
    pub class_name: Option<String>,
}

/// `GET /dags/{dag_id}/tasks`.
#[derive(Debug, Deserialize)]
pub struct Tasks {
    pub tasks: Vec<Task>,
}

/// A DAG run of `GET /dags/{dag_id}/dagRuns`.
#[derive(Debug, Clone, Deserialize)]
pub struct DagRun {
    pub dag_run_id: Option<String>,
    pub state: Option<String>,
    /// v2 (and v1 since Airflow 2.2).
    pub logical_date: Option<String>,
    /// v1.
    pub execution_date: Option<String>,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
}

/// `GET /dags/{dag_id}/dagRuns`.
#[derive(Debug, Deserialize)]
pub struct DagRuns {
    #[serde(default)]
    pub dag_runs: Vec<DagRun>,
}

/// A task instance of `GET /dags/{dag_id}/dagRuns/{run_id}/taskInstances`.
#[derive(Debug, Clone, Deserialize)]
pub struct TaskInstance {
    pub task_id: Option<String>,
    pub state: Option<String>,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_and_schedules_of_both_versions() {
        let v2: Dag = serde_json::from_str(
            r#"{"dag_id":"d","tags":[{"name":"etl","dag_id":"d"},"plain",{"name":""},7],
                "timetable_summary":"0 6 * * *","owners":["a"],"retries":0.0}"#,
        )
        .unwrap();
        assert_eq!(v2.tag_names(), ["etl", "plain"]);
        assert_eq!(v2.schedule_interval_value(), None);
        let v1: Dag = serde_json::from_str(
            r#"{"dag_id":"d","tags":null,"schedule_interval":{"__type":"CronExpression","value":"@daily"}}"#,
        )
        .unwrap();
        assert!(v1.tag_names().is_empty());
        assert_eq!(v1.schedule_interval_value().as_deref(), Some("@daily"));
        let delta: Dag = serde_json::from_str(
            r#"{"dag_id":"d","schedule_interval":{"__type":"TimeDelta","days":1,"seconds":0}}"#,
        )
        .unwrap();
        assert_eq!(delta.schedule_interval_value(), None);
    }
}
