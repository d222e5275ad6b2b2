//! A circuit breaker per authorization server, on the injected clock.
//!
//! Closed: requests pass; after `failure_threshold` consecutive transient failures it opens.
//! Open: requests fail at once until `cool_down` has passed. Then one probe is let through
//! (half-open); its success closes the breaker, its failure opens it again.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::error::{ImsError, TokenError};

/// When a breaker opens and how long it stays open.
#[derive(Clone, Debug)]
pub struct BreakerPolicy {
    /// Consecutive transient failures that open the breaker.
    pub failure_threshold: u32,
    /// How long it stays open before a probe request is allowed.
    pub cool_down: Duration,
}

impl Default for BreakerPolicy {
    fn default() -> Self {
        Self {
            failure_threshold: 5,
            cool_down: Duration::from_secs(30),
        }
    }
}

#[derive(Debug, Default)]
struct State {
    consecutive_failures: u32,
    opened_at: Option<DateTime<Utc>>,
    /// When the half-open probe started; a probe whose caller vanished is replaced after
    /// another cool-down, so a dropped future cannot wedge the breaker.
    probe_started: Option<DateTime<Utc>>,
    last_error: Option<ImsError>,
}

/// All breakers of one provider, keyed by authorization server.
#[derive(Debug)]
pub(crate) struct Breakers {
    policy: BreakerPolicy,
    states: Mutex<HashMap<String, State>>,
}

impl Breakers {
    pub(crate) fn new(policy: BreakerPolicy) -> Self {
        Self {
            policy,
            states: Mutex::default(),
        }
    }

    fn cool_down(&self) -> chrono::Duration {
        chrono::Duration::from_std(self.policy.cool_down).unwrap_or(chrono::Duration::MAX)
    }

    /// Lets a request to `server` through, or refuses it while the breaker is open.
    pub(crate) fn admit(&self, server: &str, now: DateTime<Utc>) -> Result<(), TokenError> {
        let mut states = self.states.lock().unwrap_or_else(PoisonError::into_inner);
        let Some(state) = states.get_mut(server) else {
            return Ok(());
        };
        let Some(opened_at) = state.opened_at else {
            return Ok(());
        };
        let cool_down = self.cool_down();
        let reopen_at = opened_at + cool_down;
        let probe_busy = state.probe_started.is_some_and(|p| now < p + cool_down);
        if now >= reopen_at && !probe_busy {
            state.probe_started = Some(now);
            return Ok(());
        }
        let retry_in = if probe_busy {
            self.policy.cool_down
        } else {
            (reopen_at - now).to_std().unwrap_or(Duration::ZERO)
        };
        Err(TokenError::CircuitOpen {
            server: server.to_owned(),
            retry_in,
            last_error: state.last_error.clone().map(Box::new),
        })
    }

    /// IMS answered (success or a permanent refusal): the server is reachable.
    pub(crate) fn record_reachable(&self, server: &str) {
        let mut states = self.states.lock().unwrap_or_else(PoisonError::into_inner);
        // Closed breakers are not stored, so the common case allocates nothing.
        states.remove(server);
    }

    /// A transient failure: counts towards opening, or re-opens a half-open breaker.
    pub(crate) fn record_failure(&self, server: &str, now: DateTime<Utc>, error: &ImsError) {
        let mut states = self.states.lock().unwrap_or_else(PoisonError::into_inner);
        let state = states.entry(server.to_owned()).or_default();
        state.consecutive_failures = state.consecutive_failures.saturating_add(1);
        state.last_error = Some(error.clone());
        state.probe_started = None;
        if state.opened_at.is_some() || state.consecutive_failures >= self.policy.failure_threshold
        {
            if state.opened_at.is_none() {
                tracing::warn!(server, failures = state.consecutive_failures, error = %error, "IMS circuit breaker opened");
            }
            state.opened_at = Some(now);
        }
    }

    /// How many breakers are open (or half-open) now.
    pub(crate) fn open_count(&self) -> usize {
        let states = self.states.lock().unwrap_or_else(PoisonError::into_inner);
        states.values().filter(|s| s.opened_at.is_some()).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outage() -> ImsError {
        ImsError::Rejected {
            endpoint: "x".into(),
            status: 503,
            code: None,
            description: None,
            debug_id: None,
            retry_after: None,
        }
    }

    #[test]
    fn the_breaker_opens_after_the_threshold_then_lets_one_probe_through_after_cool_down() {
        let b = Breakers::new(BreakerPolicy {
            failure_threshold: 2,
            cool_down: Duration::from_secs(10),
        });
        let t0 = Utc::now();
        let s = "https://ims";
        b.admit(s, t0).unwrap();
        b.record_failure(s, t0, &outage());
        b.admit(s, t0).unwrap();
        b.record_failure(s, t0, &outage());
        let err = b.admit(s, t0).unwrap_err();
        assert!(
            matches!(err, TokenError::CircuitOpen { retry_in, .. } if retry_in == Duration::from_secs(10))
        );
        assert_eq!(b.open_count(), 1);
        let later = t0 + chrono::Duration::seconds(10);
        b.admit(s, later).unwrap();
        // Only one probe at a time.
        assert!(b.admit(s, later).is_err());
        // The probe fails: open again for a full cool-down.
        b.record_failure(s, later, &outage());
        assert!(b.admit(s, later + chrono::Duration::seconds(9)).is_err());
        b.admit(s, later + chrono::Duration::seconds(10)).unwrap();
        b.record_reachable(s);
        b.admit(s, later + chrono::Duration::seconds(10)).unwrap();
        assert_eq!(b.open_count(), 0);
    }
}
