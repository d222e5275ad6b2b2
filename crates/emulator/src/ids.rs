//! Identifiers shaped like the Developer Console's.

use rand::distributions::Alphanumeric;
use rand::{Rng, RngCore};

fn hex(bytes: usize, upper: bool) -> String {
    let mut buf = vec![0u8; bytes];
    rand::thread_rng().fill_bytes(&mut buf);
    let s = hex::encode(buf);
    if upper { s.to_uppercase() } else { s }
}

/// `<24 uppercase hex>@AdobeOrg`.
pub(crate) fn org_id() -> String {
    format!("{}@AdobeOrg", hex(12, true))
}

/// `<24 uppercase hex>@techacct.adobe.com`.
pub(crate) fn technical_account_id() -> String {
    format!("{}@techacct.adobe.com", hex(12, true))
}

/// `<uuid>@techacct.adobe.com`, the address form the project JSON also carries.
pub(crate) fn technical_account_email() -> String {
    format!("{}@techacct.adobe.com", uuid::Uuid::new_v4())
}

/// 32 lowercase hex, like every Developer Console API key.
pub(crate) fn client_id() -> String {
    hex(16, false)
}

/// `p8e-` and 32 URL-safe characters, the OAuth Server-to-Server secret form.
pub(crate) fn oauth_client_secret() -> String {
    let tail: String = rand::thread_rng()
        .sample_iter(&Alphanumeric)
        .take(32)
        .map(char::from)
        .collect();
    format!("p8e-{tail}")
}

/// A UUID, the form JWT-era client secrets had.
pub(crate) fn jwt_client_secret() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// Numeric ids such as the Developer Console gives projects and credentials.
pub(crate) fn numeric_id() -> String {
    rand::thread_rng()
        .gen_range(1_000_000_000_000_000_000u64..9_999_999_999_999_999_999u64)
        .to_string()
}

/// `AEM-p12345-e678901`, the name of a project the platform created for an environment.
pub(crate) fn auto_generated_project_name() -> String {
    let mut rng = rand::thread_rng();
    format!(
        "AEM-p{}-e{}",
        rng.gen_range(10_000..100_000),
        rng.gen_range(100_000..1_000_000)
    )
}

/// A random per-response id for `x-debug-id`.
pub(crate) fn debug_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// The Developer Console's numeric organisation id (a few digits, as in its URLs).
pub(crate) fn console_org_id() -> String {
    rand::thread_rng()
        .gen_range(10_000..10_000_000u32)
        .to_string()
}

/// 32 lowercase hex, the form of a client secret's uuid in the I/O Management API.
pub(crate) fn secret_uuid() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// `<24 HEX>@<24 hex>`, the form of an IMS user id.
pub(crate) fn user_sub() -> String {
    format!("{}@{}", hex(12, true), hex(12, false))
}

/// A random URL-safe token of 256 bits: authorization codes, refresh tokens, sessions.
pub(crate) fn opaque_token(prefix: &str) -> String {
    let mut buf = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut buf);
    use base64::Engine as _;
    format!(
        "{prefix}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buf)
    )
}
