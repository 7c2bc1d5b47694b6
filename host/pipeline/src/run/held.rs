//! The tables a run knows to be held (it wrote them, or the destination listed them), as much as
//! foreign keys need: each one's column names and unique columns. A key may name any table
//! written before it, so every one is remembered; kept in memory, the column names of a million
//! 20-column tables would take most of a gigabyte. So the records go to an unlinked temporary file
//! (the kernel's page cache keeps the recent ones at hand, outside the process's memory) and
//! memory keeps an index only: a 64-bit hash of the FQN → where its newest record is, 16 bytes a
//! table (at a million, a table of 2²¹ slots: 36 MB, where 128-bit keys took twice that and, while
//! the table grew, half as much again). Each record holds its FQN and where the previous record of
//! the same hash is, so two names whose hashes collide are told apart by their text, never mixed.

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

/// A record's header: the offset + 1 of the previous record of the same hash (0: none), then the
/// length of what follows (the FQN, the columns, the unique columns).
const HEADER: usize = 12;

pub struct HeldTables {
    /// FQN hash → offset of the newest record of that hash.
    index: HashMap<u64, u64>,
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
        self.insert_hashed(hash64(fqn), fqn, columns, unique);
    }

    fn insert_hashed(&mut self, hash: u64, fqn: &str, columns: &[String], unique: &[String]) {
        let offset = self.flushed + self.pending.len() as u64;
        let previous = self.index.insert(hash, offset);
        self.pending
            .extend_from_slice(&previous.map_or(0, |p| p + 1).to_le_bytes());
        let length_at = self.pending.len();
        self.pending.extend_from_slice(&[0; 4]);
        encode(&mut self.pending, &[fqn]);
        encode(&mut self.pending, columns);
        encode(&mut self.pending, unique);
        let length = (self.pending.len() - length_at - 4) as u32;
        self.pending[length_at..length_at + 4].copy_from_slice(&length.to_le_bytes());
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
        self.record(fqn).is_some()
    }

    /// What is known of `fqn`, if it is held.
    pub fn get(&self, fqn: &str) -> Option<Known> {
        let record = self.record(fqn)?;
        let mut rest = &record[..];
        decode(&mut rest);
        let columns = decode(&mut rest);
        let unique = decode(&mut rest);
        Some(Known { columns, unique })
    }

    /// The newest record of `fqn` (after its header), following the records of its hash back.
    fn record(&self, fqn: &str) -> Option<Vec<u8>> {
        self.record_hashed(hash64(fqn), fqn)
    }

    fn record_hashed(&self, hash: u64, fqn: &str) -> Option<Vec<u8>> {
        let mut at = *self.index.get(&hash)?;
        loop {
            let header = self.read(at, HEADER);
            let previous = u64::from_le_bytes(header[..8].try_into().expect("8 bytes"));
            let length = u32::from_le_bytes(header[8..].try_into().expect("4 bytes"));
            let record = self.read(at + HEADER as u64, length as usize);
            let mut rest = &record[..];
            if decode(&mut rest).first().is_some_and(|name| name == fqn) {
                return Some(record);
            }
            // Another name of the same hash: look further back.
            at = previous.checked_sub(1)?;
        }
    }

    /// `length` bytes at `offset`: in memory if not flushed yet, else from the file (a record is
    /// written whole, so it is all in one or the other).
    fn read(&self, offset: u64, length: usize) -> Vec<u8> {
        let mut bytes = vec![0; length];
        if offset >= self.flushed {
            let start = (offset - self.flushed) as usize;
            bytes.copy_from_slice(&self.pending[start..start + length]);
        } else {
            let file = self.file.as_ref().expect("flushed records are in the file");
            file.read_exact_at(&mut bytes, offset)
                .unwrap_or_else(|e| panic!("cannot read the temporary file of held tables: {e}"));
        }
        bytes
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

/// A fixed-key SipHash, standing in for a name where keeping the name would cost too much.
pub(super) fn hash64(value: impl Hash) -> u64 {
    salted(0, value)
}

/// 128 bits of two fixed-key SipHashes, for a name that must stand alone, with nothing to tell
/// a collision by: one among a billion names is about 1 in 10^20.
pub(super) fn hash128(value: impl Hash) -> u128 {
    (u128::from(salted(0, &value)) << 64) | u128::from(salted(1, &value))
}

fn salted(salt: u8, value: impl Hash) -> u64 {
    let mut hasher = DefaultHasher::new();
    salt.hash(&mut hasher);
    value.hash(&mut hasher);
    hasher.finish()
}

fn encode(out: &mut Vec<u8>, names: &[impl AsRef<str>]) {
    out.extend_from_slice(&(names.len() as u32).to_le_bytes());
    for name in names {
        let name = name.as_ref();
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
    fn names_of_one_hash_are_told_apart_by_their_text() {
        let mut held = HeldTables::default();
        let columns = |record: Vec<u8>| {
            let mut rest = &record[..];
            (decode(&mut rest), decode(&mut rest))
        };
        // Both under one hash, as two names whose hashes collide would be.
        held.insert_hashed(7, "a", &names(&["x"]), &[]);
        held.insert_hashed(7, "b", &names(&["y"]), &[]);
        held.insert_hashed(7, "a", &names(&["z"]), &[]);
        let b = held.record_hashed(7, "b").unwrap();
        assert_eq!(columns(b), (names(&["b"]), names(&["y"])));
        let a = held.record_hashed(7, "a").unwrap();
        assert_eq!(
            columns(a),
            (names(&["a"]), names(&["z"])),
            "the newest of a"
        );
        assert!(held.record_hashed(7, "c").is_none());
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
