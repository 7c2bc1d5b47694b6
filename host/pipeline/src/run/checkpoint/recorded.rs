//! The checkpoint as a wrapper of any sink: the pipeline writes through [`Recorded`], which takes
//! a positional sink's turn, writes, asks the sink how long it is, and records what the caller
//! says the write finished. The pipeline never sees turns or a file's offsets; a sink never sees
//! the checkpoint.

use super::{Checkpoint, SERVICE};
use omrun_model::Entity;
use omrun_sink::{Sink, SinkFailure};
use std::ops::Deref;
use std::sync::Arc;

/// A sink whose accepted writes are recorded in the run's checkpoint. What needs no recording
/// (listing stored tables, deleting stale ones, closing) goes straight to the sink (`Deref`).
pub struct Recorded {
    sink: Arc<dyn Sink>,
    checkpoint: Checkpoint,
}

/// Entities (kind as in `EntityKind::as_str`, FQN) a write finished.
pub type Finished = Vec<(&'static str, String)>;

impl Recorded {
    pub fn new(sink: Arc<dyn Sink>, checkpoint: Checkpoint) -> Self {
        Self { sink, checkpoint }
    }

    /// What earlier attempts finished, and how this one ends.
    pub fn checkpoint(&self) -> &Checkpoint {
        &self.checkpoint
    }

    /// Writes the service named `fqn`, unless a resumed run's file already has it (OpenMetadata
    /// is asked again: it may have lost it since).
    pub async fn write_service(&self, fqn: String) -> Option<SinkFailure> {
        let checkpoint = &self.checkpoint;
        if checkpoint.positional() && checkpoint.is_done(SERVICE, &fqn) {
            return None;
        }
        self.write_then_record(
            async { self.sink.write_service().await.into_iter().collect() },
            |_| vec![(SERVICE, fqn)],
        )
        .await
        .into_iter()
        .next()
    }

    /// Writes `entities` and records what `finished` makes of the sink's refusals: the caller
    /// knows which of its entities a write completes (a table written without some foreign keys
    /// is not finished yet).
    pub async fn write(
        &self,
        entities: &[Entity],
        finished: impl FnOnce(&[SinkFailure]) -> Finished,
    ) -> Vec<SinkFailure> {
        // Built before the turn (requests, hashes, bytes), in parallel with other writers: only
        // appending takes turns.
        let write = self.sink.stage(entities);
        self.write_then_record(write, finished).await
    }

    /// Records entities finished without a write (a table a partial round left as it is).
    pub async fn record(&self, finished: Finished) {
        if !finished.is_empty() {
            self.write_then_record(async { Vec::new() }, |_| finished)
                .await;
        }
    }

    /// A positional sink's bytes and the checkpoint's lines stay in the same order: the write
    /// and its line are taken in one turn (see the checkpoint's module comment).
    async fn write_then_record(
        &self,
        write: impl Future<Output = Vec<SinkFailure>>,
        finished: impl FnOnce(&[SinkFailure]) -> Finished,
    ) -> Vec<SinkFailure> {
        let _turn = self.checkpoint.turn().await;
        let refused = write.await;
        let clean = refused.is_empty();
        let done = finished(&refused);
        self.checkpoint
            .record(self.sink.flushed_len(), done, clean)
            .await;
        refused
    }
}

impl Deref for Recorded {
    type Target = dyn Sink;

    fn deref(&self) -> &Self::Target {
        &*self.sink
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::run::{Identity, Place};
    use async_trait::async_trait;
    use omrun_model::{Database, EntityKind};
    use std::sync::Mutex;

    /// A file-like sink: its length grows by one per entity, and it refuses the names given.
    #[derive(Default)]
    struct Counting {
        len: Mutex<u64>,
        refuse: Vec<String>,
    }

    #[async_trait]
    impl Sink for Counting {
        async fn write_service(&self) -> Option<SinkFailure> {
            *self.len.lock().unwrap() += 1;
            None
        }
        async fn write(&self, entities: &[Entity]) -> Vec<SinkFailure> {
            *self.len.lock().unwrap() += entities.len() as u64;
            let names = entities.iter().map(|e| e.to_ref().path.join("."));
            let refused = names.filter(|n| self.refuse.contains(n));
            refused
                .map(|fqn| SinkFailure {
                    fqn,
                    error: "refused".into(),
                })
                .collect()
        }
        async fn flushed_len(&self) -> anyhow::Result<Option<u64>> {
            Ok(Some(*self.len.lock().unwrap()))
        }
        async fn close(&self) -> anyhow::Result<()> {
            Ok(())
        }
    }

    fn database(name: &str) -> Entity {
        Entity::Database(Database {
            name: name.into(),
            description: None,
            source_url: None,
        })
    }

    fn open(dir: &std::path::Path, resume: bool, sink: Counting) -> Recorded {
        let place = Place {
            path: dir.join("cp.jsonl"),
            resume,
            explicit: true,
        };
        let identity = Identity {
            config: "/a.yaml".into(),
            service: "svc".into(),
            plugin: "p".into(),
            plugin_version: "0".into(),
            sink: "file /out.jsonl".into(),
        };
        let checkpoint = Checkpoint::open(&place, identity, true).unwrap();
        Recorded::new(Arc::new(sink), checkpoint)
    }

    #[tokio::test]
    async fn what_the_caller_finishes_is_recorded_with_the_sinks_length_and_a_refusal_stops_it() {
        let dir = tempfile::tempdir().unwrap();
        let sink = Counting {
            refuse: vec!["bad".into()],
            ..Default::default()
        };
        let first = open(dir.path(), false, sink);
        assert!(first.write_service("svc".into()).await.is_none());
        let kind = EntityKind::Database.as_str();
        // Two written, one of them not finished (as a table written without its keys).
        let refused = first
            .write(&[database("a"), database("b")], |refused| {
                assert!(refused.is_empty());
                vec![(kind, "svc.a".into())]
            })
            .await;
        assert!(refused.is_empty());
        // A batch the sink refused part of ends what a resume trusts, even what it finished.
        let refused = first
            .write(&[database("c"), database("bad")], |_| {
                vec![(kind, "svc.c".into())]
            })
            .await;
        assert_eq!(refused.len(), 1);
        first.record(vec![(kind, "svc.d".into())]).await;
        drop(first);

        let again = open(dir.path(), true, Counting::default());
        let checkpoint = again.checkpoint();
        assert!(checkpoint.is_done(SERVICE, "svc"));
        assert!(checkpoint.is_done(kind, "svc.a"));
        assert!(!checkpoint.is_done(kind, "svc.b"));
        assert!(!checkpoint.is_done(kind, "svc.c") && !checkpoint.is_done(kind, "svc.d"));
        // The service (1) and the first batch (2): the file is cut back to what was recorded.
        assert_eq!(checkpoint.sink_bytes(), Some(3));
    }
}
