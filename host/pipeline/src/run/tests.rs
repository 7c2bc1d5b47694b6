//! The pipeline against a source and a sink in memory: no WebAssembly, no database, no file. What
//! the end-to-end tests show with real plugins, here in milliseconds and with faults placed
//! exactly: parents before children, retries, a crashing entity isolated, failures named, stale
//! entities marked deleted only when nothing in their scope failed.

use super::*;
use omrun_model::{Column, Database, DatabaseSchema};
use omrun_runtime::plugin::{Page, Refused};
use omrun_sink::{Sink, SinkFailure, StaleScope};
use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};

/// How the fake answers for one table.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Answer {
    Describe,
    /// Fails this many times (a transient error), then describes.
    FailTimes(u32),
    /// Always fails, with the plugin's own error.
    Fail,
    /// Crashes the instance whenever it is in a batch (a trap).
    Crash,
}

/// A catalog of one database and schema; each table answers as its `Answer` says.
struct FakeSource {
    tables: BTreeMap<String, Answer>,
    /// Calls of `process` per table, every attempt counted.
    calls: Mutex<BTreeMap<String, u32>>,
    instances: AtomicU32,
    /// How many times a page after the first crashes its instance.
    page_crashes: AtomicU32,
}

impl FakeSource {
    fn new(tables: &[(&str, Answer)]) -> Arc<Self> {
        Arc::new(Self {
            tables: tables
                .iter()
                .map(|(name, answer)| (name.to_string(), *answer))
                .collect(),
            calls: Mutex::default(),
            instances: AtomicU32::new(0),
            page_crashes: AtomicU32::new(0),
        })
    }
}

const DB: &str = "db";
const SCHEMA: &str = "public";

fn table(name: &str) -> Table {
    Table {
        database: DB.into(),
        schema: SCHEMA.into(),
        name: name.into(),
        table_type: "Regular",
        columns: vec![Column {
            name: "id".into(),
            data_type: "INT",
            data_type_display: "integer".into(),
            array_data_type: None,
            data_length: None,
            precision: None,
            scale: None,
            nullable: false,
            ordinal_position: 1,
            description: None,
            children: Vec::new(),
            tags: Vec::new(),
        }],
        ..Table::default()
    }
}

struct FakeInstance {
    source: Arc<FakeSource>,
    crashed: bool,
}

#[async_trait::async_trait]
impl Source for Arc<FakeSource> {
    fn name(&self) -> &str {
        "fake"
    }

    fn world(&self) -> World {
        World::Discoverable
    }

    async fn instantiate(&self) -> Result<Box<dyn Connector>, CallError> {
        self.instances.fetch_add(1, Ordering::SeqCst);
        Ok(Box::new(FakeInstance {
            source: self.clone(),
            crashed: false,
        }))
    }
}

#[async_trait::async_trait]
impl Connector for FakeInstance {
    fn is_usable(&self) -> bool {
        !self.crashed
    }

    async fn open(&mut self, _: &SourceConfig) -> Result<(), CallError> {
        Ok(())
    }

    /// Pages of `PAGE` refs, the cursor being where the next begins: a fresh instance resumes
    /// from any cursor, as the contract asks.
    async fn discover_page(&mut self, cursor: Option<&str>) -> Result<Page, CallError> {
        const PAGE: usize = 2;
        let from: usize = cursor.map_or(0, |c| c.parse().unwrap());
        if from > 0 && self.source.page_crashes.load(Ordering::SeqCst) > 0 {
            self.source.page_crashes.fetch_sub(1, Ordering::SeqCst);
            self.crashed = true;
            return Err(CallError::Crashed("a page that traps".into()));
        }
        let mut refs = vec![
            EntityRef::new(EntityKind::Database, vec![DB.into()]),
            EntityRef::new(EntityKind::DatabaseSchema, vec![DB.into(), SCHEMA.into()]),
        ];
        refs.extend(self.source.tables.keys().map(|name| {
            EntityRef::new(
                EntityKind::Table,
                vec![DB.into(), SCHEMA.into(), name.clone()],
            )
        }));
        let to = (from + PAGE).min(refs.len());
        Ok(Page {
            next: (to < refs.len()).then(|| to.to_string()),
            refs: refs.drain(from..to).collect(),
        })
    }

    async fn process(
        &mut self,
        batch: &[EntityRef],
    ) -> Result<Vec<Result<Vec<Entity>, String>>, CallError> {
        let mut results = Vec::new();
        for r in batch {
            let name = r.path.last().unwrap().clone();
            let entity = match r.kind {
                EntityKind::Database => Entity::Database(Database {
                    name,
                    description: None,
                    source_url: None,
                }),
                EntityKind::DatabaseSchema => Entity::DatabaseSchema(DatabaseSchema {
                    database: DB.into(),
                    name,
                    description: None,
                    source_url: None,
                    tags: Vec::new(),
                }),
                _ => {
                    let call = {
                        let mut calls = self.source.calls.lock().unwrap();
                        let count = calls.entry(name.clone()).or_default();
                        *count += 1;
                        *count
                    };
                    match self.source.tables[&name] {
                        Answer::Crash => {
                            self.crashed = true;
                            return Err(CallError::Crashed(format!("{name} trapped")));
                        }
                        Answer::Fail => {
                            results.push(Err(format!("{name} cannot be described")));
                            continue;
                        }
                        Answer::FailTimes(n) if call <= n => {
                            results.push(Err(format!("{name}: try again")));
                            continue;
                        }
                        _ => Entity::Table(table(&name)),
                    }
                }
            };
            results.push(Ok(vec![entity]));
        }
        Ok(results)
    }

    async fn next_batch(&mut self) -> Result<Option<Vec<Result<Entity, Refused>>>, CallError> {
        Err(CallError::Plugin("a discoverable fake".into()))
    }
}

/// What a sink was given, in order.
#[derive(Default)]
struct MemorySink {
    written: Mutex<Vec<String>>,
    stale: Mutex<Vec<StaleScope>>,
}

#[async_trait::async_trait]
impl Sink for MemorySink {
    async fn write_service(&self) -> Option<SinkFailure> {
        self.written.lock().unwrap().push("service".into());
        None
    }

    async fn write(&self, entities: &[Entity]) -> Vec<SinkFailure> {
        let names = Names::new("svc");
        let mut written = self.written.lock().unwrap();
        written.extend(entities.iter().map(|e| names.of(&e.to_ref())));
        Vec::new()
    }

    fn deletes_stale(&self) -> bool {
        true
    }

    async fn delete_stale(&self, scopes: Vec<StaleScope>) -> Vec<SinkFailure> {
        self.stale.lock().unwrap().extend(scopes);
        Vec::new()
    }

    async fn close(&self) -> anyhow::Result<()> {
        Ok(())
    }
}

fn run(source: &Arc<FakeSource>, sink: &Arc<MemorySink>, max_attempts: u32) -> Arc<Run> {
    run_with(source, sink, max_attempts, Checkpoint::none())
}

fn run_with(
    source: &Arc<FakeSource>,
    sink: &Arc<MemorySink>,
    max_attempts: u32,
    checkpoint: Checkpoint,
) -> Arc<Run> {
    run_of(Arc::new(source.clone()), sink, max_attempts, checkpoint)
}

fn run_of(
    plugin: Arc<dyn Source>,
    sink: &Arc<MemorySink>,
    max_attempts: u32,
    checkpoint: Checkpoint,
) -> Arc<Run> {
    Arc::new(Run {
        plugin,
        source: SourceConfig {
            service_name: "svc".into(),
            service_connection: serde_json::json!({}),
            secrets: Vec::new(),
            source_config: serde_json::json!({}),
        },
        sink: Recorded::new(sink.clone(), checkpoint),
        names: Names::new("svc"),
        retry: RetryPolicy {
            max_attempts,
            backoff_seconds: 0.0,
            backoff_factor: 1.0,
            max_backoff_seconds: 0.0,
        },
        batch_size: Some(4),
        mark_deleted: MarkDeleted::from_source_config(&serde_json::json!({})),
        allow_empty: false,
        part: Part::All,
        keys: ForeignKeys::default(),
        tally: Default::default(),
    })
}

fn names(prefix: &str, n: usize) -> Vec<String> {
    (0..n).map(|i| format!("{prefix}{i:02}")).collect()
}

fn fqn(table: &str) -> String {
    format!("svc.{DB}.{SCHEMA}.{table}")
}

#[tokio::test]
async fn every_table_once_after_its_parents_with_any_number_of_workers() {
    for workers in [1, 3] {
        let tables = names("t", 10);
        let answers: Vec<(&str, Answer)> = tables
            .iter()
            .map(|t| (t.as_str(), Answer::Describe))
            .collect();
        let source = FakeSource::new(&answers);
        let sink = Arc::new(MemorySink::default());
        let run = run(&source, &sink, 3);
        drive(run.clone(), workers).await.unwrap();

        let written = sink.written.lock().unwrap().clone();
        assert_eq!(
            written[..3],
            ["service", "svc.db", "svc.db.public"],
            "{written:?}"
        );
        let mut leaves: Vec<String> = written[3..].to_vec();
        leaves.sort();
        assert_eq!(leaves, tables.iter().map(|t| fqn(t)).collect::<Vec<_>>());
        let report = run.tally.finish("local", workers, "fake");
        assert_eq!((report.found, report.processed, report.failed), (10, 10, 0));
    }
}

#[tokio::test]
async fn a_discovery_page_that_crashes_is_asked_again_from_its_cursor_on_a_fresh_instance() {
    let tables = names("t", 9);
    let answers: Vec<(&str, Answer)> = tables
        .iter()
        .map(|t| (t.as_str(), Answer::Describe))
        .collect();
    let source = FakeSource::new(&answers);
    // The second page traps twice; asked for again with its cursor, on fresh instances, it is
    // answered at the third attempt.
    source.page_crashes.store(2, Ordering::SeqCst);
    let sink = Arc::new(MemorySink::default());
    let run = run(&source, &sink, 3);
    drive(run.clone(), 2).await.unwrap();

    let mut leaves: Vec<String> = sink.written.lock().unwrap()[3..].to_vec();
    leaves.sort();
    assert_eq!(leaves, tables.iter().map(|t| fqn(t)).collect::<Vec<_>>());
    let report = run.tally.finish("local", 2, "fake");
    assert_eq!((report.found, report.processed, report.failed), (9, 9, 0));
    assert_eq!(source.page_crashes.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn a_transient_failure_is_retried_and_a_lasting_one_named_after_its_attempts() {
    let source = FakeSource::new(&[
        ("flaky", Answer::FailTimes(2)),
        ("broken", Answer::Fail),
        ("fine", Answer::Describe),
    ]);
    let sink = Arc::new(MemorySink::default());
    let run = run(&source, &sink, 3);
    drive(run.clone(), 2).await.unwrap();

    let written = sink.written.lock().unwrap().clone();
    assert!(written.contains(&fqn("flaky")) && written.contains(&fqn("fine")));
    assert!(!written.contains(&fqn("broken")), "{written:?}");
    let calls = source.calls.lock().unwrap().clone();
    assert_eq!((calls["flaky"], calls["broken"], calls["fine"]), (3, 3, 1));
    let report = run.tally.finish("local", 2, "fake");
    assert_eq!((report.processed, report.failed), (2, 1));
    let failure = &report.failures[0];
    assert_eq!(failure.fqn, fqn("broken"));
    assert_eq!(failure.attempts, 3);
    assert!(
        failure.error.contains("broken cannot be described"),
        "{failure:?}"
    );
}

#[tokio::test]
async fn a_table_that_crashes_its_instance_fails_alone() {
    let tables = names("t", 7);
    let mut answers: Vec<(&str, Answer)> = tables
        .iter()
        .map(|t| (t.as_str(), Answer::Describe))
        .collect();
    answers.push(("trap", Answer::Crash));
    let source = FakeSource::new(&answers);
    let sink = Arc::new(MemorySink::default());
    let run = run(&source, &sink, 2);
    drive(run.clone(), 1).await.unwrap();

    let written = sink.written.lock().unwrap().clone();
    for t in &tables {
        assert!(written.contains(&fqn(t)), "{t} missing from {written:?}");
    }
    let report = run.tally.finish("sequential", 1, "fake");
    assert_eq!((report.processed, report.failed), (7, 1));
    assert_eq!(report.failures[0].fqn, fqn("trap"));
    assert!(report.failures[0].error.contains("trap trapped"));
    // The crashed instance is never called again: the work after the crash took a fresh one.
    assert!(source.instances.load(Ordering::SeqCst) >= 2);
}

#[tokio::test]
async fn stale_tables_are_marked_deleted_only_where_nothing_failed() {
    let clean = FakeSource::new(&[("a", Answer::Describe), ("b", Answer::Describe)]);
    let sink = Arc::new(MemorySink::default());
    drive(run(&clean, &sink, 1), 1).await.unwrap();
    // Stored procedures are swept too (OpenMetadata's default), here with none seen.
    let stale: Vec<StaleScope> = sink.stale.lock().unwrap().clone();
    assert!(
        stale
            .iter()
            .any(|s| s.kind == EntityKind::StoredProcedure && s.seen.is_empty()),
        "{stale:?}"
    );
    let stale: Vec<StaleScope> = stale
        .into_iter()
        .filter(|s| s.kind == EntityKind::Table)
        .collect();
    assert_eq!(stale.len(), 1, "{stale:?}");
    assert_eq!(stale[0].scope_fqn, "svc.db.public");
    let mut seen = stale[0].seen.clone();
    seen.sort();
    assert_eq!(seen, [fqn("a"), fqn("b")]);

    let failing = FakeSource::new(&[("a", Answer::Describe), ("b", Answer::Fail)]);
    let sink = Arc::new(MemorySink::default());
    drive(run(&failing, &sink, 1), 1).await.unwrap();
    assert!(
        sink.stale
            .lock()
            .unwrap()
            .iter()
            .all(|s| s.kind != EntityKind::Table),
        "a schema with a failed table is not swept"
    );
}

#[tokio::test]
async fn a_resumed_run_processes_only_what_the_interrupted_one_did_not_finish() {
    let dir = tempfile::tempdir().unwrap();
    let place = |resume| Place {
        path: dir.path().join("checkpoint.jsonl"),
        resume,
        explicit: true,
    };
    let identity = || Identity {
        config: "/config.yaml".into(),
        service: "svc".into(),
        plugin: "fake".into(),
        plugin_version: "0".into(),
        sink: "memory".into(),
    };
    let tables = names("t", 6);
    let mut answers: Vec<(&str, Answer)> = tables
        .iter()
        .map(|t| (t.as_str(), Answer::Describe))
        .collect();
    answers.push(("late", Answer::Fail));

    // The first run: every table but `late`, which fails; the checkpoint stays.
    let first_source = FakeSource::new(&answers);
    let sink = Arc::new(MemorySink::default());
    let checkpoint = Checkpoint::open(&place(false), identity(), false).unwrap();
    let first = run_with(&first_source, &sink, 1, checkpoint);
    drive(first.clone(), 2).await.unwrap();
    first.sink.checkpoint().finish(false, "resume");
    assert_eq!(first.tally.finish("local", 2, "fake").failed, 1);

    // The source is fixed; the resumed run describes `late` only.
    answers.last_mut().unwrap().1 = Answer::Describe;
    let second_source = FakeSource::new(&answers);
    let sink = Arc::new(MemorySink::default());
    let checkpoint = Checkpoint::open(&place(true), identity(), false).unwrap();
    assert!(checkpoint.resuming());
    let second = run_with(&second_source, &sink, 1, checkpoint);
    drive(second.clone(), 2).await.unwrap();
    let calls = second_source.calls.lock().unwrap().clone();
    assert_eq!(calls.keys().collect::<Vec<_>>(), ["late"], "{calls:?}");
    let report = second.tally.finish("local", 2, "fake");
    assert_eq!((report.resumed, report.processed, report.failed), (6, 1, 0));
    let written = sink.written.lock().unwrap().clone();
    assert!(written.contains(&fqn("late")), "{written:?}");
    assert!(!written.contains(&fqn("t00")), "{written:?}");
}

/// A `source` plugin streaming one batch: tables `a` and `c`, and between them one the host
/// refused (its columns were not a tree).
struct StreamingFake;

#[async_trait::async_trait]
impl Source for StreamingFake {
    fn name(&self) -> &str {
        "streaming fake"
    }

    fn world(&self) -> World {
        World::Sequential
    }

    async fn instantiate(&self) -> Result<Box<dyn Connector>, CallError> {
        Ok(Box::new(StreamingInstance { done: false }))
    }
}

struct StreamingInstance {
    done: bool,
}

#[async_trait::async_trait]
impl Connector for StreamingInstance {
    fn is_usable(&self) -> bool {
        true
    }

    async fn open(&mut self, _: &SourceConfig) -> Result<(), CallError> {
        Ok(())
    }

    async fn discover_page(&mut self, _: Option<&str>) -> Result<Page, CallError> {
        Err(CallError::Plugin("a streaming fake".into()))
    }

    async fn process(
        &mut self,
        _: &[EntityRef],
    ) -> Result<Vec<Result<Vec<Entity>, String>>, CallError> {
        Err(CallError::Plugin("a streaming fake".into()))
    }

    async fn next_batch(&mut self) -> Result<Option<Vec<Result<Entity, Refused>>>, CallError> {
        if std::mem::replace(&mut self.done, true) {
            return Ok(None);
        }
        let refused = Refused {
            entity: EntityRef::new(
                EntityKind::Table,
                vec![DB.into(), SCHEMA.into(), "b".into()],
            ),
            why: "column `x` (index 0) names parent index 3".into(),
        };
        Ok(Some(vec![
            Ok(Entity::Table(table("a"))),
            Err(refused),
            Ok(Entity::Table(table("c"))),
        ]))
    }
}

#[tokio::test]
async fn a_streamed_entity_the_host_refused_fails_alone_and_is_not_marked_deleted() {
    let sink = Arc::new(MemorySink::default());
    let run = run_of(Arc::new(StreamingFake), &sink, 3, Checkpoint::none());
    drive(run.clone(), 1).await.unwrap();

    let written = sink.written.lock().unwrap().clone();
    assert!(
        written.contains(&fqn("a")) && written.contains(&fqn("c")),
        "{written:?}"
    );
    assert!(!written.contains(&fqn("b")), "{written:?}");
    let report = run.tally.finish("sequential", 1, "streaming fake");
    assert_eq!((report.found, report.failed), (3, 1));
    assert_eq!(report.failures[0].fqn, fqn("b"));
    assert!(report.failures[0].error.contains("names parent index 3"));
    // A failure in the schema: nothing in it is marked deleted.
    assert!(
        sink.stale
            .lock()
            .unwrap()
            .iter()
            .all(|s| s.kind != EntityKind::Table)
    );
}
