//! Request bodies within the size the server accepts. OpenMetadata's server sets no limit of its
//! own, but the proxies in front of it do (nginx and the Kubernetes ingress built on it refuse more
//! than 1 MiB unless told otherwise), so a bulk call is cut to fit `maxRequestBytes`.

use super::CreateRequest;
use serde_json::Value;

/// What the sink sends at most in one body unless `maxRequestBytes` says otherwise: nginx's
/// default `client_max_body_size`.
pub const DEFAULT_MAX_BYTES: usize = 1 << 20;

/// Counts what is written to it.
struct Count(usize);

impl std::io::Write for Count {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0 += bytes.len();
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The length of `value` as JSON, counted without building the text.
pub fn json_len(value: &Value) -> usize {
    let mut count = Count(0);
    serde_json::to_writer(&mut count, value).expect("counting never fails");
    count.0
}

/// The length of `names` as a JSON array, counted without building it (nor a `Value` of it).
pub fn names_len(names: &[String]) -> usize {
    let mut count = Count(0);
    serde_json::to_writer(&mut count, names).expect("counting never fails");
    count.0
}

/// `requests` in runs of at most `count` whose JSON array is at most `max_bytes` long. A request
/// longer than that on its own is sent alone: the server may take it, and if it refuses, the
/// refusal is that request's alone.
pub fn pieces(requests: &[CreateRequest], count: usize, max_bytes: usize) -> Vec<&[CreateRequest]> {
    let mut pieces = Vec::new();
    let (mut start, mut bytes) = (0, 2); // `[` and `]`
    for (i, request) in requests.iter().enumerate() {
        let len = json_len(&request.body) + 1; // and a comma
        if i > start && (i - start == count || bytes + len > max_bytes) {
            pieces.push(&requests[start..i]);
            (start, bytes) = (i, 2);
        }
        bytes += len;
    }
    if start < requests.len() {
        pieces.push(&requests[start..]);
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::RequestKind;
    use serde_json::json;

    fn request(name: &str, padding: usize) -> CreateRequest {
        CreateRequest {
            kind: RequestKind::Table,
            fqn: name.to_owned(),
            body: json!({"name": name, "description": "x".repeat(padding)}),
        }
    }

    #[test]
    fn counts_what_serde_writes() {
        let value = json!({"name": "naïve \"t\"", "columns": [1, 2.5, null], "x": {}});
        assert_eq!(json_len(&value), serde_json::to_vec(&value).unwrap().len());
        let names = ["a.\"b\"".to_owned(), "é\n".to_owned()];
        assert_eq!(names_len(&names), serde_json::to_vec(&names).unwrap().len());
    }

    #[test]
    fn pieces_fit_both_limits_and_keep_the_order() {
        let requests: Vec<_> = (0..10).map(|i| request(&format!("t{i}"), 100)).collect();
        let one = json_len(&requests[0].body) + 1;
        let sizes =
            |pieces: Vec<&[CreateRequest]>| pieces.iter().map(|p| p.len()).collect::<Vec<_>>();
        // By count alone.
        assert_eq!(sizes(pieces(&requests, 4, usize::MAX)), [4, 4, 2]);
        // By bytes: three fit in 2 + 3 × one, not four.
        let three = pieces(&requests, 100, 2 + 3 * one);
        assert_eq!(sizes(three.clone()), [3, 3, 3, 1]);
        for piece in &three {
            let body = Value::Array(piece.iter().map(|r| r.body.clone()).collect());
            assert!(serde_json::to_vec(&body).unwrap().len() <= 2 + 3 * one);
        }
        let order: Vec<&str> = three
            .iter()
            .flat_map(|p| p.iter().map(|r| r.fqn.as_str()))
            .collect();
        assert_eq!(
            order,
            requests.iter().map(|r| r.fqn.as_str()).collect::<Vec<_>>()
        );
        // One too big for any piece goes alone, between the others.
        let mut mixed = requests[..2].to_vec();
        mixed.insert(1, request("big", 10_000));
        assert_eq!(sizes(pieces(&mixed, 100, 1000)), [1, 1, 1]);
        assert!(pieces(&[], 100, 1000).is_empty());
    }
}
