//! Trino's client protocol (https://trino.io/docs/current/develop/client-protocol.html), which
//! Presto speaks too with `X-Presto-*` headers for `X-Trino-*` ([`Flavour`]), over the
//! SDK's HTTP client, as an [`omrun_sdk::sql::Query`]: `POST /v1/statement` with the SQL, then
//! `GET nextUri` until an answer has none, collecting `columns` and `data`; an `error` object
//! fails the query with Trino's `errorName` and message. 502/503/504 (a gateway's hiccup) are
//! retried after 50–100 ms as the protocol asks, 429 after its `Retry-After`, a lost connection
//! after a short backoff; a bounded number of times each.
//!
//! The protocol has no bind parameters: a query's `?`s are replaced by literals
//! ([`inline_params`]), strings quoted with `''` escaping.

use std::cell::Cell;
use std::time::Duration;

use omrun_sdk::http::{self, HttpError, Request, Response};
use omrun_sdk::log;
use omrun_sdk::sql::{Query, Row, SqlError, Value};
use serde::Deserialize;
use serde_json::Value as Json;

use crate::config::{Auth, Connection, Flavour};

/// Retries of one request after a 429, a 502/503/504 or a lost connection.
const RETRIES: u32 = 6;
/// The longest `Retry-After` honoured as is.
const MAX_WAIT: Duration = Duration::from_secs(30);
/// Pages one query may take; a catalog query never comes near it, a runaway loop stops.
const MAX_PAGES: usize = 100_000;

/// How the credentials go, once known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sent {
    None,
    /// Not known yet: `authType` is set, its secret removed (see [`Auth::Secret`] and
    /// [`Client::credentials`]).
    Unknown,
    /// Not known yet: Presto's `password` may be set (see [`Auth::MaybePassword`]).
    MaybePassword,
    /// `Authorization: Basic user:__OMRUN_SECRET_password__`, which the host fills in and
    /// base64-encodes.
    Basic,
    /// `Authorization: Bearer __OMRUN_SECRET_jwt__`.
    Bearer,
}

/// A Trino or Presto coordinator, as one user.
pub struct Client {
    flavour: Flavour,
    base_url: String,
    user: String,
    /// `X-Trino-Catalog` (`X-Presto-Catalog`), when the config names one (every query names its
    /// catalog anyway).
    catalog: Option<String>,
    auth: Cell<Sent>,
}

impl Client {
    pub fn new(c: &Connection) -> Self {
        Self {
            flavour: c.flavour,
            base_url: c.base_url.clone(),
            user: c.user.clone(),
            catalog: c.catalog.clone(),
            auth: Cell::new(match c.auth {
                Auth::None => Sent::None,
                Auth::Secret => Sent::Unknown,
                Auth::MaybePassword => Sent::MaybePassword,
            }),
        }
    }

    /// Runs `sql` (its `?`s already filled in) and collects every row.
    pub fn run(&self, sql: &str) -> Result<Vec<Row>, SqlError> {
        let url = format!("{}/v1/statement", self.base_url);
        let mut page = self.send(
            Request::post(&url).body(sql.as_bytes().to_vec()),
            "POST /v1/statement",
        )?;
        let mut rows = Vec::new();
        for _ in 0..MAX_PAGES {
            if let Some(e) = page.error {
                return Err(e.into_sql_error());
            }
            for values in page.data.unwrap_or_default() {
                rows.push(Row::new(values.into_iter().map(value).collect()));
            }
            let Some(next) = page.next_uri else {
                return Ok(rows);
            };
            page = self.send(Request::get(&next), "GET nextUri")?;
        }
        Err(SqlError::new(format!(
            "{}'s answer to `{}` did not end after {MAX_PAGES} pages",
            self.flavour.name(),
            excerpt(sql)
        )))
    }

    /// Sends one request of the protocol, retrying what the protocol says to retry, and reads
    /// its `QueryResults`.
    fn send(&self, request: Request, what: &str) -> Result<QueryResults, SqlError> {
        let mut attempt = 0;
        loop {
            let sent = self.credentials();
            let answer = self.headers(request.clone(), sent).send();
            match wait(&answer, attempt) {
                Some(pause) => {
                    attempt += 1;
                    log::warn!(
                        "{} {what}: {}; retry {attempt} of {RETRIES} in {pause:?}",
                        self.flavour.name(),
                        why(&answer)
                    );
                    std::thread::sleep(pause);
                }
                None => return self.answer(answer, what),
            }
        }
    }

    /// How to send the credentials. The first call with `authType` (or Presto's possible
    /// `password`) learns which secret the config holds: the host refuses a placeholder naming a
    /// secret it does not have, before anything leaves omrun, so a `GET /v1/info` (Trino answers
    /// it to anyone; whatever Presto answers, only whether the host let it go counts; it has no
    /// body, so a refusal comes back as one) with the password's placeholder tells a password
    /// from a token, or, for Presto, from nothing.
    fn credentials(&self) -> Sent {
        let unknown = self.auth.get();
        if matches!(unknown, Sent::Unknown | Sent::MaybePassword) {
            let probe = Request::get(format!("{}/v1/info", self.base_url));
            let learned = match self.headers(probe, Sent::Basic).send() {
                // Presto has no token: no password is no credentials (or the host itself is not
                // granted, which the query will say).
                Err(HttpError::Denied { .. }) if unknown == Sent::MaybePassword => Sent::None,
                Err(HttpError::Denied { .. }) => {
                    let probe = Request::get(format!("{}/v1/info", self.base_url));
                    match self.headers(probe, Sent::Bearer).send() {
                        // Neither: the host itself is not granted; the query will say so.
                        Err(HttpError::Denied { .. }) => Sent::Basic,
                        _ => Sent::Bearer,
                    }
                }
                // No answer: nothing learned; the query's own retries deal with it.
                Err(HttpError::Connection { .. }) => return Sent::Basic,
                _ => Sent::Basic,
            };
            log::debug!("{} credentials go as {learned:?}", self.flavour.name());
            self.auth.set(learned);
        }
        self.auth.get()
    }

    /// The request with the protocol's headers and the credentials.
    fn headers(&self, request: Request, sent: Sent) -> Request {
        let mut request = request
            .header(self.flavour.header("User"), &self.user)
            .header(self.flavour.header("Source"), "omrun")
            .header("Content-Type", "text/plain; charset=utf-8");
        if let Some(catalog) = &self.catalog {
            request = request.header(self.flavour.header("Catalog"), catalog);
        }
        match sent {
            Sent::None => request,
            // Unencoded: the host fills in the password and base64-encodes what follows `Basic `.
            Sent::Basic | Sent::Unknown | Sent::MaybePassword => request.header(
                "Authorization",
                format!("Basic {}:{}", self.user, http::secret("password")),
            ),
            Sent::Bearer => {
                request.header("Authorization", format!("Bearer {}", http::secret("jwt")))
            }
        }
    }

    /// The `QueryResults` of an answer, or why there is none.
    fn answer(
        &self,
        answer: Result<Response, HttpError>,
        what: &str,
    ) -> Result<QueryResults, SqlError> {
        let name = self.flavour.name();
        let response = answer.map_err(|e| SqlError::new(format!("{name} {what}: {e}")))?;
        match response.status {
            200 => response
                .json::<QueryResults>()
                .map_err(|e| SqlError::new(format!("{name} {what}: {e}"))),
            401 => Err(SqlError {
                message: format!(
                    "{name} refused the credentials of user `{}` (HTTP 401{}): {}",
                    self.user,
                    match response.text().map(str::trim) {
                        Ok(t) if !t.is_empty() => format!(": {}", excerpt(t)),
                        _ => String::new(),
                    },
                    self.what_to_check()
                ),
                sqlstate: Some("28000".into()),
            }),
            _ => Err(SqlError::new(format!(
                "{name} {what}: {}",
                response
                    .error_for_status()
                    .err()
                    .map(|e| e.to_string())
                    .unwrap_or_default()
            ))),
        }
    }
}

impl Client {
    /// What a refusal of the credentials asks the user to check.
    fn what_to_check(&self) -> &'static str {
        match (self.flavour, self.auth.get()) {
            (Flavour::Trino, _) => "check username and authType (password or jwt)",
            (Flavour::Presto, Sent::None) if self.base_url.starts_with("http:") => {
                "no password was sent: over http omrun sends Presto's password only with \
                 connectionArguments.allow_insecure_auth: true; use protocol: https"
            }
            (Flavour::Presto, Sent::None) => "no password was sent: the config has none",
            (Flavour::Presto, _) => "check username and password",
        }
    }
}

impl Query for Client {
    fn query_all(&self, sql: &str, params: &[Value]) -> Result<Vec<Row>, SqlError> {
        self.run(&inline_params(sql, params)?)
    }
}

/// How long to wait before trying `answer`'s request again (the `attempt`-th retry), or `None`
/// to take it as it is.
fn wait(answer: &Result<Response, HttpError>, attempt: u32) -> Option<Duration> {
    if attempt >= RETRIES {
        return None;
    }
    let backoff = Duration::from_millis(100) * 2u32.pow(attempt.min(6));
    match answer {
        Err(HttpError::Connection { .. }) => Some(backoff),
        Err(_) => None,
        Ok(r) => match r.status {
            // "try again in 50-100 milliseconds", then less eagerly
            502..=504 => Some(Duration::from_millis(75).max(backoff / 2)),
            429 => Some(r.retry_after().unwrap_or(backoff).min(MAX_WAIT)),
            _ => None,
        },
    }
}

fn why(answer: &Result<Response, HttpError>) -> String {
    match answer {
        Ok(r) => format!("HTTP {}", r.status),
        Err(e) => e.to_string(),
    }
}

/// A `QueryResults` document, the fields this client reads.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct QueryResults {
    next_uri: Option<String>,
    data: Option<Vec<Vec<Json>>>,
    error: Option<QueryError>,
}

/// Trino's `QueryError`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct QueryError {
    message: Option<String>,
    error_name: Option<String>,
    error_type: Option<String>,
}

impl QueryError {
    /// As an `SqlError` with a SQLSTATE class that says what kind of failure it is, so that
    /// `omrun-common-db` tells failures that may pass (none, `08`, `53`) from those that will
    /// not: Trino's own errors carry no SQLSTATE.
    fn into_sql_error(self) -> SqlError {
        let name = self.error_name.unwrap_or_else(|| "ERROR".into());
        let sqlstate = match (self.error_type.as_deref(), name.as_str()) {
            (_, "PERMISSION_DENIED") => Some("42501"),
            (Some("USER_ERROR"), _) => Some("42000"),
            (Some("INSUFFICIENT_RESOURCES"), _) => Some("53000"),
            (Some("INTERNAL_ERROR"), _) => Some("XX000"),
            // EXTERNAL: a connector's source did not answer; may pass.
            _ => None,
        };
        SqlError {
            message: format!("{name}: {}", self.message.unwrap_or_default()),
            sqlstate: sqlstate.map(str::to_owned),
        }
    }
}

/// A value of Trino's JSON encoding as a row value: strings (varchar, decimals, dates,
/// timestamps) as text, integers as integers, other numbers as floats, arrays, maps and rows as
/// their JSON text.
fn value(v: Json) -> Value {
    match v {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Boolean(b),
        Json::Number(n) => match n.as_i64() {
            Some(i) => Value::Integer(i),
            None => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        Json::String(s) => Value::Text(s),
        other => Value::Text(other.to_string()),
    }
}

/// `sql` with each `?` outside quotes replaced by the next of `params` as a Trino literal.
pub fn inline_params(sql: &str, params: &[Value]) -> Result<String, SqlError> {
    let mut out = String::with_capacity(sql.len() + params.len() * 16);
    let mut next = params.iter();
    let mut quote: Option<char> = None;
    for c in sql.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '?') => {
                let p = next.next().ok_or_else(|| {
                    SqlError::new(format!("fewer parameters than `?`s in `{}`", excerpt(sql)))
                })?;
                out.push_str(&literal(p)?);
                continue;
            }
            _ => {}
        }
        out.push(c);
    }
    if next.next().is_some() {
        return Err(SqlError::new(format!(
            "more parameters than `?`s in `{}`",
            excerpt(sql)
        )));
    }
    Ok(out)
}

/// A value as a Trino literal.
fn literal(v: &Value) -> Result<String, SqlError> {
    Ok(match v {
        Value::Null => "NULL".into(),
        Value::Boolean(b) => b.to_string(),
        Value::Integer(i) => i.to_string(),
        Value::Float(x) if x.is_finite() => format!("DOUBLE '{x:?}'"),
        Value::Text(s) => string_literal(s),
        Value::TextList(l) => format!(
            "ARRAY[{}]",
            l.iter()
                .map(|s| string_literal(s))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Value::IntegerList(l) => format!(
            "ARRAY[{}]",
            l.iter().map(i64::to_string).collect::<Vec<_>>().join(", ")
        ),
        other => return Err(SqlError::new(format!("no Trino literal for {other:?}"))),
    })
}

/// `'text'`, quotes doubled.
pub fn string_literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// A name as a quoted Trino identifier.
pub fn identifier(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// The first 120 characters of `sql`, on one line.
fn excerpt(sql: &str) -> String {
    let line = sql.split_whitespace().collect::<Vec<_>>().join(" ");
    match line.char_indices().nth(120) {
        Some((at, _)) => format!("{}…", &line[..at]),
        None => line,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_become_literals_outside_quotes_only() {
        let sql = inline_params(
            "SELECT '?', \"a?\" FROM t WHERE s IN (?, ?) AND n = ? AND b = ? AND x IS ?",
            &[
                Value::Text("it's".into()),
                Value::Text("x".into()),
                Value::Integer(-3),
                Value::Boolean(true),
                Value::Null,
            ],
        )
        .unwrap();
        assert_eq!(
            sql,
            "SELECT '?', \"a?\" FROM t WHERE s IN ('it''s', 'x') AND n = -3 AND b = true AND x IS NULL"
        );
        assert!(inline_params("a = ? AND b = ?", &[Value::Integer(1)]).is_err());
        assert!(inline_params("a = 1", &[Value::Integer(1)]).is_err());
        assert_eq!(
            inline_params(
                "x IN (?)",
                &[Value::TextList(vec!["a".into(), "b'".into()])]
            )
            .unwrap(),
            "x IN (ARRAY['a', 'b'''])"
        );
        assert_eq!(literal(&Value::Float(1.5)).unwrap(), "DOUBLE '1.5'");
    }

    #[test]
    fn identifiers_are_quoted() {
        assert_eq!(identifier("my \"cat\""), "\"my \"\"cat\"\"\"");
        assert_eq!(string_literal("o'k"), "'o''k'");
    }

    #[test]
    fn values_in_trino_json() {
        let row: Vec<Value> = serde_json::from_str::<Vec<Json>>(
            r#"["a", 1, 1.5, true, null, "12.30", [1, 2], {"k": 1}, ["x", 2]]"#,
        )
        .unwrap()
        .into_iter()
        .map(value)
        .collect();
        assert_eq!(
            row,
            vec![
                Value::Text("a".into()),
                Value::Integer(1),
                Value::Float(1.5),
                Value::Boolean(true),
                Value::Null,
                Value::Text("12.30".into()),
                Value::Text("[1,2]".into()),
                Value::Text("{\"k\":1}".into()),
                Value::Text("[\"x\",2]".into()),
            ]
        );
    }

    #[test]
    fn errors_keep_trino_s_name_and_kind() {
        let e: QueryError = serde_json::from_str(
            r#"{"message":"line 1:15: Table 'a.b.c' does not exist","errorCode":46,
                "errorName":"TABLE_NOT_FOUND","errorType":"USER_ERROR"}"#,
        )
        .unwrap();
        let e = e.into_sql_error();
        assert_eq!(
            e.message,
            "TABLE_NOT_FOUND: line 1:15: Table 'a.b.c' does not exist"
        );
        assert_eq!(e.sqlstate.as_deref(), Some("42000"));
        let e: QueryError =
            serde_json::from_str(r#"{"message":"m","errorName":"X","errorType":"EXTERNAL"}"#)
                .unwrap();
        assert_eq!(e.into_sql_error().sqlstate, None);
    }

    fn status(code: u16, headers: &[(&str, &str)]) -> Result<Response, HttpError> {
        Ok(Response {
            status: code,
            headers: headers
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect(),
            body: Vec::new(),
        })
    }

    #[test]
    fn what_is_retried() {
        assert_eq!(wait(&status(503, &[]), 0), Some(Duration::from_millis(75)));
        assert_eq!(wait(&status(502, &[]), 3), Some(Duration::from_millis(400)));
        assert_eq!(wait(&status(503, &[]), RETRIES), None);
        assert_eq!(
            wait(&status(429, &[("Retry-After", "2")]), 0),
            Some(Duration::from_secs(2))
        );
        assert_eq!(
            wait(&status(429, &[("Retry-After", "600")]), 0),
            Some(MAX_WAIT)
        );
        assert_eq!(wait(&status(200, &[]), 0), None);
        assert_eq!(wait(&status(401, &[]), 0), None);
        let lost = Err(HttpError::Connection {
            destination: "http://t:8080".into(),
            code: "ConnectionRefused".into(),
        });
        assert_eq!(wait(&lost, 1), Some(Duration::from_millis(200)));
        let denied = Err(HttpError::Denied {
            destination: "http://t:8080".into(),
        });
        assert_eq!(wait(&denied, 0), None);
    }
}
