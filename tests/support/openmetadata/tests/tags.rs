//! Classifications, tags and the labels that name them; a table's column names. As OpenMetadata
//! 2.0.7 answers: a tag lives in an existing classification; a label of a tag the server does not
//! hold refuses the whole request, wherever it is (the entity, a column, a nested column); two
//! columns of one name, or two fields of one name in a STRUCT column, refuse the table.

use crate::openmetadata::{Collection, StandIn};
use serde_json::{Value, json};

use super::api::{Api, TOKEN};

fn label(fqn: &str) -> Value {
    json!({"tagFQN": fqn, "source": "Classification", "labelType": "Automated", "state": "Suggested"})
}

/// Classification `pii` with tag `pii.email`.
fn pii(api: &Api) {
    let classification = json!({"name": "pii", "description": "Personal data"});
    let (status, c) = api.call("PUT", "/v1/classifications", Some(&classification));
    assert_eq!(status, 201, "{c}");
    assert_eq!(c["fullyQualifiedName"], "pii");
    let tag = json!({"classification": "pii", "name": "email", "description": "An address"});
    let (status, t) = api.call("PUT", "/v1/tags", Some(&tag));
    assert_eq!(status, 201, "{t}");
    assert_eq!(t["fullyQualifiedName"], "pii.email");
    assert_eq!(t["classification"]["fullyQualifiedName"], "pii");
    // Written again, unchanged: 200, no new version.
    let (status, again) = api.call("PUT", "/v1/tags", Some(&tag));
    assert_eq!((status, again["version"].clone()), (200, json!(0.1)));
}

fn failed(r: &Value) -> Vec<(u64, String)> {
    let rows = r["failedRequest"].as_array().unwrap();
    rows.iter()
        .map(|f| {
            (
                f["status"].as_u64().unwrap(),
                f["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn a_tag_needs_its_classification_and_both_are_schema_checked() {
    let om = StandIn::start(TOKEN);
    let api = Api::new(&om);
    let orphan = json!({"classification": "nope", "name": "x", "description": "d"});
    let (status, e) = api.call("PUT", "/v1/tags", Some(&orphan));
    assert_eq!(
        (status, e["message"].as_str()),
        (404, Some("classification instance for nope not found"))
    );
    // OpenMetadata requires a description of both.
    let (status, e) = api.call("PUT", "/v1/classifications", Some(&json!({"name": "c"})));
    assert_eq!(status, 400, "{e}");
    assert!(
        e["message"].as_str().unwrap().contains("description"),
        "{e}"
    );
    pii(&api);
    let got = api.get("/v1/tags/name/pii.email");
    assert_eq!(got["description"], "An address");
    // Beside the system classifications a fresh server holds (PII, Tier...).
    let classifications: Vec<String> = om
        .entities(Collection::Classifications)
        .into_iter()
        .map(|c| c.fqn)
        .collect();
    assert_eq!(
        classifications,
        ["Certification", "PII", "PersonalData", "Tier", "pii"]
    );
    assert_eq!(api.get("/v1/tags/name/PII.Sensitive")["provider"], "system");
    assert_eq!(
        om.writes_in(Collection::Tags).creates,
        1,
        "only the client's tag counts"
    );
    // Written one by one: no bulk endpoint.
    let (status, _) = api.call("PUT", "/v1/tags/bulk?async=false", Some(&json!([])));
    assert_eq!(status, 404);
}

#[test]
fn a_label_of_a_missing_tag_refuses_the_request_wherever_it_is() {
    let om = StandIn::start(TOKEN);
    let api = Api::new(&om);
    api.parents();
    pii(&api);
    let nested = |tags: Value| {
        json!({"name": "t", "databaseSchema": "svc.db.sales", "columns": [
            {"name": "a", "dataType": "STRUCT", "children": [
                {"name": "b", "dataType": "STRING", "tags": tags}]}]})
    };
    let r = api.bulk("tables", json!([nested(json!([label("pii.phone")]))]));
    assert_eq!(
        failed(&r),
        [(400, "tag instance for pii.phone not found".to_owned())]
    );
    let r = api.bulk("tables", json!([nested(json!([label("pii.email")]))]));
    assert_eq!(r["status"], "success", "{r}");
    let stored = &om.stored(Collection::Tables)["svc.db.sales.t"];
    assert_eq!(
        stored["columns"][0]["children"][0]["fullyQualifiedName"],
        "svc.db.sales.t.a.b"
    );
    let schema = json!({"name": "ops", "database": "svc.db", "tags": [label("ops.secret")]});
    let r = api.bulk("databaseSchemas", json!([schema]));
    assert_eq!(
        failed(&r),
        [(400, "tag instance for ops.secret not found".to_owned())]
    );
    let glossary = json!([{"tagFQN": "g.t", "source": "Glossary", "labelType": "Manual", "state": "Confirmed"}]);
    let r = api.bulk(
        "databaseSchemas",
        json!([{"name": "ops", "database": "svc.db", "tags": glossary}]),
    );
    assert_eq!(
        failed(&r),
        [(400, "glossaryTerm instance for g.t not found".to_owned())]
    );
}

#[test]
fn repeated_column_names_refuse_a_table_at_the_top_and_in_a_struct() {
    let om = StandIn::start(TOKEN);
    let api = Api::new(&om);
    api.parents();
    let table = |name: &str, columns: Value| json!({"name": name, "databaseSchema": "svc.db.sales", "columns": columns});
    let int = |name: &str| json!({"name": name, "dataType": "INT"});
    let with = |name: &str, data_type: &str, children: Vec<Value>| json!({"name": name, "dataType": data_type, "children": children});
    let r = api.bulk(
        "tables",
        json!([
            table("top", json!([int("a"), int("a")])),
            table(
                "field",
                json!([with("s", "STRUCT", vec![int("x"), int("x")])])
            ),
            // The server looks at a top-level STRUCT's fields only.
            table(
                "deeper",
                json!([with(
                    "s",
                    "STRUCT",
                    vec![with("t", "STRUCT", vec![int("y"), int("y")])]
                )])
            ),
            table(
                "array",
                json!([with("l", "ARRAY", vec![int("z"), int("z")])])
            ),
            // Case matters.
            table("cased", json!([int("a"), int("A")])),
        ]),
    );
    assert_eq!(
        failed(&r),
        [
            (400, "Column name a is repeated".to_owned()),
            (400, "Column name x is repeated".to_owned())
        ]
    );
    assert_eq!(r["numberOfRowsPassed"], 3, "{r}");
}
