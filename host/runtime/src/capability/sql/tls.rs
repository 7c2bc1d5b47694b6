//! TLS for the PostgreSQL protocol (PostgreSQL and Redshift), with libpq's `sslMode` meanings:
//! `disable` never, `allow`/`prefer` when the server offers it, `require` always but without
//! checking the certificate, `verify-ca` checking the chain, `verify-full` the chain and the host
//! name. The CA is `sslConfig.caCertificate` (PEM text, as OpenMetadata stores it) or, without
//! one, Mozilla's roots (which hold Amazon's, for Redshift).

use anyhow::{Context, bail};
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, aws_lc_rs};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, ClientConfig, DigitallySignedStruct, Error, RootCertStore};
use std::sync::Arc;
use tokio_postgres::config::SslMode;

/// How to connect: whether TLS is used, and the client configuration when it may be.
#[derive(Clone)]
pub struct Tls {
    pub mode: SslMode,
    pub config: Option<Arc<ClientConfig>>,
}

impl std::fmt::Debug for Tls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Tls({:?})", self.mode)
    }
}

/// What the certificate check covers.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Check {
    Nothing,
    Chain,
    ChainAndName,
}

impl Tls {
    /// From `sslMode` and the PEM text of `sslConfig.caCertificate`.
    pub fn from_settings(ssl_mode: Option<&str>, ca_pem: Option<&str>) -> anyhow::Result<Self> {
        let (mode, check) = match ssl_mode.unwrap_or("disable") {
            "disable" => {
                return Ok(Self {
                    mode: SslMode::Disable,
                    config: None,
                });
            }
            "allow" | "prefer" => (SslMode::Prefer, Check::Nothing),
            "require" => (SslMode::Require, Check::Nothing),
            "verify-ca" => (SslMode::Require, Check::Chain),
            "verify-full" => (SslMode::Require, Check::ChainAndName),
            other => bail!(
                "sslMode `{other}` is not one of disable, allow, prefer, require, verify-ca, verify-full"
            ),
        };
        Ok(Self {
            mode,
            config: Some(Arc::new(client_config(check, ca_pem)?)),
        })
    }
}

fn client_config(check: Check, ca_pem: Option<&str>) -> anyhow::Result<ClientConfig> {
    let provider = Arc::new(aws_lc_rs::default_provider());
    let mut roots = RootCertStore::empty();
    match ca_pem.map(str::trim).filter(|p| !p.is_empty()) {
        Some(pem) => {
            for cert in CertificateDer::pem_slice_iter(pem.as_bytes()) {
                let cert = cert.context("sslConfig.caCertificate is not PEM certificate text")?;
                roots
                    .add(cert)
                    .context("sslConfig.caCertificate holds an unusable certificate")?;
            }
            if roots.is_empty() {
                bail!("sslConfig.caCertificate holds no certificate");
            }
        }
        None => roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
    }
    let webpki = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
        .build()
        .context("building the certificate verifier")?;
    let verifier = Arc::new(Verifier {
        check,
        webpki,
        provider: provider.clone(),
    });
    Ok(ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .context("TLS protocol versions")?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth())
}

/// The standard verifier, loosened to what the mode asks for.
#[derive(Debug)]
struct Verifier {
    check: Check,
    webpki: Arc<WebPkiServerVerifier>,
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for Verifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, Error> {
        if self.check == Check::Nothing {
            return Ok(ServerCertVerified::assertion());
        }
        match self
            .webpki
            .verify_server_cert(end_entity, intermediates, server_name, ocsp, now)
        {
            Err(Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) if self.check == Check::Chain => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    // The handshake signatures are always checked: they prove the server holds the key of the
    // certificate it sent, whatever the mode decided about that certificate.
    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes() {
        assert!(Tls::from_settings(None, None).unwrap().config.is_none());
        assert!(
            Tls::from_settings(Some("disable"), None)
                .unwrap()
                .config
                .is_none()
        );
        for (mode, expected) in [
            ("prefer", SslMode::Prefer),
            ("require", SslMode::Require),
            ("verify-full", SslMode::Require),
        ] {
            let tls = Tls::from_settings(Some(mode), None).unwrap();
            assert_eq!(tls.mode, expected, "{mode}");
            assert!(tls.config.is_some(), "{mode}");
        }
        let e = Tls::from_settings(Some("sometimes"), None).unwrap_err();
        assert!(e.to_string().contains("`sometimes`"), "{e}");
        let e = Tls::from_settings(Some("verify-ca"), Some("not pem")).unwrap_err();
        assert!(format!("{e:#}").contains("caCertificate"), "{e:#}");
    }
}
