//! The admin API (`/api/v1`) and the token API, one module per feature.

pub mod api_tokens;
pub mod audit;
pub mod file_import;
pub mod import;
pub mod integrations;
pub mod ops;
pub mod rotation;
pub mod session;
pub mod tokens;
pub mod users;

use axum::Router;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::routing::{get, post};
use imsbridge_domain::{Name, Revision};
use imsbridge_service::ErrorCode;
use imsbridge_service::{FieldError, FieldErrorKind};

use crate::error::ApiError;
use crate::state::AppState;

/// Every `/api/v1` route.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/integrations",
            get(integrations::list).post(integrations::create),
        )
        .route(
            "/api/v1/integrations/{name}",
            get(integrations::get)
                .patch(integrations::update)
                .delete(integrations::delete),
        )
        .route(
            "/api/v1/integrations/{name}/migration",
            get(integrations::migration_prefill),
        )
        .route(
            "/api/v1/integrations/{name}/migrate",
            post(integrations::migrate),
        )
        .route(
            "/api/v1/integrations/{name}/secrets",
            get(rotation::secrets),
        )
        .route(
            "/api/v1/integrations/{name}/rotate-secret",
            post(rotation::rotate),
        )
        .route("/api/v1/rotations/run-due", post(rotation::run_due))
        .route("/api/v1/integrations/{name}/token", post(tokens::token))
        .route("/api/v1/integrations/{name}/health", post(tokens::health))
        .route(
            "/api/v1/project-json",
            post(integrations::parse_project_json),
        )
        .route("/api/v1/import", post(import::import))
        .route(
            "/api/v1/session",
            get(session::current)
                .post(session::login)
                .delete(session::logout),
        )
        .route("/api/v1/me", get(users::me))
        .route("/api/v1/me/password", post(users::change_own_password))
        .route("/api/v1/users", get(users::list).post(users::create))
        .route(
            "/api/v1/users/{username}",
            get(users::get).patch(users::update).delete(users::delete),
        )
        .route(
            "/api/v1/api-tokens",
            get(api_tokens::list).post(api_tokens::create),
        )
        .route(
            "/api/v1/api-tokens/{id}",
            get(api_tokens::get).delete(api_tokens::revoke),
        )
        .route("/api/v1/audit", get(audit::list))
        .route("/api/openapi.json", get(crate::openapi::serve))
}

/// Parses a name from the URL.
pub fn parse_name(raw: &str) -> Result<Name, ApiError> {
    Name::parse(raw).map_err(ApiError::from)
}

/// The `ETag` of a revision: `"<n>"`.
pub fn etag(revision: Revision) -> HeaderValue {
    HeaderValue::from_str(&format!("\"{revision}\"")).unwrap_or(HeaderValue::from_static("\"0\""))
}

/// The revision in `If-Match`, if the header is present. A weak tag (`W/"3"`) is refused
/// with `412`.
pub fn if_match(headers: &HeaderMap) -> Result<Option<Revision>, ApiError> {
    let Some(value) = headers.get(header::IF_MATCH) else {
        return Ok(None);
    };
    let text = value.to_str().map_err(|_| {
        ApiError::bad_request(ErrorCode::InvalidIfMatch, "If-Match is not readable text")
    })?;
    // RFC 9110 §13.1.1: If-Match compares strongly, so a weak tag never matches.
    if text.trim_start().starts_with("W/") {
        return Err(ApiError::new(
            StatusCode::PRECONDITION_FAILED,
            ErrorCode::PreconditionFailed,
            format!(
                "If-Match {} is a weak entity tag, which never matches (RFC 9110); send the revision's strong tag as its ETag gave it, for example \"3\"",
                imsbridge_domain::quoted(text.trim())
            ),
        )
        .with_field("If-Match"));
    }
    Revision::parse(text).map(Some).map_err(|e| {
        ApiError::bad_request(
            ErrorCode::InvalidIfMatch,
            format!(
                "If-Match must hold the revision you read, as its ETag gave it (for example \"3\"): {}",
                e.problem
            ),
        )
        .with_field("If-Match")
    })
}

/// The revision in `If-Match`, which this route requires.
pub fn require_if_match(headers: &HeaderMap) -> Result<Revision, ApiError> {
    if_match(headers)?.ok_or_else(|| {
        ApiError::new(
            StatusCode::PRECONDITION_REQUIRED,
            ErrorCode::IfMatchRequired,
            "send the revision you edited in the If-Match header (the ETag of GET /api/v1/integrations/{name}); this stops two people overwriting each other",
        )
        .with_field("If-Match")
    })
}

pub use imsbridge_service::integrations::StringList;
pub use imsbridge_service::views::PageView;

/// Checks paging parameters and turns them into the store's request.
pub fn page_request(
    offset: Option<u64>,
    limit: Option<u32>,
) -> Result<imsbridge_store::PageRequest, ApiError> {
    let offset = offset.unwrap_or(0);
    let limit = limit.unwrap_or(imsbridge_store::PageRequest::DEFAULT_LIMIT);
    if !(1..=500).contains(&limit) {
        return Err(ApiError::invalid(
            vec![
                FieldError::new(
                    "limit",
                    FieldErrorKind::OutOfRange,
                    format!("limit: {limit} is out of range; ask for 1 to 500 items per page"),
                )
                .arg("value", limit)
                .arg("min", 1)
                .arg("max", 500),
            ]
            .into(),
        ));
    }
    if offset > 1_000_000_000 {
        return Err(ApiError::invalid(
            vec![
                FieldError::new(
                    "offset",
                    FieldErrorKind::OutOfRange,
                    "offset: is too large; it counts items to skip",
                )
                .arg("max", 1_000_000_000),
            ]
            .into(),
        ));
    }
    Ok(imsbridge_store::PageRequest { offset, limit })
}
