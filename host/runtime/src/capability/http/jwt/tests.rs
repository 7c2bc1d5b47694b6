use super::*;
use crate::capability::http::placeholders::{Placement, substitute};
use aws_lc_rs::encoding::Pkcs8V1Der;
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{RSA_PKCS1_2048_8192_SHA256, UnparsedPublicKey};

fn pem(der: &[u8], label: &str) -> String {
    let body = STANDARD.encode(der);
    let lines: Vec<&str> = body
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    format!(
        "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
        lines.join("\n")
    )
}

/// A fresh key pair, and the secrets holding its private half as `privateKey`.
fn key() -> (RsaKeyPair, BTreeMap<String, Secret>) {
    let pair = RsaKeyPair::generate(KeySize::Rsa2048).unwrap();
    let der: Pkcs8V1Der = pair.as_der().unwrap();
    let secrets = BTreeMap::from([(
        "privateKey".to_owned(),
        Secret::new(pem(der.as_ref(), "PRIVATE KEY")),
    )]);
    (pair, secrets)
}

fn unsigned(header: serde_json::Value, claims: serde_json::Value) -> String {
    let encode = |v: serde_json::Value| URL_SAFE_NO_PAD.encode(v.to_string());
    format!(
        "{}.{}.__OMRUN_JWT_SIGNATURE_privateKey__",
        encode(header),
        encode(claims)
    )
}

fn rs256() -> serde_json::Value {
    serde_json::json!({"alg": "RS256", "typ": "JWT", "kid": "k1"})
}

/// Checks the signature with the public key; the claims, decoded.
fn verified(jwt: &str, pair: &RsaKeyPair) -> serde_json::Value {
    let (input, signature) = jwt.rsplit_once('.').unwrap();
    let signature = URL_SAFE_NO_PAD.decode(signature).unwrap();
    UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, pair.public_key().as_ref())
        .verify(input.as_bytes(), &signature)
        .expect("the signature verifies with the public key");
    let claims = input.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(claims).unwrap()).unwrap()
}

#[test]
fn a_jwt_in_a_form_body_is_signed_with_the_secret_key() {
    let (pair, secrets) = key();
    let claims =
        serde_json::json!({"iss": "sa@p.iam.gserviceaccount.com", "aud": "https://t/token"});
    let body = format!(
        "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion={}",
        unsigned(rs256(), claims.clone())
    );
    let filled = substitute(&body, &secrets, Placement::Url)
        .unwrap()
        .unwrap();
    let jwt = filled.split("assertion=").nth(1).unwrap();
    assert!(!jwt.contains("__OMRUN"), "{jwt}");
    assert_eq!(verified(jwt, &pair), claims);
    assert!(filled.starts_with("grant_type=urn%3Aietf"));
}

#[test]
fn the_public_key_fingerprint_is_filled_in_the_claims_before_signing() {
    let (pair, secrets) = key();
    let claims = serde_json::json!({
        "iss": "XY12345.OMRUN.__OMRUN_PUBLIC_KEY_FINGERPRINT_privateKey__",
        "sub": "XY12345.OMRUN",
    });
    let body = format!(r#"{{"data":{{"TOKEN":"{}"}}}}"#, unsigned(rs256(), claims));
    let filled = substitute(&body, &secrets, Placement::Json)
        .unwrap()
        .unwrap();
    let body: serde_json::Value = serde_json::from_str(&filled).unwrap();
    let claims = verified(body["data"]["TOKEN"].as_str().unwrap(), &pair);

    // The fingerprint, worked out independently: SHA-256 of the SubjectPublicKeyInfo, which for a
    // 2048-bit RSA key is a fixed prefix (the rsaEncryption algorithm, a bit string) followed by
    // the PKCS#1 public key.
    let mut spki = vec![
        0x30, 0x82, 0x01, 0x22, 0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01,
        0x01, 0x01, 0x05, 0x00, 0x03, 0x82, 0x01, 0x0f, 0x00,
    ];
    spki.extend_from_slice(pair.public_key().as_ref());
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, &spki);
    assert_eq!(
        claims["iss"],
        format!("XY12345.OMRUN.SHA256:{}", STANDARD.encode(digest.as_ref()))
    );
}

#[test]
fn a_key_pasted_with_escaped_newlines_signs_too() {
    let (pair, secrets) = key();
    let escaped = secrets["privateKey"].expose().replace('\n', "\\n");
    let secrets = BTreeMap::from([("privateKey".to_owned(), Secret::new(escaped))]);
    let jwt = unsigned(rs256(), serde_json::json!({"a": 1}));
    let signed = substitute(&jwt, &secrets, Placement::Header)
        .unwrap()
        .unwrap();
    assert_eq!(verified(&signed, &pair), serde_json::json!({"a": 1}));
}

#[test]
fn what_cannot_be_signed_is_refused_naming_why() {
    let (_, secrets) = key();
    let refused = |text: &str, secrets: &BTreeMap<String, Secret>| {
        substitute(text, secrets, Placement::Header)
            .unwrap_err()
            .to_string()
    };
    let claims = serde_json::json!({"a": 1});
    let none = unsigned(serde_json::json!({"alg": "none"}), claims.clone());
    assert!(refused(&none, &secrets).contains("`alg` is not RS256"));
    assert!(
        refused("x.__OMRUN_JWT_SIGNATURE_privateKey__", &secrets)
            .contains("no `header.claims.` before the signature")
    );
    let other_key = unsigned(rs256(), claims.clone()).replace("privateKey", "nope");
    assert!(refused(&other_key, &secrets).contains("names no secret"));

    let jwt = unsigned(rs256(), claims);
    for (value, why) in [
        ("hunter2", "not a PEM block"),
        (
            "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----",
            "it is encrypted",
        ),
        (
            "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----",
            "not an RSA private key omrun can read",
        ),
    ] {
        let secrets = BTreeMap::from([("privateKey".to_owned(), Secret::new(value))]);
        let message = refused(&jwt, &secrets);
        assert!(message.contains(why), "{message}");
        assert!(!message.contains("hunter2"), "the secret is never shown");
    }
}
