//! The single flight: one upstream fetch per cache entry at a time, detached from the callers
//! who wait for it, so that a caller whose budget runs out never cancels a fetch that others
//! (or the cache) still want.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use chrono::{DateTime, Utc};
use imsbridge_domain::IntegrationConfig;
use rand::Rng;
use tokio::sync::watch;
use tokio::time::Instant;

use crate::entry::Entry;
use crate::error::{ImsError, TokenError};
use crate::metrics as m;
use crate::provider::{Inner, millis};
use crate::token::AccessToken;

/// When a caller (or a flight) stops waiting, on the runtime's real-time clock: budgets
/// bound how long someone waits, so they are measured in real time, not on the injected
/// [`imsbridge_domain::Clock`] that dates tokens and paces the breaker.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Deadline {
    at: Instant,
    budget: Duration,
}

impl Deadline {
    /// `budget` from now.
    pub(crate) fn after(budget: Duration) -> Self {
        Self {
            at: Instant::now() + budget,
            budget,
        }
    }

    pub(crate) fn at(self) -> Instant {
        self.at
    }

    pub(crate) fn remaining(self) -> Duration {
        self.at.saturating_duration_since(Instant::now())
    }

    /// The error of a request to `endpoint` still unanswered when the budget ran out.
    pub(crate) fn timeout(self, endpoint: &str) -> ImsError {
        ImsError::Timeout {
            endpoint: endpoint.to_owned(),
            reason: format!("no answer within the {} ms budget", self.budget.as_millis()),
        }
    }
}

/// What an acquisition has learnt so far, for callers who cannot wait for its end.
#[derive(Debug, Default)]
pub(crate) struct Verdict {
    failure: Mutex<Option<TokenError>>,
    attempts: AtomicU32,
}

impl Verdict {
    /// The latest failure (a failed attempt, or what keeps requests from going out).
    pub(crate) fn set(&self, failure: TokenError) {
        *self.failure.lock().unwrap_or_else(PoisonError::into_inner) = Some(failure);
    }

    /// Records a failure only if none is known yet: an attempt's own failure says more than
    /// a wait that follows it.
    pub(crate) fn set_if_unknown(&self, failure: &TokenError) {
        let mut slot = self.failure.lock().unwrap_or_else(PoisonError::into_inner);
        if slot.is_none() {
            *slot = Some(failure.clone());
        }
    }

    pub(crate) fn attempted(&self, attempts: u32) {
        self.attempts.store(attempts, Ordering::Relaxed);
    }

    /// What a caller whose budget ran out is told: IMS's own reason when an attempt failed,
    /// otherwise that IMS did not answer within the budget.
    pub(crate) fn for_caller(&self, deadline: Deadline, endpoint: &str) -> TokenError {
        let known = self
            .failure
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        known.unwrap_or_else(|| TokenError::Upstream {
            error: deadline.timeout(endpoint),
            attempts: self.attempts.load(Ordering::Relaxed),
        })
    }
}

/// A token a flight produced, and whether it came from IMS itself (not the shared cache).
#[derive(Clone, Debug)]
pub(crate) struct Fetched {
    pub(crate) token: AccessToken,
    pub(crate) fresh: bool,
}

type Outcome = Option<Result<Fetched, TokenError>>;

/// Why a flight was started, which decides which shared-cache tokens it may adopt.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Kind {
    /// A caller needs a token valid for at least this long.
    Caller { min: Duration },
    /// A caller distrusts every cached copy.
    Forced,
    /// The token in use is due for refresh; it expires at the given time.
    Refresh {
        current_expiry: Option<DateTime<Utc>>,
    },
}

/// One upstream fetch in progress, and whoever waits for it.
#[derive(Debug)]
pub(crate) struct Flight {
    endpoint: String,
    verdict: Verdict,
    outcome: watch::Sender<Outcome>,
}

impl Flight {
    fn new(endpoint: String) -> Self {
        Self {
            endpoint,
            verdict: Verdict::default(),
            outcome: watch::channel(None).0,
        }
    }

    /// Waits for the outcome until `deadline`; then answers what is known by then.
    async fn wait(&self, deadline: Deadline) -> Result<Fetched, TokenError> {
        let mut outcome = self.outcome.subscribe();
        let waited = tokio::time::timeout_at(deadline.at(), async {
            outcome
                .wait_for(Option::is_some)
                .await
                .ok()
                .and_then(|v| v.clone())
        })
        .await;
        match waited {
            Ok(Some(result)) => result,
            // Out of budget, or the flight's task was torn down with the runtime.
            Ok(None) | Err(_) => Err(self.verdict.for_caller(deadline, &self.endpoint)),
        }
    }
}

/// What a caller found when it looked for a flight.
enum Joined {
    Token(AccessToken),
    Flight(Arc<Flight>),
}

impl Inner {
    /// The slow path: joins the entry's flight (or starts one) and waits for it within the
    /// caller's budget.
    pub(crate) async fn fill(
        self: &Arc<Self>,
        entry: &Arc<Entry>,
        config: &IntegrationConfig,
        min: Duration,
        mut force: bool,
        deadline: Deadline,
    ) -> Result<AccessToken, TokenError> {
        // A caller distrusting a shared copy may have to ask twice; never more.
        for _ in 0..3 {
            let flight = match self.join_or_start(entry, config, min, force)? {
                Joined::Token(token) => return Ok(token),
                Joined::Flight(flight) => flight,
            };
            let fetched = flight.wait(deadline).await?;
            let now = self.clock.now();
            if fetched.fresh || (!force && fetched.token.is_valid_for(now, min)) {
                return check_validity(fetched.token, now, min);
            }
            // The flight adopted another replica's token, which this caller cannot use:
            // only IMS itself can do better.
            force = true;
        }
        Err(TokenError::Upstream {
            error: deadline.timeout(&endpoint(config)),
            attempts: 0,
        })
    }

    /// The flight in progress, or what the last one left (a token, a remembered permanent
    /// failure, a throttle or an open breaker), or a new flight.
    fn join_or_start(
        self: &Arc<Self>,
        entry: &Arc<Entry>,
        config: &IntegrationConfig,
        min: Duration,
        force: bool,
    ) -> Result<Joined, TokenError> {
        let mut slot = entry.flight_slot();
        // Forced callers join too: a token fresh from IMS is what they want, and one adopted
        // from the shared cache sends them round again (see `fill`).
        if let Some(flight) = slot.as_ref() {
            return Ok(Joined::Flight(Arc::clone(flight)));
        }
        let now = self.clock.now();
        if !force && let Some(token) = entry.valid(now, min) {
            return Ok(Joined::Token(token));
        }
        if let Some(failure) = entry.permanent_failure(now) {
            return Err(failure);
        }
        // Answered at once, without starting a flight that would only be refused.
        if let Some(refusal) = self.refusal(config, now) {
            return Err(refusal);
        }
        let kind = if force {
            Kind::Forced
        } else {
            Kind::Caller { min }
        };
        let flight = Arc::new(Flight::new(endpoint(config)));
        *slot = Some(Arc::clone(&flight));
        drop(slot);
        self.launch(Arc::clone(entry), config.clone(), Arc::clone(&flight), kind);
        Ok(Joined::Flight(flight))
    }

    /// Starts the background refresh of a token in use, unless a flight already runs.
    pub(crate) fn start_refresh(self: &Arc<Self>, entry: Arc<Entry>, config: IntegrationConfig) {
        self.start_refresh_past(entry, config, None);
    }

    /// Like [`Inner::start_refresh`], but a shared token is adopted only if it expires after
    /// `past` too (the token another replica found due).
    pub(crate) fn start_refresh_past(
        self: &Arc<Self>,
        entry: Arc<Entry>,
        config: IntegrationConfig,
        past: Option<DateTime<Utc>>,
    ) {
        let mut slot = entry.flight_slot();
        if slot.is_some() || entry.retired.load(Ordering::Acquire) {
            drop(slot);
            entry.refreshing.store(false, Ordering::Release);
            return;
        }
        self.refreshes.fetch_add(1, Ordering::Relaxed);
        metrics::counter!(m::REFRESHES, "config" => config.name.to_string()).increment(1);
        let current_expiry = entry.current().map(|t| t.expires_at).max(past);
        let flight = Arc::new(Flight::new(endpoint(&config)));
        *slot = Some(Arc::clone(&flight));
        drop(slot);
        self.launch(entry, config, flight, Kind::Refresh { current_expiry });
    }

    /// Runs the flight on its own task (there is none without a tokio runtime), then records the
    /// outcome in the entry and hands it to every waiter.
    fn launch(
        self: &Arc<Self>,
        entry: Arc<Entry>,
        config: IntegrationConfig,
        flight: Arc<Flight>,
        kind: Kind,
    ) {
        // Outside a tokio runtime nothing can reach IMS (the HTTP client needs one): the
        // flight is abandoned, and its waiters are told that IMS did not answer.
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            release(&entry, &flight, kind);
            return;
        };
        let inner = Arc::clone(self);
        runtime.spawn(async move {
            let deadline = Deadline::after(inner.options.token_budget);
            let result = inner.obtain(&config, &flight.verdict, kind, deadline).await;
            inner.settle(&entry, &config, &result, kind);
            // Freed before the outcome is published: a caller finding the slot empty finds
            // the settled token (or failure) in the entry.
            release(&entry, &flight, kind);
            flight.outcome.send_replace(Some(result));
        });
    }

    /// Records a flight's outcome in its entry: the new token, or a permanent failure to
    /// answer for a while, or (for a refresh) when to try again.
    fn settle(
        &self,
        entry: &Entry,
        config: &IntegrationConfig,
        result: &Result<Fetched, TokenError>,
        kind: Kind,
    ) {
        let now = self.clock.now();
        match result {
            Ok(Fetched { token, .. }) => {
                let refresh_at = self.refresh_at(token);
                entry.store(token);
                entry.refresh_at_ms.store(refresh_at, Ordering::Release);
                entry.set_permanent_failure(None);
                entry.observe(token, token.issued_at);
            }
            Err(error) => {
                if error.is_permanent() && matches!(error, TokenError::Upstream { .. }) {
                    let ttl = chrono::Duration::from_std(self.options.permanent_error_ttl)
                        .unwrap_or(chrono::Duration::MAX);
                    entry.set_permanent_failure(Some((error.clone(), now + ttl)));
                }
                if matches!(kind, Kind::Refresh { .. }) {
                    // The current token stays in service; try again after a pause.
                    tracing::warn!(config = %config.name, error = %error, "background token refresh failed; serving the current token");
                    let retry_at =
                        now.timestamp_millis() + millis(self.options.refresh_retry_delay);
                    entry.refresh_at_ms.store(retry_at, Ordering::Release);
                }
            }
        }
    }

    /// When a fresh token should be refreshed: around `refresh_ratio` of its lifetime (with
    /// jitter), but never later than the safety floor before expiry.
    pub(crate) fn refresh_at(&self, token: &AccessToken) -> i64 {
        let o = &self.options;
        let issued = token.issued_at.timestamp_millis();
        let expires = token.expires_at.timestamp_millis();
        let lifetime = (expires - issued).max(0) as f64;
        let jitter = o.refresh_jitter.abs();
        let share =
            (o.refresh_ratio + rand::thread_rng().gen_range(-jitter..=jitter)).clamp(0.0, 1.0);
        let ahead = issued + (lifetime * share) as i64;
        // The floor is at least the minimum validity, or the refresh would come after the
        // token had already stopped being served.
        let latest = expires - millis(o.refresh_floor.max(o.min_validity));
        ahead.min(latest).max(issued)
    }
}

fn endpoint(config: &IntegrationConfig) -> String {
    crate::client::endpoint(&config.authorization_server, &config.credentials)
}

/// Frees the entry's flight slot if `flight` still holds it.
fn release(entry: &Entry, flight: &Arc<Flight>, kind: Kind) {
    let mut slot = entry.flight_slot();
    if slot.as_ref().is_some_and(|f| Arc::ptr_eq(f, flight)) {
        *slot = None;
    }
    drop(slot);
    if matches!(kind, Kind::Refresh { .. }) {
        entry.refreshing.store(false, Ordering::Release);
    }
}

pub(crate) fn check_validity(
    token: AccessToken,
    now: DateTime<Utc>,
    min: Duration,
) -> Result<AccessToken, TokenError> {
    if token.is_valid_for(now, min) {
        Ok(token)
    } else {
        Err(TokenError::ValidityUnavailable {
            requested: min,
            available: token.expires_in(now),
        })
    }
}
