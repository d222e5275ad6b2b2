//! The one error type of the HTTP API, and the server's own startup errors.
//!
//! Every failure an API route can meet becomes an [`ApiError`]: a status and a JSON body
//! `{"error": "<code>", "message": "<what was wrong and how to fix it>"}`, plus a few extra
//! fields where they help (`field`, `current_revision`, `ims_error`, `debug_id`). 5xx bodies say
//! nothing internal; their cause is logged once, with its chain.

use std::borrow::Cow;
use std::error::Error as StdError;
use std::fmt::Write as _;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use imsbridge_domain::{ParseError, Revision, RuleError};
use serde::Serialize;
use utoipa::ToSchema;

/// An error answered to an API client.
#[derive(Debug, Clone)]
pub struct ApiError {
    status: StatusCode,
    // Boxed: errors travel in every handler's `Result`, which should stay small.
    body: Box<ErrorBody>,
    retry_after: Option<u64>,
}

/// The JSON body of every API error.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ErrorBody {
    /// A stable, machine-readable code such as `invalid_field` or `stale_revision`.
    #[schema(example = "stale_revision")]
    pub error: Cow<'static, str>,
    /// What was wrong and how to fix it.
    pub message: String,
    /// The request field at fault, when one is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// On a conflict: the configuration's current revision, to reload and retry with.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<u64>)]
    pub current_revision: Option<Revision>,
    /// When IMS failed: its own error code (`invalid_client`, `too_many_requests`,
    /// `temporarily_unavailable`, …), or ours when it named none (`timeout`,
    /// `connection_failed`, `malformed_response`, `http_<status>`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ims_error: Option<String>,
    /// IMS's `x-debug-id`, to quote to Adobe support.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub debug_id: Option<String>,
}

impl ApiError {
    /// An error with a status, a code and a message.
    pub fn new(
        status: StatusCode,
        code: impl Into<Cow<'static, str>>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            status,
            body: Box::new(ErrorBody {
                error: code.into(),
                message: message.into(),
                field: None,
                current_revision: None,
                ims_error: None,
                debug_id: None,
            }),
            retry_after: None,
        }
    }

    /// 400: the request is malformed.
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    /// 422: a field holds a value that is not allowed.
    pub fn invalid_field(field: impl Into<String>, message: impl Into<String>) -> Self {
        let mut e = Self::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_field", message);
        e.body.field = Some(field.into());
        e
    }

    /// 404: no such thing.
    pub fn not_found(what: impl std::fmt::Display) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("{what} does not exist; check the name or list what exists"),
        )
    }

    /// 401: no or bad credentials.
    pub fn unauthenticated(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthenticated", message)
    }

    /// 403: authenticated, but not allowed.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", message)
    }

    /// 409: the request conflicts with the resource's state.
    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, code, message)
    }

    /// 500 (or another 5xx) that logs `cause` with its chain and tells the client nothing
    /// internal.
    pub fn internal(cause: &(dyn StdError + 'static)) -> Self {
        tracing::error!(error = %chain(cause), "request failed on the server side");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "the server failed to handle this request; it has been logged, try again later",
        )
    }

    /// 503 for a dependency (the store) that could not be reached; the cause is logged.
    pub fn unavailable(cause: &(dyn StdError + 'static)) -> Self {
        tracing::error!(error = %chain(cause), "a dependency is unavailable");
        let mut e = Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "the server cannot reach its store right now; try again shortly",
        );
        e.retry_after = Some(5);
        e
    }

    /// Names the request field at fault.
    #[must_use]
    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.body.field = Some(field.into());
        self
    }

    /// Attaches the current revision (conflicts).
    #[must_use]
    pub fn with_current_revision(mut self, revision: Revision) -> Self {
        self.body.current_revision = Some(revision);
        self
    }

    /// Attaches IMS's error code and debug id.
    #[must_use]
    pub fn with_ims(mut self, ims_error: Option<String>, debug_id: Option<String>) -> Self {
        self.body.ims_error = ims_error;
        self.body.debug_id = debug_id;
        self
    }

    /// Adds a `Retry-After` header, in seconds.
    #[must_use]
    pub fn with_retry_after(mut self, seconds: u64) -> Self {
        self.retry_after = Some(seconds);
        self
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The `Retry-After` seconds, when there is one.
    pub fn retry_after(&self) -> Option<u64> {
        self.retry_after
    }

    /// The JSON body.
    pub fn body(&self) -> &ErrorBody {
        &self.body
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {}: {}",
            self.status, self.body.error, self.body.message
        )
    }
}

impl StdError for ApiError {}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status, axum::Json(*self.body)).into_response();
        if let Some(secs) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}

impl From<ParseError> for ApiError {
    fn from(e: ParseError) -> Self {
        Self::invalid_field(e.field, e.to_string())
    }
}

impl From<RuleError> for ApiError {
    fn from(e: RuleError) -> Self {
        let message = e.to_string();
        match e {
            RuleError::JwtCreationRefused => Self::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "jwt_deprecated",
                format!(
                    "{message}. An existing JWT configuration is moved to OAuth with POST /api/v1/integrations/{{name}}/migrate."
                ),
            )
            .with_field("auth_type"),
            RuleError::JwtReadOnly => Self::conflict(
                "jwt_read_only",
                format!(
                    "{message}: POST /api/v1/integrations/{{name}}/migrate with the OAuth Server-to-Server details from the Adobe Developer Console."
                ),
            ),
            RuleError::NotJwt(_) => Self::conflict("not_jwt", message),
            RuleError::AutoProvisioned => Self::conflict("auto_provisioned", message),
            RuleError::StaleRevision { current, .. } => {
                Self::conflict("stale_revision", message).with_current_revision(current)
            }
        }
    }
}

/// An error's message followed by its sources, for one log line.
pub fn chain(e: &(dyn StdError + 'static)) -> String {
    let mut s = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        let _ = write!(s, ": {cause}");
        source = cause.source();
    }
    s
}

/// Why the server could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// The listen address could not be bound.
    #[error("cannot listen on {addr}")]
    Bind {
        /// The address.
        addr: std::net::SocketAddr,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The TLS certificate or key could not be loaded.
    #[error("cannot load TLS {what} from {path}: {problem}")]
    Tls {
        /// `certificate` or `key`.
        what: &'static str,
        /// The file.
        path: std::path::PathBuf,
        /// What went wrong.
        problem: String,
    },
    /// A setting cannot work.
    #[error("invalid settings: {0}")]
    Settings(String),
    /// The store failed while starting (bootstrap, readiness).
    #[error("the store failed while starting the server")]
    Store(#[source] imsbridge_store::StoreError),
    /// The first admin could not be created.
    #[error("could not create the first admin: {0}")]
    Bootstrap(String),
    /// An I/O error while serving.
    #[error("I/O error while serving")]
    Io(#[from] std::io::Error),
}

impl From<imsbridge_ims::TokenError> for ApiError {
    /// Permanent IMS refusal → 502 `ims_refused` with IMS's code and debug id. IMS failing,
    /// throttling, or the breaker open → 503 `ims_unavailable` with `ims_error` (IMS's code,
    /// or ours: `connection_failed`, `malformed_response`, `http_<status>`), `debug_id` and
    /// `Retry-After`. No answer in time (or the breaker open after timeouts) → 504
    /// `ims_timeout`.
    fn from(e: imsbridge_ims::TokenError) -> Self {
        use imsbridge_ims::{ImsError, TokenError, whole_seconds};
        let ims_code = e.ims_error().map(ImsError::error_code);
        let debug_id = e.debug_id().map(str::to_owned);
        match &e {
            TokenError::ValidityUnavailable { .. } => {
                Self::invalid_field("min_validity", e.to_string())
            }
            TokenError::StaleRevision { .. } => Self::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "configuration_changed",
                "the configuration changed while its token was being fetched; try again",
            )
            .with_retry_after(1),
            _ if e.is_timeout() => {
                Self::new(StatusCode::GATEWAY_TIMEOUT, "ims_timeout", e.to_string())
                    .with_ims(ims_code, debug_id)
            }
            _ if e.is_transient() => Self::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "ims_unavailable",
                e.to_string(),
            )
            .with_ims(ims_code, debug_id)
            // Without a hint from IMS or the breaker, a second is when a recovered IMS
            // would be noticed.
            .with_retry_after(e.retry_after().map_or(1, |d| whole_seconds(d).max(1))),
            _ => {
                let error = e.ims_error();
                let message = error
                    .and_then(ImsError::description)
                    .map_or_else(|| e.to_string(), |d| format!("IMS refused: {d}"));
                Self::new(StatusCode::BAD_GATEWAY, "ims_refused", message)
                    .with_ims(ims_code, debug_id)
            }
        }
    }
}

impl From<imsbridge_store::StoreError> for ApiError {
    fn from(e: imsbridge_store::StoreError) -> Self {
        use imsbridge_store::StoreError;
        match e {
            StoreError::NotFound(what) => Self::not_found(what),
            StoreError::NameTaken(name) => Self::conflict(
                "name_taken",
                format!("a configuration named {name:?} already exists; choose another name"),
            )
            .with_field("name"),
            StoreError::UsernameTaken(_) => {
                Self::conflict("username_taken", e.to_string()).with_field("username")
            }
            StoreError::Conflict(_) => Self::conflict("conflict", e.to_string()),
            StoreError::LastAdmin(_) => Self::conflict("last_admin", e.to_string()),
            StoreError::Rule(rule) => rule.into(),
            StoreError::StaleRevision { current, .. } => {
                Self::conflict("stale_revision", e.to_string()).with_current_revision(current)
            }
            StoreError::Database(
                sqlx::Error::PoolTimedOut | sqlx::Error::Io(_) | sqlx::Error::PoolClosed,
            ) => Self::unavailable(&e),
            other => Self::internal(&other),
        }
    }
}
