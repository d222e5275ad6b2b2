//! Metrics, through the `metrics` facade (the server installs the Prometheus recorder).
//!
//! Per-configuration handles are registered when a configuration is first used, so the
//! recorder must be installed before the first token request.

use metrics::{Counter, Gauge, Unit};

/// Token requests made to the provider, by `config` (configuration name).
pub const TOKEN_REQUESTS: &str = "imsbridge_token_requests_total";
/// Token requests answered from the cache, by `config`.
pub const CACHE_HITS: &str = "imsbridge_token_cache_hits_total";
/// Requests sent to IMS, by `config` and `grant`.
pub const UPSTREAM_REQUESTS: &str = "imsbridge_ims_requests_total";
/// Failed requests to IMS, by `config`, `grant` and `error` (IMS's error code or ours).
pub const UPSTREAM_FAILURES: &str = "imsbridge_ims_failures_total";
/// Latency of requests to IMS in seconds, by `grant` and `outcome` (`ok`, `error`).
pub const UPSTREAM_LATENCY: &str = "imsbridge_ims_request_duration_seconds";
/// Age of the token last served, in seconds, by `config`.
pub const TOKEN_AGE: &str = "imsbridge_token_age_seconds";
/// Remaining life of the token last served or cached, in seconds, by `config`.
pub const TOKEN_REMAINING: &str = "imsbridge_token_remaining_seconds";
/// Background refreshes started, by `config`.
pub const REFRESHES: &str = "imsbridge_token_refreshes_total";
/// Calls refused at once because the authorization server's breaker is open, by `config`.
pub const CIRCUIT_REJECTIONS: &str = "imsbridge_ims_circuit_rejections_total";
/// Until when IMS throttles the configuration's client (a 429's `Retry-After`), as a Unix
/// time in seconds, by `config`; 0 once IMS answers it again. A time in the past means the
/// throttle is over.
pub const THROTTLED_UNTIL: &str = "imsbridge_ims_throttled_until_seconds";

/// Describes every metric to the installed recorder; call once after installing it.
pub fn describe() {
    metrics::describe_counter!(TOKEN_REQUESTS, "Token requests made to the provider.");
    metrics::describe_counter!(CACHE_HITS, "Token requests answered from the cache.");
    metrics::describe_counter!(UPSTREAM_REQUESTS, "Requests sent to Adobe IMS.");
    metrics::describe_counter!(UPSTREAM_FAILURES, "Failed requests to Adobe IMS by error.");
    metrics::describe_histogram!(
        UPSTREAM_LATENCY,
        Unit::Seconds,
        "Latency of requests to Adobe IMS."
    );
    metrics::describe_gauge!(TOKEN_AGE, Unit::Seconds, "Age of the token last served.");
    metrics::describe_gauge!(
        TOKEN_REMAINING,
        Unit::Seconds,
        "Remaining life of the token last served."
    );
    metrics::describe_counter!(REFRESHES, "Background token refreshes started.");
    metrics::describe_counter!(
        CIRCUIT_REJECTIONS,
        "Calls refused because the IMS circuit breaker was open."
    );
    metrics::describe_gauge!(
        THROTTLED_UNTIL,
        Unit::Seconds,
        "Until when IMS throttles the configuration's client (Unix time; 0: not throttled)."
    );
}

/// The handles of one configuration, registered once so the hot path only bumps atomics.
#[derive(Debug)]
pub(crate) struct ConfigMetrics {
    pub(crate) requests: Counter,
    pub(crate) hits: Counter,
    pub(crate) age: Gauge,
    pub(crate) remaining: Gauge,
}

impl ConfigMetrics {
    pub(crate) fn new(config: &str) -> Self {
        let label = config.to_owned();
        Self {
            requests: metrics::counter!(TOKEN_REQUESTS, "config" => label.clone()),
            hits: metrics::counter!(CACHE_HITS, "config" => label.clone()),
            age: metrics::gauge!(TOKEN_AGE, "config" => label.clone()),
            remaining: metrics::gauge!(TOKEN_REMAINING, "config" => label),
        }
    }
}
