//! Discovery, a page at a time: each page's refs are checked and packed as they arrive, so a big
//! catalog is never held as one list — not by the plugin (contract 0.6.0 pages), not by the host.
//! A page that fails is asked for again (per `retryPolicy`, on a fresh instance if the old one
//! crashed) with the same cursor.

use super::held::hash64;
use super::refs::RefList;
use super::{CannotStart, Connector, Part, Run};
use anyhow::bail;
use omrun_model::EntityRef;
use omrun_runtime::plugin::next_cursor;
use std::collections::HashMap;

/// What discovery found, split by what it is for: the containers and data models, written first
/// (few), and the leaves (tables, stored procedures, dashboards…), the work (most of a big
/// catalog, packed; only this shard's in an Argo worker).
#[derive(Default)]
pub struct Found {
    pub prerequisites: Vec<EntityRef>,
    pub leaves: RefList,
}

/// Opens an instance and lists the entities. A refused `open` stops the run at once (the source
/// connection was checked before, so it is the config); a failed page is retried per
/// `retryPolicy`, with a fresh instance when the old one crashed.
pub async fn discover(run: &Run) -> anyhow::Result<(Box<dyn Connector>, Found)> {
    let mut instance = run.open_instance().await.map_err(|e| {
        CannotStart(format!(
            "plugin {} could not open the source: {e}",
            run.plugin.name()
        ))
    })?;
    let mut found = Found::default();
    let mut listed = Listed::default();
    let mut cursor: Option<String> = None;
    let mut attempt = 1;
    loop {
        match instance.discover_page(cursor.as_deref()).await {
            Ok(page) => {
                for r in page.refs {
                    if let Some(fqn) = listed.check(run, &r, &found) {
                        found.add(run, r, &fqn);
                    }
                }
                match next_cursor(cursor.as_deref(), page.next) {
                    Ok(Some(next)) => cursor = Some(next),
                    Ok(None) => break,
                    Err(e) => bail!("discovery failed: {e}"),
                }
                attempt = 1;
            }
            Err(e) if attempt < run.retry.max_attempts => {
                let delay = run.retry.backoff(attempt + 1);
                tracing::warn!(
                    "Discovery failed ({e}); retrying in {:.1} s",
                    delay.as_secs_f64()
                );
                run.tally.retried(1);
                tokio::time::sleep(delay).await;
                attempt += 1;
                if !instance.is_usable() {
                    instance = run.open_instance().await?;
                }
            }
            Err(e) => bail!("discovery failed after {attempt} attempt(s): {e}"),
        }
    }
    Ok((fresh_if_grown(run, instance).await, found))
}

impl Found {
    /// Keeps a checked ref: a leaf only if this part of the run processes it (an Argo worker keeps
    /// its shard's), every prerequisite (their parents are written or assumed by every part).
    fn add(&mut self, run: &Run, r: EntityRef, fqn: &str) {
        if r.kind.is_prerequisite() {
            self.prerequisites.push(r);
        } else if match &run.part {
            Part::Leaves(shard) => shard.contains(fqn),
            _ => true,
        } {
            self.leaves.push(r);
        }
    }

    /// The first kept ref of `r`'s kind stored as `fqn`, for a message.
    fn first_named(&self, run: &Run, r: &EntityRef, fqn: &str) -> Option<EntityRef> {
        let mut kept = self.prerequisites.iter().cloned().chain(self.leaves.iter());
        kept.find(|v| v.kind == r.kind && run.fqn(v) == fqn)
    }
}

/// An instance's memory larger than this after discovery is given back (see `fresh_if_grown`).
const GROWN: usize = 64 << 20;

/// The instance that listed a big catalog, replaced by a fresh one: its linear memory grew to hold
/// the list (a plugin of a contract before 0.6.0 lists it whole; one that pages may still keep
/// it), and a WebAssembly memory never shrinks, so it would hold that much for the whole run.
/// Kept if no other can be opened.
async fn fresh_if_grown(run: &Run, instance: Box<dyn Connector>) -> Box<dyn Connector> {
    let grown = instance.memory_bytes();
    if grown <= GROWN {
        return instance;
    }
    match run.open_instance().await {
        Ok(fresh) => {
            tracing::debug!(
                "The discovering instance grew to {} MiB: replaced by a fresh one",
                grown >> 20
            );
            fresh
        }
        Err(e) => {
            tracing::debug!("Cannot open a fresh instance after discovery ({e}): keeping it");
            instance
        }
    }
}

/// The names discovery has kept so far, as hashes: (kind, FQN) → the path it came from. Hashes,
/// not refs: a million refs held once more would double what discovery costs in memory. 64 bits
/// each (16 bytes an entry, against 32 for 128-bit ones): two of a million names collide with a
/// chance of about 3 in 10⁸, and a collision fails the second ref, named, rather than lose it.
#[derive(Default)]
struct Listed(HashMap<u64, u64>);

impl Listed {
    /// `r`'s FQN if it is to be kept. Drops a ref listed twice and fails, reporting each: a ref whose path
    /// does not fit its kind (a plugin bug), a name that is not UTF-8, and the second of two refs
    /// whose names OpenMetadata stores alike (it replaces `::`, `>`, quotes, tabs and newlines
    /// inside names: `a::b` and `a__reserved__colon__b` become one FQN), rather than let it
    /// overwrite the first.
    fn check(&mut self, run: &Run, r: &EntityRef, found: &Found) -> Option<String> {
        let fqn = run.fqn(r);
        let name = hash64((r.kind, &fqn));
        let shown = || r.path.join(".");
        let why = match self.0.get(&name) {
            Some(path) if *path == hash64(&r.path) => return None,
            Some(_) => {
                // Rare (names that differ only in what OpenMetadata replaces): name the first.
                let first = found.first_named(run, r, &fqn);
                let first = first.map_or("one listed before".into(), |v| {
                    format!("{:?}", v.path.join("."))
                });
                format!(
                    "the {} {:?} would be stored under the same name as {first} \
                     (OpenMetadata replaces `::`, `>`, quotes, tabs and newlines in names): \
                     only the first is written",
                    r.kind.as_str(),
                    shown(),
                )
            }
            None if r
                .path
                .iter()
                .any(|part| part.contains(char::REPLACEMENT_CHARACTER)) =>
            {
                format!(
                    "the {} name {:?} is not valid UTF-8 (the bytes that are not are shown as \
                     U+FFFD); OpenMetadata stores UTF-8 names only",
                    r.kind.as_str(),
                    shown()
                )
            }
            None if r.path.len() != r.kind.path_len() || r.path.iter().any(String::is_empty) => {
                format!(
                    "plugin discovered an invalid {} reference {:?}",
                    r.kind.as_str(),
                    r.path
                )
            }
            None => {
                self.0.insert(name, hash64(&r.path));
                return Some(fqn);
            }
        };
        run.fail_owned(r, &why, 1);
        None
    }
}
