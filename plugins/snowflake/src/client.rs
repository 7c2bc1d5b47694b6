//! Snowflake's own client protocol over the SDK's HTTP client, as its connectors speak it: a
//! session from `POST /session/v1/login-request` (the password, or a key-pair JWT, filled in or
//! signed by the host), then
//! `POST /queries/v1/query-request` per statement with `Authorization: Snowflake Token="…"`.
//! Results come as JSON (`rowset`) or as an Arrow IPC stream (`rowsetBase64`, see arrow.rs); a
//! statement still running after Snowflake's ~45 s answers "in progress" and is polled.

use std::cell::RefCell;
use std::time::Duration;

use omrun_sdk::http::{self, Request};
use omrun_sdk::sql::{Query, Row, SqlError, Value};
use serde::Deserialize;
use serde_json::{Value as Json, json};

use crate::arrow;
use crate::settings::Settings;

/// Snowflake's codes for a statement that has not finished yet.
const IN_PROGRESS: &[&str] = &["333333", "333334"];
/// How often a running statement's result is asked for.
const POLL: Duration = Duration::from_millis(500);

/// One Snowflake session.
pub struct Client {
    base_url: String,
    token: String,
    sequence: RefCell<u64>,
}

#[derive(Deserialize)]
struct Answer {
    data: Option<Json>,
    code: Option<String>,
    message: Option<String>,
    success: bool,
}

/// What `data` of a query answer holds.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Result {
    #[serde(default)]
    rowtype: Vec<Column>,
    rowset: Option<Vec<Vec<Option<String>>>>,
    rowset_base64: Option<String>,
    #[serde(default)]
    chunks: Vec<Json>,
    get_result_url: Option<String>,
    sql_state: Option<String>,
}

/// A result column as `rowtype` describes it.
#[derive(Deserialize, Debug, Clone)]
pub struct Column {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub scale: Option<i64>,
}

impl Client {
    /// Logs in as `settings` say, into their database, warehouse and role.
    pub fn login(settings: &Settings) -> std::result::Result<Self, String> {
        let base_url = settings.base_url();
        let mut request = Request::post(format!("{base_url}/session/v1/login-request"))
            .header("accept", "application/json");
        for (key, value) in [
            ("databaseName", &settings.database),
            ("warehouse", &settings.warehouse),
            ("roleName", &settings.role),
        ] {
            if let Some(value) = value {
                request = request.query(key, value);
            }
        }
        let mut body = json!({"data": {
            "CLIENT_APP_ID": "omrun",
            "CLIENT_APP_VERSION": env!("CARGO_PKG_VERSION"),
            "ACCOUNT_NAME": settings.account_name(),
            "LOGIN_NAME": settings.username,
            // JSON results where the server lets the client choose.
            "SESSION_PARAMETERS": {"PYTHON_CONNECTOR_QUERY_RESULT_FORMAT": "JSON"},
        }});
        // The password or the key-pair JWT: placeholders the host fills on the way out.
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        for (field, value) in settings.credentials(now) {
            body["data"][field] = value;
        }
        let answer: Answer = request
            .json(&body)
            .and_then(Request::send)
            .and_then(|r| r.error_for_status())
            .and_then(|r| r.json())
            .map_err(|e| format!("logging in to Snowflake at {base_url}: {e}"))?;
        if !answer.success {
            return Err(format!(
                "Snowflake refused the login of `{}`: {}",
                settings.username,
                answer.message.unwrap_or_default()
            ));
        }
        let token = answer
            .data
            .as_ref()
            .and_then(|d| d.get("token"))
            .and_then(Json::as_str)
            .ok_or("Snowflake's login answer has no session token")?;
        Ok(Self {
            base_url,
            token: token.to_owned(),
            sequence: RefCell::new(0),
        })
    }

    fn authorized(&self, request: Request) -> Request {
        request
            .header(
                "authorization",
                format!("Snowflake Token=\"{}\"", self.token),
            )
            .header("accept", "application/snowflake")
    }

    /// Runs one statement and returns its answer's `data`.
    fn run(&self, sql: &str, params: &[Value]) -> std::result::Result<Result, SqlError> {
        let sequence = {
            let mut n = self.sequence.borrow_mut();
            *n += 1;
            *n
        };
        let mut body = json!({"sqlText": sql, "asyncExec": false, "sequenceId": sequence});
        if !params.is_empty() {
            body["bindings"] = bindings(params)?;
        }
        let url = format!("{}/queries/v1/query-request", self.base_url);
        let request = self
            .authorized(Request::post(url))
            .query("requestId", format!("omrun-{sequence}"));
        let mut answer = send(request.json(&body))?;
        loop {
            let result: Result = answer
                .data
                .clone()
                .map(serde_json::from_value)
                .transpose()
                .map_err(|e| SqlError::new(format!("Snowflake's answer: {e}")))?
                .unwrap_or_default();
            let code = answer.code.as_deref().unwrap_or_default();
            if !answer.success && IN_PROGRESS.contains(&code) {
                let Some(path) = result.get_result_url else {
                    return Err(SqlError::new("a running statement without a result URL"));
                };
                std::thread::sleep(POLL);
                answer = send(Ok(
                    self.authorized(Request::get(format!("{}{path}", self.base_url)))
                ))?;
                continue;
            }
            if !answer.success {
                return Err(SqlError {
                    message: answer.message.unwrap_or_else(|| "query failed".into()),
                    sqlstate: result.sql_state,
                });
            }
            return Ok(result);
        }
    }
}

impl Query for Client {
    fn query_all(&self, sql: &str, params: &[Value]) -> std::result::Result<Vec<Row>, SqlError> {
        let result = self.run(sql, params)?;
        if !result.chunks.is_empty() {
            // Large results continue in chunks on the account's stage storage, a host the config
            // does not grant; catalog queries are batched well below that size.
            return Err(SqlError::new(format!(
                "the result of `{}` came in {} chunks, which omrun does not fetch; use a smaller batchSize",
                excerpt(sql),
                result.chunks.len()
            )));
        }
        if let Some(encoded) = result.rowset_base64.filter(|e| !e.is_empty()) {
            return arrow::rows(&encoded).map_err(SqlError::new);
        }
        let rows = result.rowset.unwrap_or_default();
        Ok(rows
            .into_iter()
            .map(|row| {
                let values = row.into_iter().zip(&result.rowtype);
                Row::new(values.map(|(v, c)| json_value(v, c)).collect())
            })
            .collect())
    }
}

/// Sends a request and reads Snowflake's envelope.
fn send(
    request: std::result::Result<Request, http::HttpError>,
) -> std::result::Result<Answer, SqlError> {
    request
        .and_then(Request::send)
        .and_then(|r| r.error_for_status())
        .and_then(|r| r.json())
        .map_err(|e| SqlError::new(format!("Snowflake: {e}")))
}

/// Positional bindings as Snowflake's protocol spells them: `{"1": {"type": "TEXT", "value": …}}`.
fn bindings(params: &[Value]) -> std::result::Result<Json, SqlError> {
    let mut map = serde_json::Map::new();
    for (i, param) in params.iter().enumerate() {
        let (kind, value) = match param {
            Value::Null => ("ANY", Json::Null),
            Value::Text(s) => ("TEXT", Json::from(s.as_str())),
            Value::Integer(n) => ("FIXED", Json::from(n.to_string())),
            Value::Float(x) => ("REAL", Json::from(x.to_string())),
            Value::Boolean(b) => ("BOOLEAN", Json::from(b.to_string())),
            other => {
                return Err(SqlError::new(format!(
                    "Snowflake binds no {other:?}; inline the list"
                )));
            }
        };
        map.insert((i + 1).to_string(), json!({"type": kind, "value": value}));
    }
    Ok(Json::Object(map))
}

/// A JSON `rowset` cell (Snowflake sends every value as text) as the type `rowtype` gives it.
fn json_value(value: Option<String>, column: &Column) -> Value {
    let Some(text) = value else {
        return Value::Null;
    };
    match column.kind.to_ascii_lowercase().as_str() {
        "fixed" if column.scale.unwrap_or(0) == 0 => text
            .parse()
            .map(Value::Integer)
            .unwrap_or(Value::Text(text)),
        "fixed" | "real" => text.parse().map(Value::Float).unwrap_or(Value::Text(text)),
        "boolean" => Value::Boolean(matches!(text.as_str(), "1" | "true" | "TRUE")),
        _ => Value::Text(text),
    }
}

fn excerpt(sql: &str) -> String {
    let flat: String = sql.split_whitespace().collect::<Vec<_>>().join(" ");
    flat.chars().take(60).collect()
}
