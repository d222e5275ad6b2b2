//! One token from IMS within a deadline: the throttle memory and the breaker decide whether a
//! request may go out, transient failures are retried with backoff while the budget lasts,
//! and every outcome is fed back to both.

use std::time::Instant;

use chrono::{DateTime, Utc};
use imsbridge_domain::{AuthorizationServer, Credentials, IntegrationConfig};
use tokio::sync::watch;

use crate::error::{ImsError, TokenError};
use crate::flight::{Deadline, Verdict};
use crate::gate::{Admission, ProbeGuard};
use crate::metrics as m;
use crate::provider::Inner;
use crate::token::{AccessToken, Grant};

/// The metrics label of verifications (credentials not saved as a configuration yet).
pub(crate) const VERIFY: &str = "(verify)";

/// The client id IMS throttles by (a JWT credential's API key).
pub(crate) fn client_id(creds: &Credentials) -> &str {
    match creds {
        Credentials::OAuth(c) => c.client_id.as_str(),
        Credentials::Jwt(c) => c.api_key.as_str(),
    }
}

/// Whether IMS throttled the request: it is remembered, never retried within the window.
fn is_throttled(error: &ImsError) -> bool {
    error.status() == Some(429)
}

impl Inner {
    /// The answer for `config` when the throttle or the breaker refuses every request now;
    /// checked before starting a flight, so that refusals cost no task.
    pub(crate) fn refusal(
        &self,
        config: &IntegrationConfig,
        now: DateTime<Utc>,
    ) -> Option<TokenError> {
        let server = config.authorization_server.as_str();
        let client = client_id(&config.credentials);
        if let Some(refusal) = self
            .throttles
            .refusal(server, client, config.name.as_str(), now)
        {
            return Some(refusal);
        }
        let refusal = self.breakers.refusal(server, now)?;
        metrics::counter!(m::CIRCUIT_REJECTIONS, "config" => config.name.to_string()).increment(1);
        Some(refusal)
    }

    /// One token, with retries for transient failures, within `deadline`. What it learns on
    /// the way goes into `verdict`, for callers who stop waiting before it ends.
    pub(crate) async fn acquire(
        &self,
        server: &AuthorizationServer,
        creds: &Credentials,
        config: &str,
        deadline: Deadline,
        verdict: &Verdict,
    ) -> Result<AccessToken, TokenError> {
        let policy = &self.options.retry;
        let client = client_id(creds);
        let mut attempts = 0u32;
        let mut last: Option<ImsError> = None;
        loop {
            let guards = match self
                .pass_gates(server, client, config, deadline, verdict)
                .await
            {
                Ok(guards) => guards,
                // Refused after an attempt of ours failed: that failure is IMS's own reason.
                Err(refusal) => {
                    return Err(match last {
                        Some(error) if !matches!(refusal, TokenError::Throttled { .. }) => {
                            TokenError::Upstream { error, attempts }
                        }
                        _ => refusal,
                    });
                }
            };
            attempts += 1;
            verdict.attempted(attempts);
            let result = self.request_once(server, creds, config, deadline).await;
            self.record_outcome(server, client, config, result.as_ref().err());
            drop(guards);
            let error = match result {
                Ok(token) => return Ok(token),
                Err(error) => error,
            };
            let failure = TokenError::Upstream {
                error: error.clone(),
                attempts,
            };
            // Nor is a retry made once the breaker has opened: it would only be refused.
            if is_throttled(&error)
                || !error.is_transient()
                || attempts >= policy.max_attempts.max(1)
                || self
                    .breakers
                    .refusal(server.as_str(), self.clock.now())
                    .is_some()
            {
                return Err(failure);
            }
            let wait = error
                .retry_after()
                .unwrap_or_else(|| policy.backoff(attempts));
            // No time for another attempt after the wait: the caller hears this one now.
            if wait >= deadline.remaining() {
                return Err(failure);
            }
            tracing::debug!(config, attempts, wait_ms = wait.as_millis(), error = %error, "retrying IMS token request");
            verdict.set(failure);
            last = Some(error);
            self.options.sleeper.sleep(wait).await;
        }
    }

    /// Waits until the throttle and the breaker let a request for `client` at `server` go out
    /// (holding the probe slots it takes), or says why not.
    async fn pass_gates(
        &self,
        server: &AuthorizationServer,
        client: &str,
        config: &str,
        deadline: Deadline,
        verdict: &Verdict,
    ) -> Result<(Option<ProbeGuard>, Option<ProbeGuard>), TokenError> {
        let gauge = (config != VERIFY).then_some(config);
        loop {
            let now = self.clock.now();
            let throttle = match self.throttles.admit(server.as_str(), client, gauge, now) {
                Admission::Go(guard) => guard,
                Admission::Refused(e) => return Err(e),
                Admission::Wait { outcome, meanwhile } => {
                    wait_for_probe(outcome, meanwhile, deadline, verdict).await?;
                    continue;
                }
            };
            match self.breakers.admit(server.as_str(), now) {
                Admission::Go(breaker) => return Ok((throttle, breaker)),
                Admission::Refused(e) => {
                    metrics::counter!(m::CIRCUIT_REJECTIONS, "config" => config.to_owned())
                        .increment(1);
                    return Err(e);
                }
                Admission::Wait { outcome, meanwhile } => {
                    drop(throttle);
                    wait_for_probe(outcome, meanwhile, deadline, verdict).await?;
                }
            }
        }
    }

    /// Feeds an outcome to the throttle memory and the breaker: a 429 throttles the client,
    /// other transient failures count against the server, and any other answer proves IMS
    /// reachable and lifts the client's throttle.
    pub(crate) fn record_outcome(
        &self,
        server: &AuthorizationServer,
        client: &str,
        config: &str,
        error: Option<&ImsError>,
    ) {
        let server = server.as_str();
        match error {
            Some(e) if is_throttled(e) => {
                let gauge = (config != VERIFY).then_some(config);
                self.throttles
                    .record_throttled(server, client, gauge, self.clock.now(), e);
                self.breakers.record_reachable(server);
            }
            Some(e) if e.is_transient() => {
                self.breakers.record_failure(server, self.clock.now(), e);
                if e.status().is_some() {
                    self.throttles.record_answered(server, client);
                }
            }
            Some(e) => {
                if e.status().is_some() {
                    self.breakers.record_reachable(server);
                }
                self.throttles.record_answered(server, client);
            }
            None => {
                self.breakers.record_reachable(server);
                self.throttles.record_answered(server, client);
            }
        }
    }

    /// Exactly one request to IMS, cut short when `deadline` passes, with its metrics.
    pub(crate) async fn request_once(
        &self,
        server: &AuthorizationServer,
        creds: &Credentials,
        config: &str,
        deadline: Deadline,
    ) -> Result<AccessToken, ImsError> {
        let grant = match creds {
            Credentials::OAuth(_) => Grant::ClientCredentials,
            Credentials::Jwt(_) => Grant::JwtExchange,
        };
        self.upstream_requests
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        metrics::counter!(m::UPSTREAM_REQUESTS, "config" => config.to_owned(), "grant" => grant.key())
            .increment(1);
        let started = Instant::now();
        let fetch = self.http.fetch(server, creds, self.clock.as_ref());
        let result = match tokio::time::timeout_at(deadline.at(), fetch).await {
            Ok(result) => result,
            Err(_) => Err(deadline.timeout(&crate::client::endpoint(server, creds))),
        };
        let outcome = if result.is_ok() { "ok" } else { "error" };
        metrics::histogram!(m::UPSTREAM_LATENCY, "grant" => grant.key(), "outcome" => outcome)
            .record(started.elapsed().as_secs_f64());
        if let Err(error) = &result {
            self.upstream_failures
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            metrics::counter!(
                m::UPSTREAM_FAILURES,
                "config" => config.to_owned(),
                "grant" => grant.key(),
                "error" => error.error_code()
            )
            .increment(1);
            tracing::info!(config, grant = grant.key(), error = %error, transient = error.is_transient(), "IMS token request failed");
        }
        result
    }
}

/// Waits for a probe's outcome until `deadline`; out of budget, answers `meanwhile`.
async fn wait_for_probe(
    mut outcome: watch::Receiver<()>,
    meanwhile: TokenError,
    deadline: Deadline,
    verdict: &Verdict,
) -> Result<(), TokenError> {
    verdict.set_if_unknown(&meanwhile);
    // A closed channel means the probe's state is gone (its outcome recorded): ask again.
    match tokio::time::timeout_at(deadline.at(), outcome.changed()).await {
        Ok(_) => Ok(()),
        Err(_) => Err(meanwhile),
    }
}
