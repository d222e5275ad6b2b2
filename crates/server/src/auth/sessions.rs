//! Server-side sessions for people who log in with a password (the console, and the API when
//! used from a browser). The cookie carries only a random id; the store keeps its SHA-256, the
//! user and the times, so every replica on the database knows the session and a restart
//! keeps it.
//!
//! The CSRF token of a session is derived from its id, so it needs no storage and cannot be
//! guessed without the cookie.

use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, Utc};
use imsbridge_domain::Clock;
use imsbridge_store::{Store, StoreError, User};
use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use uuid::Uuid;

use super::Role;
use crate::settings::SessionSettings;

/// How stale a session's "last seen" may get before a request records it again: an idle
/// timeout is measured in minutes, and a write per request would be waste.
const TOUCH_EVERY: Duration = Duration::seconds(60);

/// A logged-in person, as the store has them now. `Debug` hides the CSRF token.
#[derive(Clone)]
pub struct Session {
    /// The user's id.
    pub user_id: Uuid,
    /// The user's name.
    pub username: String,
    /// The user's role.
    pub role: Role,
    /// The token that unsafe requests made with this session must echo (`x-csrf-token`
    /// header, or the `csrf_token` form field on console pages).
    pub csrf_token: String,
    /// When the session began.
    pub created_at: DateTime<Utc>,
    /// When it was last used.
    pub last_seen: DateTime<Utc>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("user_id", &self.user_id)
            .field("username", &self.username)
            .field("role", &self.role)
            .field("csrf_token", &"[REDACTED]")
            .field("created_at", &self.created_at)
            .field("last_seen", &self.last_seen)
            .finish()
    }
}

impl Session {
    /// Whether `candidate` is this session's CSRF token (constant-time).
    pub fn csrf_matches(&self, candidate: &str) -> bool {
        self.csrf_token
            .as_bytes()
            .ct_eq(candidate.as_bytes())
            .into()
    }

    fn of(id: &str, user: User, created_at: DateTime<Utc>, last_seen: DateTime<Utc>) -> Self {
        Self {
            user_id: user.id.as_uuid(),
            username: user.username,
            role: user.role,
            csrf_token: csrf_token(id),
            created_at,
            last_seen,
        }
    }
}

/// Sessions, kept in the store with this server's lifetimes.
#[derive(Debug, Clone)]
pub struct SessionStore {
    store: Store,
    idle: Duration,
    max_age: Duration,
    clock: Arc<dyn Clock>,
}

fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// What the store keeps of a session id.
fn id_hash(id: &str) -> String {
    hex::encode(Sha256::digest(id.as_bytes()))
}

/// The CSRF token of session `id`: a hash of it under a label of its own, so that it says
/// nothing about the id (or its stored hash).
fn csrf_token(id: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"imsbridge csrf token\0");
    h.update(id.as_bytes());
    URL_SAFE_NO_PAD.encode(h.finalize())
}

impl SessionStore {
    /// Sessions in `store` with the configured lifetimes.
    pub fn new(store: Store, settings: &SessionSettings, clock: Arc<dyn Clock>) -> Self {
        let minutes = i64::try_from(settings.idle_timeout_minutes.max(1)).unwrap_or(60);
        let hours = i64::try_from(settings.max_age_hours.max(1)).unwrap_or(12);
        Self {
            store,
            idle: Duration::minutes(minutes),
            max_age: Duration::hours(hours),
            clock,
        }
    }

    fn expired(&self, created_at: DateTime<Utc>, last_seen: DateTime<Utc>) -> bool {
        let now = self.clock.now();
        last_seen + self.idle <= now || created_at + self.max_age <= now
    }

    /// Starts a session for `user`; returns the cookie value and the session. Expired
    /// sessions of anyone are forgotten on the way.
    pub async fn create(&self, user: User) -> Result<(String, Session), StoreError> {
        let now = self.clock.now();
        self.store
            .purge_sessions(now - self.idle, now - self.max_age)
            .await?;
        let id = random_token();
        self.store
            .insert_session(&id_hash(&id), user.id, now)
            .await?;
        let session = Session::of(&id, user, now, now);
        Ok((id, session))
    }

    /// The live session for a cookie value, if its user still exists and is enabled;
    /// refreshes its idle timer.
    pub async fn get(&self, id: &str) -> Result<Option<Session>, StoreError> {
        let hash = id_hash(id);
        let Some(record) = self.store.find_session(&hash).await? else {
            return Ok(None);
        };
        if self.expired(record.created_at, record.last_seen) {
            self.store.delete_session(&hash).await?;
            return Ok(None);
        }
        if record.user.disabled {
            return Ok(None);
        }
        let now = self.clock.now();
        let mut last_seen = record.last_seen;
        if now - last_seen >= TOUCH_EVERY {
            self.store.touch_session(&hash, now).await?;
            last_seen = now;
        }
        Ok(Some(Session::of(
            id,
            record.user,
            record.created_at,
            last_seen,
        )))
    }

    /// Ends a session.
    pub async fn remove(&self, id: &str) -> Result<(), StoreError> {
        self.store.delete_session(&id_hash(id)).await
    }

    /// When a session ends at the latest, for the cookie's `Max-Age`.
    pub fn max_age(&self) -> Duration {
        self.max_age
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_csrf_token_is_tied_to_the_session_but_reveals_nothing_of_it() {
        let (a, b) = (random_token(), random_token());
        assert_eq!(csrf_token(&a), csrf_token(&a));
        assert_ne!(csrf_token(&a), csrf_token(&b));
        assert_ne!(csrf_token(&a), a);
        assert!(!id_hash(&a).contains(&csrf_token(&a)));
        assert_eq!(csrf_token(&a).len(), 43);
    }

    #[test]
    fn debug_output_hides_the_csrf_token() {
        let id = random_token();
        let session = Session {
            user_id: Uuid::now_v7(),
            username: "ann".into(),
            role: Role::Admin,
            csrf_token: csrf_token(&id),
            created_at: Utc::now(),
            last_seen: Utc::now(),
        };
        let shown = format!("{session:?}");
        assert!(
            shown.contains("ann") && shown.contains("[REDACTED]"),
            "{shown}"
        );
        assert!(!shown.contains(&session.csrf_token), "{shown}");
    }
}
