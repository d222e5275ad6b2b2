//! RSA keys: the emulator's own token-signing key and the key pairs and certificates of
//! JWT credentials.

use std::sync::OnceLock;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{DecodingKey, EncodingKey};
use rsa::pkcs1::EncodeRsaPrivateKey as _;
use rsa::pkcs8::{EncodePrivateKey as _, LineEnding};
use rsa::traits::PublicKeyParts as _;
use x509_cert::der::DecodePem as _;

use crate::EmulatorError;

/// The `kid` of the one key IMS-emulated access tokens are signed with.
pub(crate) const SIGNING_KID: &str = "ims_na1-emulator-key-1";

/// The emulator's token-signing key and its public forms.
pub(crate) struct SigningKey {
    pub(crate) encoding: EncodingKey,
    pub(crate) decoding: DecodingKey,
    pub(crate) jwk: serde_json::Value,
}

/// One key per process: RSA generation costs a noticeable fraction of a second, and
/// every emulator in a test binary may share it without harm.
pub(crate) fn signing_key() -> &'static SigningKey {
    static KEY: OnceLock<SigningKey> = OnceLock::new();
    KEY.get_or_init(|| {
        let private = rsa::RsaPrivateKey::new(&mut rand::thread_rng(), 2048)
            .expect("2048-bit RSA key generation does not fail");
        let der = private
            .to_pkcs1_der()
            .expect("a fresh RSA key encodes as PKCS#1");
        let n = URL_SAFE_NO_PAD.encode(private.n().to_bytes_be());
        let e = URL_SAFE_NO_PAD.encode(private.e().to_bytes_be());
        SigningKey {
            encoding: EncodingKey::from_rsa_der(der.as_bytes()),
            decoding: DecodingKey::from_rsa_components(&n, &e)
                .expect("base64url components decode"),
            jwk: serde_json::json!({
                "kty": "RSA", "alg": "RS256", "use": "sig", "kid": SIGNING_KID, "n": n, "e": e,
            }),
        }
    })
}

/// A fresh RSA 2048 key pair (PKCS#8 PEM) and a self-signed certificate for it, as the
/// Developer Console's "Generate a public/private keypair" button hands out.
pub(crate) fn generate_credential_keypair(
    common_name: &str,
) -> Result<(String, String), EmulatorError> {
    let private = rsa::RsaPrivateKey::new(&mut rand::thread_rng(), 2048)
        .map_err(|e| EmulatorError::Crypto(e.to_string()))?;
    let pem = private
        .to_pkcs8_pem(LineEnding::LF)
        .map_err(|e| EmulatorError::Crypto(e.to_string()))?
        .to_string();
    let key_pair = rcgen::KeyPair::from_pkcs8_pem_and_sign_algo(&pem, &rcgen::PKCS_RSA_SHA256)
        .map_err(|e| EmulatorError::Crypto(e.to_string()))?;
    let mut params = rcgen::CertificateParams::new(Vec::<String>::new())
        .map_err(|e| EmulatorError::Crypto(e.to_string()))?;
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, common_name);
    let cert = params
        .self_signed(&key_pair)
        .map_err(|e| EmulatorError::Crypto(e.to_string()))?;
    Ok((pem, cert.pem()))
}

/// The RSA public key inside an X.509 certificate, ready to verify RS256 signatures.
pub(crate) fn public_key_from_certificate(pem: &str) -> Result<DecodingKey, EmulatorError> {
    const RSA_ENCRYPTION: &str = "1.2.840.113549.1.1.1";
    let cert = x509_cert::Certificate::from_pem(pem.trim().as_bytes())
        .map_err(|e| EmulatorError::InvalidInput(format!("not a PEM X.509 certificate: {e}")))?;
    let spki = &cert.tbs_certificate.subject_public_key_info;
    if spki.algorithm.oid.to_string() != RSA_ENCRYPTION {
        return Err(EmulatorError::InvalidInput(
            "the certificate's key is not RSA; IMS only binds RSA certificates".into(),
        ));
    }
    // The bit string of an RSA SPKI is the PKCS#1 RSAPublicKey DER jsonwebtoken expects.
    Ok(DecodingKey::from_rsa_der(
        spki.subject_public_key.raw_bytes(),
    ))
}
