//! The read calls: an entity by FQN or id, and a collection's list with cursor paging, each
//! through `fields` and `include` as OpenMetadata's `EntityResource` answers them.
//!
//! - `fields`: comma-separated; `*` is every field; a name that is not a property of the entity is
//!   refused (400 `Invalid field name <f>`, `EntityUtil.Fields`). Fields the server only loads on
//!   request ([`Collection::requested_only`]) are left out unless named; a table's columns come
//!   without their tags unless `tags` is named (`populateEntityFieldTags`).
//! - `include`: `non-deleted` (the default), `deleted` or `all`.
//! - list: `GET /v1/<collection>?<parent>=<fqn>&fields&include&limit&before|after`, the entities
//!   under that parent (by FQN prefix, as `ListFilter` filters by FQN hash prefix), ordered by
//!   name then id; `limit` 0..=1000000, default 10; the answer `{"data": […], "paging": {"total",
//!   "before"?, "after"?}}` with cursors as `EntityRepository.listAfter/listBefore` make them:
//!   base64url of `{"name": …, "id": …}` of the last (first) entity of the page.

use std::collections::HashMap;

use serde_json::{Map, Value, json};

use super::store::{Collection, Entity, Refusal, Store, reference_field};

/// `include`: which entities a read sees.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Include {
    NonDeleted,
    Deleted,
    All,
}

impl Include {
    pub fn parse(q: &HashMap<String, String>) -> Result<Include, Refusal> {
        match q.get("include").map(String::as_str) {
            None | Some("non-deleted") => Ok(Include::NonDeleted),
            Some("deleted") => Ok(Include::Deleted),
            Some("all") => Ok(Include::All),
            Some(other) => Err(Refusal::bad_request(format!(
                "include must be one of all, deleted, non-deleted, not {other}"
            ))),
        }
    }

    pub fn sees(self, e: &Entity) -> bool {
        match self {
            Include::NonDeleted => !e.deleted,
            Include::Deleted => e.deleted,
            Include::All => true,
        }
    }
}

/// The `fields` a read asked for, checked against the collection's properties.
pub struct Fields(Vec<String>);

impl Fields {
    pub fn parse(c: Collection, q: &HashMap<String, String>) -> Result<Fields, Refusal> {
        let allowed = c.allowed_fields();
        let mut out = Vec::new();
        for f in q.get("fields").into_iter().flat_map(|s| s.split(',')) {
            let f = f.trim();
            if f.is_empty() {
                continue;
            }
            if f == "*" {
                out.extend(allowed.iter().map(|a| a.to_string()));
            } else if allowed.contains(&f) {
                out.push(f.to_string());
            } else {
                return Err(Refusal::bad_request(format!("Invalid field name {f}")));
            }
        }
        Ok(Fields(out))
    }

    /// Every field: the view a write answers with.
    pub fn all(c: Collection) -> Fields {
        Fields(c.allowed_fields().iter().map(|s| s.to_string()).collect())
    }

    fn has(&self, f: &str) -> bool {
        self.0.iter().any(|x| x == f)
    }
}

/// The entity as a GET with these fields shows it.
pub fn view(c: Collection, e: &Entity, fields: &Fields) -> Value {
    let mut body = e.body.clone();
    let Some(m) = body.as_object_mut() else {
        return body;
    };
    for f in c.requested_only() {
        if !fields.has(f) {
            m.remove(*f);
        } else if matches!(*f, "owners" | "tags" | "followers") && !m.contains_key(*f) {
            // Requested relationships come back as a (possibly empty) list.
            m.insert((*f).into(), json!([]));
        }
    }
    if c == Collection::Tables {
        strip_column_tags(m, fields.has("tags"));
    }
    body
}

fn strip_column_tags(m: &mut Map<String, Value>, keep: bool) {
    fn walk(columns: &mut Value, keep: bool) {
        for col in columns.as_array_mut().into_iter().flatten() {
            if let Some(o) = col.as_object_mut() {
                if keep {
                    o.entry("tags").or_insert_with(|| json!([]));
                } else {
                    o.remove("tags");
                }
                if let Some(children) = o.get_mut("children") {
                    walk(children, keep);
                }
            }
        }
    }
    if let Some(columns) = m.get_mut("columns") {
        walk(columns, keep);
    }
}

/// `GET /v1/<collection>/name/{fqn}` and `GET /v1/<collection>/{id}`.
pub fn get_one(
    store: &Store,
    c: Collection,
    key: Key<'_>,
    q: &HashMap<String, String>,
) -> Result<Value, Refusal> {
    let fields = Fields::parse(c, q)?;
    let include = Include::parse(q)?;
    let (found, shown) = match key {
        Key::Fqn(f) => (store.find(c, f), f),
        Key::Id(id) => (store.by_id(c, id), id),
    };
    found
        .filter(|e| include.sees(e))
        .map(|e| view(c, e, &fields))
        .ok_or_else(|| Refusal::not_found(c, shown))
}

pub enum Key<'a> {
    Fqn(&'a str),
    Id(&'a str),
}

/// `GET /v1/<collection>?…`: one page of the list.
pub fn list(store: &Store, c: Collection, q: &HashMap<String, String>) -> Result<Value, Refusal> {
    let fields = Fields::parse(c, q)?;
    let include = Include::parse(q)?;
    let limit = match q.get("limit") {
        None => 10,
        Some(l) => {
            let n: i64 = l.parse().map_err(|_| {
                Refusal::bad_request(format!("query param limit is not a number: {l}"))
            })?;
            if n < 0 {
                return Err(Refusal::bad_request(
                    "query param limit must be greater than or equal to 0",
                ));
            }
            if n > 1_000_000 {
                return Err(Refusal::bad_request(
                    "query param limit must be less than or equal to 1000000",
                ));
            }
            n as usize
        }
    };
    let (before, after) = (q.get("before"), q.get("after"));
    if before.is_some() && after.is_some() {
        return Err(Refusal::bad_request(
            "Only one of before or after query parameter allowed",
        ));
    }
    // The parent filters this collection supports: one query parameter per ancestor.
    let mut prefixes = Vec::new();
    for a in c.ancestors() {
        if let Some(p) = q.get(reference_field(a)) {
            let parent = super::fqn::normalize(p).unwrap_or_else(|| p.clone());
            prefixes.push(format!("{parent}."));
        }
    }
    let mut matching: Vec<&Entity> = store
        .iter(c)
        .filter(|e| include.sees(e) && prefixes.iter().all(|p| e.fqn.starts_with(p.as_str())))
        .collect();
    matching.sort_by(|a, b| order_key(a).cmp(&order_key(b)));
    let total = matching.len();
    let (page, before_cursor, after_cursor) = if limit == 0 {
        (Vec::new(), None, None)
    } else if let Some(b) = before {
        let bound = decode_cursor(b)?;
        let earlier: Vec<&Entity> = matching
            .into_iter()
            .filter(|e| order_key(e) < (bound.0.as_str(), bound.1.as_str()))
            .collect();
        let start = earlier.len().saturating_sub(limit);
        let page = earlier[start..].to_vec();
        let before_cursor = (start > 0).then(|| cursor(page[0]));
        let after_cursor = page.last().map(|e| cursor(e));
        (page, before_cursor, after_cursor)
    } else {
        let bound = after.map(|a| decode_cursor(a)).transpose()?;
        let later: Vec<&Entity> = matching
            .into_iter()
            .filter(|e| {
                bound
                    .as_ref()
                    .is_none_or(|(n, id)| order_key(e) > (n.as_str(), id.as_str()))
            })
            .collect();
        let page: Vec<&Entity> = later.iter().take(limit).copied().collect();
        let before_cursor = after.and(page.first()).map(|e| cursor(e));
        let after_cursor = (later.len() > limit).then(|| cursor(page[limit - 1]));
        (page, before_cursor, after_cursor)
    };
    let mut paging = Map::new();
    if let Some(b) = before_cursor {
        paging.insert("before".into(), json!(b));
    }
    if let Some(a) = after_cursor {
        paging.insert("after".into(), json!(a));
    }
    paging.insert("total".into(), json!(total));
    let data: Vec<Value> = page.into_iter().map(|e| view(c, e, &fields)).collect();
    Ok(json!({"data": data, "paging": paging}))
}

/// Lists are ordered by the entity's name, then its id (`ORDER BY name, id`).
fn order_key(e: &Entity) -> (&str, &str) {
    (e.body["name"].as_str().unwrap_or_default(), e.id.as_str())
}

/// `RestUtil.encodeCursor(getCursorValue(entity))`: URL-safe base64 (with padding) of
/// `{"name": …, "id": …}`.
fn cursor(e: &Entity) -> String {
    let (name, id) = order_key(e);
    base64url(json!({"name": name, "id": id}).to_string().as_bytes())
}

fn decode_cursor(c: &str) -> Result<(String, String), Refusal> {
    let bad = || Refusal::bad_request(format!("Invalid cursor {c}"));
    let bytes = unbase64url(c).ok_or_else(bad)?;
    let v: Value = serde_json::from_slice(&bytes).map_err(|_| bad())?;
    let name = v["name"].as_str().ok_or_else(bad)?.to_string();
    let id = v["id"].as_str().ok_or_else(bad)?.to_string();
    Ok((name, id))
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

fn base64url(bytes: &[u8]) -> String {
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i)) as usize & 63] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn unbase64url(s: &str) -> Option<Vec<u8>> {
    let s = s.trim_end_matches('=');
    let mut bits = 0u32;
    let mut n = 0;
    let mut out = Vec::new();
    for ch in s.bytes() {
        let v = ALPHABET.iter().position(|&a| a == ch)? as u32;
        bits = (bits << 6) | v;
        n += 6;
        if n >= 8 {
            n -= 8;
            out.push((bits >> n) as u8);
            bits &= (1 << n) - 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64url_round_trips_with_padding() {
        for s in ["", "a", "ab", "abc", "{\"name\":\"x\",\"id\":\"?>\"}"] {
            let e = base64url(s.as_bytes());
            assert_eq!(e.len() % 4, 0, "{e}");
            assert_eq!(unbase64url(&e).unwrap(), s.as_bytes());
        }
        assert_eq!(base64url(b"?>?"), "Pz4_");
    }
}
