//! Classification and tag lines in a sink file, and the labels that name them. A line of either
//! kind may come anywhere after the service (the sink writes them just before the first entity
//! carrying a label of theirs); a tag only after its classification; every tag label of an
//! entity, its columns' at any depth included, only after its tag: OpenMetadata refuses a label
//! of a tag it does not hold. A resumed run writes them again, which is allowed (a replayed `PUT`
//! of the same request changes nothing).

use std::collections::BTreeSet;

use serde_json::Value;

use super::fqn_part;

#[derive(Default)]
pub(super) struct Tags {
    classifications: BTreeSet<String>,
    tags: BTreeSet<String>,
}

pub(super) const CLASSIFICATION: &str = "CreateClassificationRequest";
pub(super) const TAG: &str = "CreateTagRequest";

impl Tags {
    /// The FQN a classification or tag line creates, once checked; `None` for other kinds.
    pub(super) fn line(&mut self, origin: &str, kind: &str, request: &Value) -> Option<String> {
        let name = request["name"].as_str().unwrap_or_default();
        match kind {
            CLASSIFICATION => {
                let fqn = fqn_part(name);
                self.classifications.insert(fqn.clone());
                Some(fqn)
            }
            TAG => {
                let classification = request["classification"].as_str().unwrap_or_default();
                assert!(
                    self.classifications.contains(classification),
                    "{origin}: tag {name} of classification {classification}, which was not \
                     written before it (written: {:?})",
                    self.classifications
                );
                let fqn = format!("{classification}.{}", fqn_part(name));
                self.tags.insert(fqn.clone());
                Some(fqn)
            }
            _ => None,
        }
    }

    /// Every label of an entity's request names a tag written before it.
    pub(super) fn check_labels(&self, origin: &str, request: &Value) {
        for fqn in label_fqns(request) {
            assert!(
                self.tags.contains(fqn),
                "{origin}: {} carries a label of tag {fqn}, which was not written before it \
                 (written: {:?}): OpenMetadata would refuse it",
                request["name"],
                self.tags
            );
        }
    }
}

/// The `tagFQN` of every label of a request: its own, and its columns' and their children's.
pub fn label_fqns(request: &Value) -> Vec<&str> {
    fn walk<'v>(value: &'v Value, out: &mut Vec<&'v str>) {
        let labels = value
            .get("tags")
            .and_then(Value::as_array)
            .into_iter()
            .flatten();
        out.extend(labels.filter_map(|l| l["tagFQN"].as_str()));
        for field in ["columns", "children"] {
            for c in value
                .get(field)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                walk(c, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(request, &mut out);
    out
}
