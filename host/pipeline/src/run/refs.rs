//! Refs held compactly. A big catalog is a million table refs, held from discovery until each is
//! processed; as `EntityRef`s (a `Vec` of `String`s each) they took some 150 MB. Held here in runs
//! of one kind under one parent, the parent's path once and the names packed, they take about as
//! many bytes as the names: some 11 MB for a million tables of one schema.

use omrun_model::{EntityKind, EntityRef};

/// Names one after another, each after its length.
#[derive(Debug, Default)]
pub(super) struct Names(Vec<u8>);

impl Names {
    pub fn push(&mut self, name: &str) {
        let len = u32::try_from(name.len()).expect("a name under 4 GiB");
        self.0.extend_from_slice(&len.to_le_bytes());
        self.0.extend_from_slice(name.as_bytes());
    }

    pub fn iter(&self) -> impl Iterator<Item = &str> {
        let mut rest = self.0.as_slice();
        std::iter::from_fn(move || {
            let (name, after) = split_name(rest)?;
            rest = after;
            Some(name)
        })
    }
}

fn split_name(bytes: &[u8]) -> Option<(&str, &[u8])> {
    let (len, after) = bytes.split_first_chunk::<4>()?;
    let (name, after) = after.split_at(u32::from_le_bytes(*len) as usize);
    Some((std::str::from_utf8(name).expect("pushed from a str"), after))
}

/// Refs in the order they were pushed.
#[derive(Debug, Default)]
pub(super) struct RefList {
    runs: Vec<Run>,
    len: usize,
}

/// Refs of one kind whose paths differ only in their last name.
#[derive(Debug)]
struct Run {
    kind: EntityKind,
    parent: Vec<String>,
    names: Names,
}

impl Run {
    fn make(&self, name: &str) -> EntityRef {
        let mut path = Vec::with_capacity(self.parent.len() + 1);
        path.extend(self.parent.iter().cloned());
        path.push(name.to_owned());
        EntityRef::new(self.kind, path)
    }
}

impl RefList {
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn push(&mut self, mut r: EntityRef) {
        let name = r.path.pop().unwrap_or_default();
        match self.runs.last_mut() {
            Some(run) if run.kind == r.kind && run.parent == r.path => run.names.push(&name),
            _ => {
                let mut names = Names::default();
                names.push(&name);
                self.runs.push(Run {
                    kind: r.kind,
                    parent: r.path,
                    names,
                });
            }
        }
        self.len += 1;
    }

    /// How many refs of `kind` it holds, counted without making them.
    pub fn count(&self, kind: EntityKind) -> usize {
        let runs = self.runs.iter().filter(|run| run.kind == kind);
        runs.map(|run| run.names.iter().count()).sum()
    }

    pub fn iter(&self) -> impl Iterator<Item = EntityRef> + '_ {
        self.runs
            .iter()
            .flat_map(|run| run.names.iter().map(|name| run.make(name)))
    }

    /// Keeps the refs `keep` says to, in order.
    pub fn retain(&mut self, mut keep: impl FnMut(&EntityRef) -> bool) {
        let all = std::mem::take(self);
        all.into_refs()
            .filter(|r| keep(r))
            .for_each(|r| self.push(r));
    }

    /// The refs, each run's memory given back once it is gone through.
    pub fn into_refs(self) -> impl Iterator<Item = EntityRef> + Send + 'static {
        self.runs.into_iter().flat_map(|run| {
            let mut at = 0;
            std::iter::from_fn(move || {
                let (name, after) = split_name(&run.names.0[at..])?;
                at = run.names.0.len() - after.len();
                Some(run.make(name))
            })
        })
    }

    /// The containers of the refs (databases, schemas), each once per run.
    pub fn parents(&self) -> impl Iterator<Item = EntityRef> + '_ {
        self.runs.iter().flat_map(|run| {
            let first = run.names.iter().next().unwrap_or_default();
            run.make(first).parents()
        })
    }
}

impl FromIterator<EntityRef> for RefList {
    fn from_iter<I: IntoIterator<Item = EntityRef>>(refs: I) -> Self {
        let mut list = RefList::default();
        refs.into_iter().for_each(|r| list.push(r));
        list
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(kind: EntityKind, path: &[&str]) -> EntityRef {
        EntityRef::new(kind, path.iter().map(|s| s.to_string()).collect())
    }

    #[test]
    fn refs_come_back_as_pushed() {
        let refs = vec![
            r(EntityKind::Table, &["db", "s", "t1"]),
            r(EntityKind::Table, &["db", "s", "naïve \u{0} name"]),
            r(EntityKind::StoredProcedure, &["db", "s", "p"]),
            r(EntityKind::Table, &["db", "other", "t1"]),
            r(EntityKind::Table, &["db", "s", ""]),
            r(EntityKind::Dashboard, &["d"]),
        ];
        let list: RefList = refs.iter().cloned().collect();
        assert_eq!(list.len(), refs.len());
        assert_eq!(list.iter().collect::<Vec<_>>(), refs);
        let parents: Vec<String> = list.parents().map(|p| p.to_string()).collect();
        assert!(
            parents.contains(&"databaseSchema db.other".to_string()),
            "{parents:?}"
        );
        assert!(parents.contains(&"database db".to_string()), "{parents:?}");

        assert_eq!(list.count(EntityKind::Table), 4);
        assert_eq!(list.count(EntityKind::Dashboard), 1);
        let mut kept = list;
        kept.retain(|r| r.kind == EntityKind::Table);
        assert_eq!(kept.len(), 4);
        let tables: Vec<EntityRef> = kept.into_refs().collect();
        let expected: Vec<EntityRef> = refs
            .into_iter()
            .filter(|r| r.kind == EntityKind::Table)
            .collect();
        assert_eq!(tables, expected);
    }

    #[test]
    fn a_million_tables_of_one_schema_take_about_their_names() {
        let list: RefList = (0..1_000_000)
            .map(|i| r(EntityKind::Table, &["db", "s", &format!("t{i}")]))
            .collect();
        assert_eq!(list.runs.len(), 1);
        let bytes: usize = list.runs.iter().map(|run| run.names.0.capacity()).sum();
        assert!(bytes < 20 << 20, "{bytes} bytes");
    }
}
