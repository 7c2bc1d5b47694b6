//! Tag labels, checked as OpenMetadata's `EntityRepository.validateTags` checks them (a table's
//! `validateTags` adds its columns', nested ones included): every label's `tagFQN` must name a tag
//! the server holds, and not a deleted one, or the request is refused with the not-found message
//! of the tag (`tag instance for <fqn> not found`; a label whose `source` is `Glossary` names a
//! glossary term, of which the stand-in holds none). As for a dashboard's missing charts, a bulk
//! row reports it as a 400 (see `Refusal::unknown_link`).

use serde_json::Value;

use super::store::{Collection, Entity, Refusal};

/// Checks every label of `request` (its own `tags`, and its columns' at any depth).
pub fn validate<'a>(
    request: &Value,
    find_tag: impl Fn(&str) -> Option<&'a Entity>,
) -> Result<(), Refusal> {
    let mut labels = Vec::new();
    collect(request, &mut labels);
    for label in labels {
        let fqn = label["tagFQN"].as_str().unwrap_or_default();
        if label["source"] == "Glossary" {
            return Err(Refusal {
                status: 400,
                message: format!("glossaryTerm instance for {fqn} not found"),
            });
        }
        if find_tag(fqn).is_none_or(|t| t.deleted) {
            return Err(Refusal::unknown_link(Collection::Tags, fqn));
        }
    }
    Ok(())
}

/// The labels of `value` and of its `columns` and their `children`, recursively.
fn collect<'v>(value: &'v Value, out: &mut Vec<&'v Value>) {
    out.extend(
        value
            .get("tags")
            .and_then(Value::as_array)
            .into_iter()
            .flatten(),
    );
    for field in ["columns", "children"] {
        for column in value
            .get(field)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            collect(column, out);
        }
    }
}
