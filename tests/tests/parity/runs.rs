//! Each tool's runs into an OpenMetadata stand-in of its own, and what the server held after each.
//!
//! One side is a tool's history on one server: its first run (the Create requests it sent),
//! its second run (after which it changes nothing more: its steady state), then a run of the
//! other tool on that steady state.

use std::collections::{BTreeMap, BTreeSet};

use omrun_tests::Workdir;
use omrun_tests::openmetadata::{Collection, Entity, StandIn};
use serde_json::Value;

pub const TOKEN: &str = "parity-jwt-5f0c1a";

/// What both tools write for a database service.
pub const COLLECTIONS: [Collection; 4] = [
    Collection::Databases,
    Collection::DatabaseSchemas,
    Collection::Tables,
    Collection::StoredProcedures,
];

/// An entity of a collection, by FQN.
pub type Key = (Collection, String);

/// What one run of a tool did.
pub struct RunResult {
    pub label: String,
    pub ok: bool,
    /// Its log, for a failure message.
    pub log: String,
}

/// A tool: runs once into the stand-in, `label` naming its files in the work directory.
pub type Tool<'a> = &'a dyn Fn(&StandIn, &Workdir, &str) -> RunResult;

/// A tool's history on one stand-in.
pub struct Side {
    /// The Create requests of its first run, the last one per entity (PostgreSQL's overloaded
    /// functions are sent once per overload under one name; the server keeps the last).
    pub first_requests: BTreeMap<Key, Value>,
    /// What the server held after its second run.
    pub steady: BTreeMap<Key, Entity>,
    /// The entities its own second run changed.
    pub changed_by_second_run: BTreeSet<Key>,
    /// The entities its first run sent twice in one bulk request (PostgreSQL's overloads, from
    /// OpenMetadata's client): the server writes each twice, so every run changes them.
    pub sent_twice: BTreeSet<Key>,
    /// What the server held after the other tool ran on that.
    pub after_other: BTreeMap<Key, Entity>,
    /// Every run, in order: first, second, the other tool's.
    pub runs: Vec<RunResult>,
    /// Calls the stand-in does not implement.
    pub unexpected: Vec<String>,
}

impl Side {
    /// `tool` twice into a fresh stand-in, then `other` once.
    pub fn run(tool: Tool, other: Tool, work: &Workdir) -> Side {
        let om = StandIn::start(TOKEN);
        let first = tool(&om, work, "first");
        let first_requests = requests(&om);
        let sent_twice = sent_twice(&om);
        let after_first = snapshot(&om);
        let second = tool(&om, work, "second");
        let steady = snapshot(&om);
        let other_run = other(&om, work, "other");
        let after_other = snapshot(&om);
        let unexpected = om
            .unexpected_requests()
            .iter()
            .map(|r| format!("{} {}", r.method, r.path))
            .collect();
        Side {
            first_requests,
            changed_by_second_run: changed(&after_first, &steady),
            sent_twice,
            steady,
            after_other,
            runs: vec![first, second, other_run],
            unexpected,
        }
    }
}

/// Every entity of the compared collections the server holds, deleted ones included.
fn snapshot(om: &StandIn) -> BTreeMap<Key, Entity> {
    COLLECTIONS
        .iter()
        .flat_map(|&c| {
            om.entities(c)
                .into_iter()
                .map(move |e| ((c, e.fqn.clone()), e))
        })
        .collect()
}

/// The Create requests sent so far, by the FQN of the entity each creates; the last one of an
/// FQN sent twice.
pub fn requests(om: &StandIn) -> BTreeMap<Key, Value> {
    let mut out = BTreeMap::new();
    for c in COLLECTIONS {
        let (_, parent_field) = c.parent().expect("a database entity has a parent");
        for r in om.create_requests(c) {
            let fqn = c.fqn(
                r[parent_field].as_str(),
                r["name"].as_str().unwrap_or_default(),
            );
            out.insert((c, fqn), r);
        }
    }
    out
}

/// The entities named twice in one bulk request so far.
fn sent_twice(om: &StandIn) -> BTreeSet<Key> {
    let mut out = BTreeSet::new();
    for c in COLLECTIONS {
        let (_, parent_field) = c.parent().expect("a database entity has a parent");
        let bulk = format!("/api/v1/{}/bulk", c.path());
        for r in om
            .requests()
            .iter()
            .filter(|r| r.method == "PUT" && r.path == bulk)
        {
            let body: Value = serde_json::from_str(&r.body).unwrap_or_default();
            let mut seen = BTreeSet::new();
            for item in body.as_array().into_iter().flatten() {
                let fqn = c.fqn(
                    item[parent_field].as_str(),
                    item["name"].as_str().unwrap_or_default(),
                );
                if !seen.insert(fqn.clone()) {
                    out.insert((c, fqn));
                }
            }
        }
    }
    out
}

/// The entities created, changed (a new version) or removed between two snapshots.
pub fn changed(before: &BTreeMap<Key, Entity>, after: &BTreeMap<Key, Entity>) -> BTreeSet<Key> {
    let keys: BTreeSet<&Key> = before.keys().chain(after.keys()).collect();
    keys.into_iter()
        .filter(|k| match (before.get(*k), after.get(*k)) {
            (Some(a), Some(b)) => a.version != b.version || a.deleted != b.deleted,
            _ => true,
        })
        .cloned()
        .collect()
}
