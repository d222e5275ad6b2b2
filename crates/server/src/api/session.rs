//! `/api/v1/session`: log in with a user name and password (sets the session cookie and
//! returns the CSRF token), see the current session, log out.

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use imsbridge_domain::SecretString;
use imsbridge_store::{AuditContext, AuditEntry};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::sessions::Session;
use crate::auth::{self, Caller, passwords};
use crate::error::{ApiError, ErrorBody};
use crate::extract::Json;
use crate::http::{ClientAddr, RequestId};
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

/// The `Set-Cookie` value for a session (or, with `None`, one that deletes it).
pub fn session_cookie(state: &AppState, id: Option<&str>) -> HeaderValue {
    let settings = &state.settings.session;
    let secure = settings.secure.unwrap_or_else(|| state.settings.is_https());
    let max_age = match id {
        Some(_) => state.sessions.max_age().num_seconds(),
        None => 0,
    };
    let value = format!(
        "{}={}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{}",
        settings.cookie_name,
        id.unwrap_or(""),
        if secure { "; Secure" } else { "" }
    );
    HeaderValue::from_str(&value).unwrap_or(HeaderValue::from_static("invalid=; Max-Age=0"))
}

fn login_audit(
    request_id: &RequestId,
    client: ClientAddr,
    actor: &str,
    action: &str,
    details: serde_json::Value,
) -> (AuditContext, AuditEntry) {
    // The attempted name is the client's input: keep a bounded, printable form of it.
    let actor: String = actor.chars().filter(|c| !c.is_control()).take(64).collect();
    (
        AuditContext {
            actor: actor.clone(),
            request_id: Some(request_id.as_str().to_owned()),
            client_addr: client.0.map(|a| a.ip().to_string()),
        },
        AuditEntry {
            action: action.to_owned(),
            target_kind: "user".into(),
            target_name: Some(actor),
            target_id: None,
            details,
        },
    )
}

/// Logs in: sets an HttpOnly session cookie and returns the CSRF token. Failed attempts are
/// limited per user name and client address.
#[utoipa::path(
    post, path = "/api/v1/session", tag = "session",
    request_body = Login,
    responses(
        (status = 200, description = "Logged in; the cookie is set", body = SessionView),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Wrong user name or password", body = ErrorBody),
        (status = 422, description = "Invalid body", body = ErrorBody),
        (status = 429, description = "Too many failed attempts (`Retry-After`)", body = ErrorBody),
    )
)]
pub async fn login(
    State(state): State<AppState>,
    client: ClientAddr,
    request_id: RequestId,
    Json(body): Json<Login>,
) -> Result<Response, ApiError> {
    let ip = client.ip_string();
    if let Some(wait) = state.login_throttle.locked_for(&body.username, &ip).await? {
        return Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_attempts",
            format!("too many failed logins for this user from this address; wait {wait} seconds"),
        )
        .with_retry_after(wait));
    }
    let user = if body.username.len() <= 256 {
        state.store.get_user(&body.username).await?
    } else {
        None
    };
    let password_ok = passwords::verify(
        body.password.clone(),
        user.as_ref().map(|u| u.password_hash.clone()),
    )
    .await;
    let user = user.filter(|u| password_ok && !u.disabled);
    let Some(user) = user else {
        state.login_throttle.fail(&body.username, &ip).await?;
        let (ctx, entry) = login_audit(
            &request_id,
            client,
            &body.username,
            "user.login.failed",
            serde_json::json!({}),
        );
        state.store.append_audit(&ctx, &entry).await?;
        return Err(ApiError::unauthenticated(
            "the user name or password is wrong (or the user is disabled)",
        ));
    };
    state.login_throttle.succeed(&body.username, &ip).await?;
    let (ctx, entry) = login_audit(
        &request_id,
        client,
        &user.username,
        "user.login",
        serde_json::json!({ "role": user.role.key() }),
    );
    state.store.append_audit(&ctx, &entry).await?;
    let (id, session) = state.sessions.create(user).await?;
    let mut response = Json(SessionView::from(&session)).into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, session_cookie(&state, Some(&id)));
    Ok(response)
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
    if let Some(id) = auth::session_cookie(&headers, &state.settings.session.cookie_name) {
        if let Some(session) = state.sessions.get(id).await? {
            let (ctx, entry) = login_audit(
                &request_id,
                client,
                &session.username,
                "user.logout",
                serde_json::json!({}),
            );
            state.store.append_audit(&ctx, &entry).await?;
        }
        state.sessions.remove(id).await?;
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, session_cookie(&state, None));
    Ok(response)
}
