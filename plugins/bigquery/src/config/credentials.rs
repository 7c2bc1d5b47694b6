//! `credentials`: OpenMetadata's `GCPCredentials`. Of its four `gcpConfig` forms only a service
//! account's key written into the config (`type: service_account`, OpenMetadata's
//! `GcpCredentialsValues`) can work in a sandbox: the host signs the JWT grant with its
//! `privateKey`. A key file (`gcp_credential_path`), Application Default Credentials (`gcp_adc`)
//! and workload identity federation (`external_account`) all read files or metadata servers of
//! the machine, and impersonation needs a second token exchange: each is refused by name, saying
//! what to configure instead.

use serde_json::Value;

/// `credentials.gcpConfig.tokenUri`'s default in OpenMetadata's schema (`gcpValues.json`).
pub const DEFAULT_TOKEN_URI: &str = "https://oauth2.googleapis.com/token";

const KEY: &str = "serviceConnection.config.credentials.gcpConfig";

/// What to write instead of a form the plugin cannot use.
const USE_A_KEY: &str = "write the service account's JSON key into the config instead: \
    `credentials: {gcpConfig: {type: service_account, projectId, privateKeyId, \
    privateKey: ${GCP_PRIVATE_KEY}, clientEmail, tokenUri}}` (omrun holds privateKey and signs \
    the token request with it; the plugin never sees it)";

/// The service account the plugin authenticates as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceAccount {
    /// `clientEmail`: the JWT's issuer.
    pub client_email: String,
    /// `privateKeyId`: the JWT header's `kid`, telling Google which of the account's keys signed.
    pub private_key_id: Option<String>,
    /// `tokenUri`: where the signed JWT is exchanged for an access token (also its audience).
    pub token_uri: String,
}

/// The service account and the projects to ingest, from `serviceConnection.config.credentials`.
pub fn parse(credentials: Option<&Value>) -> Result<(ServiceAccount, Vec<String>), String> {
    let Some(config) = credentials
        .filter(|c| !c.is_null())
        .and_then(|c| c.get("gcpConfig"))
        .filter(|c| !c.is_null())
    else {
        return Err(format!("{KEY} is required: {USE_A_KEY}"));
    };
    if let Some(target) = credentials
        .and_then(|c| c.get("gcpImpersonateServiceAccount"))
        .and_then(|i| i.get("impersonateServiceAccount"))
        .and_then(Value::as_str)
        .filter(|t| !t.trim().is_empty())
    {
        return Err(format!(
            "serviceConnection.config.credentials.gcpImpersonateServiceAccount ({target}) is not \
             supported: grant the roles to the service account whose key is configured, or {USE_A_KEY}"
        ));
    }
    let Some(fields) = config.as_object() else {
        return Err(format!(
            "{KEY} must be an object (a service account's key); {USE_A_KEY}"
        ));
    };
    let text = |key: &str| {
        fields
            .get(key)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    // OpenMetadata tells the forms apart by `type`, and by their fields when it is left out.
    let kind = text("type").unwrap_or_else(|| {
        if fields.contains_key("path") {
            "gcp_credential_path".into()
        } else if fields.contains_key("externalType") || fields.contains_key("credentialSource") {
            "external_account".into()
        } else {
            "service_account".into()
        }
    });
    match kind.as_str() {
        "service_account" => {}
        "gcp_credential_path" => {
            return Err(format!(
                "{KEY}: a key file (type: gcp_credential_path) cannot be read from omrun's \
                 sandbox; {USE_A_KEY}"
            ));
        }
        "gcp_adc" => {
            return Err(format!(
                "{KEY}: Application Default Credentials (type: gcp_adc) come from the machine's \
                 environment, which omrun's sandbox cannot read; {USE_A_KEY}"
            ));
        }
        "external_account" => {
            return Err(format!(
                "{KEY}: workload identity federation (type: external_account) reads a token of \
                 the machine's environment, which omrun's sandbox cannot; {USE_A_KEY}"
            ));
        }
        other => return Err(format!("{KEY}.type `{other}` is unknown; {USE_A_KEY}")),
    }
    let projects = projects(fields.get("projectId"))?;
    let Some(client_email) = text("clientEmail") else {
        return Err(format!(
            "{KEY}.clientEmail is required: the service account's e-mail (`client_email` in its \
             JSON key)"
        ));
    };
    let token_uri = text("tokenUri").unwrap_or_else(|| DEFAULT_TOKEN_URI.to_owned());
    let token_uri = super::base_url(&token_uri, &format!("{KEY}.tokenUri"))?;
    Ok((
        ServiceAccount {
            client_email,
            private_key_id: text("privateKeyId"),
            token_uri,
        },
        projects,
    ))
}

/// `projectId`: one project or a list (OpenMetadata's `SingleProjectId`/`MultipleProjectId`),
/// blanks and repeats left out. Required: without it OpenMetadata falls back to Application
/// Default Credentials' project, which the sandbox cannot see.
fn projects(value: Option<&Value>) -> Result<Vec<String>, String> {
    let listed: Vec<&Value> = match value {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(one) => vec![one],
        None => vec![],
    };
    let mut projects: Vec<String> = Vec::new();
    for item in listed {
        match item {
            Value::String(p) if !p.trim().is_empty() => {
                if !projects.iter().any(|q| q == p.trim()) {
                    projects.push(p.trim().to_owned());
                }
            }
            Value::String(_) | Value::Null => {}
            other => {
                return Err(format!(
                    "{KEY}.projectId: expected a project ID or a list of them, found {other}"
                ));
            }
        }
    }
    if projects.is_empty() {
        return Err(format!(
            "{KEY}.projectId is required: the project (or list of projects) to ingest, each an \
             OpenMetadata database"
        ));
    }
    Ok(projects)
}
