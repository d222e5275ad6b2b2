//! Throttling of failed logins per user name and client address, counted in the store so
//! that every replica (and a restarted server) enforces the same limit.

use std::sync::Arc;

use chrono::Duration;
use imsbridge_domain::Clock;
use imsbridge_store::{Store, StoreError};

use crate::settings::LoginRateLimit;

/// Failed-login limits over the store's counts.
#[derive(Debug, Clone)]
pub struct LoginThrottle {
    store: Store,
    max_failures: u32,
    window: Duration,
    clock: Arc<dyn Clock>,
}

fn key(username: &str) -> String {
    username.trim().to_lowercase()
}

impl LoginThrottle {
    /// A throttle with the given limits.
    pub fn new(store: Store, settings: &LoginRateLimit, clock: Arc<dyn Clock>) -> Self {
        Self {
            store,
            max_failures: settings.max_failures.max(1),
            window: Duration::seconds(i64::try_from(settings.window_secs.max(1)).unwrap_or(300)),
            clock,
        }
    }

    /// If this pair is locked out, how many seconds remain.
    pub async fn locked_for(&self, username: &str, ip: &str) -> Result<Option<u64>, StoreError> {
        let now = self.clock.now();
        let Some(w) = self.store.login_failures(&key(username), ip).await? else {
            return Ok(None);
        };
        let ends = w.started_at + self.window;
        Ok((w.failures >= self.max_failures && ends > now).then(|| {
            u64::try_from((ends - now).num_seconds())
                .unwrap_or(0)
                .max(1)
        }))
    }

    /// Records a failed attempt.
    pub async fn fail(&self, username: &str, ip: &str) -> Result<(), StoreError> {
        let now = self.clock.now();
        self.store
            .record_login_failure(&key(username), ip, now, now - self.window)
            .await
            .map(drop)
    }

    /// Clears the pair after a successful login.
    pub async fn succeed(&self, username: &str, ip: &str) -> Result<(), StoreError> {
        self.store.clear_login_failures(&key(username), ip).await
    }
}
