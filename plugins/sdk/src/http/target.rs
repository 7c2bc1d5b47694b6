//! Where a request goes: the parts of an `http(s)://` URL that wasi:http wants separately. Small
//! on purpose: a URL crate would weigh more than the rest of a connector.

use super::HttpError;

/// A parsed `http(s)://authority/path?query` (a fragment is dropped: it is never sent).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Target {
    pub https: bool,
    /// `host` or `host:port`, as written.
    pub authority: String,
    /// Starts with `/`.
    pub path_and_query: String,
}

impl Target {
    pub fn parse(url: &str) -> Result<Self, HttpError> {
        let invalid = |why: &str| HttpError::InvalidRequest(format!("{why}: `{url}`"));
        let (https, rest) = if let Some(rest) = strip_prefix_ignore_case(url, "https://") {
            (true, rest)
        } else if let Some(rest) = strip_prefix_ignore_case(url, "http://") {
            (false, rest)
        } else {
            return Err(invalid("not an http:// or https:// URL"));
        };
        let rest = rest.split('#').next().unwrap_or_default();
        let end = rest.find(['/', '?']).unwrap_or(rest.len());
        let (authority, tail) = rest.split_at(end);
        if authority.is_empty() || authority.contains(['@', ' ']) {
            return Err(invalid("no host, or user info in the URL"));
        }
        let path_and_query = match tail.chars().next() {
            None => "/".to_owned(),
            Some('?') => format!("/{tail}"),
            _ => tail.to_owned(),
        };
        Ok(Self {
            https,
            authority: authority.to_owned(),
            path_and_query,
        })
    }

    /// `scheme://authority`, for messages: never the path or query, which may carry secrets.
    pub fn destination(&self) -> String {
        let scheme = if self.https { "https" } else { "http" };
        format!("{scheme}://{}", self.authority)
    }
}

fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

/// `url` with `params` appended to its query, percent-encoded.
pub(super) fn with_query(url: &str, params: &[(String, String)]) -> String {
    if params.is_empty() {
        return url.to_owned();
    }
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}{}", form_encoded(params))
}

/// `name=value&…`, each percent-encoded: a query string, or a form body.
pub(super) fn form_encoded(params: &[(String, String)]) -> String {
    let mut out = String::new();
    for (i, (name, value)) in params.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        encode_into(&mut out, name);
        out.push('=');
        encode_into(&mut out, value);
    }
    out
}

/// Percent-encodes all but RFC 3986's unreserved characters (so `_` of a secret placeholder stays).
fn encode_into(out: &mut String, text: &str) {
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(url: &str) -> Target {
        Target::parse(url).unwrap()
    }

    #[test]
    fn parses_urls() {
        let x = t("https://company.looker.com/api/4.0/dashboards?fields=id,title#top");
        assert!(x.https);
        assert_eq!(x.authority, "company.looker.com");
        assert_eq!(x.path_and_query, "/api/4.0/dashboards?fields=id,title");
        assert_eq!(x.destination(), "https://company.looker.com");
        let x = t("HTTP://127.0.0.1:8080");
        assert!(!x.https);
        assert_eq!(
            (x.authority.as_str(), x.path_and_query.as_str()),
            ("127.0.0.1:8080", "/")
        );
        assert_eq!(t("http://[::1]:9?q=1").path_and_query, "/?q=1");
        assert_eq!(t("http://[::1]:9?q=1").authority, "[::1]:9");
    }

    #[test]
    fn queries_and_forms_are_percent_encoded() {
        let params = vec![
            (
                "scope".to_owned(),
                "https://x.example/.default a".to_owned(),
            ),
            (
                "client_secret".to_owned(),
                "__OMRUN_SECRET_clientSecret__".to_owned(),
            ),
        ];
        let encoded = "scope=https%3A%2F%2Fx.example%2F.default%20a\
                       &client_secret=__OMRUN_SECRET_clientSecret__";
        assert_eq!(form_encoded(&params), encoded);
        assert_eq!(
            with_query("https://h/p", &params),
            format!("https://h/p?{encoded}")
        );
        assert_eq!(
            with_query("https://h/p?a=1", &params),
            format!("https://h/p?a=1&{encoded}")
        );
        assert_eq!(with_query("https://h/p", &[]), "https://h/p");
    }

    #[test]
    fn refuses_what_it_cannot_send() {
        for bad in [
            "ftp://x/",
            "looker.example/api",
            "http:///x",
            "https://u:p@h/",
        ] {
            assert!(
                matches!(Target::parse(bad), Err(HttpError::InvalidRequest(_))),
                "{bad}"
            );
        }
    }
}
