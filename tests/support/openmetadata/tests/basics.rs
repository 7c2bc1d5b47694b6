//! Auth, version, services, bulk writes with per-item results, change detection, scripted
//! faults, dashboards.

use std::time::{Duration, Instant};

use crate::openmetadata::{Attempts, Collection, Fault, StandIn};
use serde_json::{Value, json};

use super::api::{Api, TOKEN, answer, table};

#[test]
fn every_call_needs_the_token() {
    let om = StandIn::start(TOKEN);
    let api = Api::new(&om);
    let url = format!("{}/v1/system/version", om.host_port());
    let (status, body) = answer(api.http.get(&url).send().unwrap());
    assert_eq!((status, &body["code"]), (401, &json!(401)), "{body}");
    assert!(body["message"].as_str().unwrap().contains("Not Authorized"));
    let (status, _) = answer(api.http.get(&url).bearer_auth("other").send().unwrap());
    assert_eq!(status, 401);
    // The token alone, without the scheme, is not a bearer token.
    let (status, _) = answer(
        api.http
            .get(&url)
            .header("Authorization", TOKEN)
            .send()
            .unwrap(),
    );
    assert_eq!(status, 401);
    let (status, _) = api.call("GET", "/v1/system/version", None);
    assert_eq!(status, 200);
    // A write without the token stores nothing.
    let put = api
        .http
        .put(format!("{}/v1/services/databaseServices", om.host_port()))
        .json(&json!({"name": "svc", "serviceType": "Postgres"}));
    assert_eq!(answer(put.send().unwrap()).0, 401);
    assert!(om.entities(Collection::DatabaseServices).is_empty());
    assert_eq!(
        om.requests().iter().map(|r| r.status).collect::<Vec<_>>(),
        [401, 401, 401, 200, 401]
    );
}

#[test]
fn version_is_2_0_7_unless_set() {
    let om = StandIn::start(TOKEN);
    let api = Api::new(&om);
    let (status, v) = api.call("GET", "/v1/system/version", None);
    assert_eq!(status, 200);
    assert_eq!(v["version"], "2.0.7");
    assert!(v["revision"].is_string() && v["timestamp"].as_u64().unwrap() > 1_600_000_000_000);
    om.set_version("1.5.0");
    assert_eq!(
        api.call("GET", "/v1/system/version", None).1["version"],
        "1.5.0"
    );
}

#[test]
fn a_service_is_created_then_found_by_fqn() {
    let om = StandIn::start(TOKEN);
    let api = Api::new(&om);
    let path = "/v1/services/databaseServices/name/my.svc";
    // Names with a dot are quoted in the FQN, and the FQN is percent-encoded in the path.
    let quoted = "/v1/services/databaseServices/name/%22my.svc%22";
    let (status, body) = api.call("GET", quoted, None);
    assert_eq!(status, 404);
    assert_eq!(
        body,
        json!({"code": 404, "message": "databaseService instance for \"my.svc\" not found"})
    );

    let request = json!({"name": "my.svc", "serviceType": "Postgres", "description": "one"});
    let (status, created) = api.call("PUT", "/v1/services/databaseServices", Some(&request));
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["fullyQualifiedName"], "\"my.svc\"");
    assert_eq!(
        (&created["version"], &created["deleted"]),
        (&json!(0.1), &json!(false))
    );
    assert_eq!(created["id"].as_str().unwrap().len(), 36);
    assert!(created["updatedAt"].as_u64().is_some());

    let (status, found) = api.call("GET", quoted, None);
    assert_eq!((status, &found["id"]), (200, &created["id"]));
    assert_eq!(
        api.call("GET", path, None).0,
        404,
        "the unquoted name is not the FQN"
    );

    // The same request again changes nothing; a different one is an update.
    let (status, same) = api.call("PUT", "/v1/services/databaseServices", Some(&request));
    assert_eq!((status, &same["version"]), (200, &json!(0.1)));
    let changed = json!({"name": "my.svc", "serviceType": "Postgres", "description": "two"});
    let (status, updated) = api.call("PUT", "/v1/services/databaseServices", Some(&changed));
    assert_eq!((status, &updated["version"]), (200, &json!(0.2)));
    assert_eq!(updated["id"], created["id"]);
    let w = om.writes();
    assert_eq!((w.creates, w.updates, w.total()), (1, 1, 2));

    // Schema-invalid: serviceType is required.
    let (status, err) = api.call(
        "PUT",
        "/v1/services/databaseServices",
        Some(&json!({"name": "x"})),
    );
    assert_eq!((status, &err["code"]), (400, &json!(400)), "{err}");
    assert!(
        err["message"].as_str().unwrap().contains("serviceType"),
        "{err}"
    );
    assert!(om.entity(Collection::DatabaseServices, "x").is_none());
}

#[test]
fn a_service_error_does_not_echo_its_secrets() {
    let om = StandIn::start(TOKEN);
    let api = Api::new(&om);
    let mut request = json!({"name": "svc", "serviceType": "Postgres", "connection": {"config": {
        "type": "Postgres", "username": "u", "hostPort": "h:5432", "database": "d",
        "authType": {"password": "s3cr3t-pw"},
    }}});
    let (status, _) = api.call("PUT", "/v1/services/databaseServices", Some(&request));
    assert_eq!(status, 201, "a valid Postgres connection is accepted");
    request["connection"]["config"]["sslMode"] = json!("not-a-mode");
    let (status, err) = api.call("PUT", "/v1/services/databaseServices", Some(&request));
    assert_eq!(status, 400, "{err}");
    let message = err["message"].as_str().unwrap();
    assert!(message.starts_with("/connection: "), "{message}");
    assert!(!message.contains("s3cr3t-pw"), "{message}");
}

#[test]
fn bulk_reports_each_item() {
    let om = StandIn::start(TOKEN);
    let api = Api::new(&om);
    api.parents();
    let invalid = json!({"name": "no_columns", "databaseSchema": "svc.db.sales"});
    let orphan = table(
        "orphan",
        "svc.db.nowhere",
        Some("0123456789abcdef0123456789abcdef"),
    );
    let r = api.bulk(
        "tables",
        json!([table("my.orders", "svc.db.sales", None), invalid, orphan]),
    );
    assert_eq!(
        r,
        json!({
            "status": "partialSuccess",
            "numberOfRowsProcessed": 3, "numberOfRowsPassed": 1, "numberOfRowsFailed": 2,
            // A written row is reported 200, created or not
            // (BulkImportService.bulkCreateOrUpdateEntitiesSequential).
            "successRequest": [{"request": "svc.db.sales.\"my.orders\"", "status": 200}],
            "failedRequest": [
                {"request": invalid, "message": r["failedRequest"][0]["message"], "status": 400},
                {"request": orphan,
                 "message": "databaseSchema instance for svc.db.nowhere not found", "status": 404},
            ],
        })
    );
    assert!(
        r["failedRequest"][0]["message"]
            .as_str()
            .unwrap()
            .contains("columns"),
        "{r}"
    );
    let stored = om
        .entity(Collection::Tables, "svc.db.sales.\"my.orders\"")
        .unwrap();
    assert_eq!((stored.version, stored.deleted), (0.1, false));
    assert_eq!(
        stored.body["databaseSchema"]["fullyQualifiedName"],
        "svc.db.sales"
    );
    assert_eq!(stored.body["service"]["name"], "svc");
    assert_eq!(om.entities(Collection::Tables).len(), 1);

    // Every item failing is a failure; the query is in the log as sent.
    let r = api.bulk("tables", json!([table("t", "svc.db.gone", None)]));
    assert_eq!(
        (&r["status"], &r["numberOfRowsFailed"]),
        (&json!("failure"), &json!(1))
    );
    let last = om.requests().pop().unwrap();
    assert_eq!(
        (
            last.method.as_str(),
            last.path.as_str(),
            last.query.as_deref()
        ),
        (
            "PUT",
            "/api/v1/tables/bulk",
            Some("async=false&overrideMetadata=false")
        )
    );
    // A database whose service does not exist; names OpenMetadata refuses.
    let r = api.bulk(
        "databases",
        json!([
            {"name": "db2", "service": "nosvc"},
            {"name": "a\"b", "service": "svc"},
            {"name": "a::b", "service": "svc"},
        ]),
    );
    let failed: Vec<(&Value, &Value)> = r["failedRequest"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (&f["status"], &f["message"]))
        .collect();
    assert_eq!(
        failed,
        [
            (
                &json!(404),
                &json!("databaseService instance for nosvc not found")
            ),
            (&json!(400), &json!("Invalid name a\"b")),
            (&json!(400), &json!("Invalid name a::b")),
        ]
    );
    assert!(om.unexpected_requests().is_empty());
}

#[test]
fn an_unchanged_source_hash_is_not_a_write() {
    let om = StandIn::start(TOKEN);
    let api = Api::new(&om);
    api.parents();
    let (h1, h2) = (
        "0123456789abcdef0123456789abcdef",
        "fedcba9876543210fedcba9876543210",
    );
    let fqn = "svc.db.sales.orders";
    let before = om.writes().total();
    api.bulk("tables", json!([table("orders", "svc.db.sales", Some(h1))]));
    let first = om.entity(Collection::Tables, fqn).unwrap();
    assert_eq!((first.version, om.writes().total()), (0.1, before + 1));

    let r = api.bulk("tables", json!([table("orders", "svc.db.sales", Some(h1))]));
    assert_eq!(
        r["successRequest"],
        json!([{"request": fqn, "status": 200}])
    );
    let same = om.entity(Collection::Tables, fqn).unwrap();
    assert_eq!((same.version, om.writes().total()), (0.1, before + 1));
    assert_eq!(same.body["updatedAt"], first.body["updatedAt"]);

    api.bulk("tables", json!([table("orders", "svc.db.sales", Some(h2))]));
    let changed = om.entity(Collection::Tables, fqn).unwrap();
    assert_eq!((changed.version, om.writes().total()), (0.2, before + 2));
    assert_eq!(
        (changed.id, &changed.body["sourceHash"]),
        (first.id, &json!(h2))
    );

    // No hash: nothing for the fast path, so the server compares the fields. Dropping the hash
    // is a change; the same request again is none.
    api.bulk("tables", json!([table("orders", "svc.db.sales", None)]));
    assert_eq!(om.entity(Collection::Tables, fqn).unwrap().version, 0.3);
    api.bulk("tables", json!([table("orders", "svc.db.sales", None)]));
    assert_eq!(om.entity(Collection::Tables, fqn).unwrap().version, 0.3);
    assert_eq!(om.writes_in(Collection::Tables).updates, 2);
}

#[test]
fn a_bulk_body_must_be_a_json_array() {
    let om = StandIn::start(TOKEN);
    let api = Api::new(&om);
    api.parents();
    let path = "/v1/tables/bulk?async=false&overrideMetadata=false";
    let (status, err) = api.call("PUT", path, Some(&table("t", "svc.db.sales", None)));
    assert_eq!((status, &err["code"]), (400, &json!(400)), "{err}");
    let text = api
        .request("PUT", path)
        .header("Content-Type", "application/json")
        .body("[{");
    assert_eq!(answer(text.send().unwrap()).0, 400);
    let plain = api
        .request("PUT", path)
        .header("Content-Type", "text/plain")
        .body("[]");
    assert_eq!(answer(plain.send().unwrap()).0, 415);
    let (status, _) = api.call("PUT", "/v1/tables/bulk?async=true", Some(&json!([])));
    assert_eq!(
        status, 400,
        "async bulk is not implemented and must not pass silently"
    );
    assert!(om.entities(Collection::Tables).is_empty());
}

#[test]
fn other_calls_are_404_and_logged_as_unexpected() {
    let om = StandIn::start(TOKEN);
    let api = Api::new(&om);
    let (status, body) = api.call("GET", "/v1/lineage/table/name/svc.db.sales.t", None);
    assert_eq!((status, &body["code"]), (404, &json!(404)));
    // A known path with another method is not implemented either.
    let post = api.call("POST", "/v1/services/databaseServices", Some(&json!({})));
    assert_eq!(post.0, 404);
    // Without the token it is a 401, as everywhere, and still an unexpected call.
    let anonymous = api.http.get(format!("{}/v1/users", om.host_port()));
    assert_eq!(answer(anonymous.send().unwrap()).0, 401);
    // Implemented calls are not listed, even when they fail.
    assert_eq!(
        api.call("GET", "/v1/services/databaseServices/name/x", None)
            .0,
        404
    );
    assert_eq!(
        api.call("GET", "/v1/tables/name/svc.db.sales.t", None).0,
        404
    );
    let unexpected: Vec<String> = om
        .unexpected_requests()
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    assert_eq!(
        unexpected,
        [
            "GET /api/v1/lineage/table/name/svc.db.sales.t",
            "POST /api/v1/services/databaseServices",
            "GET /api/v1/users",
        ]
    );
}

#[test]
fn scripted_429_and_500_answer_instead_of_the_call() {
    let om = StandIn::start(TOKEN);
    let api = Api::new(&om);
    api.parents();
    om.fail_next(
        "PUT",
        "/api/v1/tables/bulk",
        2,
        Fault::TooManyRequests {
            retry_after_secs: 3,
        },
    );
    om.fail_next("PUT", "/api/v1/tables/bulk", 1, Fault::ServerError);
    let items = json!([table("t", "svc.db.sales", None)]);
    let path = "/v1/tables/bulk?async=false&overrideMetadata=false";
    // Another call is not affected.
    assert_eq!(api.call("GET", "/v1/system/version", None).0, 200);
    for _ in 0..2 {
        let resp = api.request("PUT", path).json(&items).send().unwrap();
        assert_eq!(resp.headers()["retry-after"], "3");
        let (status, body) = answer(resp);
        assert_eq!((status, &body["code"]), (429, &json!(429)));
    }
    let (status, body) = api.call("PUT", path, Some(&items));
    assert_eq!((status, &body["code"]), (500, &json!(500)));
    assert!(
        om.entities(Collection::Tables).is_empty(),
        "a faulted call writes nothing"
    );
    assert_eq!(api.call("PUT", path, Some(&items)).0, 200);
    assert_eq!(om.entities(Collection::Tables).len(), 1);
}

#[test]
fn a_stall_outlasts_the_client_timeout_and_still_writes() {
    let om = StandIn::start(TOKEN);
    let api = Api::new(&om);
    api.parents();
    om.fail_next(
        "PUT",
        "/api/v1/tables/bulk",
        1,
        Fault::Stall(Duration::from_millis(1500)),
    );
    let impatient = reqwest::blocking::Client::builder()
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let err = impatient
        .put(format!("{}/v1/tables/bulk?async=false", om.host_port()))
        .bearer_auth(TOKEN)
        .json(&json!([table("slow", "svc.db.sales", None)]))
        .send()
        .expect_err("the stall outlasts the client's timeout");
    assert!(err.is_timeout(), "{err}");
    assert!(om.entity(Collection::Tables, "svc.db.sales.slow").is_none());
    // The server finishes the call the client gave up on.
    let deadline = Instant::now() + Duration::from_secs(10);
    while om.entity(Collection::Tables, "svc.db.sales.slow").is_none() {
        assert!(
            Instant::now() < deadline,
            "the stalled write never happened"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    // The call is logged once answered, a moment after its write: wait for that entry too.
    let logged = loop {
        let stalled = (om.requests().into_iter())
            .find(|r| r.path == "/api/v1/tables/bulk" && r.body.contains("slow"));
        match stalled {
            Some(r) => break r,
            None if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(50)),
            None => panic!("the stalled call was never logged: {:?}", om.requests()),
        }
    };
    assert_eq!(logged.status, 200);
    assert!(logged.elapsed >= Duration::from_millis(1500), "{logged:?}");
}

#[test]
fn latency_delays_every_call() {
    let om = StandIn::start(TOKEN);
    let api = Api::new(&om);
    om.set_latency(Duration::from_millis(250));
    let t = Instant::now();
    assert_eq!(api.call("GET", "/v1/system/version", None).0, 200);
    assert!(
        t.elapsed() >= Duration::from_millis(250),
        "{:?}",
        t.elapsed()
    );
    om.clear_faults();
    let t = Instant::now();
    api.call("GET", "/v1/system/version", None);
    assert!(
        t.elapsed() < Duration::from_millis(250),
        "{:?}",
        t.elapsed()
    );
}

#[test]
fn scripted_item_failures_fail_only_those_items() {
    let om = StandIn::start(TOKEN);
    let api = Api::new(&om);
    api.parents();
    om.fail_item("flaky", 500, Attempts::First(2));
    om.fail_item("broken", 400, Attempts::Always);
    let items = json!([
        table("flaky", "svc.db.sales", None),
        table("fine", "svc.db.sales", None),
        table("broken", "svc.db.sales", None),
    ]);
    for attempt in 1..=3 {
        let r = api.bulk("tables", items.clone());
        let failed: Vec<(Value, Value)> = r["failedRequest"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| (f["request"]["name"].clone(), f["status"].clone()))
            .collect();
        let expected = if attempt <= 2 {
            vec![(json!("flaky"), json!(500)), (json!("broken"), json!(400))]
        } else {
            vec![(json!("broken"), json!(400))]
        };
        assert_eq!(failed, expected, "attempt {attempt}: {r}");
        assert_eq!(r["status"], "partialSuccess");
    }
    assert!(
        om.entity(Collection::Tables, "svc.db.sales.flaky")
            .is_some()
    );
    assert!(
        om.entity(Collection::Tables, "svc.db.sales.broken")
            .is_none()
    );
}

#[test]
fn a_dashboard_service_is_created_then_found_by_fqn() {
    let om = StandIn::start(TOKEN);
    let api = Api::new(&om);
    let (status, body) = api.call("GET", "/v1/services/dashboardServices/name/lk", None);
    assert_eq!(
        (status, body),
        (
            404,
            json!({"code": 404, "message": "dashboardService instance for lk not found"})
        )
    );
    let request = json!({"name": "lk", "serviceType": "Looker"});
    let (status, created) = api.call("PUT", "/v1/services/dashboardServices", Some(&request));
    assert_eq!(status, 201, "{created}");
    assert_eq!(
        (&created["fullyQualifiedName"], &created["version"]),
        (&json!("lk"), &json!(0.1))
    );
    let (status, found) = api.call("GET", "/v1/services/dashboardServices/name/lk", None);
    assert_eq!((status, &found["id"]), (200, &created["id"]));
    assert_eq!(
        api.call("PUT", "/v1/services/dashboardServices", Some(&request))
            .1["version"],
        0.1,
        "the same request again changes nothing"
    );
    // A database service type is not a dashboard service type; services are apart.
    let (status, err) = api.call(
        "PUT",
        "/v1/services/dashboardServices",
        Some(&json!({"name": "pg", "serviceType": "Postgres"})),
    );
    assert_eq!(status, 400, "{err}");
    assert!(
        err["message"].as_str().unwrap().contains("serviceType"),
        "{err}"
    );
    assert_eq!(
        api.call("GET", "/v1/services/databaseServices/name/lk", None)
            .0,
        404
    );
    assert_eq!(om.entities(Collection::DashboardServices).len(), 1);
}

fn chart(name: &str) -> Value {
    json!({"name": name, "service": "lk", "chartType": "Bar"})
}

fn data_model(name: &str) -> Value {
    json!({"name": name, "service": "lk", "dataModelType": "LookMlExplore", "serviceType": "Looker",
           "columns": [{"name": "orders.id", "dataType": "NUMBER", "ordinalPosition": 1}]})
}

#[test]
fn dashboards_need_their_service_charts_and_data_models() {
    let om = StandIn::start(TOKEN);
    let api = Api::new(&om);
    // No service yet: every kind of the dashboard service is refused, as a table without schema.
    let r = api.bulk("charts", json!([chart("1")]));
    assert_eq!(
        (
            &r["failedRequest"][0]["status"],
            &r["failedRequest"][0]["message"]
        ),
        (
            &json!(404),
            &json!("dashboardService instance for lk not found")
        )
    );
    let service = json!({"name": "lk", "serviceType": "Looker"});
    assert_eq!(
        api.call("PUT", "/v1/services/dashboardServices", Some(&service))
            .0,
        201
    );

    let r = api.bulk("dashboard/datamodels", json!([data_model("sales.orders")]));
    assert_eq!(
        r["successRequest"],
        json!([{"request": "lk.model.\"sales.orders\"", "status": 200}])
    );
    let r = api.bulk("charts", json!([chart("1"), chart("2")]));
    assert_eq!(r["status"], "success", "{r}");
    let model = om
        .entity(Collection::DashboardDataModels, "lk.model.\"sales.orders\"")
        .unwrap();
    assert_eq!(
        (&model.body["service"]["type"], &model.body["serviceType"]),
        (&json!("dashboardService"), &json!("Looker"))
    );

    // A dashboard naming a chart or data model that does not exist is refused: OpenMetadata's bulk
    // answer is a 400 with its not-found message.
    let dashboard = |name: &str, charts: Value, models: Value| {
        json!({"name": name, "service": "lk", "dashboardType": "Dashboard",
               "charts": charts, "dataModels": models})
    };
    let r = api.bulk(
        "dashboards",
        json!([
            dashboard(
                "7",
                json!(["lk.1", "lk.2"]),
                json!(["lk.model.\"sales.orders\""])
            ),
            dashboard("8", json!(["lk.1", "lk.3"]), json!([])),
            dashboard("9", json!([]), json!(["lk.\"sales.orders\""])),
        ]),
    );
    let failed: Vec<(&Value, &Value)> = r["failedRequest"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (&f["status"], &f["message"]))
        .collect();
    assert_eq!(
        failed,
        [
            (&json!(400), &json!("chart instance for lk.3 not found")),
            (
                &json!(400),
                &json!("dashboardDataModel instance for lk.\"sales.orders\" not found")
            ),
        ],
        "{r}"
    );
    assert_eq!(
        r["successRequest"],
        json!([{"request": "lk.7", "status": 200}])
    );
    let stored = om.entity(Collection::Dashboards, "lk.7").unwrap();
    let names = |field: &str| -> Vec<Value> {
        stored.body[field]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["fullyQualifiedName"].clone())
            .collect()
    };
    assert_eq!(names("charts"), [json!("lk.1"), json!("lk.2")]);
    assert_eq!(names("dataModels"), [json!("lk.model.\"sales.orders\"")]);
    assert_eq!(stored.body["charts"][0]["type"], "chart");
    assert_eq!(stored.parent.as_deref(), Some("lk"));

    // Versions as for tables: an unchanged sourceHash is no write, a new one is an update.
    let hashed = |h: &str| {
        let mut d = dashboard("7", json!(["lk.1"]), json!([]));
        d["sourceHash"] = json!(h);
        d
    };
    let h = "0123456789abcdef0123456789abcdef";
    api.bulk("dashboards", json!([hashed(h)]));
    api.bulk("dashboards", json!([hashed(h)]));
    let w = om.writes_in(Collection::Dashboards);
    assert_eq!((w.creates, w.updates), (1, 1));
    assert_eq!(
        om.entity(Collection::Dashboards, "lk.7").unwrap().version,
        0.2
    );

    // Schema-invalid items fail alone.
    let r = api.bulk(
        "charts",
        json!([{"name": "x", "service": "lk", "chartType": "Pie3D"}]),
    );
    assert_eq!(r["failedRequest"][0]["status"], 400, "{r}");
    assert!(om.unexpected_requests().is_empty());
}
