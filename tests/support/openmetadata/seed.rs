//! What a freshly installed OpenMetadata server holds before anyone writes: its system
//! classifications and their tags (openmetadata-service `json/data/tags/*.json`, loaded at
//! startup), so a label such as `PII.Sensitive` or `Tier.Tier1` names a tag without anyone having
//! created it. The names are the server's; the descriptions here are the stand-in's own short ones
//! (nothing reads them back).

use serde_json::json;

use super::store::{Collection, Store};

/// Classification, then its tags.
const SYSTEM: &[(&str, &[&str])] = &[
    ("PII", &["None", "NonSensitive", "Sensitive"]),
    ("PersonalData", &["Personal", "SpecialCategory"]),
    ("Tier", &["Tier1", "Tier2", "Tier3", "Tier4", "Tier5"]),
    ("Certification", &["Bronze", "Silver", "Gold"]),
];

/// Stores the system classifications and tags, without counting them as writes.
pub fn system_tags(store: &mut Store) {
    store.uncounted(|store| {
        for (classification, tags) in SYSTEM {
            let request = json!({
                "name": classification,
                "description": format!("System classification {classification}"),
                "provider": "system",
                "mutuallyExclusive": true,
            });
            store
                .upsert(Collection::Classifications, &request)
                .expect("a system classification is valid");
            for tag in *tags {
                let request = json!({
                    "classification": classification,
                    "name": tag,
                    "description": format!("System tag {classification}.{tag}"),
                    "provider": "system",
                });
                store
                    .upsert(Collection::Tags, &request)
                    .expect("a system tag is valid");
            }
        }
    });
}
