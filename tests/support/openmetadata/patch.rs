//! `PATCH /v1/<collection>/{id}` with a JSON Patch (RFC 6902), as `EntityRepository.patch` does it:
//! the live entity (404 when missing or deleted) is patched; what a patch may not change is put
//! back (`restorePatchAttributes`: id, name, FQN, parent references); the result must still be a
//! valid entity — here: its fields that a Create request also has must validate against that
//! request's JSON Schema — and goes through `prepare` again, so a table's constraints are checked
//! like a PUT's ([`super::constraints`]). A patch that changes nothing writes nothing.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde_json::{Map, Value};

use super::State;
use super::store::{Collection, Entity, Refusal, reference_field};

/// Patches the entity `id` of `c` with `ops` (the parsed request body).
pub fn patch(c: Collection, id: &str, ops: &Value, st: &mut State) -> Result<Entity, Refusal> {
    let e = st
        .store
        .by_id(c, id)
        .filter(|e| !e.deleted)
        .cloned()
        .ok_or_else(|| Refusal::not_found(c, id))?;
    let ops = ops
        .as_array()
        .ok_or_else(|| Refusal::bad_request("A JSON Patch is an array of operations"))?;
    let mut doc = e.body.clone();
    for op in ops {
        apply(&mut doc, op)
            .map_err(|why| Refusal::bad_request(format!("Invalid JSON Patch: {why}")))?;
    }
    // restorePatchAttributes: these cannot be patched; changes to them are ignored.
    let mut restored = vec!["id", "name", "fullyQualifiedName", "serviceType"];
    restored.extend(c.ancestors().into_iter().map(reference_field));
    for k in restored {
        match e.body.get(k) {
            Some(v) => doc[k] = v.clone(),
            None => {
                if let Some(m) = doc.as_object_mut() {
                    m.remove(k);
                }
            }
        }
    }
    let as_request = as_create_request(c, &doc);
    let errors = super::bulk::schema_errors(c, &as_request);
    if !errors.is_empty() {
        return Err(Refusal::bad_request(errors));
    }
    if c == Collection::Tables {
        super::constraints::validate(&doc, |t| st.store.find(Collection::Tables, t))?;
    }
    Ok(st.store.replace_body(c, &e.fqn, doc))
}

/// The fields of an entity that its Create request has too, parent references turned back into
/// the FQN strings a request carries: what the request's schema can check of a patched entity.
/// Relationship fields that a request names by FQN but an entity holds as references (domains,
/// data products, a dashboard's charts) are left out.
fn as_create_request(c: Collection, entity: &Value) -> Value {
    let props = request_properties(c);
    let mut out = Map::new();
    for (k, v) in entity.as_object().into_iter().flatten() {
        if !props.contains(k) || v.is_null() {
            continue;
        }
        if matches!(
            k.as_str(),
            "domains" | "dataProducts" | "charts" | "dataModels"
        ) {
            continue;
        }
        let parent_field = c.parent().map(|(_, f)| f);
        if Some(k.as_str()) == parent_field {
            out.insert(k.clone(), v["fullyQualifiedName"].clone());
        } else {
            out.insert(k.clone(), v.clone());
        }
    }
    Value::Object(out)
}

/// The top-level properties of the collection's Create request schema (read once per process).
fn request_properties(c: Collection) -> &'static [String] {
    static CACHE: OnceLock<HashMap<Collection, Vec<String>>> = OnceLock::new();
    let all = CACHE.get_or_init(|| {
        Collection::ALL
            .into_iter()
            .map(|c| {
                let rel = crate::schema::KINDS
                    .iter()
                    .find(|(k, _)| *k == c.request_kind())
                    .map(|(_, rel)| *rel)
                    .unwrap_or_default();
                let path = crate::schemas().root().join(rel);
                let text = std::fs::read_to_string(&path)
                    .unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
                let schema: Value = serde_json::from_str(&text)
                    .unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()));
                let props = schema["properties"]
                    .as_object()
                    .map(|p| p.keys().cloned().collect())
                    .unwrap_or_default();
                (c, props)
            })
            .collect()
    });
    &all[&c]
}

/// One RFC 6902 operation applied to `doc`.
fn apply(doc: &mut Value, op: &Value) -> Result<(), String> {
    let kind = op["op"].as_str().ok_or("an operation without \"op\"")?;
    let path = op["path"].as_str().ok_or("an operation without \"path\"")?;
    let value = || {
        op.get("value")
            .cloned()
            .ok_or(format!("{kind} {path} without \"value\""))
    };
    let from = || {
        op["from"]
            .as_str()
            .ok_or(format!("{kind} {path} without \"from\""))
    };
    match kind {
        "add" => add(doc, path, value()?),
        "remove" => remove(doc, path).map(|_| ()),
        "replace" => {
            let target = doc.pointer_mut(path).ok_or(format!("no value at {path}"))?;
            *target = value()?;
            Ok(())
        }
        "move" => {
            let from = from()?;
            if path.starts_with(&format!("{from}/")) {
                return Err(format!("cannot move {from} into itself"));
            }
            let v = remove(doc, from)?;
            add(doc, path, v)
        }
        "copy" => {
            let v = doc
                .pointer(from()?)
                .cloned()
                .ok_or(format!("no value at {}", from()?))?;
            add(doc, path, v)
        }
        "test" => {
            if doc.pointer(path) == Some(&value()?) {
                Ok(())
            } else {
                Err(format!("test failed at {path}"))
            }
        }
        other => Err(format!("unknown op {other:?}")),
    }
}

/// The parent of a JSON Pointer and its last token, unescaped (`~1` is `/`, `~0` is `~`).
fn split_pointer(path: &str) -> Result<(&str, String), String> {
    let at = path
        .rfind('/')
        .ok_or(format!("{path:?} is not a JSON Pointer"))?;
    let token = path[at + 1..].replace("~1", "/").replace("~0", "~");
    Ok((&path[..at], token))
}

fn add(doc: &mut Value, path: &str, v: Value) -> Result<(), String> {
    if path.is_empty() {
        *doc = v;
        return Ok(());
    }
    let (parent, token) = split_pointer(path)?;
    match doc
        .pointer_mut(parent)
        .ok_or(format!("no value at {parent:?}"))?
    {
        Value::Object(m) => {
            m.insert(token, v);
            Ok(())
        }
        Value::Array(a) => {
            let i = if token == "-" {
                a.len()
            } else {
                index(&token, a.len())?
            };
            a.insert(i, v);
            Ok(())
        }
        _ => Err(format!("{parent:?} is neither an object nor an array")),
    }
}

fn remove(doc: &mut Value, path: &str) -> Result<Value, String> {
    let (parent, token) = split_pointer(path)?;
    match doc
        .pointer_mut(parent)
        .ok_or(format!("no value at {parent:?}"))?
    {
        Value::Object(m) => m.remove(&token).ok_or(format!("no value at {path:?}")),
        Value::Array(a) => {
            let i = index(&token, a.len().saturating_sub(1))?;
            Ok(a.remove(i))
        }
        _ => Err(format!("{parent:?} is neither an object nor an array")),
    }
}

/// An array index token: digits without a leading zero, at most `max`.
fn index(token: &str, max: usize) -> Result<usize, String> {
    let ok = !token.is_empty()
        && token.bytes().all(|b| b.is_ascii_digit())
        && (token == "0" || !token.starts_with('0'));
    let i: usize = token
        .parse()
        .ok()
        .filter(|_| ok)
        .ok_or(format!("{token:?} is not an array index"))?;
    if i > max {
        return Err(format!("index {i} is out of bounds"));
    }
    Ok(i)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn applies_rfc6902_operations() {
        let mut d = json!({"a": [1, 2], "b": {"c/d": 1}});
        apply(&mut d, &json!({"op": "add", "path": "/a/-", "value": 3})).unwrap();
        apply(&mut d, &json!({"op": "add", "path": "/a/0", "value": 0})).unwrap();
        apply(&mut d, &json!({"op": "remove", "path": "/b/c~1d"})).unwrap();
        apply(
            &mut d,
            &json!({"op": "replace", "path": "/b", "value": [9]}),
        )
        .unwrap();
        apply(&mut d, &json!({"op": "copy", "from": "/b/0", "path": "/c"})).unwrap();
        apply(&mut d, &json!({"op": "move", "from": "/c", "path": "/a/1"})).unwrap();
        apply(
            &mut d,
            &json!({"op": "test", "path": "/a", "value": [0, 9, 1, 2, 3]}),
        )
        .unwrap();
        assert_eq!(d, json!({"a": [0, 9, 1, 2, 3], "b": [9]}));
        for bad in [
            json!({"op": "remove", "path": "/a/5"}),
            json!({"op": "replace", "path": "/x", "value": 1}),
            json!({"op": "add", "path": "/a/01", "value": 1}),
            json!({"op": "test", "path": "/b", "value": []}),
            json!({"op": "move", "from": "/a", "path": "/a/0"}),
            json!({"op": "frob", "path": "/a"}),
        ] {
            assert!(apply(&mut d.clone(), &bad).is_err(), "{bad}");
        }
    }
}
