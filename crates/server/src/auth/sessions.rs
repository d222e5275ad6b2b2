//! Server-side sessions for people who log in with a password (the console, and the API when
//! used from a browser). The cookie carries only a random id; everything else stays here.
//!
//! Sessions live in memory: one replica keeps them; a restart logs everyone out, which is
//! acceptable for an admin tool. The map holds the SHA-256 of each id, never the id itself.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, Utc};
use imsbridge_domain::Clock;
use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use uuid::Uuid;

use super::Role;
use crate::settings::SessionSettings;

/// A logged-in person.
#[derive(Debug, Clone)]
pub struct Session {
    /// The user's id.
    pub user_id: Uuid,
    /// The user's name.
    pub username: String,
    /// The user's role at login.
    pub role: Role,
    /// The token that unsafe requests made with this session must echo (`x-csrf-token`
    /// header, or the `csrf_token` form field on console pages).
    pub csrf_token: String,
    /// When the session began.
    pub created_at: DateTime<Utc>,
    /// When it was last used.
    pub last_seen: DateTime<Utc>,
}

impl Session {
    /// Whether `candidate` is this session's CSRF token (constant-time).
    pub fn csrf_matches(&self, candidate: &str) -> bool {
        self.csrf_token
            .as_bytes()
            .ct_eq(candidate.as_bytes())
            .into()
    }
}

/// The sessions of this process.
#[derive(Debug, Clone)]
pub struct SessionStore {
    map: Arc<Mutex<HashMap<[u8; 32], Session>>>,
    idle: Duration,
    max_age: Duration,
    clock: Arc<dyn Clock>,
}

fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

fn key(id: &str) -> [u8; 32] {
    Sha256::digest(id.as_bytes()).into()
}

impl SessionStore {
    /// An empty store with the configured lifetimes.
    pub fn new(settings: &SessionSettings, clock: Arc<dyn Clock>) -> Self {
        let minutes = i64::try_from(settings.idle_timeout_minutes.max(1)).unwrap_or(60);
        let hours = i64::try_from(settings.max_age_hours.max(1)).unwrap_or(12);
        Self {
            map: Arc::default(),
            idle: Duration::minutes(minutes),
            max_age: Duration::hours(hours),
            clock,
        }
    }

    /// Starts a session; returns the cookie value and the session.
    pub fn create(&self, user_id: Uuid, username: String, role: Role) -> (String, Session) {
        let now = self.clock.now();
        let id = random_token();
        let session = Session {
            user_id,
            username,
            role,
            csrf_token: random_token(),
            created_at: now,
            last_seen: now,
        };
        let mut map = self.map.lock().unwrap_or_else(PoisonError::into_inner);
        let (idle, max_age) = (self.idle, self.max_age);
        map.retain(|_, s| s.last_seen + idle > now && s.created_at + max_age > now);
        map.insert(key(&id), session.clone());
        (id, session)
    }

    /// The live session for a cookie value, refreshing its idle timer.
    pub fn get(&self, id: &str) -> Option<Session> {
        let now = self.clock.now();
        let mut map = self.map.lock().unwrap_or_else(PoisonError::into_inner);
        let k = key(id);
        let session = map.get_mut(&k)?;
        if session.last_seen + self.idle <= now || session.created_at + self.max_age <= now {
            map.remove(&k);
            return None;
        }
        session.last_seen = now;
        Some(session.clone())
    }

    /// Ends a session.
    pub fn remove(&self, id: &str) {
        self.map
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&key(id));
    }

    /// Ends every session of a user (password change, removal, role change).
    pub fn remove_user(&self, user_id: Uuid) {
        self.map
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .retain(|_, s| s.user_id != user_id);
    }

    /// When a session ends at the latest, for the cookie's `Max-Age`.
    pub fn max_age(&self) -> Duration {
        self.max_age
    }
}
