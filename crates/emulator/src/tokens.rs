//! Access tokens and ID tokens: signing them with the emulator's key, and checking the
//! access tokens this emulator issued.

use std::collections::HashSet;

use jsonwebtoken::{Algorithm, Header, Validation};
use serde::{Deserialize, Serialize};

use crate::keys::{self, SIGNING_KID};
use crate::state::{IssuedToken, Store};

/// The claims of an emulator-issued access token (those Adobe's libraries read).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct AccessClaims {
    pub(crate) id: String,
    #[serde(rename = "type")]
    pub(crate) token_type: String,
    pub(crate) client_id: String,
    pub(crate) user_id: String,
    #[serde(rename = "as")]
    pub(crate) authorization_server: String,
    pub(crate) aa_id: String,
    pub(crate) ctp: u8,
    pub(crate) scope: String,
    pub(crate) created_at: String,
    pub(crate) expires_in: String,
}

impl AccessClaims {
    pub(crate) fn scopes(&self) -> impl Iterator<Item = &str> {
        self.scope.split(',').filter(|s| !s.is_empty())
    }
}

/// A freshly issued access token.
pub(crate) struct Issued {
    pub(crate) token: String,
    /// The claim `id`, the key of the token in [`Store::tokens`].
    pub(crate) id: String,
}

impl Store {
    /// `expires_in` as the token endpoints answer it, in seconds: one second short of the
    /// lifetime, as IMS answers 86399 for its 24-hour tokens.
    pub(crate) fn expires_in_secs(&self) -> i64 {
        (self.token_lifetime_ms - 1) / 1000
    }

    /// `expires_in` as the JWT exchange answers it, in milliseconds (86399999 for 24 h).
    pub(crate) fn expires_in_ms(&self) -> i64 {
        self.token_lifetime_ms - 1
    }
}

/// Signs a new access token and remembers it for validation.
pub(crate) fn issue_access_token(
    store: &Store,
    client_id: &str,
    user_id: &str,
    org_id: &str,
    scopes: &[String],
) -> Issued {
    let created_ms = store.clock.now().timestamp_millis();
    let claims = AccessClaims {
        id: format!("{}-{}", created_ms, uuid::Uuid::new_v4().simple()),
        token_type: "access_token".into(),
        client_id: client_id.into(),
        user_id: user_id.into(),
        authorization_server: "ims-na1".into(),
        aa_id: user_id.into(),
        ctp: 0,
        scope: scopes.join(","),
        created_at: created_ms.to_string(),
        expires_in: store.token_lifetime_ms.to_string(),
    };
    let token = sign(&claims);
    store.tokens.lock().expect("tokens lock").insert(
        claims.id.clone(),
        IssuedToken {
            client_id: client_id.into(),
            org_id: org_id.into(),
            expires_at_ms: created_ms + store.token_lifetime_ms,
            invalidated: false,
        },
    );
    Issued {
        token,
        id: claims.id,
    }
}

/// Signs any claims with the emulator's RS256 key (header `kid` names it in the JWKS).
pub(crate) fn sign(claims: &impl Serialize) -> String {
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(SIGNING_KID.into());
    jsonwebtoken::encode(&header, claims, &keys::signing_key().encoding)
        .expect("signing with a valid RSA key does not fail")
}

/// Checks a token this emulator issued: signature, known id, not invalidated, not expired.
pub(crate) fn check_access_token(
    store: &Store,
    token: &str,
) -> Result<(AccessClaims, IssuedToken), String> {
    let mut validation = Validation::new(Algorithm::RS256);
    // Expiry is judged by the emulator's clock below, not the system's.
    validation.validate_exp = false;
    validation.validate_aud = false;
    validation.required_spec_claims = HashSet::new();
    let data =
        jsonwebtoken::decode::<AccessClaims>(token, &keys::signing_key().decoding, &validation)
            .map_err(|e| format!("token is not a valid IMS access token: {e}"))?;
    let claims = data.claims;
    if claims.token_type != "access_token" {
        return Err("token is not an access token".into());
    }
    let issued = store
        .tokens
        .lock()
        .expect("tokens lock")
        .get(&claims.id)
        .cloned()
        // Several emulators in one process share the signing key; only our own count.
        .ok_or("token was not issued by this IMS")?;
    if issued.invalidated {
        return Err("token has been invalidated".into());
    }
    if store.clock.now().timestamp_millis() >= issued.expires_at_ms {
        return Err("token has expired".into());
    }
    Ok((claims, issued))
}

/// Marks issued access tokens invalid (revocation, invalidation, a replayed code).
pub(crate) fn invalidate(store: &Store, ids: &[String]) {
    let mut tokens = store.tokens.lock().expect("tokens lock");
    for id in ids {
        if let Some(t) = tokens.get_mut(id) {
            t.invalidated = true;
        }
    }
}
