//! Flash messages: a POST answers 303 with a short-lived cookie naming what happened; the
//! next GET shows it once, in the reader's language, and clears the cookie.
//!
//! The cookie carries a message key and a name, never free text from the server, so that
//! nothing but our own labels can appear through it; the text is looked up at render time.

use axum::http::HeaderMap;
use axum_extra::extract::cookie::{Cookie, SameSite};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::http::cookies;

/// The flash cookie's name.
pub const FLASH_COOKIE: &str = "imsbridge_flash";

/// Sent to the console only, never read by scripts; `Lax`, so that it survives the 303 that
/// follows a form.
const ATTRS: cookies::Attrs = cookies::Attrs {
    path: "/console",
    same_site: SameSite::Lax,
    http_only: true,
    secure: false,
};

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
    /// The cookie that carries this flash to the next request.
    pub fn cookie(&self) -> Cookie<'static> {
        let json = serde_json::to_vec(self).unwrap_or_default();
        cookies::build(FLASH_COOKIE, URL_SAFE_NO_PAD.encode(json), 60, ATTRS)
    }

    /// The cookie that removes the flash once shown.
    pub fn clear_cookie() -> Cookie<'static> {
        cookies::build(FLASH_COOKIE, String::new(), 0, ATTRS)
    }

    /// The flash a request carries, if any.
    pub fn from_headers(headers: &HeaderMap) -> Option<Self> {
        let raw = cookies::read(headers, FLASH_COOKIE)?;
        let bytes = URL_SAFE_NO_PAD.decode(raw.trim()).ok()?;
        serde_json::from_slice(&bytes).ok()
    }
}

#[cfg(test)]
mod tests {
    use axum::http::{HeaderValue, header};

    use super::*;

    #[test]
    fn a_flash_survives_its_cookie() {
        let flash = Flash::Created("Adobe Target <prod>; \"x\"".into());
        let pair = flash.cookie().encoded().stripped().to_string();
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, HeaderValue::from_str(&pair).unwrap());
        assert_eq!(Flash::from_headers(&headers), Some(flash));
    }
}
