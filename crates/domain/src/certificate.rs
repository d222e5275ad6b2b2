use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use x509_cert::der::{Decode, Encode};

use crate::error::ParseError;

/// The public certificate bound to a JWT credential, with what people need to recognise it.
///
/// Certificates are public; only the private key that goes with one is a secret.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Certificate {
    pem: String,
    fingerprint: String,
    not_after: DateTime<Utc>,
    subject: String,
}

impl Certificate {
    const EXAMPLE: &'static str = "-----BEGIN CERTIFICATE-----\\nMIIC…\\n-----END CERTIFICATE-----";

    /// Parses one PEM-encoded X.509 certificate.
    pub fn parse_pem(raw: &str) -> Result<Self, ParseError> {
        let fail = |problem: String| Err(ParseError::new("certificate", problem, Self::EXAMPLE));
        let block = match pem::parse(raw.trim()) {
            Ok(b) => b,
            Err(e) => return fail(format!("is not PEM text ({e})")),
        };
        if block.tag() != "CERTIFICATE" {
            return fail(format!(
                "holds a {:?} block; a BEGIN CERTIFICATE block is expected",
                block.tag()
            ));
        }
        let cert = match x509_cert::Certificate::from_der(block.contents()) {
            Ok(c) => c,
            Err(e) => return fail(format!("is not a valid X.509 certificate ({e})")),
        };
        let der = match cert.to_der() {
            Ok(d) => d,
            Err(e) => return fail(format!("could not be re-encoded ({e})")),
        };
        let digest = Sha256::digest(&der);
        let fingerprint = digest
            .iter()
            .map(|b| format!("{b:02X}"))
            .collect::<Vec<_>>()
            .join(":");
        let not_after: DateTime<Utc> = cert
            .tbs_certificate
            .validity
            .not_after
            .to_system_time()
            .into();
        Ok(Self {
            pem: pem::encode(&block),
            fingerprint,
            not_after,
            subject: cert.tbs_certificate.subject.to_string(),
        })
    }

    /// The certificate as PEM text.
    pub fn pem(&self) -> &str {
        &self.pem
    }

    /// SHA-256 fingerprint of the DER encoding, as colon-separated uppercase hex.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// When the certificate stops being valid.
    pub fn not_after(&self) -> DateTime<Utc> {
        self.not_after
    }

    /// The certificate's subject, as an RFC 4514 string.
    pub fn subject(&self) -> &str {
        &self.subject
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_and_wrong_blocks_are_refused_with_the_field_named() {
        let err = Certificate::parse_pem("hello").unwrap_err();
        assert_eq!(err.field, "certificate");
        let key = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
        let err = Certificate::parse_pem(key).unwrap_err();
        assert!(err.problem.contains("PRIVATE KEY"), "{err}");
        let bogus = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
        assert!(Certificate::parse_pem(bogus).is_err());
    }
}
