//! The harness from Rust, without Google's clients (the selftest has them): a key pair made by
//! openssl, an assertion it signs exchanged for a token, the spec served behind it.

use std::time::Duration;

use serde_json::{Value, json};

use super::{BigQueryStandIn, ServiceAccount, Settings};

const CLOUD_PLATFORM: &str = "https://www.googleapis.com/auth/cloud-platform";

fn spec() -> Value {
    json!({"projects": {"omrun-proj": {"datasets": {"sales": {"tables": {
        "orders": {"numRows": 3, "schema": {"fields": [
            {"name": "id", "type": "INTEGER", "mode": "REQUIRED"},
            {"name": "email", "type": "STRING",
             "policyTags": {"names": ["projects/omrun-proj/locations/us/taxonomies/1/policyTags/2"]}}]}}
    }}}}},
    "taxonomies": {"projects/omrun-proj/locations/us/taxonomies/1": {"displayName": "Sensitivity",
        "policyTags": {"projects/omrun-proj/locations/us/taxonomies/1/policyTags/2": {"displayName": "Email"}}}}})
}

/// (status, JSON body) of `POST /token` with `assertion`.
fn exchange(bq: &BigQueryStandIn, assertion: &str) -> (u16, Value) {
    let body = format!(
        "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion={assertion}"
    );
    let r = reqwest::blocking::Client::new()
        .post(bq.token_url())
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .unwrap();
    (r.status().as_u16(), r.json().unwrap())
}

fn get(bq: &BigQueryStandIn, path: &str, token: Option<&str>) -> (u16, Value) {
    let mut request = reqwest::blocking::Client::new().get(format!("{}{path}", bq.url()));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let r = request.send().unwrap();
    (r.status().as_u16(), r.json().unwrap())
}

fn token(bq: &BigQueryStandIn) -> String {
    let (status, body) = exchange(
        bq,
        &bq.account().assertion(&bq.account().claims(CLOUD_PLATFORM)),
    );
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["token_type"], "Bearer");
    body["access_token"].as_str().unwrap().to_string()
}

#[test]
fn a_signed_assertion_buys_a_token_that_opens_both_apis() {
    let bq = BigQueryStandIn::start(&spec(), Settings::default());
    assert_eq!(bq.account().project_id(), "omrun-proj");
    let token = token(&bq);
    let (status, list) = get(
        &bq,
        "/bigquery/v2/projects/omrun-proj/datasets",
        Some(&token),
    );
    assert_eq!(
        (status, &list["datasets"][0]["id"]),
        (200, &json!("omrun-proj:sales"))
    );
    let (status, table) = get(
        &bq,
        "/bigquery/v2/projects/omrun-proj/datasets/sales/tables/orders",
        Some(&token),
    );
    assert_eq!(status, 200);
    assert_eq!(table["numRows"], "3", "int64s are strings: {table}");
    assert_eq!(table["schema"]["fields"][1]["mode"], "NULLABLE");
    let (status, tag) = get(
        &bq,
        "/v1/projects/omrun-proj/locations/us/taxonomies/1/policyTags/2",
        Some(&token),
    );
    assert_eq!((status, &tag["displayName"]), (200, &json!("Email")));
    assert_eq!(bq.tokens_issued(), 1);
    assert!(
        bq.api_requests()
            .iter()
            .all(|r| r["bearer"] == true && r["token"] == 1)
    );
}

#[test]
fn no_token_a_wrong_key_and_an_expired_token_are_refused_as_google_refuses_them() {
    let bq = BigQueryStandIn::start(
        &spec(),
        Settings {
            expires_in: Duration::from_secs(1),
            ..Settings::default()
        },
    );
    let (status, body) = get(&bq, "/bigquery/v2/projects/omrun-proj/datasets", None);
    assert_eq!(status, 401);
    assert_eq!(body["error"]["errors"][0]["reason"], "required");
    let stranger = ServiceAccount::generate("omrun-proj");
    assert_eq!(stranger.client_email(), bq.account().client_email());
    let (status, body) = exchange(&bq, &stranger.assertion(&stranger.claims(CLOUD_PLATFORM)));
    assert_eq!(status, 400);
    assert_eq!(body["error"], "invalid_grant", "{body}");
    let token = token(&bq);
    assert_eq!(
        get(
            &bq,
            "/v1/projects/omrun-proj/locations/us/taxonomies",
            Some(&token)
        )
        .0,
        200
    );
    std::thread::sleep(Duration::from_millis(1200));
    let (status, body) = get(
        &bq,
        "/v1/projects/omrun-proj/locations/us/taxonomies",
        Some(&token),
    );
    assert_eq!(
        (status, &body["error"]["status"]),
        (401, &json!("UNAUTHENTICATED"))
    );
    let log = serde_json::to_string(&bq.requests()).unwrap();
    assert!(!log.contains(&token), "the log holds no token");
}

#[test]
fn the_key_file_points_at_the_token_url() {
    let bq = BigQueryStandIn::start(&spec(), Settings::default());
    let key = bq.key_file();
    assert_eq!(key["token_uri"], bq.token_url());
    assert_eq!(key["private_key_id"], bq.account().private_key_id());
    assert!(
        key["private_key"]
            .as_str()
            .unwrap()
            .starts_with("-----BEGIN PRIVATE KEY-----")
    );
    assert!(
        bq.account()
            .public_key_pem()
            .starts_with("-----BEGIN PUBLIC KEY-----")
    );
}

#[test]
#[should_panic(expected = "did not start")]
fn a_spec_with_an_unknown_key_does_not_start() {
    let spec = json!({"projects": {"p": {"datasets": {"d": {"tables": {"t": {"schemaa": {}}}}}}}});
    BigQueryStandIn::start(&spec, Settings::default());
}
