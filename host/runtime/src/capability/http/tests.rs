use super::addresses::{reserved, vet_addresses};
use super::placeholders::{PlaceholderError, Placement, basic_credentials, substitute};
use super::policy::tls_config;
use super::*;
use serde_json::json;
use std::net::SocketAddr;

fn to(url: &str) -> Destination {
    Destination::of(&url.parse().unwrap()).unwrap()
}

fn grant(authority: &str) -> HostGrant {
    HostGrant::parse(authority).unwrap()
}

#[test]
fn a_grant_without_port_allows_the_default_ports_only() {
    let looker = HostGrant::from_url("https://Company.Looker.com").unwrap();
    assert_eq!(looker.to_string(), "company.looker.com");
    assert!(looker.allows(&to("https://company.looker.com/api/4.0/login")));
    assert!(looker.allows(&to("https://company.looker.com:443/")));
    assert!(looker.allows(&to("http://COMPANY.looker.com/")));
    assert!(!looker.allows(&to("https://company.looker.com:19999/")));
    assert!(!looker.allows(&to("http://company.looker.com:443/")));
    assert!(!looker.allows(&to("https://other.looker.com/")));
    assert!(!looker.allows(&to("https://company.looker.com.evil.example/")));
    // User info does not change where the request goes.
    assert!(looker.allows(&to("https://x@company.looker.com/")));
    assert_eq!(
        to("https://x:y@company.looker.com/").shown,
        "company.looker.com"
    );
}

#[test]
fn a_grant_with_a_port_allows_that_port_only() {
    let local = HostGrant::from_url("http://127.0.0.1:8080/api").unwrap();
    assert_eq!(local, grant("127.0.0.1:8080"));
    assert!(local.allows(&to("http://127.0.0.1:8080/x?y=1")));
    assert!(!local.allows(&to("http://127.0.0.1:8081/")));
    assert!(!local.allows(&to("http://127.0.0.1/")));
    assert!(!local.allows(&to("http://localhost:8080/")));
    let https = grant("looker.example:443");
    assert!(https.allows(&to("https://looker.example/")));
    let v6 = HostGrant::from_url("http://[::1]:9000").unwrap();
    assert_eq!(v6.to_string(), "[::1]:9000");
    assert!(v6.allows(&to("http://[::1]:9000/")));
    assert_eq!(to("http://[::1]:9000/").shown, "[::1]:9000");
}

#[test]
fn only_http_urls_are_grants() {
    assert_eq!(HostGrant::from_url("localhost:5432"), None);
    assert_eq!(HostGrant::from_url("/var/db.sqlite"), None);
    assert_eq!(HostGrant::from_url("ftp://files.example"), None);
    assert!(Destination::of(&"ftp://files.example/".parse().unwrap()).is_none());
}

fn at(ip: &str) -> Vec<SocketAddr> {
    vec![SocketAddr::new(ip.parse().unwrap(), 80)]
}

#[test]
fn addresses_are_classified() {
    let class = |ip: &str| reserved(ip.parse().unwrap());
    assert_eq!(class("169.254.169.254"), Some("the cloud metadata address"));
    assert_eq!(class("fd00:ec2::254"), Some("the cloud metadata address"));
    assert_eq!(class("127.0.0.1"), Some("a loopback address"));
    assert_eq!(class("127.9.9.9"), Some("a loopback address"));
    assert_eq!(class("::1"), Some("a loopback address"));
    assert_eq!(class("::ffff:127.0.0.1"), Some("a loopback address"));
    assert_eq!(class("169.254.1.2"), Some("a link-local address"));
    assert_eq!(class("fe80::1"), Some("a link-local address"));
    assert_eq!(class("febf::1"), Some("a link-local address"));
    assert_eq!(class("0.0.0.0"), Some("an unspecified address"));
    assert_eq!(class("::"), Some("an unspecified address"));
    for public in [
        "8.8.8.8",
        "10.1.2.3",
        "192.168.0.1",
        "2001:db8::1",
        "fec0::1",
    ] {
        assert_eq!(class(public), None, "{public}");
    }
}

#[test]
fn a_granted_name_may_not_resolve_to_a_reserved_address() {
    assert_eq!(
        vet_addresses("looker.example", &at("127.0.0.1")),
        Err(("127.0.0.1".parse().unwrap(), "a loopback address"))
    );
    let mixed = [at("93.184.216.34"), at("169.254.169.254")].concat();
    assert_eq!(
        vet_addresses("looker.example", &mixed),
        Err((
            "169.254.169.254".parse().unwrap(),
            "the cloud metadata address"
        ))
    );
    assert_eq!(
        vet_addresses("looker.example", &at("93.184.216.34")),
        Ok(())
    );
    // What the grant names literally is granted.
    assert_eq!(vet_addresses("127.0.0.1", &at("127.0.0.1")), Ok(()));
    assert_eq!(
        vet_addresses("169.254.169.254", &at("169.254.169.254")),
        Ok(())
    );
    assert_eq!(vet_addresses("::1", &at("::1")), Ok(()));
    assert_eq!(vet_addresses("localhost", &at("127.0.0.1")), Ok(()));
    assert_eq!(vet_addresses("localhost", &at("::1")), Ok(()));
    assert!(vet_addresses("localhost", &at("169.254.169.254")).is_err());
    // Other spellings of an address are names to Rust, and resolve to the address.
    assert!(vet_addresses("127.1", &at("127.0.0.1")).is_err());
}

#[test]
fn tls_config_builds_with_the_hosts_provider() {
    let config = tls_config();
    assert_eq!(config.alpn_protocols, [b"http/1.1".to_vec()]);
    assert!(Arc::ptr_eq(&config, &tls_config()), "built once");
}

fn secrets() -> BTreeMap<String, Secret> {
    secrets_in(&json!({
        "type": "Looker", "clientId": "id", "clientSecret": "s3cr&t/+ü =",
        "hostPort": "https://company.looker.com",
        "gitCredentials": {"token": "gh"}, "password": "top",
        "authType": {"password": "nested"}
    }))
}

#[test]
fn secrets_are_found_at_any_depth_shallowest_first() {
    let found = secrets();
    let keys: Vec<&str> = found.keys().map(String::as_str).collect();
    assert_eq!(keys, ["clientSecret", "password", "token"]);
    assert_eq!(found["password"].expose(), "top");
    assert_eq!(found["token"].expose(), "gh");
}

#[test]
fn placeholders_are_filled_encoded_in_urls_and_raw_in_headers() {
    let s = secrets();
    assert_eq!(
        substitute("/api/4.0/login", &s, Placement::Url),
        Ok(None),
        "nothing to fill"
    );
    assert_eq!(
        substitute(
            "/login?client_id=x&client_secret=__OMRUN_SECRET_clientSecret__",
            &s,
            Placement::Url
        ),
        Ok(Some(
            "/login?client_id=x&client_secret=s3cr%26t%2F%2B%C3%BC%20%3D".into()
        ))
    );
    assert_eq!(
        substitute(
            "token __OMRUN_SECRET_token__:__OMRUN_SECRET_password__",
            &s,
            Placement::Header
        ),
        Ok(Some("token gh:top".into()))
    );
}

#[test]
fn unknown_or_malformed_placeholders_are_refused() {
    let s = secrets();
    let unknown = substitute("Bearer __OMRUN_SECRET_apiKey__", &s, Placement::Header);
    assert_eq!(unknown, Err(PlaceholderError::Unknown("apiKey".into())));
    assert_eq!(
        unknown.unwrap_err().to_string(),
        "placeholder __OMRUN_SECRET_apiKey__ names no secret of source.serviceConnection.config"
    );
    // Not a secret: the plugin has it already, and it is no placeholder's business.
    assert_eq!(
        substitute("__OMRUN_SECRET_clientId__", &s, Placement::Url),
        Err(PlaceholderError::Unknown("clientId".into()))
    );
    for bad in [
        "__OMRUN_SECRET_token",
        "__OMRUN_SECRET___",
        "__OMRUN_SECRET_a b__",
    ] {
        assert_eq!(
            substitute(bad, &s, Placement::Header),
            Err(PlaceholderError::Malformed),
            "{bad}"
        );
    }
}

#[test]
fn placeholders_in_a_json_body_stay_inside_their_string_and_basic_credentials_are_encoded() {
    let mut s = secrets();
    s.insert("quote".into(), Secret::new("a\"b\\c\n"));
    let body = r#"{"data":{"LOGIN_NAME":"u","PASSWORD":"__OMRUN_SECRET_quote__"}}"#;
    let filled = substitute(body, &s, Placement::Json).unwrap().unwrap();
    let parsed: serde_json::Value = serde_json::from_str(&filled).unwrap();
    assert_eq!(parsed["data"]["PASSWORD"], "a\"b\\c\n");
    assert_eq!(parsed["data"]["LOGIN_NAME"], "u");

    // `alice:top`, base64-encoded after the secret is in.
    assert_eq!(
        basic_credentials("Basic alice:__OMRUN_SECRET_password__", &s),
        Ok(Some("Basic YWxpY2U6dG9w".into()))
    );
    assert_eq!(basic_credentials("Basic YWxpY2U6dG9w", &s), Ok(None));
    assert_eq!(
        basic_credentials("Bearer __OMRUN_SECRET_token__", &s),
        Ok(None)
    );
}

#[test]
fn a_need_may_name_a_host_built_from_the_connections_settings() {
    let settings: BTreeMap<String, String> = [
        ("account".to_owned(), "xy12345.eu-west-1".to_owned()),
        ("evil".to_owned(), "a/b@c".to_owned()),
    ]
    .into();
    let host = HostGrant::from_template("{account}.snowflakecomputing.com", &settings);
    assert_eq!(
        host.map(|h| h.to_string()).as_deref(),
        Some("xy12345.eu-west-1.snowflakecomputing.com")
    );
    // Unset, or a value that would change more than the host name: no grant.
    assert_eq!(
        HostGrant::from_template("{region}.example.com", &settings),
        None
    );
    assert_eq!(
        HostGrant::from_template("{evil}.example.com", &settings),
        None
    );
    assert_eq!(
        HostGrant::from_template("plain.example.com", &settings),
        None
    );
}

#[test]
fn connection_arguments_name_a_host_to_grant() {
    let config = json!({"type": "Snowflake", "account": "a",
        "connectionArguments": {"host": "localhost", "port": 8085, "protocol": "http"}});
    let (url, host) = connection_arguments_host(&config).unwrap();
    assert_eq!(url, "http://localhost:8085");
    assert!(host.allows(&to("http://localhost:8085/session")));
    assert!(connection_arguments_host(&json!({"connectionArguments": {}})).is_none());
}
