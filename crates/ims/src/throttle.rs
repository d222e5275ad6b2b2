//! Throttling remembered per (authorization server, client id), on the injected clock.
//!
//! When IMS answers 429 with `Retry-After`, every request for that client is refused at once
//! until the time has passed, and IMS sees nothing. Then exactly one probe goes out, and the
//! others wait for its outcome. Any answer other than another 429 lifts the throttle.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::error::{ImsError, TokenError};
use crate::gate::{self, Admission, HasProbe, ProbeSlot, SlotMap};
use crate::metrics as m;

/// IMS throttling a client: until when, since when, and the 429 it answered.
#[derive(Clone, Debug)]
pub struct Throttling {
    /// When requests may be sent again.
    pub until: DateTime<Utc>,
    /// When the 429 arrived.
    pub since: DateTime<Utc>,
    /// The 429 itself: IMS's code, description and debug id.
    pub error: ImsError,
}

/// (authorization server, client id)
type Key = (String, String);

#[derive(Debug)]
struct State {
    throttling: Throttling,
    probe: ProbeSlot,
    /// Configurations whose gauge shows this throttle, so lifting it can reset them.
    configs: BTreeSet<String>,
}

impl State {
    fn refusal(&self, server: &str, client_id: &str, now: DateTime<Utc>) -> TokenError {
        let until = self.throttling.until;
        TokenError::Throttled {
            server: server.to_owned(),
            client_id: client_id.to_owned(),
            until,
            retry_in: (until - now).to_std().unwrap_or(Duration::ZERO),
            error: Box::new(self.throttling.error.clone()),
        }
    }

    /// Makes `config`'s gauge show this throttle.
    fn show_on(&mut self, config: Option<&str>) {
        if let Some(config) = config
            && !self.configs.contains(config)
        {
            self.configs.insert(config.to_owned());
            gauge(config, Some(self.throttling.until));
        }
    }
}

impl HasProbe for State {
    fn slot(&mut self) -> &mut ProbeSlot {
        &mut self.probe
    }
}

/// Every throttle in force for one provider.
#[derive(Debug)]
pub(crate) struct Throttles {
    /// How long to hold off after a 429 without a usable `Retry-After`.
    default_wait: Duration,
    states: SlotMap<Key, State>,
}

fn key(server: &str, client_id: &str) -> Key {
    (server.to_owned(), client_id.to_owned())
}

fn gauge(config: &str, until: Option<DateTime<Utc>>) {
    let value = until.map_or(0.0, |u| u.timestamp_millis() as f64 / 1000.0);
    metrics::gauge!(m::THROTTLED_UNTIL, "config" => config.to_owned()).set(value);
}

impl Throttles {
    pub(crate) fn new(default_wait: Duration) -> Self {
        Self {
            default_wait,
            states: Arc::default(),
        }
    }

    /// Lets a request for `client_id` through, makes it wait for the probe, or refuses it
    /// while IMS's `Retry-After` runs.
    /// `config` (when given) names the configuration asking, whose gauge then shows the
    /// throttle.
    pub(crate) fn admit(
        &self,
        server: &str,
        client_id: &str,
        config: Option<&str>,
        now: DateTime<Utc>,
    ) -> Admission {
        let k = key(server, client_id);
        let mut states = gate::lock(&self.states);
        let Some(state) = states.get_mut(&k) else {
            return Admission::Go(None);
        };
        state.show_on(config);
        if state.probe.is_busy() {
            return Admission::Wait {
                outcome: state.probe.waiter(),
                meanwhile: state.refusal(server, client_id, now),
            };
        }
        if now < state.throttling.until {
            return Admission::Refused(state.refusal(server, client_id, now));
        }
        Admission::Go(Some(gate::take_probe(&self.states, &k, state)))
    }

    /// The refusal for a request at `now`, if the throttle's window has not passed yet.
    pub(crate) fn refusal(
        &self,
        server: &str,
        client_id: &str,
        config: &str,
        now: DateTime<Utc>,
    ) -> Option<TokenError> {
        let mut states = gate::lock(&self.states);
        let state = states.get_mut(&key(server, client_id))?;
        if now >= state.throttling.until {
            return None;
        }
        state.show_on(Some(config));
        Some(state.refusal(server, client_id, now))
    }

    /// IMS answered 429: remember it until its `Retry-After` has passed.
    pub(crate) fn record_throttled(
        &self,
        server: &str,
        client_id: &str,
        config: Option<&str>,
        now: DateTime<Utc>,
        error: &ImsError,
    ) -> DateTime<Utc> {
        let wait = error.retry_after().unwrap_or(self.default_wait);
        let until = now + chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::MAX);
        let throttling = Throttling {
            until,
            since: now,
            error: error.clone(),
        };
        let mut states = gate::lock(&self.states);
        let state = states.entry(key(server, client_id)).or_insert_with(|| {
            tracing::warn!(
                server,
                client_id,
                config,
                retry_after_ms = wait.as_millis(),
                "IMS throttles this client; holding requests until Retry-After passes"
            );
            State {
                throttling: throttling.clone(),
                probe: ProbeSlot::default(),
                configs: BTreeSet::new(),
            }
        });
        state.throttling = throttling;
        if let Some(config) = config {
            state.configs.insert(config.to_owned());
        }
        for c in &state.configs {
            gauge(c, Some(until));
        }
        state.probe.release();
        until
    }

    /// IMS answered something other than 429 for this client: the throttle is over.
    pub(crate) fn record_answered(&self, server: &str, client_id: &str) {
        let mut states = gate::lock(&self.states);
        if let Some(mut state) = states.remove(&key(server, client_id)) {
            tracing::info!(server, client_id, "IMS no longer throttles this client");
            for c in &state.configs {
                gauge(c, None);
            }
            state.probe.release();
        }
    }

    /// The throttle in force for this client at `now`, if any.
    pub(crate) fn current(
        &self,
        server: &str,
        client_id: &str,
        now: DateTime<Utc>,
    ) -> Option<Throttling> {
        let states = gate::lock(&self.states);
        states
            .get(&key(server, client_id))
            .map(|s| s.throttling.clone())
            .filter(|t| t.until > now)
    }

    /// How many clients are throttled now.
    pub(crate) fn count(&self, now: DateTime<Utc>) -> usize {
        let states = gate::lock(&self.states);
        states.values().filter(|s| s.throttling.until > now).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn throttled(secs: u64) -> ImsError {
        ImsError::Rejected {
            endpoint: "x".into(),
            status: 429,
            code: Some("too_many_requests".into()),
            description: None,
            debug_id: Some("dbg-429".into()),
            retry_after: Some(Duration::from_secs(secs)),
        }
    }

    #[test]
    fn a_throttled_client_is_refused_until_retry_after_then_probed_once() {
        let t = Throttles::new(Duration::from_secs(1));
        let now = Utc::now();
        let (s, c) = ("https://ims", "client-a");
        assert!(matches!(
            t.admit(s, c, Some("cfg"), now),
            Admission::Go(None)
        ));
        let until = t.record_throttled(s, c, Some("cfg"), now, &throttled(5));
        assert_eq!(until, now + chrono::Duration::seconds(5));

        let later = now + chrono::Duration::seconds(2);
        match t.admit(s, c, Some("cfg"), later) {
            Admission::Refused(TokenError::Throttled {
                retry_in, error, ..
            }) => {
                assert_eq!(retry_in, Duration::from_secs(3));
                assert_eq!(error.debug_id(), Some("dbg-429"));
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
        // Another client of the same server is not throttled.
        assert!(matches!(
            t.admit(s, "client-b", Some("other"), later),
            Admission::Go(None)
        ));
        assert_eq!(t.count(later), 1);
        assert!(t.current(s, c, later).is_some());

        let after = now + chrono::Duration::seconds(5);
        let Admission::Go(Some(_probe)) = t.admit(s, c, Some("cfg"), after) else {
            panic!("one probe goes out after the window")
        };
        assert!(matches!(
            t.admit(s, c, Some("cfg"), after),
            Admission::Wait { .. }
        ));
        t.record_answered(s, c);
        assert!(matches!(
            t.admit(s, c, Some("cfg"), after),
            Admission::Go(None)
        ));
        assert!(t.current(s, c, after).is_none());
    }

    #[test]
    fn a_429_without_retry_after_holds_off_for_the_default_wait() {
        let t = Throttles::new(Duration::from_millis(1500));
        let now = Utc::now();
        let mut error = throttled(0);
        if let ImsError::Rejected { retry_after, .. } = &mut error {
            *retry_after = None;
        }
        let until = t.record_throttled("s", "c", None, now, &error);
        assert_eq!(until, now + chrono::Duration::milliseconds(1500));
    }
}
