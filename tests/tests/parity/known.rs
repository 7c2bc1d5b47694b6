//! The differences from OpenMetadata's own ingestion that omrun keeps on purpose: where
//! OpenMetadata's connector writes what the catalog contradicts, omrun writes the catalog's
//! value. Each is listed with its evidence (and in docs/connectors.md's parity table); the test
//! fails on any difference not listed here, and on a listed one that no longer occurs.

use std::collections::BTreeSet;

use omrun_tests::openmetadata::Collection;

use crate::diff::FieldDiff;
use crate::runs::Key;

/// Where a difference shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// In the Create requests (and so in what the servers hold).
    Both,
    /// Only in what the servers hold: foreign keys, which the requests comparison leaves out.
    Stored,
}

/// A documented difference: the entity (its FQN without service and database, `""` for the
/// database itself) and the start of the field's path.
pub struct Known {
    pub stage: Stage,
    pub collection: Collection,
    pub entity: &'static str,
    pub path: &'static str,
    pub why: &'static str,
}

/// A difference found: the entity and the field.
pub type Found = (Key, FieldDiff);

/// Checks `found` against the documented differences of `stage`: every difference must be
/// documented (an entity's `sourceHash` may differ where another of its fields does: the hash
/// covers them), and every documented one must occur. `fqn` turns a `Known::entity` into an FQN.
/// Returns the report of what is wrong, if anything.
pub fn check(
    found: &[Found],
    known: &[Known],
    requests: bool,
    fqn: &dyn Fn(&str) -> String,
) -> Result<(), String> {
    let applies = |k: &Known| !requests || k.stage == Stage::Both;
    let matches = |k: &Known, (key, d): &Found| {
        key.0 == k.collection && key.1 == fqn(k.entity) && d.path.starts_with(k.path)
    };
    let explained: BTreeSet<&Key> = found
        .iter()
        .filter(|f| known.iter().any(|k| applies(k) && matches(k, f)))
        .map(|(key, _)| key)
        .collect();
    let unexplained: Vec<String> = found
        .iter()
        .filter(|f| !known.iter().any(|k| applies(k) && matches(k, f)))
        .filter(|(key, d)| !(d.path == "sourceHash" && explained.contains(key)))
        .map(|(key, d)| format!("  {} {}\n      {d}", key.0.entity_type(), key.1))
        .collect();
    let gone: Vec<String> = known
        .iter()
        .filter(|k| applies(k) && !found.iter().any(|f| matches(k, f)))
        .map(|k| {
            format!(
                "  {} {} {}: {}",
                k.collection.entity_type(),
                fqn(k.entity),
                k.path,
                k.why
            )
        })
        .collect();
    if unexplained.is_empty() && gone.is_empty() {
        return Ok(());
    }
    let mut report = String::new();
    if !unexplained.is_empty() {
        report.push_str(&format!(
            "{} difference(s) from OpenMetadata's own ingestion:\n{}\n",
            unexplained.len(),
            unexplained.join("\n")
        ));
    }
    if !gone.is_empty() {
        report.push_str(&format!(
            "documented difference(s) that no longer occur (update tests/tests/parity/known.rs and \
             docs/connectors.md):\n{}\n",
            gone.join("\n")
        ));
    }
    Err(report)
}
