//! The signed JWT a Service Account credential exchanges at `/ims/exchange/jwt`.

use std::time::Duration;

use chrono::{DateTime, Utc};
use imsbridge_domain::{AuthorizationServer, JwtCredentials};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Map, Value};

use crate::error::ImsError;

/// Builds and RS256-signs the JWT assertion for `creds`, valid from `now` for `lifetime`.
///
/// Claims: `exp`, `iss` (org id), `sub` (technical account id), `aud`
/// (`<server>/c/<client id>`) and one `"<server>/s/<metascope>": true` per metascope.
pub fn build_assertion(
    server: &AuthorizationServer,
    creds: &JwtCredentials,
    now: DateTime<Utc>,
    lifetime: Duration,
) -> Result<SecretString, ImsError> {
    let exp = now.timestamp() + i64::try_from(lifetime.as_secs()).unwrap_or(300);
    let mut claims = Map::new();
    claims.insert("exp".into(), Value::from(exp));
    claims.insert("iss".into(), Value::from(creds.org_id.as_str()));
    claims.insert(
        "sub".into(),
        Value::from(creds.technical_account_id.as_str()),
    );
    claims.insert(
        "aud".into(),
        Value::from(server.endpoint(&format!("/c/{}", creds.api_key))),
    );
    for metascope in creds.metascopes.iter() {
        claims.insert(
            server.endpoint(&format!("/s/{metascope}")),
            Value::Bool(true),
        );
    }
    // jsonwebtoken's errors name the problem kind only, never key bytes.
    let key = EncodingKey::from_rsa_pem(creds.private_key.expose_secret().trim().as_bytes())
        .map_err(|e| ImsError::Signing {
            reason: format!("the private key is not a usable RSA PEM key ({e})"),
        })?;
    jsonwebtoken::encode(&Header::new(Algorithm::RS256), &claims, &key)
        .map(SecretString::from)
        .map_err(|e| ImsError::Signing {
            reason: e.to_string(),
        })
}
