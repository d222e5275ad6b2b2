//! `/api/v1/session`: log in with a user name and password (sets the session cookie and
//! returns the CSRF token), see the current session, log out.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use imsbridge_domain::SecretString;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::sessions::Session;
use crate::auth::{Caller, login};
use crate::error::{ApiError, ErrorBody};
use crate::extract::Json;
use crate::http::{ClientAddr, RequestId, cookies};
use crate::state::AppState;

/// A login.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Login {
    /// User name.
    pub username: String,
    /// Password.
    #[schema(value_type = String, format = Password)]
    pub password: SecretString,
}

/// The current session.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionView {
    /// User name.
    pub username: String,
    /// `admin` or `viewer`.
    pub role: String,
    /// Send this in `X-CSRF-Token` (or a form's `csrf_token`) with every change.
    pub csrf_token: String,
    /// When the session began.
    pub created_at: DateTime<Utc>,
}

impl From<&Session> for SessionView {
    fn from(s: &Session) -> Self {
        Self {
            username: s.username.clone(),
            role: s.role.key().to_owned(),
            csrf_token: s.csrf_token.clone(),
            created_at: s.created_at,
        }
    }
}

/// Logs in: sets an HttpOnly session cookie and returns the CSRF token. Attempts are limited
/// per client address whatever the user name (`rate_limited`), failures per user name and
/// address (`too_many_attempts`), and password checks by the server's hashing threads
/// (`server_busy`); each answers `429` with `Retry-After`.
#[utoipa::path(
    post, path = "/api/v1/session", tag = "session",
    request_body = Login,
    responses(
        (status = 200, description = "Logged in; the cookie is set", body = SessionView),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Wrong user name or password", body = ErrorBody),
        (status = 403, description = "`local_login_disabled`: password sign-in is off (`sso.allow_local_login = false`) and the user is not break-glass", body = ErrorBody),
        (status = 422, description = "Invalid body", body = ErrorBody),
        (status = 429, description = "Too many attempts from this address, too many failures for this user, or the server is busy checking passwords (`Retry-After`)", body = ErrorBody),
    )
)]
pub async fn login(
    State(state): State<AppState>,
    client: ClientAddr,
    request_id: RequestId,
    Json(body): Json<Login>,
) -> Result<Response, ApiError> {
    let (id, session) =
        login::sign_in(&state, client, &request_id, &body.username, body.password).await?;
    Ok(cookies::with(
        Json(SessionView::from(&session)).into_response(),
        login::session_cookie(&state, Some(&id)),
    ))
}

/// The current session (for a cookie-authenticated caller).
#[utoipa::path(
    get, path = "/api/v1/session", tag = "session",
    responses(
        (status = 200, description = "The session", body = SessionView),
        (status = 401, description = "No session", body = ErrorBody),
    ),
    security(("session" = []))
)]
pub async fn current(caller: Caller) -> Result<Json<SessionView>, ApiError> {
    caller
        .session
        .as_ref()
        .map(|s| Json(SessionView::from(s)))
        .ok_or_else(|| {
            ApiError::unauthenticated("this request carries an API token, not a session cookie")
        })
}

/// Logs out: ends the session and deletes the cookie. Always succeeds.
#[utoipa::path(
    delete, path = "/api/v1/session", tag = "session",
    responses((status = 204, description = "Logged out")),
)]
pub async fn logout(
    State(state): State<AppState>,
    client: ClientAddr,
    request_id: RequestId,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    login::sign_out(&state, client, &request_id, &headers).await?;
    Ok(cookies::with(
        StatusCode::NO_CONTENT.into_response(),
        login::session_cookie(&state, None),
    ))
}
