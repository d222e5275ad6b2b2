//! A circuit breaker per authorization server, on the injected clock.
//!
//! Closed: requests pass; after `failure_threshold` consecutive transient failures it opens.
//! Open: requests fail at once until the open interval has passed. Then exactly one probe is
//! let through (half-open) and every other request waits for its outcome: success closes the
//! breaker, failure opens it again for a longer interval (doubling up to `max_open`). The
//! first interval is short, so that a recovered IMS is noticed within about two seconds.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::error::{ImsError, TokenError};
use crate::gate::{self, Admission, HasProbe, ProbeSlot, SlotMap};

/// When a breaker opens and how long it stays open.
#[derive(Clone, Debug)]
pub struct BreakerPolicy {
    /// Consecutive transient failures that open the breaker.
    pub failure_threshold: u32,
    /// How long it stays open the first time before a probe request is allowed.
    pub first_open: Duration,
    /// The longest it stays open: each failed probe doubles the interval up to this.
    pub max_open: Duration,
}

impl Default for BreakerPolicy {
    fn default() -> Self {
        Self {
            failure_threshold: 3,
            first_open: Duration::from_millis(250),
            max_open: Duration::from_millis(1500),
        }
    }
}

#[derive(Debug, Default)]
struct State {
    consecutive_failures: u32,
    last_error: Option<ImsError>,
    open: Option<Open>,
    probe: ProbeSlot,
}

#[derive(Debug)]
struct Open {
    until: DateTime<Utc>,
    interval: Duration,
}

impl HasProbe for State {
    fn slot(&mut self) -> &mut ProbeSlot {
        &mut self.probe
    }
}

/// All breakers of one provider, keyed by authorization server.
#[derive(Debug)]
pub(crate) struct Breakers {
    policy: BreakerPolicy,
    states: SlotMap<String, State>,
}

fn chrono(d: Duration) -> chrono::Duration {
    chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX)
}

impl Breakers {
    pub(crate) fn new(policy: BreakerPolicy) -> Self {
        Self {
            policy,
            states: Arc::default(),
        }
    }

    /// Lets a request to `server` through, makes it wait for the probe, or refuses it while
    /// the breaker is open.
    pub(crate) fn admit(&self, server: &str, now: DateTime<Utc>) -> Admission {
        let mut states = gate::lock(&self.states);
        let Some(state) = states.get_mut(server) else {
            return Admission::Go(None);
        };
        let Some(open) = &state.open else {
            return Admission::Go(None);
        };
        let refusal = |retry_in: Duration, state: &State| TokenError::CircuitOpen {
            server: server.to_owned(),
            retry_in,
            last_error: state.last_error.clone().map(Box::new),
        };
        if state.probe.is_busy() {
            return Admission::Wait {
                outcome: state.probe.waiter(),
                meanwhile: refusal(open.interval, state),
            };
        }
        if now < open.until {
            let retry_in = (open.until - now).to_std().unwrap_or(Duration::ZERO);
            return Admission::Refused(refusal(retry_in, state));
        }
        let key = server.to_owned();
        Admission::Go(Some(gate::take_probe(&self.states, &key, state)))
    }

    /// The refusal for a request at `now`, while the breaker is open and no probe is due.
    pub(crate) fn refusal(&self, server: &str, now: DateTime<Utc>) -> Option<TokenError> {
        let states = gate::lock(&self.states);
        let state = states.get(server)?;
        let open = state.open.as_ref()?;
        (now < open.until && !state.probe.is_busy()).then(|| TokenError::CircuitOpen {
            server: server.to_owned(),
            retry_in: (open.until - now).to_std().unwrap_or(Duration::ZERO),
            last_error: state.last_error.clone().map(Box::new),
        })
    }

    /// IMS answered (success or a refusal): the server is reachable.
    pub(crate) fn record_reachable(&self, server: &str) {
        let mut states = gate::lock(&self.states);
        // Closed breakers are not stored, so the common case allocates nothing. Dropping the
        // state wakes whoever waited for a probe.
        if let Some(mut state) = states.remove(server) {
            if state.open.is_some() {
                tracing::info!(server, "IMS circuit breaker closed: IMS answers again");
            }
            state.probe.release();
        }
    }

    /// A transient failure: counts towards opening, or re-opens a half-open breaker for
    /// longer.
    pub(crate) fn record_failure(&self, server: &str, now: DateTime<Utc>, error: &ImsError) {
        let mut states = gate::lock(&self.states);
        let state = states.entry(server.to_owned()).or_default();
        state.consecutive_failures = state.consecutive_failures.saturating_add(1);
        state.last_error = Some(error.clone());
        let interval = match &state.open {
            Some(open) => open.interval.saturating_mul(2).min(self.policy.max_open),
            None if state.consecutive_failures >= self.policy.failure_threshold => {
                tracing::warn!(server, failures = state.consecutive_failures, error = %error, "IMS circuit breaker opened");
                self.policy.first_open.min(self.policy.max_open)
            }
            None => return,
        };
        state.open = Some(Open {
            until: now + chrono(interval),
            interval,
        });
        state.probe.release();
    }

    /// How many breakers are open (or half-open) now.
    pub(crate) fn open_count(&self) -> usize {
        let states = gate::lock(&self.states);
        states.values().filter(|s| s.open.is_some()).count()
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

    fn policy() -> BreakerPolicy {
        BreakerPolicy {
            failure_threshold: 2,
            first_open: Duration::from_millis(250),
            max_open: Duration::from_secs(1),
        }
    }

    fn refused_for(admission: Admission) -> Duration {
        match admission {
            Admission::Refused(TokenError::CircuitOpen { retry_in, .. }) => retry_in,
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    fn ms(n: i64) -> chrono::Duration {
        chrono::Duration::milliseconds(n)
    }

    #[test]
    fn the_breaker_opens_after_the_threshold_and_each_failed_probe_doubles_the_interval() {
        let b = Breakers::new(policy());
        let t0 = Utc::now();
        let s = "https://ims";
        assert!(matches!(b.admit(s, t0), Admission::Go(None)));
        b.record_failure(s, t0, &outage());
        assert!(matches!(b.admit(s, t0), Admission::Go(None)));
        b.record_failure(s, t0, &outage());
        assert_eq!(refused_for(b.admit(s, t0)), Duration::from_millis(250));
        assert_eq!(b.open_count(), 1);

        // Half-open: one probe, which fails: open for 500 ms, then 1 s, then 1 s (the cap).
        let mut now = t0 + ms(250);
        for expected in [500_i64, 1000, 1000] {
            let Admission::Go(Some(probe)) = b.admit(s, now) else {
                panic!("the probe is not let through")
            };
            b.record_failure(s, now, &outage());
            drop(probe);
            assert_eq!(
                refused_for(b.admit(s, now)),
                Duration::from_millis(expected as u64)
            );
            now += ms(expected);
        }
        let Admission::Go(Some(_probe)) = b.admit(s, now) else {
            panic!("the probe is not let through")
        };
        b.record_reachable(s);
        assert!(matches!(b.admit(s, now), Admission::Go(None)));
        assert_eq!(b.open_count(), 0);
    }

    #[tokio::test]
    async fn while_a_probe_is_out_others_wait_and_share_its_outcome() {
        let b = Breakers::new(policy());
        let t0 = Utc::now();
        let s = "https://ims";
        b.record_failure(s, t0, &outage());
        b.record_failure(s, t0, &outage());
        let later = t0 + ms(300);
        let Admission::Go(Some(probe)) = b.admit(s, later) else {
            panic!("the probe is not let through")
        };
        let Admission::Wait { mut outcome, .. } = b.admit(s, later) else {
            panic!("a second request must wait for the probe")
        };
        b.record_reachable(s);
        drop(probe);
        // The waiter wakes (changed or closed) and is then let through.
        let _ = outcome.changed().await;
        assert!(matches!(b.admit(s, later), Admission::Go(None)));
    }

    #[tokio::test]
    async fn an_abandoned_probe_frees_its_slot_for_the_next_request() {
        let b = Breakers::new(policy());
        let t0 = Utc::now();
        let s = "https://ims";
        b.record_failure(s, t0, &outage());
        b.record_failure(s, t0, &outage());
        let later = t0 + ms(300);
        let Admission::Go(Some(probe)) = b.admit(s, later) else {
            panic!("the probe is not let through")
        };
        let Admission::Wait { mut outcome, .. } = b.admit(s, later) else {
            panic!("a second request must wait for the probe")
        };
        drop(probe);
        outcome.changed().await.unwrap();
        assert!(matches!(b.admit(s, later), Admission::Go(Some(_))));
    }
}
