//! What goes wrong when asking IMS for a token, and whether trying again can help.
//!
//! No variant holds a secret: request bodies are never echoed, and transport errors are
//! reduced to their message (reqwest's messages name the URL, which carries no credential).

use std::fmt::Write as _;
use std::time::Duration;

use chrono::{DateTime, Utc};
use imsbridge_domain::{Health, HealthStatus, Revision};

/// Why one request to IMS failed.
#[derive(Clone, Debug, thiserror::Error)]
pub enum ImsError {
    /// IMS answered with an error status (normally with `{"error", "error_description"}`).
    #[error("{}", rejected_message(.endpoint, *.status, .code.as_deref(), .description.as_deref(), .debug_id.as_deref()))]
    Rejected {
        /// The URL that was called.
        endpoint: String,
        /// The HTTP status.
        status: u16,
        /// IMS's `error` code, such as `invalid_client`.
        code: Option<String>,
        /// IMS's `error_description`.
        description: Option<String>,
        /// IMS's `x-debug-id` header, which Adobe support asks for.
        debug_id: Option<String>,
        /// How long IMS asked us to wait (`Retry-After`), when it did.
        retry_after: Option<Duration>,
    },
    /// No complete answer arrived in time.
    #[error("IMS at {endpoint} did not answer in time ({reason})")]
    Timeout {
        /// The URL that was called.
        endpoint: String,
        /// The transport's message.
        reason: String,
    },
    /// The connection could not be made or broke.
    #[error("could not reach IMS at {endpoint}: {reason}")]
    Connect {
        /// The URL that was called.
        endpoint: String,
        /// The transport's message.
        reason: String,
    },
    /// IMS answered success, or an error, with a body we cannot read.
    #[error("IMS at {endpoint} answered HTTP {status} with an unreadable body: {reason}{}", debug_suffix(.debug_id.as_deref()))]
    Malformed {
        /// The URL that was called.
        endpoint: String,
        /// The HTTP status.
        status: u16,
        /// IMS's `x-debug-id` header, when present.
        debug_id: Option<String>,
        /// What was wrong with the body (never the body itself).
        reason: String,
    },
    /// IMS answered with a redirect, which is never followed: the server URL is wrong.
    #[error("IMS at {endpoint} answered with a redirect (HTTP {status}{}); check the authorization server URL", .location.as_deref().map(|l| format!(" to {l}")).unwrap_or_default())]
    Redirect {
        /// The URL that was called.
        endpoint: String,
        /// The HTTP status.
        status: u16,
        /// Where IMS pointed, if it said.
        location: Option<String>,
    },
    /// The JWT for the exchange could not be built from the stored private key.
    #[error(
        "the JWT for the exchange could not be signed: {reason}; check the configuration's private key"
    )]
    Signing {
        /// What was wrong (never the key itself).
        reason: String,
    },
}

fn debug_suffix(debug_id: Option<&str>) -> String {
    debug_id
        .map(|d| format!(" (x-debug-id {d})"))
        .unwrap_or_default()
}

fn rejected_message(
    endpoint: &str,
    status: u16,
    code: Option<&str>,
    description: Option<&str>,
    debug_id: Option<&str>,
) -> String {
    let mut out = format!("IMS at {endpoint} refused the request with HTTP {status}");
    if let Some(code) = code {
        let _ = write!(out, ": {code}");
    }
    if let Some(description) = description {
        let _ = write!(out, " ({description})");
    }
    out.push_str(&debug_suffix(debug_id));
    out
}

/// IMS error codes that mean "try again later" even on a 4xx status.
const TRANSIENT_CODES: [&str; 2] = ["temporarily_unavailable", "server_error"];

impl ImsError {
    /// Whether the same request may succeed later: 5xx, 429, 408, timeouts, connection
    /// errors and unreadable bodies. Everything else (`invalid_client`, `invalid_scope`,
    /// other 4xx, redirects, a bad private key) is permanent and must not be retried.
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Rejected { status, code, .. } => {
                *status >= 500
                    || *status == 429
                    || *status == 408
                    || code
                        .as_deref()
                        .is_some_and(|c| TRANSIENT_CODES.contains(&c))
            }
            Self::Timeout { .. } | Self::Connect { .. } | Self::Malformed { .. } => true,
            Self::Redirect { .. } | Self::Signing { .. } => false,
        }
    }

    /// IMS's error code, or a code of ours for failures IMS did not name
    /// (`timeout`, `connection_failed`, `malformed_response`, `unexpected_redirect`,
    /// `invalid_private_key`, `http_<status>`). Used as a metrics label.
    pub fn error_code(&self) -> String {
        match self {
            Self::Rejected {
                code: Some(code), ..
            } => code.clone(),
            Self::Rejected { status, .. } => format!("http_{status}"),
            Self::Timeout { .. } => "timeout".into(),
            Self::Connect { .. } => "connection_failed".into(),
            Self::Malformed { .. } => "malformed_response".into(),
            Self::Redirect { .. } => "unexpected_redirect".into(),
            Self::Signing { .. } => "invalid_private_key".into(),
        }
    }

    /// IMS's own error code, only when IMS gave one.
    pub fn ims_code(&self) -> Option<&str> {
        match self {
            Self::Rejected { code, .. } => code.as_deref(),
            _ => None,
        }
    }

    /// IMS's `error_description`, when it gave one.
    pub fn description(&self) -> Option<&str> {
        match self {
            Self::Rejected { description, .. } => description.as_deref(),
            _ => None,
        }
    }

    /// IMS's `x-debug-id`, when it gave one.
    pub fn debug_id(&self) -> Option<&str> {
        match self {
            Self::Rejected { debug_id, .. } | Self::Malformed { debug_id, .. } => {
                debug_id.as_deref()
            }
            _ => None,
        }
    }

    /// The HTTP status, when IMS answered at all.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Rejected { status, .. }
            | Self::Malformed { status, .. }
            | Self::Redirect { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// How long IMS asked us to wait before trying again (`Retry-After`).
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::Rejected { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
}

/// Why [`crate::TokenProvider`] could not hand out a token.
#[derive(Clone, Debug, thiserror::Error)]
pub enum TokenError {
    /// IMS failed or refused; `attempts` requests were made.
    #[error("{error} [{attempts} attempt(s)]")]
    Upstream {
        /// The last failure.
        error: ImsError,
        /// How many requests were made, retries included.
        attempts: u32,
    },
    /// Requests to this authorization server are paused after repeated failures.
    #[error("IMS at {server} is failing, so requests to it are paused for {}s more (circuit breaker open){}", .retry_in.as_secs(), .last_error.as_ref().map(|e| format!("; last failure: {e}")).unwrap_or_default())]
    CircuitOpen {
        /// The authorization server.
        server: String,
        /// When the next probe request will be allowed.
        retry_in: Duration,
        /// The failure that opened the breaker, when known.
        last_error: Option<Box<ImsError>>,
    },
    /// IMS answered 429 with `Retry-After` for this client a moment ago; nothing is sent to
    /// it until that time has passed.
    #[error("IMS at {server} throttles client {client_id}, so no request is sent for {}s more (until {until}); its answer was: {error}", whole_seconds(*.retry_in))]
    Throttled {
        /// The authorization server.
        server: String,
        /// The client id IMS throttles.
        client_id: String,
        /// When requests may be sent again.
        until: DateTime<Utc>,
        /// How long that is from now.
        retry_in: Duration,
        /// IMS's 429, with its code, description and debug id.
        error: Box<ImsError>,
    },
    /// IMS issued a token, but it is not valid for as long as the caller asked.
    #[error("IMS issues tokens valid for {}s, less than the {}s asked for; ask for a shorter minimum validity", .available.as_secs(), .requested.as_secs())]
    ValidityUnavailable {
        /// The minimum validity asked for.
        requested: Duration,
        /// The validity of the freshest token IMS gave.
        available: Duration,
    },
    /// The caller passed an older revision of a configuration than one already in use.
    #[error(
        "revision {requested} of this configuration is older than revision {current} already in use; reload the configuration"
    )]
    StaleRevision {
        /// The revision passed in.
        requested: Revision,
        /// The newer revision seen earlier.
        current: Revision,
    },
}

impl TokenError {
    /// Whether asking again later may succeed. A permanent failure means the configuration
    /// itself is wrong (mark it unhealthy; never change or delete it because of this).
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Upstream { error, .. } => error.is_transient(),
            Self::CircuitOpen { .. } | Self::Throttled { .. } | Self::StaleRevision { .. } => true,
            Self::ValidityUnavailable { .. } => false,
        }
    }

    /// The opposite of [`TokenError::is_transient`].
    pub fn is_permanent(&self) -> bool {
        !self.is_transient()
    }

    /// The IMS failure behind this error, if there was a request.
    pub fn ims_error(&self) -> Option<&ImsError> {
        match self {
            Self::Upstream { error, .. } => Some(error),
            Self::CircuitOpen { last_error, .. } => last_error.as_deref(),
            Self::Throttled { error, .. } => Some(error),
            _ => None,
        }
    }

    /// How long the caller should wait before asking again, when that is known: the rest of
    /// IMS's `Retry-After`, or the time until the breaker lets a probe through.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::Upstream { error, .. } => error.retry_after(),
            Self::CircuitOpen { retry_in, .. } | Self::Throttled { retry_in, .. } => {
                Some(*retry_in)
            }
            _ => None,
        }
    }

    /// Whether IMS failed to answer in time (the request's budget or the client's timeout),
    /// directly or as the failure that keeps the breaker open.
    pub fn is_timeout(&self) -> bool {
        matches!(self.ims_error(), Some(ImsError::Timeout { .. }))
    }

    /// A stable code for metrics and APIs: IMS's code, or one of ours
    /// (`circuit_open`, `validity_unavailable`, `stale_revision`, see [`ImsError::error_code`]).
    pub fn error_code(&self) -> String {
        match self {
            Self::Upstream { error, .. } => error.error_code(),
            Self::CircuitOpen { .. } => "circuit_open".into(),
            Self::Throttled { error, .. } => error.error_code(),
            Self::ValidityUnavailable { .. } => "validity_unavailable".into(),
            Self::StaleRevision { .. } => "stale_revision".into(),
        }
    }

    /// IMS's `x-debug-id`, when it gave one.
    pub fn debug_id(&self) -> Option<&str> {
        self.ims_error().and_then(ImsError::debug_id)
    }

    /// The HTTP status IMS answered with, if a request was answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Upstream { error, .. } => error.status(),
            _ => None,
        }
    }

    /// The health result this failure amounts to, checked at `at`.
    pub fn to_health(&self, at: DateTime<Utc>) -> Health {
        let message = match self {
            // IMS's own words are what an admin can search for and act on.
            Self::Upstream { error, .. } => error
                .description()
                .map_or_else(|| error.to_string(), str::to_owned),
            Self::Throttled { until, error, .. } => format!(
                "IMS throttles this client until {}: {}",
                until.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                error.description().unwrap_or("too many requests")
            ),
            other => other.to_string(),
        };
        Health {
            status: HealthStatus::Unhealthy,
            checked_at: at,
            message,
            error_code: Some(self.error_code()),
            debug_id: self.debug_id().map(str::to_owned),
        }
    }
}

/// A duration in whole seconds, rounded up: a caller told to wait must not come back early.
pub fn whole_seconds(d: Duration) -> u64 {
    d.as_secs() + u64::from(d.subsec_nanos() > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rejected(status: u16, code: Option<&str>) -> ImsError {
        ImsError::Rejected {
            endpoint: "https://ims.example/ims/token/v3".into(),
            status,
            code: code.map(str::to_owned),
            description: Some("why".into()),
            debug_id: Some("dbg-1".into()),
            retry_after: None,
        }
    }

    #[test]
    fn server_errors_and_throttling_are_transient_and_client_errors_permanent() {
        assert!(rejected(500, None).is_transient());
        assert!(rejected(503, Some("server_error")).is_transient());
        assert!(rejected(429, None).is_transient());
        assert!(rejected(400, Some("temporarily_unavailable")).is_transient());
        for code in [
            "invalid_client",
            "invalid_scope",
            "invalid_token",
            "invalid_signature",
            "bad_request",
            "unsupported_grant_type",
        ] {
            assert!(!rejected(400, Some(code)).is_transient(), "{code}");
        }
        assert!(!rejected(401, None).is_transient());
        assert!(!rejected(404, None).is_transient());
    }

    #[test]
    fn a_rejection_message_names_code_description_and_debug_id() {
        let text = rejected(400, Some("invalid_client")).to_string();
        assert!(text.contains("HTTP 400"), "{text}");
        assert!(text.contains("invalid_client"), "{text}");
        assert!(text.contains("why"), "{text}");
        assert!(text.contains("dbg-1"), "{text}");
    }

    #[test]
    fn a_failure_becomes_an_unhealthy_result_with_ims_words() {
        let err = TokenError::Upstream {
            error: rejected(400, Some("invalid_client")),
            attempts: 1,
        };
        let h = err.to_health(Utc::now());
        assert_eq!(h.status, HealthStatus::Unhealthy);
        assert_eq!(h.message, "why");
        assert_eq!(h.error_code.as_deref(), Some("invalid_client"));
        assert_eq!(h.debug_id.as_deref(), Some("dbg-1"));
    }
}
