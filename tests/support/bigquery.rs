//! The BigQuery stand-in (`tests/support/bigquery/standin.py`): Google's OAuth 2.0 token endpoint
//! (a service account's JWT-bearer assertion, RS256, checked against the account's public key),
//! BigQuery's REST API v2 (datasets and tables) and Data Catalog's API v1 (taxonomies and policy
//! tags) on one base URL, over a spec the test writes, run as a `python3` process (standard
//! library only). Every API request needs a token the stand-in issued. What it answers, and how
//! Google's own Python clients check it (`scripts/bigquery-standin.sh selftest`), is said in the
//! script.
//!
//! The service account's key pair is made at run time by the `openssl` CLI (no private key is
//! checked in): [`ServiceAccount::generate`], or the one [`BigQueryStandIn::start`] makes.
//!
//! ```text
//! let bq = BigQueryStandIn::start(&spec, Settings::default());
//! bq.url();                    // "http://127.0.0.1:PORT", the connector's hostPort
//! bq.token_url();              // url() + "/token", the key file's token_uri
//! bq.key_file();               // the service account's key file (JSON), token_uri included
//! bq.account().private_key_pem();
//! bq.requests();               // every request answered, in order
//! ```

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use crate::python_standin::{self, PythonStandIn};

/// A service account with a fresh RSA key pair (2048 bits, `openssl genpkey`), kept in files of
/// its own temporary directory for as long as it lives.
#[derive(Debug)]
pub struct ServiceAccount {
    project_id: String,
    client_email: String,
    private_key_id: String,
    private_key_pem: String,
    public_key_pem: String,
    dir: tempfile::TempDir,
}

impl ServiceAccount {
    /// `omrun-reader@<project_id>.iam.gserviceaccount.com`, with a new key and a random key id
    /// (40 hex digits, as Google's are). Two accounts of one project share the e-mail, not the
    /// key: one stands for a key the stand-in does not know.
    pub fn generate(project_id: &str) -> ServiceAccount {
        let dir = tempfile::tempdir().expect("temporary directory");
        let private = dir.path().join("private.pem");
        openssl(&[
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:2048",
            "-out",
            path_str(&private),
        ]);
        let public = openssl(&["pkey", "-in", path_str(&private), "-pubout"]);
        std::fs::write(dir.path().join("public.pem"), &public.stdout).unwrap();
        let private_key_id = (0..20)
            .map(|_| format!("{:02x}", fastrand::u8(..)))
            .collect();
        ServiceAccount {
            project_id: project_id.to_string(),
            client_email: format!("omrun-reader@{project_id}.iam.gserviceaccount.com"),
            private_key_id,
            private_key_pem: std::fs::read_to_string(&private).unwrap(),
            public_key_pem: String::from_utf8(public.stdout).unwrap(),
            dir,
        }
    }

    pub fn project_id(&self) -> &str {
        &self.project_id
    }

    /// The JWT's `iss`.
    pub fn client_email(&self) -> &str {
        &self.client_email
    }

    /// The JWT header's `kid`.
    pub fn private_key_id(&self) -> &str {
        &self.private_key_id
    }

    /// PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`), as in a key file's `private_key`.
    pub fn private_key_pem(&self) -> &str {
        &self.private_key_pem
    }

    /// X.509 SubjectPublicKeyInfo PEM (`-----BEGIN PUBLIC KEY-----`): what the stand-in checks
    /// signatures with.
    pub fn public_key_pem(&self) -> &str {
        &self.public_key_pem
    }

    pub fn private_key_path(&self) -> PathBuf {
        self.dir.path().join("private.pem")
    }

    pub fn public_key_path(&self) -> PathBuf {
        self.dir.path().join("public.pem")
    }

    /// The account's key file, as Google's console downloads it (`type`, `project_id`,
    /// `private_key_id`, `private_key`, `client_email`, `client_id`, `auth_uri`, `token_uri`…),
    /// with `token_uri` set.
    pub fn key_file(&self, token_uri: &str) -> Value {
        json!({
            "type": "service_account",
            "project_id": self.project_id,
            "private_key_id": self.private_key_id,
            "private_key": self.private_key_pem,
            "client_email": self.client_email,
            "client_id": "104712345678901234567",
            "auth_uri": "https://accounts.google.com/o/oauth2/auth",
            "token_uri": token_uri,
            "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
            "client_x509_cert_url": format!(
                "https://www.googleapis.com/robot/v1/metadata/x509/{}",
                self.client_email.replace('@', "%40")
            ),
            "universe_domain": "googleapis.com",
        })
    }

    /// A JWT with `claims`, header `{"alg": "RS256", "typ": "JWT", "kid": <key id>}`, signed by
    /// `openssl dgst -sha256 -sign` with the private key: what a client posts to the token URL.
    pub fn assertion(&self, claims: &Value) -> String {
        let header = json!({"alg": "RS256", "typ": "JWT", "kid": self.private_key_id});
        let signing_input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let mut child = Command::new("openssl")
            .args(["dgst", "-sha256", "-sign"])
            .arg(self.private_key_path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run openssl dgst (Debian: apt-get install openssl)");
        child
            .stdin
            .take()
            .unwrap()
            .write_all(signing_input.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "openssl dgst -sign failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(out.stdout))
    }

    /// Claims Google takes for a token: `iss`, `scope`, `aud` (Google's token URL, as its docs
    /// and google-auth write it), `iat` now and `exp` an hour later.
    pub fn claims(&self, scope: &str) -> Value {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        json!({
            "iss": self.client_email,
            "scope": scope,
            "aud": "https://oauth2.googleapis.com/token",
            "iat": now,
            "exp": now + 3600,
        })
    }
}

fn path_str(path: &Path) -> &str {
    path.to_str().expect("a UTF-8 temporary path")
}

fn openssl(args: &[&str]) -> Output {
    let out = Command::new("openssl")
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run openssl (Debian: apt-get install openssl)");
    assert!(
        out.status.success(),
        "openssl {} failed: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// How the stand-in behaves; the default: a fresh account of the spec's first project, tokens
/// for 3599 s (Google's), answers at once, 50 items a page.
#[derive(Debug)]
pub struct Settings {
    /// The one service account the token endpoint knows; None: [`ServiceAccount::generate`]s one.
    pub account: Option<ServiceAccount>,
    /// What the token endpoint answers as `expires_in` (whole seconds); a token is refused once
    /// it has passed.
    pub expires_in: Duration,
    /// Added to every request.
    pub latency: Duration,
    /// The server's page size: a page holds `min(maxResults or pageSize, page_size)` items.
    pub page_size: usize,
    /// Every Nth API request (the token endpoint aside) is answered 503 `backendError` once.
    pub flaky_every: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            account: None,
            expires_in: Duration::from_secs(3599),
            latency: Duration::ZERO,
            page_size: 50,
            flaky_every: 0,
        }
    }
}

/// A running stand-in; stopped when dropped.
pub struct BigQueryStandIn {
    standin: PythonStandIn,
    account: ServiceAccount,
}

impl BigQueryStandIn {
    /// Serves `spec` (`{"projects": {…}, "taxonomies": {…}}`, as standin.py's docstring says; a
    /// spec it cannot take stops it, and this panics naming the key).
    pub fn start(spec: &Value, settings: Settings) -> BigQueryStandIn {
        let account = settings.account.unwrap_or_else(|| {
            let first = spec["projects"].as_object().and_then(|p| p.keys().next());
            ServiceAccount::generate(first.map_or("omrun-test", String::as_str))
        });
        let mut args: Vec<std::ffi::OsString> = vec![
            "--client-email".into(),
            account.client_email().into(),
            "--key-id".into(),
            account.private_key_id().into(),
            "--public-key".into(),
            account.public_key_path().into(),
        ];
        for (flag, value) in [
            ("--expires-in", settings.expires_in.as_secs().to_string()),
            ("--latency-ms", settings.latency.as_millis().to_string()),
            ("--page-size", settings.page_size.to_string()),
            ("--flaky-every", settings.flaky_every.to_string()),
        ] {
            args.extend([flag.into(), value.into()]);
        }
        let standin = PythonStandIn::start("BigQuery", "bigquery", spec, &args);
        BigQueryStandIn { standin, account }
    }

    /// `127.0.0.1:PORT`.
    pub fn host_port(&self) -> String {
        self.standin.host_port()
    }

    /// `http://127.0.0.1:PORT`: the base URL of all three APIs (the connector's `hostPort`).
    pub fn url(&self) -> String {
        self.standin.url()
    }

    /// `http://127.0.0.1:PORT/token`: the key file's `token_uri`.
    pub fn token_url(&self) -> String {
        format!("{}/token", self.url())
    }

    /// The service account whose assertions the token endpoint takes.
    pub fn account(&self) -> &ServiceAccount {
        &self.account
    }

    /// The account's key file with `token_uri` = [`Self::token_url`].
    pub fn key_file(&self) -> Value {
        self.account.key_file(&self.token_url())
    }

    /// Every request answered so far, as the stand-in logged it: `api` (`oauth`, `bigquery`,
    /// `datacatalog`), `method`, `path` (decoded), `query` (name → value), `bearer` (whether a
    /// bearer token came; never the token), `token` (the serial number of the valid token used),
    /// `status`, `reason` (of an error); for `/token` also `grant_type`, `iss`, `scope`, `issued`
    /// (the new token's serial) or `error` and `error_description`.
    pub fn requests(&self) -> Vec<Value> {
        self.standin.requests()
    }

    /// The BigQuery and Data Catalog requests so far (the token endpoint's left out).
    pub fn api_requests(&self) -> Vec<Value> {
        self.requests()
            .into_iter()
            .filter(|r| r["api"] == "bigquery" || r["api"] == "datacatalog")
            .collect()
    }

    /// How many access tokens the token endpoint has issued.
    pub fn tokens_issued(&self) -> usize {
        self.requests()
            .iter()
            .filter(|r| r["api"] == "oauth" && r["status"] == 200)
            .count()
    }
}

/// `scripts/bigquery-standin.sh selftest`: Google's own clients (PyPI google-auth,
/// google-cloud-bigquery, google-api-python-client, google-cloud-datacatalog, installed once into
/// a cached virtualenv) against the stand-in.
pub fn selftest() -> Output {
    python_standin::script("bigquery", &["selftest"])
}

#[cfg(test)]
mod tests;
