//! Sharding for Argo mode: each worker pod re-lists the source and keeps the entities whose FQN
//! hashes into its shard, so no entity list ever travels through Argo (its parameters are cut at
//! 256 KiB). The hash must be the same in every pod and every omrun version that shares a
//! Workflow: SHA-256, never the standard library's randomly seeded hasher.

use sha2::{Digest, Sha256};
use std::fmt;
use std::str::FromStr;
use std::sync::Mutex;

/// Shard `index` of `count`, written `index/count` (0-based).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: u32,
    pub count: u32,
}

impl Shard {
    /// The shard of `count` that `fqn` falls in.
    pub fn index_of(fqn: &str, count: u32) -> u32 {
        let digest = Sha256::digest(fqn.as_bytes());
        let head = u64::from_be_bytes(digest[..8].try_into().expect("8 bytes"));
        (head % u64::from(count.max(1))) as u32
    }

    pub fn contains(&self, fqn: &str) -> bool {
        Self::index_of(fqn, self.count) == self.index
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl FromStr for Shard {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || {
            format!("`{s}` is not a shard: expected INDEX/COUNT with 0 <= INDEX < COUNT, e.g. 0/8")
        };
        let (index, count) = s.split_once('/').ok_or_else(bad)?;
        let (index, count) = (
            index.trim().parse::<u32>().map_err(|_| bad())?,
            count.trim().parse::<u32>().map_err(|_| bad())?,
        );
        if count == 0 || index >= count {
            return Err(bad());
        }
        Ok(Self { index, count })
    }
}

/// How many leaves fall in each shard, counted by the discover pod for its shard descriptors.
#[derive(Debug)]
pub struct ShardCounts(Mutex<Vec<usize>>);

impl ShardCounts {
    pub fn new(shards: u32) -> Self {
        Self(Mutex::new(vec![0; shards.max(1) as usize]))
    }

    pub fn count(&self, fqns: impl IntoIterator<Item = impl AsRef<str>>) {
        let mut counts = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let shards = counts.len() as u32;
        for fqn in fqns {
            counts[Shard::index_of(fqn.as_ref(), shards) as usize] += 1;
        }
    }

    /// `[{"shard": "0/8", "entities": 1250}, …]`: what `withParam` fans out over.
    pub fn descriptors(&self) -> serde_json::Value {
        let counts = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let shards = counts.len();
        counts
            .iter()
            .enumerate()
            .map(|(index, entities)| {
                serde_json::json!({"shard": format!("{index}/{shards}"), "entities": entities})
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shard_sizes(descriptors: &serde_json::Value) -> Vec<u64> {
        let descriptors = descriptors.as_array().expect("a list");
        descriptors
            .iter()
            .map(|d| d["entities"].as_u64().unwrap())
            .collect()
    }

    #[test]
    fn parses_and_prints_shards() {
        let shard: Shard = "3/8".parse().unwrap();
        assert_eq!(shard, Shard { index: 3, count: 8 });
        assert_eq!(shard.to_string(), "3/8");
        for bad in ["8/8", "1/0", "x/2", "3", "-1/4"] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
    }

    #[test]
    fn every_fqn_is_in_exactly_one_shard_and_shards_are_even() {
        let fqns: Vec<String> = (0..10_000)
            .map(|i| format!("svc.db.schema.table_{i}"))
            .collect();
        let counts = ShardCounts::new(8);
        counts.count(&fqns);
        for fqn in &fqns {
            let owners = (0..8)
                .filter(|&index| Shard { index, count: 8 }.contains(fqn))
                .count();
            assert_eq!(owners, 1, "{fqn}");
        }
        let sizes = shard_sizes(&counts.descriptors());
        assert_eq!(sizes.iter().sum::<u64>(), 10_000);
        assert!(
            sizes.iter().all(|&n| (1_000..1_500).contains(&n)),
            "{sizes:?}"
        );
    }

    #[test]
    fn a_hundred_thousand_entities_make_a_small_shard_list_with_fair_shares() {
        // Argo cuts output parameters at 256 KiB: what discover emits depends on the shard count
        // only, never on the number of entities.
        let counts = ShardCounts::new(200);
        counts.count((0..100_000).map(|i| format!("warehouse.db{}.schema{}.t_{i}", i % 7, i % 31)));
        let descriptors = counts.descriptors();
        let bytes = serde_json::to_string(&descriptors).unwrap().len();
        assert!(bytes < 100 * 1024, "{bytes} bytes");
        let sizes = shard_sizes(&descriptors);
        assert_eq!(sizes.iter().sum::<u64>(), 100_000);
        // 500 per shard on average; a fair hash keeps every shard within ±25 %.
        assert!(sizes.iter().all(|&n| (375..=625).contains(&n)), "{sizes:?}");
    }

    #[test]
    fn the_hash_is_stable_across_processes_and_versions() {
        // Pods of one Workflow may run different omrun builds; the assignment must never change
        // (the expected value is computed independently: Python hashlib, first 8 bytes big-endian).
        assert_eq!(Shard::index_of("svc.db.public.orders", 1_000_003), 526_208);
    }
}
