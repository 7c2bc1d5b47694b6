//! The read calls, shaped as OpenMetadata's: an entity by FQN or id through `fields` and
//! `include`, lists with cursor paging, and the other reads `metadata ingest` makes (test
//! connection definitions, the fieldQuery search).

use std::collections::BTreeSet;

use crate::openmetadata::{Collection, StandIn};
use serde_json::{Value, json};

use super::api::{Api, TOKEN, table};

fn names(list: &Value) -> Vec<String> {
    list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap().to_string())
        .collect()
}

/// Soft-deletes the tables of `svc.db.<schema>` not named in `keep` (FQNs).
fn delete_others(api: &Api, schema: &str, keep: &[&str]) {
    let (status, r) = api.call(
        "DELETE",
        "/v1/tables/deleteStale",
        Some(
            &json!({"scopeFqn": format!("svc.db.{schema}"), "scopeEntityType": "databaseSchema",
                      "seenFqns": keep}),
        ),
    );
    assert_eq!(status, 200, "{r}");
}

/// Decodes an URL-safe base64 cursor (padding kept) into its JSON.
fn decode_cursor(c: &str) -> Value {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    assert!(c.len().is_multiple_of(4), "{c} is not padded base64");
    let mut bits = 0u32;
    let mut n = 0;
    let mut out = Vec::new();
    for ch in c.trim_end_matches('=').bytes() {
        let v = A
            .iter()
            .position(|&a| a == ch)
            .unwrap_or_else(|| panic!("{c}")) as u32;
        bits = (bits << 6) | v;
        n += 6;
        if n >= 8 {
            n -= 8;
            out.push((bits >> n) as u8);
            bits &= (1 << n) - 1;
        }
    }
    serde_json::from_slice(&out).unwrap()
}

#[test]
fn an_entity_by_name_or_id_comes_as_the_server_returns_it() {
    let om = StandIn::start(TOKEN);
    let api = Api::new(&om);
    api.parents();
    let request = json!({
        "name": "t", "databaseSchema": "svc.db.sales", "description": "a table",
        "columns": [
            {"name": "id", "dataType": "INT",
             "tags": [{"tagFQN": "PII.Sensitive", "source": "Classification", "labelType": "Manual", "state": "Confirmed"}]},
            {"name": "s", "dataType": "STRUCT", "children": [{"name": "a.b", "dataType": "INT"}]},
        ],
        "tableConstraints": [{"constraintType": "PRIMARY_KEY", "columns": ["id"]}],
    });
    let r = api.bulk(
        "tables",
        json!([request, table("my.t", "svc.db.sales", None)]),
    );
    assert_eq!(r["status"], "success", "{r}");

    let t = api.get("/v1/tables/name/svc.db.sales.t?fields=columns&include=all");
    assert_eq!(t["id"].as_str().unwrap().len(), 36);
    assert_eq!(
        (
            &t["name"],
            &t["fullyQualifiedName"],
            &t["version"],
            &t["deleted"]
        ),
        (
            &json!("t"),
            &json!("svc.db.sales.t"),
            &json!(0.1),
            &json!(false)
        )
    );
    let schema = om
        .entity(Collection::DatabaseSchemas, "svc.db.sales")
        .unwrap();
    assert_eq!(
        t["databaseSchema"],
        json!({"id": schema.id, "type": "databaseSchema", "name": "sales", "fullyQualifiedName": "svc.db.sales"})
    );
    assert_eq!(
        (
            &t["database"]["fullyQualifiedName"],
            &t["service"]["type"],
            &t["serviceType"]
        ),
        (
            &json!("svc.db"),
            &json!("databaseService"),
            &json!("Postgres")
        )
    );
    // Every column carries its FQN, a child's under its parent's, names with a dot quoted.
    assert_eq!(t["columns"][0]["fullyQualifiedName"], "svc.db.sales.t.id");
    assert_eq!(
        t["columns"][1]["children"][0]["fullyQualifiedName"],
        "svc.db.sales.t.s.\"a.b\""
    );
    // Fields the server loads only on request: constraints, and column tags.
    assert!(t.get("tableConstraints").is_none(), "{t}");
    assert!(t["columns"][0].get("tags").is_none(), "{t}");
    let t = api.get("/v1/tables/name/svc.db.sales.t?fields=tableConstraints,tags");
    assert_eq!(
        t["tableConstraints"],
        json!([{"constraintType": "PRIMARY_KEY", "columns": ["id"]}])
    );
    assert_eq!(t["columns"][0]["tags"][0]["tagFQN"], "PII.Sensitive");
    // Columns come whatever `fields` says (the client's Table requires them).
    let bare = api.get("/v1/tables/name/svc.db.sales.t");
    assert_eq!(bare["columns"].as_array().unwrap().len(), 2);
    assert_eq!(
        api.get("/v1/tables/name/svc.db.sales.t?fields=*")["tableConstraints"][0]["constraintType"],
        "PRIMARY_KEY"
    );
    let (status, err) = api.call(
        "GET",
        "/v1/tables/name/svc.db.sales.t?fields=columns,nonsense",
        None,
    );
    assert_eq!(
        (status, err),
        (
            400,
            json!({"code": 400, "message": "Invalid field name nonsense"})
        )
    );
    // By id, the same entity.
    let by_id = api.get(&format!(
        "/v1/tables/{}?fields=columns",
        bare["id"].as_str().unwrap()
    ));
    assert_eq!(by_id, bare);
    // A quoted name, quoted in the path as in the FQN.
    let q = api.get("/v1/tables/name/svc.db.sales.%22my.t%22?fields=columns");
    assert_eq!(
        q["columns"][0]["fullyQualifiedName"],
        "svc.db.sales.\"my.t\".id"
    );

    // Missing, and deleted: 404 unless `include` lets the deleted one through.
    let missing = api.call("GET", "/v1/tables/name/svc.db.sales.nope", None);
    assert_eq!(
        missing,
        (
            404,
            json!({"code": 404, "message": "table instance for svc.db.sales.nope not found"})
        )
    );
    delete_others(&api, "sales", &["svc.db.sales.\"my.t\""]);
    for (include, found) in [
        ("", false),
        ("&include=non-deleted", false),
        ("&include=all", true),
        ("&include=deleted", true),
    ] {
        let (status, e) = api.call(
            "GET",
            &format!("/v1/tables/name/svc.db.sales.t?fields=columns{include}"),
            None,
        );
        assert_eq!(status, if found { 200 } else { 404 }, "{include}: {e}");
        if found {
            assert_eq!((&e["deleted"], &e["version"]), (&json!(true), &json!(0.2)));
        }
    }
    assert_eq!(
        api.call(
            "GET",
            "/v1/tables/name/svc.db.sales.%22my.t%22?include=deleted",
            None
        )
        .0,
        404
    );
    assert!(om.unexpected_requests().is_empty());
}

#[test]
fn a_list_pages_with_cursors_and_filters_by_parent_and_include() {
    let om = StandIn::start(TOKEN);
    let api = Api::new(&om);
    api.parents();
    let sales: Vec<Value> = ["t3", "t1", "t5", "t2", "t4"]
        .iter()
        .map(|n| table(n, "svc.db.sales", None))
        .collect();
    api.bulk("tables", Value::Array(sales));
    api.bulk("tables", json!([table("h", "svc.db.hr", None)]));

    let base = "/v1/tables?databaseSchema=svc.db.sales&limit=2";
    let p1 = api.get(base);
    assert_eq!(names(&p1), ["t1", "t2"]);
    assert_eq!(p1["paging"]["total"], 5);
    assert!(p1["paging"].get("before").is_none(), "{p1}");
    let after = p1["paging"]["after"].as_str().unwrap();
    // The cursor is OpenMetadata's: base64url of {"name", "id"} of the page's last entity.
    let t2 = om.entity(Collection::Tables, "svc.db.sales.t2").unwrap();
    assert_eq!(decode_cursor(after), json!({"name": "t2", "id": t2.id}));
    let p2 = api.get(&format!("{base}&after={after}"));
    assert_eq!(names(&p2), ["t3", "t4"]);
    let p3 = api.get(&format!(
        "{base}&after={}",
        p2["paging"]["after"].as_str().unwrap()
    ));
    assert_eq!(names(&p3), ["t5"]);
    assert!(p3["paging"].get("after").is_none(), "{p3}");
    // Back from the last page.
    let back = api.get(&format!(
        "{base}&before={}",
        p3["paging"]["before"].as_str().unwrap()
    ));
    assert_eq!(names(&back), ["t3", "t4"]);
    let first = api.get(&format!(
        "{base}&before={}",
        back["paging"]["before"].as_str().unwrap()
    ));
    assert_eq!(names(&first), ["t1", "t2"]);
    assert!(first["paging"].get("before").is_none(), "{first}");

    // Deleted entities only with `include`.
    delete_others(
        &api,
        "sales",
        &[
            "svc.db.sales.t1",
            "svc.db.sales.t2",
            "svc.db.sales.t3",
            "svc.db.sales.t4",
        ],
    );
    let all = "/v1/tables?databaseSchema=svc.db.sales&limit=10";
    assert_eq!(names(&api.get(all)), ["t1", "t2", "t3", "t4"]);
    assert_eq!(names(&api.get(&format!("{all}&include=all"))).len(), 5);
    assert_eq!(names(&api.get(&format!("{all}&include=deleted"))), ["t5"]);
    // By any ancestor: a database's tables are its schemas' tables.
    assert_eq!(
        names(&api.get("/v1/tables?database=svc.db&limit=10")).len(),
        5
    );
    assert_eq!(
        names(&api.get("/v1/tables?databaseSchema=svc.db.hr")),
        ["h"]
    );
    assert_eq!(
        api.get("/v1/tables?databaseSchema=svc.db.nowhere")["paging"]["total"],
        0
    );
    // The default page is 10; limit 0 counts only.
    let zero = api.get("/v1/tables?databaseSchema=svc.db.sales&limit=0");
    assert_eq!(
        (
            zero["data"].as_array().unwrap().len(),
            &zero["paging"]["total"]
        ),
        (0, &json!(4))
    );
    for bad in [
        "limit=-1",
        "limit=1000001",
        "limit=x",
        "before=a&after=b",
        "include=some",
        "fields=nope",
    ] {
        let (status, err) = api.call(
            "GET",
            &format!("/v1/tables?databaseSchema=svc.db.sales&{bad}"),
            None,
        );
        assert_eq!((status, &err["code"]), (400, &json!(400)), "{bad}: {err}");
    }
    // Other collections list the same way.
    assert_eq!(
        names(&api.get("/v1/databaseSchemas?database=svc.db")),
        ["hr", "sales"]
    );
    assert_eq!(names(&api.get("/v1/databases?service=svc")), ["db"]);
}

/// The two calls the omrun host makes to learn which tables (and columns) the server holds before
/// it sends foreign keys, exactly as it makes them.
#[test]
fn the_reads_omrun_makes_before_sending_foreign_keys() {
    let om = StandIn::start(TOKEN);
    let api = Api::new(&om);
    api.parents();
    let tables: Vec<Value> = (0..7)
        .map(|i| table(&format!("t.{i}"), "svc.db.sales", None))
        .collect();
    api.bulk("tables", Value::Array(tables));
    delete_others(
        &api,
        "sales",
        &[
            "svc.db.sales.\"t.0\"",
            "svc.db.sales.\"t.1\"",
            "svc.db.sales.\"t.2\"",
        ],
    );

    let mut seen = BTreeSet::new();
    let mut deleted = 0;
    let mut after: Option<String> = None;
    let mut pages = 0;
    loop {
        let mut path =
            "/v1/tables?databaseSchema=svc.db.sales&include=all&fields=columns&limit=3".to_string();
        if let Some(a) = &after {
            path.push_str(&format!("&after={a}"));
        }
        let page = api.get(&path);
        pages += 1;
        assert_eq!(page["paging"]["total"], 7, "{page}");
        for t in page["data"].as_array().unwrap() {
            let fqn = t["fullyQualifiedName"].as_str().unwrap().to_string();
            assert_eq!(t["columns"][0]["name"], "id", "{t}");
            assert_eq!(t["columns"][0]["fullyQualifiedName"], format!("{fqn}.id"));
            assert!(t["id"].is_string() && t["version"].is_number(), "{t}");
            deleted += usize::from(t["deleted"] == json!(true));
            assert!(seen.insert(fqn), "listed twice: {t}");
        }
        match page["paging"]["after"].as_str() {
            Some(a) => after = Some(a.to_string()),
            None => break,
        }
    }
    assert_eq!((pages, seen.len(), deleted), (3, 7, 4));
    assert!(seen.contains("svc.db.sales.\"t.6\""));
    // One table by name, deleted or not.
    let t = api.get("/v1/tables/name/svc.db.sales.%22t.6%22?fields=columns&include=all");
    assert_eq!(
        (
            &t["fullyQualifiedName"],
            &t["deleted"],
            &t["columns"][0]["fullyQualifiedName"]
        ),
        (
            &json!("svc.db.sales.\"t.6\""),
            &json!(true),
            &json!("svc.db.sales.\"t.6\".id")
        )
    );
    assert!(om.unexpected_requests().is_empty());
}

#[test]
fn test_connection_definitions_and_the_field_query_search() {
    let om = StandIn::start(TOKEN);
    let api = Api::new(&om);
    for (ty, steps) in [("Postgres", 7), ("Mysql", 4)] {
        let d = api.get(&format!(
            "/v1/services/testConnectionDefinitions/name/{ty}.testConnectionDefinition"
        ));
        assert_eq!(
            (&d["name"], d["steps"].as_array().unwrap().len()),
            (&json!(ty), steps),
            "{d}"
        );
        assert_eq!(
            d["steps"][0],
            json!({"name": "CheckAccess", "description": d["steps"][0]["description"], "mandatory": true})
        );
    }
    assert_eq!(
        api.call(
            "GET",
            "/v1/services/testConnectionDefinitions/name/Oracle.testConnectionDefinition",
            None
        )
        .0,
        404
    );

    api.parents();
    api.bulk(
        "tables",
        json!([
            table("orders", "svc.db.sales", None),
            table("Orders2", "svc.db.hr", None)
        ]),
    );
    let search = |value: &str, deleted: bool| {
        api.get(&format!(
            "/v1/search/fieldQuery?fieldName=fullyQualifiedName&fieldValue={value}&from=0&size=10&index=table_search_index&deleted={deleted}"
        ))
    };
    let hit = search("svc.db.sales.orders", false);
    assert_eq!(hit["hits"]["total"]["value"], 1);
    assert_eq!(
        hit["hits"]["hits"][0]["_source"]["fullyQualifiedName"],
        "svc.db.sales.orders"
    );
    // A wildcard query, as the search engine runs it; keywords are matched without case.
    let both = search("svc.*.orders*", false);
    assert_eq!(both["hits"]["total"]["value"], 2, "{both}");
    assert_eq!(
        search("svc.db.sales.order", false)["hits"]["hits"],
        json!([])
    );
    delete_others(&api, "sales", &["svc.db.sales.x"]);
    assert_eq!(
        search("svc.db.sales.orders", false)["hits"]["total"]["value"],
        0
    );
    assert_eq!(
        search("svc.db.sales.orders", true)["hits"]["total"]["value"],
        1
    );
    assert!(om.unexpected_requests().is_empty());
}
