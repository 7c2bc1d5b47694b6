//! Columns' policy tags, named as OpenMetadata names them (`_prefetch_policy_tags`,
//! `get_policy_tags_for_column`): the classification is the taxonomy's display name, the tag the
//! policy tag's. Like OpenMetadata's connector, an instance lists every taxonomy of the table's
//! project and of each `taxonomyProjectID` in `taxonomyLocation`, with all their policy tags, from
//! Data Catalog once (per project, the first time a column has a policy tag); a tag it did not
//! find so is read by name with its taxonomy. A tag that cannot be read is logged and left off
//! the column (OpenMetadata's connector loses the column itself).

use std::collections::{HashMap, HashSet};

use omrun_sdk::log;
use omrun_sdk::types::TagLabel;

use crate::api::{PolicyTag, TableFieldSchema, Taxonomy};
use crate::client::{ApiError, Client, path_segment};
use crate::convert::POLICY_TAG;

/// Data Catalog's largest page.
const PAGE_SIZE: &str = "1000";

/// What one instance knows of Data Catalog.
pub struct PolicyTags {
    /// Data Catalog's base URL.
    base: String,
    location: String,
    /// `taxonomyProjectID`: listed with each table's own project.
    extra_projects: Vec<String>,
    /// Policy tag resource name → (taxonomy, tag) display names; `None`: could not be read.
    tags: HashMap<String, Option<(String, String)>>,
    /// Projects whose taxonomies were listed (or could not be).
    listed: HashSet<String>,
    /// Why Data Catalog is not asked any more: the host refused it.
    off: Option<String>,
    /// Said in the message when the host refuses Data Catalog (what the config grants).
    refused_hint: &'static str,
}

impl PolicyTags {
    pub fn new(
        base: &str,
        location: &str,
        extra_projects: &[String],
        refused_hint: &'static str,
    ) -> Self {
        Self {
            base: base.to_owned(),
            location: location.to_owned(),
            extra_projects: extra_projects.to_vec(),
            tags: HashMap::new(),
            listed: HashSet::new(),
            off: None,
            refused_hint,
        }
    }

    /// The tag of `field`'s first policy tag (BigQuery allows one), in a table of `project`.
    pub fn labels(
        &mut self,
        client: &mut Client,
        project: &str,
        field: &TableFieldSchema,
    ) -> Vec<TagLabel> {
        let Some(name) = field.policy_tags.as_ref().and_then(|p| p.names.first()) else {
            return vec![];
        };
        if self.off.is_some() {
            return vec![];
        }
        if !self.tags.contains_key(name) {
            let projects: Vec<String> = std::iter::once(project.to_owned())
                .chain(self.extra_projects.iter().cloned())
                .collect();
            for p in projects {
                self.list_project(client, &p);
            }
        }
        if !self.tags.contains_key(name) && self.off.is_none() {
            let found = self.read_one(client, name);
            self.tags.insert(name.clone(), found);
        }
        match self.tags.get(name) {
            Some(Some((taxonomy, tag))) => {
                vec![TagLabel::new(taxonomy, tag, POLICY_TAG.0, POLICY_TAG.1)]
            }
            _ => vec![],
        }
    }

    /// Every taxonomy of `project` in the location, with its policy tags, once.
    fn list_project(&mut self, client: &mut Client, project: &str) {
        if self.off.is_some() || !self.listed.insert(project.to_owned()) {
            return;
        }
        let parent = format!(
            "projects/{}/locations/{}",
            path_segment(project),
            path_segment(&self.location)
        );
        let taxonomies: Vec<Taxonomy> =
            match self.list(client, &format!("{parent}/taxonomies"), "taxonomies") {
                Ok(t) => t,
                Err(e) => return self.failed(e, &format!("listing the taxonomies of {parent}")),
            };
        for taxonomy in taxonomies {
            let (Some(name), Some(shown)) = (taxonomy.name, taxonomy.display_name) else {
                continue;
            };
            let tags: Vec<PolicyTag> = match self.list(
                client,
                &format!("{}/policyTags", resource_path(&name)),
                "policyTags",
            ) {
                Ok(t) => t,
                Err(e) => {
                    self.failed(e, &format!("listing the policy tags of {name}"));
                    continue;
                }
            };
            for tag in tags {
                if let (Some(tag_name), Some(tag_shown)) = (tag.name, tag.display_name) {
                    self.tags.insert(tag_name, Some((shown.clone(), tag_shown)));
                }
            }
        }
    }

    /// A policy tag no listing had (another project's, or a location not configured): itself
    /// and its taxonomy, by name.
    fn read_one(&mut self, client: &mut Client, name: &str) -> Option<(String, String)> {
        let Some(taxonomy) = taxonomy_of(name) else {
            log::warn!("Data Catalog: policy tag `{name}` names no taxonomy; left off the column");
            return None;
        };
        let shown = |client: &mut Client, path: &str| -> Result<Option<String>, ApiError> {
            let url = format!("{}/v1/{}", self.base, resource_path(path));
            #[derive(serde::Deserialize)]
            #[serde(rename_all = "camelCase")]
            struct Named {
                display_name: Option<String>,
            }
            let named: Named = client.get(&url, &[], &format!("/v1/{path}"))?;
            Ok(named.display_name)
        };
        let read = shown(client, taxonomy).and_then(|t| Ok((t, shown(client, name)?)));
        match read {
            Ok((Some(taxonomy), Some(tag))) => Some((taxonomy, tag)),
            Ok(_) => {
                log::warn!(
                    "Data Catalog: policy tag `{name}` or its taxonomy has no display name; left off the column"
                );
                None
            }
            Err(e) => {
                self.failed(e, &format!("reading policy tag {name}"));
                None
            }
        }
    }

    fn list<T: serde::de::DeserializeOwned>(
        &self,
        client: &mut Client,
        path: &str,
        field: &str,
    ) -> Result<Vec<T>, ApiError> {
        let url = format!("{}/v1/{path}", self.base);
        client.list(
            &url,
            &[("pageSize", PAGE_SIZE)],
            field,
            &format!("/v1/{path}"),
        )
    }

    /// Logs a failed read; a host refusal turns Data Catalog off for this instance.
    fn failed(&mut self, e: ApiError, what: &str) {
        if let ApiError::Refused(_) = e {
            log::warn!(
                "Data Catalog: {what}: {e}; policy tags are left off every column ({})",
                self.refused_hint
            );
            self.off = Some(e.to_string());
        } else {
            log::warn!("Data Catalog: {what}: {e}; its policy tags are left off the columns");
        }
    }
}

/// A Data Catalog resource name (`projects/…/locations/…/taxonomies/…`) as a URL path, each
/// segment encoded.
fn resource_path(name: &str) -> String {
    name.split('/')
        .map(path_segment)
        .collect::<Vec<_>>()
        .join("/")
}

/// The taxonomy of a policy tag: its name up to `/policyTags/` (`get_policy_tags_for_column`).
fn taxonomy_of(policy_tag: &str) -> Option<&str> {
    policy_tag
        .split_once("/policyTags/")
        .map(|(taxonomy, _)| taxonomy)
        .filter(|t| !t.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_names() {
        let tag = "projects/acme/locations/us/taxonomies/123/policyTags/456";
        assert_eq!(
            taxonomy_of(tag),
            Some("projects/acme/locations/us/taxonomies/123")
        );
        assert_eq!(taxonomy_of("/policyTags/1"), None);
        assert_eq!(taxonomy_of("projects/acme/whatever"), None);
        assert_eq!(resource_path(tag), tag);
        assert_eq!(
            resource_path("projects/a b/locations/us"),
            "projects/a%20b/locations/us"
        );
    }
}
