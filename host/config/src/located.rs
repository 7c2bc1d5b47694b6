//! The free-form sections of a config (`serviceConnection.config`, `sourceConfig.config`) as the
//! YAML wrote them: every value with the line and column it came from. The connector reads them
//! as JSON; the checks against OpenMetadata's schemas need to say where a key or value is, so the
//! one parse keeps both.

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;
use std::fmt;

/// A value and where it is in the file.
pub type Located = Spanned<Node>;

/// A YAML value of a free-form section. Keys are plain strings (the YAML parser locates values,
/// not keys; [`key_position`] finds a key from its value).
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Null,
    Bool(bool),
    Int(i64),
    UInt(u64),
    Float(f64),
    Str(String),
    Seq(Vec<Located>),
    Map(Vec<(String, Located)>),
}

impl Node {
    /// The value as JSON, for the connector. A float that JSON cannot hold (`.nan`, `.inf`)
    /// becomes `null`, as serde_json would write it.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value;
        match self {
            Node::Null => Value::Null,
            Node::Bool(b) => Value::Bool(*b),
            Node::Int(i) => Value::from(*i),
            Node::UInt(u) => Value::from(*u),
            Node::Float(f) => serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number),
            Node::Str(s) => Value::String(s.clone()),
            Node::Seq(items) => Value::Array(items.iter().map(|i| i.value.to_json()).collect()),
            Node::Map(entries) => Value::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.clone(), v.value.to_json()))
                    .collect(),
            ),
        }
    }

    /// The value at a JSON pointer's segments (`["authType", "password"]`, `["includes", "0"]`).
    pub fn find<'a>(node: &'a Located, segments: &[String]) -> Option<&'a Located> {
        let Some((first, rest)) = segments.split_first() else {
            return Some(node);
        };
        let child = match &node.value {
            // The last entry wins, as in the JSON the connector reads.
            Node::Map(entries) => entries
                .iter()
                .rev()
                .find(|(k, _)| k == first)
                .map(|(_, v)| v),
            Node::Seq(items) => first.parse::<usize>().ok().and_then(|i| items.get(i)),
            _ => None,
        }?;
        Node::find(child, rest)
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a YAML value")
    }

    fn visit_unit<E>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }

    fn visit_none<E>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Node, D::Error> {
        Node::deserialize(deserializer)
    }

    fn visit_bool<E>(self, v: bool) -> Result<Node, E> {
        Ok(Node::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Node, E> {
        Ok(Node::Int(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Node, E> {
        Ok(Node::UInt(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Node, E> {
        Ok(Node::Float(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Node, E> {
        Ok(Node::Str(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Node, E> {
        Ok(Node::Str(v))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Located>()? {
            items.push(item);
        }
        Ok(Node::Seq(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            entries.push((key, map.next_value::<Located>()?));
        }
        Ok(Node::Map(entries))
    }
}

/// Where `key` is written, given where its value is: on the value's line before it, or on an
/// earlier line (a block mapping or sequence starts on the line after its key). Falls back to the
/// value's position.
pub fn key_position(text: &str, key: &str, value_line: u64, value_column: u64) -> (u64, u64) {
    let lines: Vec<&str> = text.lines().collect();
    let first = value_line.saturating_sub(50).max(1);
    for line in (first..=value_line).rev() {
        let Some(full) = lines.get(line as usize - 1) else {
            continue;
        };
        let chars: Vec<char> = full.chars().collect();
        let end = if line == value_line {
            (value_column as usize).saturating_sub(1).min(chars.len())
        } else {
            chars.len()
        };
        let before: String = chars[..end].iter().collect();
        let mut search_end = before.len();
        while let Some(at) = before[..search_end].rfind(key) {
            let after = before[at + key.len()..].trim_start_matches(['"', '\'']);
            if after.trim_start().starts_with(':') {
                return (line, before[..at].chars().count() as u64 + 1);
            }
            search_end = at;
        }
    }
    (value_line, value_column)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(text: &str) -> Located {
        serde_saphyr::from_str(text).unwrap()
    }

    #[test]
    fn values_keep_their_positions_and_convert_to_json() {
        let text = "type: Postgres\nport: 5432\nflow: {a: 1.5, b: [x, null]}\nblock:\n  - one\n";
        let node = parse(text);
        assert_eq!(
            node.value.to_json(),
            json!({"type": "Postgres", "port": 5432, "flow": {"a": 1.5, "b": ["x", null]},
                   "block": ["one"]})
        );
        let at = |path: &[&str]| {
            let segments: Vec<String> = path.iter().map(|s| s.to_string()).collect();
            let found = Node::find(&node, &segments).unwrap();
            (found.referenced.line(), found.referenced.column())
        };
        assert_eq!(at(&["port"]), (2, 7));
        assert_eq!(at(&["flow", "b", "0"]), (3, 20));
        assert_eq!(at(&["block", "0"]), (5, 5));
        assert!(Node::find(&node, &["nope".to_owned()]).is_none());
    }

    #[test]
    fn a_key_is_found_from_its_value() {
        let text = "config:\n  hostPrt: db:5432\n  'quoted' : 1\n  nested:\n    a: 1\n";
        assert_eq!(key_position(text, "hostPrt", 2, 12), (2, 3));
        assert_eq!(key_position(text, "quoted", 3, 15), (3, 4));
        // A block mapping's value starts on the next line.
        assert_eq!(key_position(text, "nested", 5, 5), (4, 3));
        // Not found: the value's position.
        assert_eq!(key_position(text, "absent", 2, 12), (2, 12));
    }
}
