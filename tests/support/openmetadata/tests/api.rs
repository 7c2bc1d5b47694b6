//! A blocking HTTP client of one stand-in, and the requests the tests build.

use crate::openmetadata::StandIn;
use serde_json::{Value, json};

pub const TOKEN: &str = "test-token";

/// A blocking client for one stand-in.
pub struct Api<'a> {
    pub om: &'a StandIn,
    pub http: reqwest::blocking::Client,
}

impl<'a> Api<'a> {
    pub fn new(om: &'a StandIn) -> Api<'a> {
        Api {
            om,
            http: reqwest::blocking::Client::new(),
        }
    }

    pub fn request(&self, method: &str, path: &str) -> reqwest::blocking::RequestBuilder {
        let m = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        self.http
            .request(m, format!("{}{path}", self.om.host_port()))
            .bearer_auth(TOKEN)
    }

    /// `method path` with the token and an optional JSON body: (status, JSON answer).
    pub fn call(&self, method: &str, path: &str, body: Option<&Value>) -> (u16, Value) {
        let mut rb = self.request(method, path);
        if let Some(b) = body {
            rb = rb.json(b);
        }
        answer(rb.send().expect("request to the stand-in"))
    }

    pub fn bulk(&self, collection: &str, items: Value) -> Value {
        let path = format!("/v1/{collection}/bulk?async=false&overrideMetadata=false");
        let (status, result) = self.call("PUT", &path, Some(&items));
        assert_eq!(status, 200, "bulk answer: {result}");
        result
    }

    /// `method path` with the token and `body` as `content_type`: (status, JSON answer).
    pub fn send(&self, method: &str, path: &str, content_type: &str, body: &Value) -> (u16, Value) {
        let rb = self
            .request(method, path)
            .header("Content-Type", content_type)
            .body(body.to_string());
        answer(rb.send().expect("request to the stand-in"))
    }

    /// `GET path`, answered 200: the JSON answer.
    pub fn get(&self, path: &str) -> Value {
        let (status, v) = self.call("GET", path, None);
        assert_eq!(status, 200, "GET {path}: {v}");
        v
    }

    /// A service `svc`, database `svc.db` and schemas `svc.db.sales` and `svc.db.hr`.
    pub fn parents(&self) {
        let (status, _) = self.call(
            "PUT",
            "/v1/services/databaseServices",
            Some(&json!({"name": "svc", "serviceType": "Postgres"})),
        );
        assert_eq!(status, 201);
        let r = self.bulk("databases", json!([{"name": "db", "service": "svc"}]));
        assert_eq!(r["status"], "success", "{r}");
        let r = self.bulk(
            "databaseSchemas",
            json!([{"name": "sales", "database": "svc.db"}, {"name": "hr", "database": "svc.db"}]),
        );
        assert_eq!(r["status"], "success", "{r}");
    }
}

pub fn answer(resp: reqwest::blocking::Response) -> (u16, Value) {
    let status = resp.status().as_u16();
    let text = resp.text().expect("answer body");
    // An empty body (the answer to `PUT /v1/lineage`) reads as null.
    if text.is_empty() {
        return (status, Value::Null);
    }
    let v = serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"));
    (status, v)
}

pub fn table(name: &str, schema: &str, hash: Option<&str>) -> Value {
    let mut t = json!({
        "name": name,
        "databaseSchema": schema,
        "columns": [{"name": "id", "dataType": "INT"}],
    });
    if let Some(h) = hash {
        t["sourceHash"] = json!(h);
    }
    t
}
