//! The tables a run knows to be held (it wrote them, or the destination listed them), as much as
//! foreign keys need: each one's column names and unique columns. A key may name any table
//! written before it, so every one is remembered; kept in memory, the column names of a million
//! 20-column tables would take most of a gigabyte. So the records go to an unlinked temporary file
//! (the kernel's page cache keeps the recent ones at hand, outside the process's memory) and
//! memory keeps an index only: 128 bits of hash of the FQN → where its record is, about 40 bytes a
//! table.

use std::collections::HashMap;
use std::fs::File;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::Write;
use std::os::unix::fs::FileExt;

/// A held table, as keys need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Known {
    pub columns: Vec<String>,
    pub unique: Vec<String>,
}

/// Records are written to the file in pieces of about this size.
const FLUSH_AT: usize = 1 << 20;

pub struct HeldTables {
    /// FQN hash → (offset, length) of the table's record.
    index: HashMap<u128, (u64, u32)>,
    /// Records not in the file yet; they start at offset `flushed`.
    pending: Vec<u8>,
    flushed: u64,
    /// None when no temporary file could be made: then every record stays in `pending`.
    file: Option<File>,
}

impl Default for HeldTables {
    fn default() -> Self {
        let file = tempfile::tempfile()
            .inspect_err(|e| {
                tracing::warn!(
                    "cannot make a temporary file ({e}); the columns of the tables written are \
                     kept in memory"
                )
            })
            .ok();
        Self {
            index: HashMap::new(),
            pending: Vec::new(),
            flushed: 0,
            file,
        }
    }
}

impl HeldTables {
    /// Records `fqn` as held with these columns, replacing what was known of it.
    pub fn insert(&mut self, fqn: &str, columns: &[String], unique: &[String]) {
        let offset = self.flushed + self.pending.len() as u64;
        encode(&mut self.pending, columns);
        encode(&mut self.pending, unique);
        let length = (self.flushed + self.pending.len() as u64 - offset) as u32;
        self.index.insert(hash128(fqn), (offset, length));
        if self.pending.len() >= FLUSH_AT {
            self.flush();
        }
    }

    /// Records `fqn` unless it is known already (what this run wrote is newer than a listing).
    pub fn insert_if_absent(&mut self, fqn: &str, columns: &[String], unique: &[String]) {
        if !self.contains(fqn) {
            self.insert(fqn, columns, unique);
        }
    }

    pub fn contains(&self, fqn: &str) -> bool {
        self.index.contains_key(&hash128(fqn))
    }

    /// What is known of `fqn`, if it is held.
    pub fn get(&self, fqn: &str) -> Option<Known> {
        let &(offset, length) = self.index.get(&hash128(fqn))?;
        let mut record = vec![0; length as usize];
        if offset >= self.flushed {
            let start = (offset - self.flushed) as usize;
            record.copy_from_slice(&self.pending[start..start + length as usize]);
        } else {
            let file = self.file.as_ref().expect("flushed records are in the file");
            file.read_exact_at(&mut record, offset)
                .unwrap_or_else(|e| panic!("cannot read the temporary file of held tables: {e}"));
        }
        let mut rest = record.as_slice();
        let columns = decode(&mut rest);
        let unique = decode(&mut rest);
        Some(Known { columns, unique })
    }

    fn flush(&mut self) {
        let Some(file) = &mut self.file else {
            return;
        };
        // Appended at `flushed`: the file is written only here, in order.
        match file.write_all(&self.pending) {
            Ok(()) => {
                self.flushed += self.pending.len() as u64;
                self.pending.clear();
            }
            Err(e) => {
                tracing::warn!(
                    "cannot write the temporary file of held tables ({e}); the columns of the \
                     tables written next are kept in memory"
                );
                // What is pending stays in memory, at the offsets the index has.
                self.file = None;
            }
        }
    }
}

/// 128 bits of two fixed-key SipHashes, standing in for a name where keeping the name would
/// cost too much: a collision among a billion names is about 1 in 10^20.
pub(super) fn hash128(value: impl Hash) -> u128 {
    let half = |salt: u8| {
        let mut hasher = DefaultHasher::new();
        salt.hash(&mut hasher);
        value.hash(&mut hasher);
        hasher.finish()
    };
    (u128::from(half(0)) << 64) | u128::from(half(1))
}

fn encode(out: &mut Vec<u8>, names: &[String]) {
    out.extend_from_slice(&(names.len() as u32).to_le_bytes());
    for name in names {
        out.extend_from_slice(&(name.len() as u32).to_le_bytes());
        out.extend_from_slice(name.as_bytes());
    }
}

fn decode(input: &mut &[u8]) -> Vec<String> {
    let mut take = |n: usize| {
        let (head, rest) = input.split_at(n);
        *input = rest;
        head
    };
    let count = u32::from_le_bytes(take(4).try_into().expect("4 bytes"));
    (0..count)
        .map(|_| {
            let len = u32::from_le_bytes(take(4).try_into().expect("4 bytes")) as usize;
            String::from_utf8(take(len).to_vec()).expect("written from a String")
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn records_survive_the_file_and_the_latest_wins() {
        let mut held = HeldTables::default();
        assert!(held.file.is_some(), "a temporary file");
        // Enough tables (about 45 bytes each) that most records are read back from the file.
        for i in 0..50_000 {
            let columns = names(&[&format!("id{i}"), "naïve\ncolumn", ""]);
            held.insert(&format!("svc.db.s.t{i}"), &columns, &names(&["id"]));
        }
        assert!(held.flushed > 0, "records went to the file");
        let known = held.get("svc.db.s.t7").unwrap();
        assert_eq!(known.columns, names(&["id7", "naïve\ncolumn", ""]));
        assert_eq!(known.unique, names(&["id"]));
        assert!(held.get("svc.db.s.t50000").is_none());

        held.insert_if_absent("svc.db.s.t7", &names(&["other"]), &[]);
        assert_eq!(held.get("svc.db.s.t7").unwrap().columns[0], "id7");
        held.insert("svc.db.s.t7", &names(&["renamed"]), &[]);
        let known = held.get("svc.db.s.t7").unwrap();
        assert_eq!((known.columns, known.unique), (names(&["renamed"]), vec![]));
        assert!(held.contains("svc.db.s.t49999"));
        assert_eq!(held.get("svc.db.s.t49999").unwrap().columns[0], "id49999");
    }

    #[test]
    fn without_a_file_records_stay_in_memory() {
        let mut held = HeldTables {
            file: None,
            ..HeldTables::default()
        };
        for i in 0..20_000 {
            held.insert(&format!("t{i}"), &names(&["a", "b"]), &[]);
        }
        assert_eq!(held.flushed, 0);
        assert_eq!(held.get("t19999").unwrap().columns, names(&["a", "b"]));
    }
}
