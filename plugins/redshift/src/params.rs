//! Name and oid lists as expanded placeholders (`IN ($1, $2, …)`). Redshift's leader node, which
//! answers every catalog query, rejects array parameters (`= ANY($1::text[])`, `unnest($1)`), so
//! each value is its own typed parameter; values never enter the SQL text.

use omrun_sdk::sql::Value;

/// The parameters of one statement, numbered in the order they are added.
#[derive(Debug, Default)]
pub struct Params {
    values: Vec<Value>,
}

impl Params {
    pub fn new() -> Self {
        Self::default()
    }

    /// One parameter; returns its placeholder (`$3`).
    pub fn one(&mut self, value: Value) -> String {
        self.values.push(value);
        format!("${}", self.values.len())
    }

    /// A list of parameters; returns their placeholders (`$3, $4, $5, $6`) for an `IN (…)` list.
    ///
    /// The list is padded to a power of two by repeating its last value (harmless in `IN`), so a
    /// catalog query has a handful of distinct texts rather than one per batch size: the host
    /// prepares and caches each text once per connection. An empty list is `NULL`, which `IN`
    /// never matches.
    pub fn list(&mut self, values: impl IntoIterator<Item = Value>) -> String {
        let mut values: Vec<Value> = values.into_iter().collect();
        let Some(last) = values.last().cloned() else {
            return "NULL".into();
        };
        values.resize(values.len().next_power_of_two(), last);
        values
            .into_iter()
            .map(|v| self.one(v))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// A list of text parameters.
    pub fn texts<'a>(&mut self, values: impl IntoIterator<Item = &'a String>) -> String {
        self.list(values.into_iter().map(|s| Value::Text(s.clone())))
    }

    /// A list of integer parameters (oids).
    pub fn integers(&mut self, values: impl IntoIterator<Item = i64>) -> String {
        self.list(values.into_iter().map(Value::Integer))
    }

    pub fn values(&self) -> &[Value] {
        &self.values
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Value {
        Value::Text(s.into())
    }

    #[test]
    fn lists_number_on_from_earlier_parameters() {
        let mut p = Params::new();
        assert_eq!(p.one(text("dev")), "$1");
        assert_eq!(p.texts(&["a".to_string(), "b".to_string()]), "$2, $3");
        assert_eq!(p.integers([7]), "$4");
        assert_eq!(
            p.values(),
            [text("dev"), text("a"), text("b"), Value::Integer(7)]
        );
    }

    #[test]
    fn lists_are_padded_to_a_power_of_two_with_their_last_value() {
        let mut p = Params::new();
        assert_eq!(p.integers([1, 2, 3]), "$1, $2, $3, $4");
        assert_eq!(p.values().last(), Some(&Value::Integer(3)));
        let mut p = Params::new();
        assert_eq!(p.integers(1..=5).split(", ").count(), 8);
    }

    #[test]
    fn an_empty_list_matches_nothing() {
        let mut p = Params::new();
        assert_eq!(p.integers([]), "NULL");
        assert!(p.values().is_empty());
    }
}
