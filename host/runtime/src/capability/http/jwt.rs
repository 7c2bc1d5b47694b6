//! JWTs signed by the host with a secret private key: `<header>.<claims>.__OMRUN_JWT_SIGNATURE_<key>__`
//! becomes `<header>.<claims>.<RS256 signature>` on the way to a granted host. A Google service
//! account exchanges such an assertion for an OAuth token, Snowflake's key-pair login carries one;
//! the plugin writes what it asserts, the key never leaves the host.
//!
//! Inside the claims, `__OMRUN_PUBLIC_KEY_FINGERPRINT_<key>__` is the SHA-256 fingerprint of the
//! key's public half as Snowflake names a key (`SHA256:<base64 of the SubjectPublicKeyInfo's
//! hash>`): the plugin cannot derive it from a key it never sees.
//!
//! A signature, like a secret, is only made for a request to a granted host (the caller checks).

use super::placeholders::PlaceholderError;
use aws_lc_rs::encoding::{AsDer, PublicKeyX509Der};
use aws_lc_rs::signature::{KeyPair, RSA_PKCS1_SHA256, RsaKeyPair};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use omrun_config::Secret;
use std::collections::BTreeMap;

const SIGNATURE_PREFIX: &str = "__OMRUN_JWT_SIGNATURE_";
const FINGERPRINT_PREFIX: &str = "__OMRUN_PUBLIC_KEY_FINGERPRINT_";
const SUFFIX: &str = "__";

/// `text` with every JWT awaiting its signature signed, or `None` when there is none.
pub(super) fn sign_jwts(
    text: &str,
    secrets: &BTreeMap<String, Secret>,
) -> Result<Option<String>, PlaceholderError> {
    if !text.contains(SIGNATURE_PREFIX) {
        return Ok(None);
    }
    let mut out = String::with_capacity(text.len() + 512);
    let mut done = 0;
    while let Some(found) = text[done..].find(SIGNATURE_PREFIX) {
        let placeholder = done + found;
        let after = &text[placeholder + SIGNATURE_PREFIX.len()..];
        let key = key_name(after)?;
        let end = placeholder + SIGNATURE_PREFIX.len() + key.len() + SUFFIX.len();
        // `<header>.<claims>.` right before the placeholder: two base64url runs.
        let claims_end = placeholder
            .checked_sub(1)
            .filter(|&dot| text.as_bytes()[dot] == b'.')
            .ok_or(PlaceholderError::Jwt(
                "no `header.claims.` before the signature",
            ))?;
        let claims_start = run_start(text, claims_end);
        let header_end = claims_start
            .checked_sub(1)
            .filter(|&dot| dot >= done && text.as_bytes()[dot] == b'.')
            .ok_or(PlaceholderError::Jwt(
                "no `header.claims.` before the signature",
            ))?;
        let header_start = run_start(text, header_end).max(done);
        let header = &text[header_start..header_end];
        let claims = &text[claims_start..claims_end];

        let signer = Signer::new(key, secrets)?;
        check_header(header)?;
        let claims = fill_fingerprints(claims, secrets)?;
        let signing_input = format!("{header}.{claims}");
        let signature = signer.sign(signing_input.as_bytes())?;

        out.push_str(&text[done..header_start]);
        out.push_str(&signing_input);
        out.push('.');
        out.push_str(&signature);
        done = end;
    }
    out.push_str(&text[done..]);
    Ok(Some(out))
}

/// The key name of a placeholder whose prefix is already consumed.
fn key_name(after_prefix: &str) -> Result<&str, PlaceholderError> {
    let end = after_prefix
        .find(SUFFIX)
        .ok_or(PlaceholderError::Malformed)?;
    let key = &after_prefix[..end];
    let key_chars = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
    if key.is_empty() || !key.chars().all(key_chars) {
        return Err(PlaceholderError::Malformed);
    }
    Ok(key)
}

/// Where the run of base64url characters that ends at `end` starts.
fn run_start(text: &str, end: usize) -> usize {
    let base64url = |b: &u8| b.is_ascii_alphanumeric() || *b == b'-' || *b == b'_';
    end - text.as_bytes()[..end]
        .iter()
        .rev()
        .take_while(|b| base64url(b))
        .count()
}

/// The host signs RS256 and nothing else: a header naming another algorithm (or `none`) would
/// make the token say something the signature does not.
fn check_header(header: &str) -> Result<(), PlaceholderError> {
    let decoded = URL_SAFE_NO_PAD
        .decode(header)
        .map_err(|_| PlaceholderError::Jwt("its header is not base64url"))?;
    let header: serde_json::Value = serde_json::from_slice(&decoded)
        .map_err(|_| PlaceholderError::Jwt("its header is not JSON"))?;
    match header.get("alg").and_then(|a| a.as_str()) {
        Some("RS256") => Ok(()),
        _ => Err(PlaceholderError::Jwt("its header's `alg` is not RS256")),
    }
}

/// The claims (base64url) with their fingerprint placeholders filled, re-encoded; as they were
/// when they hold none.
fn fill_fingerprints(
    claims: &str,
    secrets: &BTreeMap<String, Secret>,
) -> Result<String, PlaceholderError> {
    let decoded = URL_SAFE_NO_PAD
        .decode(claims)
        .map_err(|_| PlaceholderError::Jwt("its claims are not base64url"))?;
    let text =
        String::from_utf8(decoded).map_err(|_| PlaceholderError::Jwt("its claims are not text"))?;
    if !text.contains(FINGERPRINT_PREFIX) {
        return Ok(claims.to_owned());
    }
    let mut filled = String::with_capacity(text.len() + 64);
    let mut rest = text.as_str();
    while let Some(start) = rest.find(FINGERPRINT_PREFIX) {
        filled.push_str(&rest[..start]);
        let after = &rest[start + FINGERPRINT_PREFIX.len()..];
        let key = key_name(after)?;
        filled.push_str(&Signer::new(key, secrets)?.fingerprint()?);
        rest = &after[key.len() + SUFFIX.len()..];
    }
    filled.push_str(rest);
    Ok(URL_SAFE_NO_PAD.encode(filled))
}

/// An RSA private key read from a secret holding it in PEM: PKCS#8 (`BEGIN PRIVATE KEY`, what
/// Google and Snowflake's instructions produce) or PKCS#1 (`BEGIN RSA PRIVATE KEY`).
struct Signer {
    key: RsaKeyPair,
}

impl Signer {
    fn new(name: &str, secrets: &BTreeMap<String, Secret>) -> Result<Self, PlaceholderError> {
        let secret = secrets
            .get(name)
            .ok_or_else(|| PlaceholderError::Unknown(name.to_owned()))?;
        let unreadable = |why: &'static str| PlaceholderError::Key(name.to_owned(), why);
        // A key pasted from a service account's JSON file keeps its `\n` escapes.
        let pem = secret.expose().replace("\\n", "\n");
        let (label, der) = pem_body(&pem).ok_or_else(|| unreadable("it is not a PEM block"))?;
        let key = match label.as_str() {
            "PRIVATE KEY" => RsaKeyPair::from_pkcs8(&der),
            "RSA PRIVATE KEY" => RsaKeyPair::from_der(&der),
            "ENCRYPTED PRIVATE KEY" => {
                return Err(unreadable(
                    "it is encrypted, which omrun cannot read yet: decrypt it \
                     (`openssl pkcs8 -in key.p8 -out key.pem`) and keep it in a secret store",
                ));
            }
            _ => return Err(unreadable("it is not an RSA private key")),
        }
        .map_err(|_| unreadable("it is not an RSA private key omrun can read"))?;
        Ok(Self { key })
    }

    /// `SHA256:<base64>` of the public key's DER SubjectPublicKeyInfo.
    fn fingerprint(&self) -> Result<String, PlaceholderError> {
        let der: PublicKeyX509Der = self
            .key
            .public_key()
            .as_der()
            .map_err(|_| PlaceholderError::Jwt("its key's public half cannot be encoded"))?;
        let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, der.as_ref());
        Ok(format!("SHA256:{}", STANDARD.encode(digest.as_ref())))
    }

    /// The RS256 signature of `input`, base64url.
    fn sign(&self, input: &[u8]) -> Result<String, PlaceholderError> {
        let mut signature = vec![0; self.key.public_modulus_len()];
        let rng = aws_lc_rs::rand::SystemRandom::new();
        self.key
            .sign(&RSA_PKCS1_SHA256, &rng, input, &mut signature)
            .map_err(|_| PlaceholderError::Jwt("signing failed"))?;
        Ok(URL_SAFE_NO_PAD.encode(signature))
    }
}

/// The label and the decoded body of the first PEM block of `pem`.
fn pem_body(pem: &str) -> Option<(String, Vec<u8>)> {
    let begin = pem.find("-----BEGIN ")?;
    let rest = &pem[begin + "-----BEGIN ".len()..];
    let label_end = rest.find("-----")?;
    let label = rest[..label_end].to_owned();
    let body = &rest[label_end + "-----".len()..];
    let end = body.find(&format!("-----END {label}-----"))?;
    let base64: String = body[..end].chars().filter(|c| !c.is_whitespace()).collect();
    Some((label, STANDARD.decode(base64).ok()?))
}

#[cfg(test)]
mod tests;
