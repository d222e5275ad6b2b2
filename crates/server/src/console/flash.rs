//! Flash messages: a POST answers 303 with a short-lived cookie naming what happened; the
//! next GET shows it once, in the reader's language, and clears the cookie.
//!
//! The cookie carries a message key and a name, never free text from the server, so that
//! nothing but our own labels can appear through it; the text is looked up at render time.

use axum::http::{HeaderMap, HeaderValue, header};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// The flash cookie's name.
pub const FLASH_COOKIE: &str = "imsbridge_flash";

/// What happened in the previous request.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "k", content = "a", rename_all = "snake_case")]
pub enum Flash {
    /// A configuration was created (its title).
    Created(String),
    /// A configuration was saved (its title).
    Saved(String),
    /// A configuration was migrated to OAuth (its title).
    Migrated(String),
    /// A configuration was deleted (its title).
    Deleted(String),
    /// A health check ran on the configuration with this name.
    Health(String),
    /// The user signed out.
    SignedOut,
    /// A toolbar action was used without a selection.
    SelectFirst,
    /// A user was added (their name).
    UserAdded(String),
    /// A user was removed (their name).
    UserRemoved(String),
    /// A user's role or status was changed (their name).
    UserUpdated(String),
    /// An API token was revoked (its name).
    TokenRevoked(String),
    /// The form's CSRF token did not match.
    CsrfFailed,
    /// A form was saved without changes.
    Unchanged,
}

impl Flash {
    /// The `Set-Cookie` value that carries this flash to the next request.
    pub fn cookie(&self) -> HeaderValue {
        let json = serde_json::to_vec(self).unwrap_or_default();
        let value = format!(
            "{FLASH_COOKIE}={}; Path=/console; Max-Age=60; HttpOnly; SameSite=Lax",
            URL_SAFE_NO_PAD.encode(json)
        );
        HeaderValue::from_str(&value).unwrap_or_else(|_| HeaderValue::from_static(""))
    }

    /// The `Set-Cookie` value that removes the flash once shown.
    pub fn clear_cookie() -> HeaderValue {
        HeaderValue::from_static(
            "imsbridge_flash=; Path=/console; Max-Age=0; HttpOnly; SameSite=Lax",
        )
    }

    /// The flash a request carries, if any.
    pub fn from_headers(headers: &HeaderMap) -> Option<Self> {
        let raw = headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|c| c.trim().split_once('='))
            .find(|(name, _)| *name == FLASH_COOKIE)
            .map(|(_, value)| value)?;
        let bytes = URL_SAFE_NO_PAD.decode(raw.trim()).ok()?;
        serde_json::from_slice(&bytes).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flash_survives_its_cookie() {
        let flash = Flash::Created("Adobe Target <prod>; \"x\"".into());
        let cookie = flash.cookie();
        let pair = cookie
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_owned();
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, HeaderValue::from_str(&pair).unwrap());
        assert_eq!(Flash::from_headers(&headers), Some(flash));
    }
}
