use super::*;
use omrun_sdk::config_keys::fields_of;

#[test]
fn keys_are_the_fields_read() {
    let mut read: Vec<String> = fields_of::<Connection>()
        .into_iter()
        .map(|k| format!("serviceConnection.config.{k}"))
        .chain(
            fields_of::<Source>()
                .into_iter()
                .map(|k| format!("sourceConfig.config.{k}")),
        )
        .collect();
    read.sort();
    let mut declared: Vec<String> = KEYS.iter().map(|k| (*k).to_owned()).collect();
    declared.sort();
    assert_eq!(read, declared);
}

/// A service account's key as OpenMetadata's config holds it, minus `privateKey` (the host
/// removes it from the plugin's copy).
const KEY: &str = r#"{"type":"service_account","projectId":"acme-data","privateKeyId":"k1",
    "clientEmail":"omrun@acme-data.iam.gserviceaccount.com","clientId":"123",
    "authUri":"https://accounts.google.com/o/oauth2/auth"}"#;

fn connection(more: &str) -> String {
    let more = if more.is_empty() {
        String::new()
    } else {
        format!(",{more}")
    };
    format!(r#"{{"type":"BigQuery","credentials":{{"gcpConfig":{KEY}}}{more}}}"#)
}

fn parse(more: &str) -> Result<Config, String> {
    Config::parse(&connection(more), "{}")
}

#[test]
fn defaults() {
    for source in [
        "",
        "null",
        "{}",
        r#"{"type":"DatabaseMetadata","includeViews":null}"#,
    ] {
        let c = Config::parse(&connection(""), source).unwrap();
        assert_eq!(c.bigquery_url, "https://bigquery.googleapis.com");
        assert_eq!(c.data_catalog_url, "https://datacatalog.googleapis.com");
        assert_eq!(c.projects, ["acme-data"]);
        assert_eq!(
            c.account,
            ServiceAccount {
                client_email: "omrun@acme-data.iam.gserviceaccount.com".into(),
                private_key_id: Some("k1".into()),
                token_uri: "https://oauth2.googleapis.com/token".into(),
            }
        );
        assert_eq!(c.dataset, None);
        assert!(c.include_policy_tags && c.include_tags && c.reads_policy_tags());
        assert!(c.taxonomy_projects.is_empty());
        assert_eq!(c.taxonomy_location, "us");
        assert_eq!(c.billing_project, None);
        assert!(c.include_tables && c.include_views && !c.use_fqn_for_filtering);
        // BigQuery's connection has no default filter of its own.
        for patterns in [&c.databases, &c.schemas, &c.tables] {
            assert!(keeps(patterns, "information_schema") && keeps(patterns, "anything"));
        }
    }
}

#[test]
fn host_port_forms_and_where_data_catalog_is() {
    let urls = |h: &str| {
        parse(&format!(r#""hostPort":"{h}""#)).map(|c| (c.bigquery_url, c.data_catalog_url))
    };
    // Google's public endpoint, written out as OpenMetadata's UI writes its default: Data
    // Catalog stays at its own public endpoint.
    for public in [
        "bigquery.googleapis.com",
        "https://bigquery.googleapis.com/",
        "BigQuery.googleapis.com:443",
    ] {
        let (_, catalog) = urls(public).unwrap();
        assert_eq!(catalog, DATA_CATALOG, "{public}");
    }
    assert_eq!(
        urls("bigquery.googleapis.com").unwrap().0,
        "https://bigquery.googleapis.com"
    );
    // Another endpoint (a private one, a stand-in) serves both APIs.
    assert_eq!(
        urls("http://127.0.0.1:9050/").unwrap(),
        (
            "http://127.0.0.1:9050".into(),
            "http://127.0.0.1:9050".into()
        )
    );
    assert_eq!(
        urls("bq.p.googleapis.com:8443").unwrap().0,
        "https://bq.p.googleapis.com:8443"
    );
    assert_eq!(
        urls("https://proxy.example.com/google").unwrap().1,
        "https://proxy.example.com/google"
    );
    // Blank is the default.
    assert_eq!(urls(" ").unwrap().0, "https://bigquery.googleapis.com");
    assert!(urls("ftp://x").unwrap_err().contains("only https"));
    assert!(urls("https:///x").unwrap_err().contains("names no host"));
    assert!(urls("https://h/?a=1").unwrap_err().contains("no query"));
}

#[test]
fn projects_one_or_many() {
    let projects = |p: &str| {
        let c =
            connection("").replace(r#""projectId":"acme-data""#, &format!(r#""projectId":{p}"#));
        Config::parse(&c, "{}").map(|c| c.projects)
    };
    assert_eq!(projects(r#"" p1 ""#).unwrap(), ["p1"]);
    assert_eq!(
        projects(r#"["p1", "", "p2", "p1", null]"#).unwrap(),
        ["p1", "p2"]
    );
    for none in ["[]", r#""""#, "null", r#"[" "]"#] {
        let e = projects(none).unwrap_err();
        assert!(e.contains("gcpConfig.projectId is required"), "{none}: {e}");
    }
    assert!(projects("3").unwrap_err().contains("expected a project ID"));
    let without = connection("").replace(r#""projectId":"acme-data","#, "");
    assert!(
        Config::parse(&without, "{}")
            .unwrap_err()
            .contains("projectId is required")
    );
}

#[test]
fn only_a_service_account_key_works_in_a_sandbox() {
    let gcp = |config: &str| {
        Config::parse(
            &format!(r#"{{"credentials":{{"gcpConfig":{config}}}}}"#),
            "{}",
        )
    };
    // The type may be left out, as OpenMetadata's default.
    let c =
        gcp(r#"{"projectId":"p","clientEmail":"a@p.iam","tokenUri":"http://127.0.0.1:1/token"}"#)
            .unwrap();
    assert_eq!(c.account.token_uri, "http://127.0.0.1:1/token");
    assert_eq!(c.account.private_key_id, None);
    for (config, says) in [
        (
            r#"{"type":"gcp_credential_path","path":"/k.json","projectId":"p"}"#,
            "key file",
        ),
        (r#"{"path":"/k.json","projectId":"p"}"#, "key file"),
        (
            r#"{"type":"gcp_adc","projectId":"p"}"#,
            "Application Default Credentials",
        ),
        (
            r#"{"type":"external_account","audience":"x"}"#,
            "workload identity federation",
        ),
        (
            r#"{"externalType":"external_account","audience":"x"}"#,
            "workload identity",
        ),
        (r#"{"type":"oauth"}"#, "type `oauth` is unknown"),
        (r#""p""#, "must be an object"),
    ] {
        let e = gcp(config).unwrap_err();
        assert!(e.contains(says), "{config}: {e}");
        assert!(
            e.contains("type: service_account"),
            "says what to do instead: {e}"
        );
    }
    let e = gcp(r#"{"projectId":"p"}"#).unwrap_err();
    assert!(e.contains("clientEmail is required"), "{e}");
    for missing in [
        r#"{"type":"BigQuery"}"#,
        r#"{"credentials":null}"#,
        r#"{"credentials":{}}"#,
    ] {
        let e = Config::parse(missing, "{}").unwrap_err();
        assert!(e.contains("gcpConfig is required"), "{missing}: {e}");
    }
    let e = Config::parse(
        &connection("").replace(
            r#""credentials":{"#,
            r#""credentials":{"gcpImpersonateServiceAccount":{"impersonateServiceAccount":"t@p.iam"},"#,
        ),
        "{}",
    )
    .unwrap_err();
    assert!(
        e.contains("gcpImpersonateServiceAccount (t@p.iam) is not supported"),
        "{e}"
    );
    // A blank impersonation target is none, as in OpenMetadata.
    let blank = connection("").replace(
        r#""credentials":{"#,
        r#""credentials":{"gcpImpersonateServiceAccount":{"impersonateServiceAccount":" ","lifetime":3600},"#,
    );
    assert!(Config::parse(&blank, "{}").is_ok());
}

#[test]
fn policy_tags_datasets_filters_and_flags() {
    let c = Config::parse(
        &connection(
            r#""databaseSchema":" sales ","includePolicyTags":false,
            "taxonomyProjectID":["tax-1"," ","tax-2"],"taxonomyLocation":"eu",
            "billingProjectId":"billing","databaseFilterPattern":{"excludes":[".*-sandbox$"]},
            "tableFilterPattern":{"includes":["^fact_"]}"#,
        ),
        r#"{"databaseFilterPattern":{"includes":["^acme"]},"schemaFilterPattern":{"excludes":null},
            "tableFilterPattern":{"excludes":[".*_bak$"]},"includeTables":false,
            "includeViews":true,"includeTags":false,"useFqnForFiltering":true}"#,
    )
    .unwrap();
    assert_eq!(c.dataset.as_deref(), Some("sales"));
    assert!(!c.include_policy_tags && !c.include_tags && !c.reads_policy_tags());
    assert_eq!(c.taxonomy_projects, ["tax-1", "tax-2"]);
    assert_eq!(c.taxonomy_location, "eu");
    assert_eq!(c.billing_project.as_deref(), Some("billing"));
    assert!(keeps(&c.databases, "acme-data") && !keeps(&c.databases, "other"));
    // The connection's own pattern applies too.
    assert!(!keeps(&c.databases, "acme-sandbox"));
    assert!(keeps(&c.tables, "fact_orders") && !keeps(&c.tables, "fact_orders_bak"));
    assert!(!keeps(&c.tables, "dim_x"));
    assert!(!c.include_tables && c.include_views && c.use_fqn_for_filtering);
    // Policy tags need both switches.
    let c = Config::parse(&connection(""), r#"{"includeTags":false}"#).unwrap();
    assert!(c.include_policy_tags && !c.reads_policy_tags());
}

#[test]
fn errors_name_the_key() {
    let e = Config::parse(
        &connection(""),
        r#"{"tableFilterPattern":{"includes":["("]}}"#,
    )
    .unwrap_err();
    assert!(e.contains("tableFilterPattern.includes"), "{e}");
    let e = parse(r#""schemaFilterPattern":{"excludes":["["]}"#).unwrap_err();
    assert!(
        e.contains("serviceConnection.config.schemaFilterPattern.excludes"),
        "{e}"
    );
    let e = Config::parse("[1]", "{}").unwrap_err();
    assert!(e.contains("serviceConnection.config"), "{e}");
    let e = parse(r#""taxonomyProjectID":"one""#).unwrap_err();
    assert!(e.contains("invalid serviceConnection.config"), "{e}");
    let tok = connection("").replace(r#""clientId""#, r#""tokenUri":"ftp://t","clientId""#);
    let e = Config::parse(&tok, "{}").unwrap_err();
    assert!(e.contains("gcpConfig.tokenUri"), "{e}");
}
