//! The one error type of the HTTP API, and the server's own startup errors.
//!
//! Every failure an API route can meet becomes an [`ApiError`]: a status and a JSON body
//! `{"error": "<code>", "message": "<what was wrong and how to fix it>"}`, plus a few extra
//! fields where they help (`field`, `errors`, `current_revision`, `ims_error`, `debug_id`).
//! Operations fail with a [`ServiceError`]; this is where it becomes a status and a body.
//! 5xx bodies say nothing internal; their cause rides on the response to the
//! [`log_server_errors`] middleware, which logs it once, with its chain.

use std::collections::BTreeMap;
use std::error::Error as StdError;
use std::sync::Arc;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use imsbridge_domain::{ParseError, Revision, RuleError};
use imsbridge_service::{ErrorCode, FieldError, FieldErrors, ServiceError};
use serde::Serialize;
use utoipa::ToSchema;

pub use imsbridge_service::chain;

/// An error answered to an API client.
#[derive(Debug, Clone)]
pub struct ApiError {
    status: StatusCode,
    // Boxed: errors travel in every handler's `Result`, which should stay small.
    body: Box<ErrorBody>,
    retry_after: Option<u64>,
    /// The cause of a 5xx, logged once by [`log_server_errors`].
    cause: Option<Arc<str>>,
}

/// The JSON body of every API error.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ErrorBody {
    /// A stable, machine-readable code such as `invalid` or `stale_revision`.
    #[schema(example = "stale_revision")]
    pub error: ErrorCode,
    /// What was wrong and how to fix it.
    pub message: String,
    /// The request field at fault, when one is (with `invalid`: the first of `errors`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The arguments of the code's message, when it has any (`name` with `name_taken`,
    /// `username` with `username_taken`, `retry_after` with a throttle): with `error`, what a
    /// client needs to say the error in its reader's language, since `message` is English.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    #[schema(value_type = Object)]
    pub args: BTreeMap<String, String>,
    /// With `invalid`: every field at fault, each with a machine-readable `kind` and the
    /// `args` its message is made of.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
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
    pub fn new(status: StatusCode, code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            status,
            body: Box::new(ErrorBody {
                error: code,
                message: message.into(),
                field: None,
                args: BTreeMap::new(),
                errors: Vec::new(),
                current_revision: None,
                ims_error: None,
                debug_id: None,
            }),
            retry_after: None,
            cause: None,
        }
    }

    /// 400: the request is malformed.
    pub fn bad_request(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    /// 422: a field holds a value that is not allowed.
    pub fn invalid_field(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::invalid(FieldErrors::from(vec![FieldError::new(
            field,
            imsbridge_service::FieldErrorKind::Invalid,
            message,
        )]))
    }

    /// 422: every field error of a request; `field` and `message` are the first's.
    pub fn invalid(errors: FieldErrors) -> Self {
        let mut e = Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::Invalid,
            errors.to_string(),
        );
        e.body.field = errors.first().map(|f| f.field.clone());
        e.body.errors = errors.into_iter().collect();
        e
    }

    /// 404: no such thing.
    pub fn not_found(what: impl std::fmt::Display) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            ErrorCode::NotFound,
            format!("{what} does not exist; check the name or list what exists"),
        )
    }

    /// 401: no or bad credentials.
    pub fn unauthenticated(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            ErrorCode::Unauthenticated,
            message,
        )
    }

    /// 403: authenticated, but not allowed.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, ErrorCode::Forbidden, message)
    }

    /// 409: the request conflicts with the resource's state.
    pub fn conflict(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, code, message)
    }

    /// 500 that tells the client nothing internal; `cause` is logged with its chain by
    /// [`log_server_errors`].
    pub fn internal(cause: &(dyn StdError + 'static)) -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::Internal,
            "the server failed to handle this request; it has been logged, try again later",
        )
        .with_cause(cause)
    }

    /// 503 for a dependency (the store) that could not be reached; the cause is logged.
    pub fn unavailable(cause: &(dyn StdError + 'static)) -> Self {
        let mut e = Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::Unavailable,
            "the server cannot reach its store right now; try again shortly",
        );
        e.retry_after = Some(5);
        e.with_cause(cause)
    }

    /// Keeps the cause of a server-side failure for the log.
    #[must_use]
    pub fn with_cause(mut self, cause: &(dyn StdError + 'static)) -> Self {
        self.cause = Some(chain(cause).into());
        self
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
        self.body
            .args
            .insert("retry_after".to_owned(), seconds.to_string());
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

    /// The cause of a server-side failure, for the log.
    pub fn cause(&self) -> Option<&Arc<str>> {
        self.cause.as_ref()
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
        if let Some(cause) = self.cause {
            response.extensions_mut().insert(ErrorCause(cause));
        }
        response
    }
}

/// The cause of a 5xx answer, carried on the response to [`log_server_errors`].
#[derive(Debug, Clone)]
pub struct ErrorCause(pub Arc<str>);

/// Middleware: logs the cause of every server-side failure once, with its chain (axum's
/// error-handling example), whichever adapter answered it.
pub async fn log_server_errors(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let response = next.run(request).await;
    if let Some(ErrorCause(cause)) = response.extensions().get::<ErrorCause>() {
        if response.status() == StatusCode::SERVICE_UNAVAILABLE {
            tracing::error!(error = %cause, "a dependency is unavailable");
        } else {
            tracing::error!(error = %cause, "request failed on the server side");
        }
    }
    response
}

impl From<ParseError> for ApiError {
    fn from(e: ParseError) -> Self {
        Self::invalid(FieldErrors::from(vec![FieldError::from(e)]))
    }
}

impl From<RuleError> for ApiError {
    fn from(e: RuleError) -> Self {
        ServiceError::from(e).into()
    }
}

impl From<FieldErrors> for ApiError {
    fn from(e: FieldErrors) -> Self {
        Self::invalid(e)
    }
}

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> Self {
        let code = e.code();
        match e {
            ServiceError::NotFound(_) => Self::new(StatusCode::NOT_FOUND, code, e.to_string()),
            ServiceError::Forbidden(message) => Self::forbidden(message),
            ServiceError::StaleRevision { current, message } => {
                Self::conflict(code, message).with_current_revision(current)
            }
            ServiceError::Invalid(errors) => Self::invalid(errors),
            ServiceError::Conflict {
                code,
                message,
                field,
                args,
            } => {
                // Refusing to create JWT is a refused value, not a state conflict.
                let status = match code {
                    ErrorCode::JwtDeprecated => StatusCode::UNPROCESSABLE_ENTITY,
                    // An API token asked for what only a person has.
                    ErrorCode::NotAUser => StatusCode::BAD_REQUEST,
                    // Adobe's I/O Management API refused, or is failing.
                    ErrorCode::IoManagementRefused => StatusCode::BAD_GATEWAY,
                    ErrorCode::IoManagementUnavailable => StatusCode::SERVICE_UNAVAILABLE,
                    _ => StatusCode::CONFLICT,
                };
                let mut e = Self::new(status, code, message);
                e.body.field = field.map(str::to_owned);
                e.body.args = args;
                e
            }
            ServiceError::VerificationFailed {
                message,
                field,
                skippable,
                error,
            } => Self::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                code,
                format!(
                    "IMS refused the new OAuth details, so nothing was changed: {message}. Check the {} in the Adobe Developer Console{}",
                    field.replace('_', " "),
                    skip_hint(skippable)
                ),
            )
            .with_ims(Some(error.error_code()), error.debug_id().map(str::to_owned))
            .with_field(field),
            ServiceError::VerificationUnavailable { skippable, error } => {
                let detail = error.to_string();
                let mut e = Self::from(*error);
                e.body.message = format!(
                    "IMS could not be reached to verify the new OAuth details, so nothing was changed ({detail}). Try again shortly{}",
                    skip_hint(skippable)
                );
                e
            }
            ServiceError::Upstream(error) => (*error).into(),
            ServiceError::Busy(message) => Self::new(StatusCode::TOO_MANY_REQUESTS, code, message)
                .with_retry_after(imsbridge_service::passwords::BUSY_RETRY_AFTER_SECS),
            ServiceError::Unavailable(cause) => Self::unavailable(cause.as_ref()),
            ServiceError::Internal(cause) => Self::internal(cause.as_ref()),
        }
    }
}

/// How to save anyway, when this server allows it; otherwise the setting that forbids it.
fn skip_hint(skippable: bool) -> &'static str {
    if skippable {
        ", or save without verifying (\"verify\": false; --no-verify with imsbridge config create|update)"
    } else {
        "; this server does not save unverified details (server.allow_unverified_migration is false)"
    }
}

impl From<imsbridge_service::passwords::PasswordError> for ApiError {
    fn from(e: imsbridge_service::passwords::PasswordError) -> Self {
        match e {
            imsbridge_service::passwords::PasswordError::Length => {
                Self::invalid_field("password", format!("password: {e}"))
            }
            imsbridge_service::passwords::PasswordError::Busy => Self::new(
                StatusCode::TOO_MANY_REQUESTS,
                ErrorCode::ServerBusy,
                e.to_string(),
            )
            .with_retry_after(imsbridge_service::passwords::BUSY_RETRY_AFTER_SECS),
            imsbridge_service::passwords::PasswordError::Hash => Self::internal(&e),
        }
    }
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
                ErrorCode::ConfigurationChanged,
                "the configuration changed while its token was being fetched; try again",
            )
            .with_retry_after(1),
            _ if e.is_timeout() => Self::new(
                StatusCode::GATEWAY_TIMEOUT,
                ErrorCode::ImsTimeout,
                e.to_string(),
            )
            .with_ims(ims_code, debug_id),
            _ if e.is_transient() => Self::new(
                StatusCode::SERVICE_UNAVAILABLE,
                ErrorCode::ImsUnavailable,
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
                Self::new(StatusCode::BAD_GATEWAY, ErrorCode::ImsRefused, message)
                    .with_ims(ims_code, debug_id)
            }
        }
    }
}

impl From<imsbridge_store::StoreError> for ApiError {
    fn from(e: imsbridge_store::StoreError) -> Self {
        ServiceError::from(e).into()
    }
}
