//! Finalize reads the workers' reports (one JSON list: Argo aggregates the `report` output
//! parameter of every worker pod into one, Airflow's finalize task pulls every worker's XCom) and
//! makes them one report, the same shape local mode prints.

use anyhow::Context;
use omrun_model::EntityKind;
use omrun_pipeline::report::{Failure, Report};
use serde_json::Value;
use std::collections::BTreeMap;

/// The workers' reports, one per shard that reported.
pub struct WorkerReports {
    shards: u32,
    by_shard: BTreeMap<u32, Report>,
}

impl WorkerReports {
    /// Parses Argo's aggregate: a JSON list whose items are report objects, or strings holding
    /// them (Argo passes output parameters as strings). Empty items (a worker that wrote nothing)
    /// are skipped; the shard then counts as missing.
    pub fn parse(aggregate: &str, shards: u32) -> anyhow::Result<Self> {
        let items: Vec<Value> = match aggregate.trim() {
            "" => Vec::new(),
            text => serde_json::from_str(text).context("--reports is not a JSON list")?,
        };
        let mut by_shard = BTreeMap::new();
        for item in items {
            let report: Report = match item {
                Value::String(text) if text.trim().is_empty() => continue,
                Value::String(text) => serde_json::from_str(&text),
                object => serde_json::from_value(object),
            }
            .context("a worker's report is not an omrun report")?;
            let shard: omrun_pipeline::run::Shard = report
                .shard
                .as_deref()
                .unwrap_or_default()
                .parse()
                .map_err(|e: String| anyhow::anyhow!("a worker's report: {e}"))?;
            anyhow::ensure!(
                shard.count == shards,
                "a worker's report is for shard {shard}, but this workflow has {shards} shards"
            );
            // A shard retried reports once per attempt that finished; the last one counts.
            by_shard.insert(shard.index, report);
        }
        Ok(Self { shards, by_shard })
    }

    fn missing(&self) -> Vec<u32> {
        (0..self.shards)
            .filter(|index| !self.by_shard.contains_key(index))
            .collect()
    }

    /// Why stale tables must not be marked deleted, if any shard did not finish cleanly: a table
    /// a failed shard did not write would otherwise look stale.
    pub fn unclean(&self) -> Option<String> {
        let missing = self.missing();
        let failed: usize = self.by_shard.values().map(|r| r.failed).sum();
        match (missing.as_slice(), failed) {
            ([], 0) => None,
            ([], n) => Some(format!("{n} entities failed in the workers")),
            (shards, _) => Some(format!(
                "{} of {} shards did not report",
                shards.len(),
                self.shards
            )),
        }
    }

    /// The whole workflow's report: the workers' counts and failures, finalize's own failures
    /// (stale-marking), and a failure for each shard that never reported.
    pub fn aggregate(&self, finalize: &Report) -> Report {
        let workers = self.by_shard.values();
        let started = workers
            .clone()
            .map(|r| r.started_at_unix)
            .chain([finalize.started_at_unix])
            .filter(|t| *t > 0.0)
            .fold(f64::INFINITY, f64::min);
        let ended = finalize.started_at_unix + finalize.duration_seconds;
        let duration = if started.is_finite() {
            (ended - started).max(0.0)
        } else {
            0.0
        };
        let mut failures: Vec<Failure> = workers
            .clone()
            .flat_map(|r| r.failures.iter().cloned())
            .chain(finalize.failures.iter().cloned())
            .collect();
        failures.sort_by(|a, b| a.fqn.cmp(&b.fqn));
        for index in self.missing() {
            failures.push(Failure {
                fqn: format!("shard {index}/{}", self.shards),
                kind: "shard".into(),
                error: "its worker did not report: it failed after its retries or never ran; its entities may be missing".into(),
                attempts: 0,
            });
        }
        let sum = |field: fn(&Report) -> usize| self.by_shard.values().map(field).sum::<usize>();
        // A worker counts the tables it wrote and hands the ones whose keys wait to finalize
        // (`deferredKeys`); a table finalize then fails to write counts as failed, not processed.
        let finalize_failed_tables = finalize
            .failures
            .iter()
            .filter(|f| f.kind == EntityKind::Table.as_str())
            .count();
        let processed = (sum(|r| r.processed) + sum(|r| r.deferred_keys))
            .saturating_sub(finalize_failed_tables);
        let failures_omitted = sum(|r| r.failures_omitted);
        let mut written = finalize.written.clone();
        for (kind, n) in workers.clone().flat_map(|r| r.written.iter()) {
            *written.entry(kind.clone()).or_default() += n;
        }
        let stopped = workers
            .clone()
            .chain([finalize])
            .find_map(|r| r.stopped.clone());
        let failed = failures.len() + failures_omitted;
        let started_at_unix = if started.is_finite() { started } else { 0.0 };
        Report {
            status: match (&stopped, failed) {
                (Some(_), _) => "stopped",
                (None, 0) if finalize.status.is_empty() => "succeeded",
                (None, 0) => finalize.status.as_str(),
                (None, _) => "failed",
            }
            .to_owned(),
            omrun_version: finalize.omrun_version.clone(),
            mode: finalize.mode.clone(),
            parallelism: self.shards as usize,
            plugin: finalize.plugin.clone(),
            plugin_version: finalize.plugin_version.clone(),
            plugin_sha256: finalize.plugin_sha256.clone(),
            contract: finalize.contract.clone(),
            config_sha256: finalize.config_sha256.clone(),
            output: finalize.output.clone(),
            shard: None,
            started_at_unix,
            started_at: omrun_pipeline::report::rfc3339(started_at_unix),
            ended_at: omrun_pipeline::report::rfc3339(ended),
            written,
            discovery_failures: sum(|r| r.discovery_failures) + finalize.discovery_failures,
            found: sum(|r| r.found),
            processed,
            // The orchestrator retries a worker whole; nothing is resumed.
            resumed: 0,
            failed,
            retried: sum(|r| r.retried),
            containers: sum(|r| r.containers) + finalize.containers,
            duration_seconds: duration,
            discovery_seconds: self
                .by_shard
                .values()
                .map(|r| r.discovery_seconds)
                .fold(0.0, f64::max),
            entities_per_second: if duration > 0.0 {
                processed as f64 / duration
            } else {
                0.0
            },
            failures,
            failures_omitted,
            skipped: workers
                .clone()
                .flat_map(|r| r.skipped.iter().cloned())
                .chain(finalize.skipped.iter().cloned())
                .collect(),
            // Finalize completed them.
            deferred_keys: 0,
            stopped,
        }
    }

    /// The shards whose workers left foreign keys for finalize to complete.
    pub fn with_deferred_keys(&self) -> Vec<omrun_pipeline::run::Shard> {
        self.by_shard
            .iter()
            .filter(|(_, r)| r.deferred_keys > 0)
            .map(|(index, _)| omrun_pipeline::run::Shard {
                index: *index,
                count: self.shards,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn worker(shard: &str, processed: usize, failures: Vec<Failure>) -> Report {
        Report {
            mode: "argo".into(),
            parallelism: 1,
            plugin: "postgres".into(),
            shard: Some(shard.into()),
            started_at_unix: 1000.0,
            found: processed + failures.len(),
            processed,
            resumed: 0,
            failed: failures.len(),
            retried: 1,
            containers: 0,
            duration_seconds: 5.0,
            discovery_seconds: 0.5,
            entities_per_second: 0.0,
            failures,
            failures_omitted: 0,
            skipped: vec![],
            deferred_keys: 0,
            stopped: None,
            ..Report::default()
        }
    }

    fn finalize() -> Report {
        Report {
            shard: None,
            started_at_unix: 1010.0,
            duration_seconds: 2.0,
            retried: 0,
            ..worker("0/1", 0, vec![])
        }
    }

    fn as_argo_aggregate(reports: &[Report]) -> String {
        let strings: Vec<String> = reports
            .iter()
            .map(|r| serde_json::to_string(r).unwrap())
            .collect();
        serde_json::to_string(&strings).unwrap()
    }

    #[test]
    fn every_shard_clean_sums_the_counts() {
        let text = as_argo_aggregate(&[worker("0/2", 10, vec![]), worker("1/2", 7, vec![])]);
        let reports = WorkerReports::parse(&text, 2).unwrap();
        assert_eq!(reports.unclean(), None);
        let total = reports.aggregate(&finalize());
        assert_eq!(
            (total.processed, total.found, total.failed, total.retried),
            (17, 17, 0, 2)
        );
        assert_eq!(
            total.duration_seconds, 12.0,
            "from the first worker's start to finalize's end"
        );
        assert_eq!(total.mode, "argo");
    }

    #[test]
    fn tables_left_to_finalize_count_once_written_or_failed() {
        let mut waiting = worker("0/2", 6, vec![]);
        waiting.deferred_keys = 4;
        waiting.found = 10;
        let text = as_argo_aggregate(&[waiting, worker("1/2", 5, vec![])]);
        let reports = WorkerReports::parse(&text, 2).unwrap();
        assert_eq!(reports.with_deferred_keys().len(), 1);
        let mut finalize = finalize();
        finalize.failures.push(Failure {
            fqn: "s.d.public.cycle".into(),
            kind: "table".into(),
            error: "the sink refused it".into(),
            attempts: 1,
        });
        let total = reports.aggregate(&finalize);
        assert_eq!((total.found, total.processed, total.failed), (15, 14, 1));
    }

    #[test]
    fn a_missing_shard_or_a_failure_keeps_stale_tables() {
        let failure = Failure {
            fqn: "s.d.public.t".into(),
            kind: "table".into(),
            error: "boom".into(),
            attempts: 3,
        };
        let reports =
            WorkerReports::parse(&as_argo_aggregate(&[worker("0/3", 4, vec![failure])]), 3)
                .unwrap();
        assert_eq!(reports.unclean().unwrap(), "2 of 3 shards did not report");
        let total = reports.aggregate(&finalize());
        assert_eq!(total.failed, 3, "one entity and two shards");
        assert!(
            total
                .failures
                .iter()
                .any(|f| f.fqn == "shard 2/3" && f.kind == "shard")
        );

        let objects = serde_json::to_string(&[worker(
            "0/1",
            1,
            vec![Failure {
                fqn: "x".into(),
                kind: "table".into(),
                error: "e".into(),
                attempts: 1,
            }],
        )])
        .unwrap();
        let reports = WorkerReports::parse(&objects, 1).unwrap();
        assert_eq!(
            reports.unclean().unwrap(),
            "1 entities failed in the workers"
        );
    }

    #[test]
    fn reports_of_another_workflow_are_refused() {
        let text = as_argo_aggregate(&[worker("0/4", 1, vec![])]);
        let error = WorkerReports::parse(&text, 2).err().unwrap().to_string();
        assert!(error.contains("has 2 shards"), "{error}");
        assert!(WorkerReports::parse("not json", 2).is_err());
    }
}
