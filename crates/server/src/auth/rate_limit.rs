//! Throttling of failed logins per user name and client address.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use chrono::{DateTime, Duration, Utc};
use imsbridge_domain::Clock;

use crate::settings::LoginRateLimit;

/// Failed-login counters, shared by all requests of one process.
#[derive(Debug, Clone)]
pub struct LoginThrottle {
    inner: Arc<Mutex<HashMap<(String, String), Window>>>,
    max_failures: u32,
    window: Duration,
    clock: Arc<dyn Clock>,
}

#[derive(Debug, Clone, Copy)]
struct Window {
    started: DateTime<Utc>,
    failures: u32,
}

impl LoginThrottle {
    /// A throttle with the given limits.
    pub fn new(settings: &LoginRateLimit, clock: Arc<dyn Clock>) -> Self {
        Self {
            inner: Arc::default(),
            max_failures: settings.max_failures.max(1),
            window: Duration::seconds(i64::try_from(settings.window_secs.max(1)).unwrap_or(300)),
            clock,
        }
    }

    fn key(username: &str, ip: &str) -> (String, String) {
        (username.trim().to_lowercase(), ip.to_owned())
    }

    /// If this pair is locked out, how many seconds remain.
    pub fn locked_for(&self, username: &str, ip: &str) -> Option<u64> {
        let now = self.clock.now();
        let map = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        let w = map.get(&Self::key(username, ip))?;
        let ends = w.started + self.window;
        (w.failures >= self.max_failures && ends > now).then(|| {
            u64::try_from((ends - now).num_seconds())
                .unwrap_or(0)
                .max(1)
        })
    }

    /// Records a failed attempt.
    pub fn fail(&self, username: &str, ip: &str) {
        let now = self.clock.now();
        let mut map = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        // Forget stale windows so that the map cannot grow without bound.
        if map.len() > 10_000 {
            let window = self.window;
            map.retain(|_, w| w.started + window > now);
        }
        let w = map.entry(Self::key(username, ip)).or_insert(Window {
            started: now,
            failures: 0,
        });
        if w.started + self.window <= now {
            *w = Window {
                started: now,
                failures: 0,
            };
        }
        w.failures += 1;
    }

    /// Clears the pair after a successful login.
    pub fn succeed(&self, username: &str, ip: &str) {
        self.inner
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&Self::key(username, ip));
    }
}
