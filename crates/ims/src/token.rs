//! Access tokens and what a caller asks of one.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use secrecy::{ExposeSecret, SecretString};

/// A secret that clones without copying: clones share one buffer, which is zeroized when
/// the last clone drops. Read it with [`ExposeSecret::expose_secret`]; `Debug` redacts it,
/// and there is no `Display` or `Serialize`.
///
/// Access tokens are handed out millions of times a second from the cache; copying and
/// zeroizing a kilobyte-long JWT for each would cost more than the whole lookup.
#[derive(Clone)]
pub struct SharedSecret(Arc<SecretString>);

impl SharedSecret {
    /// Wraps a secret.
    pub fn new(secret: SecretString) -> Self {
        Self(Arc::new(secret))
    }

    /// The secret as a [`SecretString`], for APIs that take one (e.g. a store).
    pub fn as_secret_string(&self) -> &SecretString {
        &self.0
    }
}

impl ExposeSecret<str> for SharedSecret {
    fn expose_secret(&self) -> &str {
        self.0.expose_secret()
    }
}

impl fmt::Debug for SharedSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SharedSecret([REDACTED])")
    }
}

impl From<SecretString> for SharedSecret {
    fn from(secret: SecretString) -> Self {
        Self::new(secret)
    }
}

impl From<String> for SharedSecret {
    fn from(secret: String) -> Self {
        Self::new(SecretString::from(secret))
    }
}

impl From<&str> for SharedSecret {
    fn from(secret: &str) -> Self {
        Self::new(SecretString::from(secret))
    }
}

/// An IMS access token and its lifetime, measured on the local clock.
///
/// `Debug` shows `[REDACTED]` for the token itself. Cloning is cheap (no copy of the token).
#[derive(Clone, Debug)]
pub struct AccessToken {
    /// The bearer token.
    pub token: SharedSecret,
    /// The token type IMS reported, normally `bearer`.
    pub token_type: Arc<str>,
    /// When the token stops being valid (local receive time plus IMS's `expires_in`).
    pub expires_at: DateTime<Utc>,
    /// When the response carrying the token was received.
    pub issued_at: DateTime<Utc>,
}

impl AccessToken {
    /// How long the token is still valid at `now`; zero once it has expired.
    pub fn expires_in(&self, now: DateTime<Utc>) -> Duration {
        (self.expires_at - now).to_std().unwrap_or(Duration::ZERO)
    }

    /// The whole lifetime IMS granted.
    pub fn lifetime(&self) -> Duration {
        (self.expires_at - self.issued_at)
            .to_std()
            .unwrap_or(Duration::ZERO)
    }

    /// How old the token is at `now`.
    pub fn age(&self, now: DateTime<Utc>) -> Duration {
        (now - self.issued_at).to_std().unwrap_or(Duration::ZERO)
    }

    /// Whether the token is still valid for at least `min` after `now`.
    pub fn is_valid_for(&self, now: DateTime<Utc>, min: Duration) -> bool {
        // Compared in milliseconds so the check costs no fallible conversion on the hot path.
        let left = self.expires_at.timestamp_millis() - now.timestamp_millis();
        left > 0 && left as u128 >= min.as_millis()
    }
}

/// Which IMS grant produced, or would produce, a token.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Grant {
    /// OAuth Server-to-Server: `POST /ims/token/v3`.
    ClientCredentials,
    /// Service Account (JWT): `POST /ims/exchange/jwt`.
    JwtExchange,
}

impl Grant {
    /// The key used in metrics labels.
    pub fn key(self) -> &'static str {
        match self {
            Self::ClientCredentials => "client_credentials",
            Self::JwtExchange => "jwt_exchange",
        }
    }
}

/// What a caller needs from [`crate::TokenProvider::token`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TokenRequest {
    /// The token must stay valid at least this long; the provider's own floor
    /// ([`crate::ProviderOptions::min_validity`]) applies when this is shorter.
    pub min_validity: Duration,
    /// Fetch a new token even if a cached one is valid (e.g. after IMS or a product refused it).
    pub force_refresh: bool,
    /// How long the caller will wait for an answer; `None` (or anything longer) means the
    /// provider's [`crate::ProviderOptions::token_budget`]. Retries, backoff and waiting for
    /// another caller's fetch all spend from it.
    pub budget: Option<Duration>,
}

impl TokenRequest {
    /// Any valid cached token will do.
    pub fn new() -> Self {
        Self::default()
    }

    /// Asks for a token valid for at least `min`.
    #[must_use]
    pub fn with_min_validity(mut self, min: Duration) -> Self {
        self.min_validity = min;
        self
    }

    /// Asks for a freshly issued token.
    #[must_use]
    pub fn forcing_refresh(mut self) -> Self {
        self.force_refresh = true;
        self
    }

    /// Answers within `budget` at most (the provider's own budget if that is shorter).
    #[must_use]
    pub fn with_budget(mut self, budget: Duration) -> Self {
        self.budget = Some(budget);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn a_token_reports_its_remaining_life_and_never_a_negative_one() {
        let issued = Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap();
        let t = AccessToken {
            token: "abc".into(),
            token_type: "bearer".into(),
            issued_at: issued,
            expires_at: issued + chrono::Duration::seconds(100),
        };
        let now = issued + chrono::Duration::seconds(40);
        assert_eq!(t.expires_in(now), Duration::from_secs(60));
        assert_eq!(t.age(now), Duration::from_secs(40));
        assert_eq!(t.lifetime(), Duration::from_secs(100));
        assert!(t.is_valid_for(now, Duration::from_secs(60)));
        assert!(!t.is_valid_for(now, Duration::from_secs(61)));
        let later = issued + chrono::Duration::seconds(101);
        assert_eq!(t.expires_in(later), Duration::ZERO);
        assert!(!t.is_valid_for(later, Duration::ZERO));
    }
}
