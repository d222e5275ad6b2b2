//! Signing in with a user name and password: the one path of the API's `POST /api/v1/session`
//! and the console's login form.
//!
//! In order, each step cheaper than the next and each refusing before the next is paid for:
//! the client address's limiter (memory), the failed-login lockout of the (user, address)
//! pair (the store), the user (the store), the password check (the bounded hashing pool).

use axum::http::StatusCode;
use axum_extra::extract::cookie::{Cookie, SameSite};
use imsbridge_domain::SecretString;
use imsbridge_service::ErrorCode;
use imsbridge_store::{AuditContext, AuditEntry};

use super::sessions::Session;
use crate::error::ApiError;
use crate::http::{ClientAddr, RequestId, cookies};
use crate::state::AppState;

/// The audit context and entry of a sign-in event for the attempted `actor`.
pub fn login_audit(
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

/// Checks `username` and `password` and starts a session: its id (for the cookie) and the
/// session. Every refusal is an [`ApiError`]: `429` with `Retry-After` when throttled or the
/// hashing pool is full, `401` when the name or password is wrong.
pub async fn sign_in(
    state: &AppState,
    client: ClientAddr,
    request_id: &RequestId,
    username: &str,
    password: SecretString,
) -> Result<(String, Session), ApiError> {
    let ip = client.0.map(|a| a.ip());
    let permit = state.address_limiter.admit(ip, username).map_err(|r| {
        metrics::counter!("imsbridge_login_refused_total", "reason" => "address").increment(1);
        ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::RateLimited,
            format!(
                "too many sign-in attempts from this address; wait {} second(s) and try again",
                r.retry_after
            ),
        )
        .with_retry_after(r.retry_after)
    })?;
    let ip_text = client.ip_string();
    if let Some(wait) = state.login_throttle.locked_for(username, &ip_text).await? {
        return Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::TooManyAttempts,
            format!("too many failed logins for this user from this address; wait {wait} seconds"),
        )
        .with_retry_after(wait));
    }
    let user = if username.len() <= 256 {
        state.store.get_user(username).await?
    } else {
        None
    };
    let checked = state
        .hashing
        .verify(
            password,
            user.as_ref().map(|u| u.password_hash.clone()),
            permit.lane,
        )
        .await;
    drop(permit);
    let password_ok = checked.inspect_err(|_| {
        metrics::counter!("imsbridge_login_refused_total", "reason" => "busy").increment(1);
    })?;
    let Some(user) = user.filter(|u| password_ok && !u.disabled) else {
        state.login_throttle.fail(username, &ip_text).await?;
        let (ctx, entry) = login_audit(
            request_id,
            client,
            username,
            "user.login.failed",
            serde_json::json!({}),
        );
        state.store.append_audit(&ctx, &entry).await?;
        return Err(ApiError::unauthenticated(
            "the user name or password is wrong (or the user is disabled)",
        ));
    };
    if let Some((reason, refusal)) = super::sso::local::local_login_refusal(state, &user).await? {
        let (ctx, entry) = login_audit(
            request_id,
            client,
            username,
            "user.login.failed",
            serde_json::json!({ "reason": reason }),
        );
        state.store.append_audit(&ctx, &entry).await?;
        return Err(refusal);
    }
    state.address_limiter.remember(ip, username);
    state.login_throttle.succeed(username, &ip_text).await?;
    let (ctx, entry) = login_audit(
        request_id,
        client,
        &user.username,
        "user.login",
        serde_json::json!({ "role": user.role.key() }),
    );
    state.store.append_audit(&ctx, &entry).await?;
    Ok(state.sessions.create(user).await?)
}

/// Whether the cookies that carry a sign-in are `Secure`: as `session.secure` says, else
/// when browsers reach this server over HTTPS.
pub fn secure_cookies(state: &AppState) -> bool {
    state
        .settings
        .session
        .secure
        .unwrap_or_else(|| state.settings.is_https())
}

/// The session cookie (or, with `None`, one that deletes it): `HttpOnly`, `SameSite=Strict`,
/// `Secure` when the server is reached over HTTPS (or `session.secure` says so).
pub fn session_cookie(state: &AppState, id: Option<&str>) -> Cookie<'static> {
    let settings = &state.settings.session;
    let max_age = match id {
        Some(_) => state.sessions.max_age().num_seconds(),
        None => 0,
    };
    cookies::build(
        &settings.cookie_name,
        id.unwrap_or_default().to_owned(),
        max_age,
        cookies::Attrs {
            path: "/",
            same_site: SameSite::Strict,
            http_only: true,
            secure: secure_cookies(state),
        },
    )
}

/// Ends the session of a request, if it has one, and audits the logout. The caller deletes
/// the cookie with [`session_cookie`].
pub async fn sign_out(
    state: &AppState,
    client: ClientAddr,
    request_id: &RequestId,
    headers: &axum::http::HeaderMap,
) -> Result<(), ApiError> {
    if let Some(id) = super::session_cookie(headers, &state.settings.session.cookie_name) {
        if let Some(session) = state.sessions.get(&id).await? {
            let (ctx, entry) = login_audit(
                request_id,
                client,
                &session.username,
                "user.logout",
                serde_json::json!({}),
            );
            state.store.append_audit(&ctx, &entry).await?;
        }
        state.sessions.remove(&id).await?;
    }
    Ok(())
}
