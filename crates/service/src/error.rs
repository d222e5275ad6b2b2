//! The one error of every operation, and the machine-readable codes that adapters answer.

use std::collections::BTreeMap;
use std::error::Error as StdError;
use std::fmt;

use imsbridge_domain::{ParseError, Revision, RuleError};
use imsbridge_ims::TokenError;
use imsbridge_store::StoreError;
use serde::Serialize;
use utoipa::ToSchema;

use crate::fields::FieldErrors;

/// A stable, machine-readable error code. Adapters match on the variant, never on its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// One or more fields hold values that are not allowed (`errors` lists each).
    Invalid,
    /// The thing asked for does not exist.
    NotFound,
    /// Authenticated, but not allowed.
    Forbidden,
    /// No or bad credentials.
    Unauthenticated,
    /// The caller changed an older revision than the one stored.
    StaleRevision,
    /// The request conflicts with the resource's state.
    Conflict,
    /// A configuration with that name exists.
    NameTaken,
    /// A user with that name exists.
    UsernameTaken,
    /// The last enabled admin cannot lose the role.
    LastAdmin,
    /// An admin cannot remove their own account.
    SelfDelete,
    /// JWT credentials can no longer be created.
    JwtDeprecated,
    /// JWT configurations are read-only.
    JwtReadOnly,
    /// Only JWT configurations can be migrated.
    NotJwt,
    /// Auto-provisioned configurations are migrated by Adobe.
    AutoProvisioned,
    /// IMS refused new OAuth details, so nothing changed.
    VerificationFailed,
    /// IMS refused the credential.
    ImsRefused,
    /// IMS is failing or throttling.
    ImsUnavailable,
    /// IMS did not answer in time.
    ImsTimeout,
    /// The configuration changed while its token was fetched.
    ConfigurationChanged,
    /// A dependency (the store) cannot be reached.
    Unavailable,
    /// The server failed.
    Internal,
    /// Not ready to serve.
    NotReady,
    /// The request is malformed.
    BadRequest,
    /// The body could not be read.
    BadBody,
    /// The body is not valid JSON.
    MalformedJson,
    /// The body has the wrong shape.
    InvalidBody,
    /// The query string has the wrong shape.
    InvalidQuery,
    /// The path has the wrong shape.
    InvalidPath,
    /// The body is not of a supported media type.
    UnsupportedMediaType,
    /// The body is too large.
    BodyTooLarge,
    /// The body's length is ambiguous.
    AmbiguousLength,
    /// The URI is too long.
    UriTooLong,
    /// The method is not allowed on this route.
    MethodNotAllowed,
    /// `If-Match` is unreadable.
    InvalidIfMatch,
    /// `If-Match` is required.
    IfMatchRequired,
    /// `If-Match` holds a weak tag.
    PreconditionFailed,
    /// The CSRF token is missing or wrong.
    Csrf,
    /// A cross-site request was refused.
    CrossSite,
    /// Too many requests from this client.
    RateLimited,
    /// Too many failed sign-ins.
    TooManyAttempts,
    /// The server is too busy to hash a password now.
    ServerBusy,
    /// The request took too long.
    Timeout,
    /// The caller is not a user (an API token).
    NotAUser,
    /// The operation needs an OAuth Server-to-Server configuration.
    #[serde(rename = "not_oauth")]
    NotOAuth,
    /// The configuration does not say where its credential lives in the Developer Console.
    RotationNotConfigured,
    /// The credential already has two client secrets, Adobe's limit.
    TwoSecrets,
    /// Adobe's I/O Management API refused the request.
    IoManagementRefused,
    /// Adobe's I/O Management API is failing, throttling or out of reach.
    IoManagementUnavailable,
    /// Password sign-in is off (`sso.allow_local_login = false`) and the user is not
    /// break-glass.
    LocalLoginDisabled,
}

impl ErrorCode {
    /// Every code, for adapters that give each one words (the console's catalogues).
    pub const ALL: [Self; 49] = [
        Self::Invalid,
        Self::NotFound,
        Self::Forbidden,
        Self::Unauthenticated,
        Self::StaleRevision,
        Self::Conflict,
        Self::NameTaken,
        Self::UsernameTaken,
        Self::LastAdmin,
        Self::SelfDelete,
        Self::JwtDeprecated,
        Self::JwtReadOnly,
        Self::NotJwt,
        Self::AutoProvisioned,
        Self::VerificationFailed,
        Self::ImsRefused,
        Self::ImsUnavailable,
        Self::ImsTimeout,
        Self::ConfigurationChanged,
        Self::Unavailable,
        Self::Internal,
        Self::NotReady,
        Self::BadRequest,
        Self::BadBody,
        Self::MalformedJson,
        Self::InvalidBody,
        Self::InvalidQuery,
        Self::InvalidPath,
        Self::UnsupportedMediaType,
        Self::BodyTooLarge,
        Self::AmbiguousLength,
        Self::LocalLoginDisabled,
        Self::UriTooLong,
        Self::MethodNotAllowed,
        Self::InvalidIfMatch,
        Self::IfMatchRequired,
        Self::PreconditionFailed,
        Self::Csrf,
        Self::CrossSite,
        Self::RateLimited,
        Self::TooManyAttempts,
        Self::ServerBusy,
        Self::Timeout,
        Self::NotAUser,
        Self::NotOAuth,
        Self::RotationNotConfigured,
        Self::TwoSecrets,
        Self::IoManagementRefused,
        Self::IoManagementUnavailable,
    ];

    /// The code as clients see it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Invalid => "invalid",
            Self::NotFound => "not_found",
            Self::Forbidden => "forbidden",
            Self::Unauthenticated => "unauthenticated",
            Self::StaleRevision => "stale_revision",
            Self::Conflict => "conflict",
            Self::NameTaken => "name_taken",
            Self::UsernameTaken => "username_taken",
            Self::LastAdmin => "last_admin",
            Self::SelfDelete => "self_delete",
            Self::JwtDeprecated => "jwt_deprecated",
            Self::JwtReadOnly => "jwt_read_only",
            Self::NotJwt => "not_jwt",
            Self::AutoProvisioned => "auto_provisioned",
            Self::VerificationFailed => "verification_failed",
            Self::ImsRefused => "ims_refused",
            Self::ImsUnavailable => "ims_unavailable",
            Self::ImsTimeout => "ims_timeout",
            Self::ConfigurationChanged => "configuration_changed",
            Self::Unavailable => "unavailable",
            Self::Internal => "internal",
            Self::NotReady => "not_ready",
            Self::BadRequest => "bad_request",
            Self::BadBody => "bad_body",
            Self::MalformedJson => "malformed_json",
            Self::InvalidBody => "invalid_body",
            Self::InvalidQuery => "invalid_query",
            Self::InvalidPath => "invalid_path",
            Self::UnsupportedMediaType => "unsupported_media_type",
            Self::BodyTooLarge => "body_too_large",
            Self::AmbiguousLength => "ambiguous_length",
            Self::LocalLoginDisabled => "local_login_disabled",
            Self::UriTooLong => "uri_too_long",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::InvalidIfMatch => "invalid_if_match",
            Self::IfMatchRequired => "if_match_required",
            Self::PreconditionFailed => "precondition_failed",
            Self::Csrf => "csrf",
            Self::CrossSite => "cross_site",
            Self::RateLimited => "rate_limited",
            Self::TooManyAttempts => "too_many_attempts",
            Self::ServerBusy => "server_busy",
            Self::Timeout => "timeout",
            Self::NotAUser => "not_a_user",
            Self::NotOAuth => "not_oauth",
            Self::RotationNotConfigured => "rotation_not_configured",
            Self::TwoSecrets => "two_secrets",
            Self::IoManagementRefused => "io_management_refused",
            Self::IoManagementUnavailable => "io_management_unavailable",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What kind of thing was not found, for the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource {
    /// An integration configuration.
    Integration,
    /// A user.
    User,
    /// An API token.
    ApiToken,
}

impl Resource {
    fn label(self) -> &'static str {
        match self {
            Self::Integration => "the integration configuration",
            Self::User => "the user",
            Self::ApiToken => "the API token",
        }
    }
}

/// Why an operation did not happen. Nothing was changed in any case.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// No such thing.
    #[error("{0} does not exist; check the name or list what exists")]
    NotFound(String),
    /// The caller may not do this.
    #[error("{0}")]
    Forbidden(String),
    /// The caller changed an older revision.
    #[error("{message}")]
    StaleRevision {
        /// The revision stored now.
        current: Revision,
        /// What happened and what to do.
        message: String,
    },
    /// Fields hold values that are not allowed: every one of them.
    #[error("{0}")]
    Invalid(FieldErrors),
    /// The request conflicts with the state of things (name taken, JWT read-only, …).
    #[error("{message}")]
    Conflict {
        /// Which conflict.
        code: ErrorCode,
        /// What and how to fix it.
        message: String,
        /// The field at fault, when one is.
        field: Option<&'static str>,
        /// The arguments of the code's message (`name` with `name_taken`, `username` with
        /// `username_taken`), so that a client can say it in its reader's language.
        args: BTreeMap<String, String>,
    },
    /// IMS refused new OAuth details while verifying them before a change.
    #[error("IMS refused the new OAuth details, so nothing was changed: {message}")]
    VerificationFailed {
        /// IMS's reason.
        message: String,
        /// The field IMS's refusal points at.
        field: &'static str,
        /// Whether this server allows saving without verifying.
        skippable: bool,
        /// IMS's error.
        #[source]
        error: Box<TokenError>,
    },
    /// IMS could not be reached (or failed, or throttled) while verifying new OAuth details.
    #[error(
        "IMS could not be reached to verify the new OAuth details, so nothing was changed: {error}"
    )]
    VerificationUnavailable {
        /// Whether this server allows saving without verifying.
        skippable: bool,
        /// What went wrong.
        #[source]
        error: Box<TokenError>,
    },
    /// IMS failed, refused or did not answer.
    #[error(transparent)]
    Upstream(Box<TokenError>),
    /// Too busy to do this now (the password hashing pool is full); try again shortly.
    #[error("{0}")]
    Busy(String),
    /// A dependency cannot be reached now.
    #[error("a dependency is unavailable")]
    Unavailable(#[source] Box<dyn StdError + Send + Sync>),
    /// Something failed on the server side.
    #[error("an operation failed on the server side")]
    Internal(#[source] Box<dyn StdError + Send + Sync>),
}

impl ServiceError {
    /// Not found.
    pub fn not_found(what: Resource, name: impl fmt::Display) -> Self {
        Self::NotFound(format!("{} \"{name}\"", what.label()))
    }

    /// A conflict with its code.
    pub fn conflict(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::Conflict {
            code,
            message: message.into(),
            field: None,
            args: BTreeMap::new(),
        }
    }

    /// One invalid field.
    pub fn invalid(e: crate::fields::FieldError) -> Self {
        Self::Invalid(FieldErrors::from(vec![e]))
    }

    /// The code adapters answer.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::NotFound(_) => ErrorCode::NotFound,
            Self::Forbidden(_) => ErrorCode::Forbidden,
            Self::StaleRevision { .. } => ErrorCode::StaleRevision,
            Self::Invalid(_) => ErrorCode::Invalid,
            Self::Conflict { code, .. } => *code,
            Self::VerificationFailed { .. } => ErrorCode::VerificationFailed,
            Self::VerificationUnavailable { error, .. } if error.is_timeout() => {
                ErrorCode::ImsTimeout
            }
            Self::VerificationUnavailable { .. } | Self::Upstream(_) => ErrorCode::ImsUnavailable,
            Self::Busy(_) => ErrorCode::ServerBusy,
            Self::Unavailable(_) => ErrorCode::Unavailable,
            Self::Internal(_) => ErrorCode::Internal,
        }
    }
}

impl From<FieldErrors> for ServiceError {
    fn from(e: FieldErrors) -> Self {
        Self::Invalid(e)
    }
}

impl From<ParseError> for ServiceError {
    fn from(e: ParseError) -> Self {
        Self::invalid(e.into())
    }
}

impl From<TokenError> for ServiceError {
    fn from(e: TokenError) -> Self {
        Self::Upstream(Box::new(e))
    }
}

impl From<RuleError> for ServiceError {
    fn from(e: RuleError) -> Self {
        let message = e.to_string();
        match e {
            RuleError::JwtCreationRefused => Self::Conflict {
                code: ErrorCode::JwtDeprecated,
                message: format!(
                    "{message}. An existing JWT configuration is moved to OAuth with POST /api/v1/integrations/{{name}}/migrate."
                ),
                field: Some("auth_type"),
                args: BTreeMap::new(),
            },
            RuleError::JwtReadOnly => Self::conflict(
                ErrorCode::JwtReadOnly,
                format!(
                    "{message}: POST /api/v1/integrations/{{name}}/migrate with the OAuth Server-to-Server details from the Adobe Developer Console."
                ),
            ),
            RuleError::NotJwt(_) => Self::conflict(ErrorCode::NotJwt, message),
            RuleError::AutoProvisioned => Self::conflict(ErrorCode::AutoProvisioned, message),
            RuleError::StaleRevision { current, .. } => Self::StaleRevision { current, message },
        }
    }
}

impl From<StoreError> for ServiceError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(what) => Self::NotFound(what),
            StoreError::NameTaken(ref name) => Self::Conflict {
                code: ErrorCode::NameTaken,
                message: format!(
                    "a configuration named \"{name}\" already exists; choose another name"
                ),
                field: Some("name"),
                args: BTreeMap::from([("name".to_owned(), name.to_string())]),
            },
            StoreError::UsernameTaken(ref username) => Self::Conflict {
                code: ErrorCode::UsernameTaken,
                args: BTreeMap::from([("username".to_owned(), username.clone())]),
                message: e.to_string(),
                field: Some("username"),
            },
            StoreError::Conflict(_) => Self::conflict(ErrorCode::Conflict, e.to_string()),
            StoreError::LastAdmin(_) => Self::conflict(ErrorCode::LastAdmin, e.to_string()),
            StoreError::Rule(rule) => rule.into(),
            StoreError::StaleRevision { current, .. } => Self::StaleRevision {
                current,
                message: e.to_string(),
            },
            StoreError::Database(
                sqlx_error @ (sqlx::Error::PoolTimedOut
                | sqlx::Error::Io(_)
                | sqlx::Error::PoolClosed),
            ) => Self::Unavailable(Box::new(StoreError::Database(sqlx_error))),
            other => Self::Internal(Box::new(other)),
        }
    }
}

/// An error's message followed by its sources, for one log line.
pub fn chain(e: &(dyn StdError + 'static)) -> String {
    use std::fmt::Write as _;
    let mut s = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        let _ = write!(s, ": {cause}");
        source = cause.source();
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_lists_every_code_once() {
        // The schema lists every variant (serde's names); ALL must list the same, once each.
        let schema = serde_json::to_value(<ErrorCode as utoipa::PartialSchema>::schema()).unwrap();
        let mut from_schema: Vec<String> = schema["enum"]
            .as_array()
            .expect("the code's schema is an enum")
            .iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect();
        let mut listed: Vec<String> = ErrorCode::ALL
            .iter()
            .map(|c| c.as_str().to_owned())
            .collect();
        from_schema.sort();
        listed.sort();
        listed.dedup();
        assert_eq!(listed, from_schema);
    }
}
