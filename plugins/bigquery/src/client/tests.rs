use super::*;

fn answer(code: u16, headers: &[(&str, &str)], body: &str) -> Result<Response, HttpError> {
    Ok(Response {
        status: code,
        headers: headers
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect(),
        body: body.as_bytes().to_vec(),
    })
}

const RATE_LIMITED: &str = r#"{"error":{"code":403,"message":"Exceeded rate limits: too many api requests per user per method for this user_method.","errors":[{"message":"Exceeded rate limits","domain":"usageLimits","reason":"rateLimitExceeded"}],"status":"PERMISSION_DENIED"}}"#;

#[test]
fn rate_limits_and_server_errors_wait_a_bounded_number_of_times() {
    let limited = answer(429, &[("retry-after", "2")], "");
    assert_eq!(decide(&limited, 0), Next::Wait(Duration::from_secs(2)));
    assert_eq!(decide(&limited, RETRIES), Next::Done);
    assert_eq!(
        decide(&answer(429, &[("retry-after", "3600")], ""), 0),
        Next::Wait(MAX_WAIT)
    );
    assert_eq!(decide(&answer(503, &[], ""), 0), Next::Wait(FIRST_BACKOFF));
    assert_eq!(
        decide(&answer(500, &[], ""), 2),
        Next::Wait(Duration::from_secs(1))
    );
    // BigQuery's own rate limit: a 403 with reason rateLimitExceeded.
    assert_eq!(
        decide(&answer(403, &[], RATE_LIMITED), 1),
        Next::Wait(FIRST_BACKOFF * 2)
    );
    let lost = Err(HttpError::Connection {
        destination: "https://bigquery.googleapis.com".into(),
        code: "ConnectionReset".into(),
    });
    assert_eq!(decide(&lost, 0), Next::Wait(FIRST_BACKOFF));
    let tls = Err(HttpError::Connection {
        destination: "https://h".into(),
        code: "ErrorCode::TlsProtocolError".into(),
    });
    assert_eq!(decide(&tls, 0), Next::Done);
    let e = into_result(tls, "GET /x").unwrap_err();
    assert!(
        e.to_string().contains("unless hostPort says http://"),
        "{e}"
    );
    let denied_403 = r#"{"error":{"code":403,"message":"Access Denied","errors":[{"reason":"accessDenied"}],"status":"PERMISSION_DENIED"}}"#;
    for (status, body) in [
        (200, ""),
        (401, ""),
        (403, denied_403),
        (404, ""),
        (400, ""),
        (501, ""),
    ] {
        assert_eq!(
            decide(&answer(status, &[], body), 0),
            Next::Done,
            "{status}"
        );
    }
    let refused = Err(HttpError::Denied {
        destination: "https://datacatalog.googleapis.com".into(),
    });
    assert_eq!(decide(&refused, 0), Next::Done);
    assert!(matches!(
        into_result(refused, "GET /v1/x"),
        Err(ApiError::Refused(_))
    ));
}

#[test]
fn errors_say_what_google_said() {
    let shown = "GET /bigquery/v2/projects/p/datasets/d/tables/t";
    let e = into_result(
        answer(
            404,
            &[],
            r#"{"error":{"code":404,"message":"Not found: Table p:d.t","errors":[{"message":"Not found: Table p:d.t","domain":"global","reason":"notFound"}],"status":"NOT_FOUND"}}"#,
        ),
        shown,
    )
    .unwrap_err();
    assert_eq!(
        e,
        ApiError::NotFound(format!(
            "{shown}: HTTP 404 NOT_FOUND: Not found: Table p:d.t"
        ))
    );
    assert!(e.is_local());
    // Without `status`, the first reason.
    let e = into_result(
        answer(403, &[], r#"{"error":{"code":403,"message":"Access Denied: Dataset p:d","errors":[{"reason":"accessDenied"}]}}"#),
        shown,
    )
    .unwrap_err();
    assert!(matches!(e, ApiError::Forbidden(_)) && e.is_local());
    let text = e.to_string();
    assert!(
        text.contains("HTTP 403 accessDenied: Access Denied: Dataset p:d")
            && text.contains("BigQuery Metadata Viewer"),
        "{text}"
    );
    let e = into_result(
        answer(
            403,
            &[],
            r#"{"error":{"code":403,"message":"no","status":"PERMISSION_DENIED"}}"#,
        ),
        "GET /v1/projects/p/locations/us/taxonomies",
    )
    .unwrap_err();
    assert!(e.to_string().contains("Data Catalog Viewer"), "{e}");
    let e = into_result(
        answer(401, &[], r#"{"error":{"code":401,"message":"Request had invalid authentication credentials.","status":"UNAUTHENTICATED"}}"#),
        shown,
    )
    .unwrap_err();
    assert_eq!(
        e,
        ApiError::Auth(format!(
            "Google refused the service account's access token (HTTP 401 UNAUTHENTICATED: Request had invalid authentication credentials.) on {shown}"
        ))
    );
    assert!(!e.is_local());
    let e = into_result(
        answer(302, &[("location", "https://accounts.google.com/")], ""),
        shown,
    )
    .unwrap_err();
    assert!(
        e.to_string()
            .contains("redirected to https://accounts.google.com/"),
        "{e}"
    );
    let e = into_result(
        answer(500, &[], "<html>\n<b>Server Error</b>\n</html>"),
        shown,
    )
    .unwrap_err();
    assert_eq!(
        e,
        ApiError::Other(format!(
            "{shown}: HTTP 500: <html> <b>Server Error</b> </html>"
        ))
    );
    assert_eq!(error_detail(&answer(418, &[], "").unwrap()), "HTTP 418");
    assert_eq!(
        error_detail(
            &answer(
                400,
                &[],
                r#"{"error":"invalid_grant","error_description":"Invalid JWT Signature."}"#
            )
            .unwrap()
        ),
        "HTTP 400 invalid_grant: Invalid JWT Signature."
    );
}

#[test]
fn path_segments() {
    assert_eq!(path_segment("acme-data"), "acme-data");
    assert_eq!(path_segment("example.com:proj"), "example.com:proj");
    assert_eq!(path_segment("my table/ü"), "my%20table%2F%C3%BC");
}
