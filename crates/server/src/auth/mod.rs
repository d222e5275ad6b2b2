//! Who is calling, and what they may do.
//!
//! Two ways in: `Authorization: Bearer ibt_…` API tokens (automation, integrations), and a
//! session cookie set by `POST /api/v1/session` (people, the console). Requests that change
//! something with a session cookie must also carry the session's CSRF token, since a browser
//! sends cookies on its own; bearer tokens are never sent implicitly, so they need none.

pub mod address_limit;
pub mod login;
pub mod rate_limit;
pub mod sessions;
pub mod sso;

pub use imsbridge_service::{api_tokens, hashing, passwords};

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, header};
use chrono::Duration;
use imsbridge_service::ErrorCode;
use imsbridge_store::AuditContext;
pub use imsbridge_store::Role;

use crate::error::ApiError;
use crate::http::{ClientAddr, RequestId};
use crate::state::AppState;
use api_tokens::TokenScope;
use sessions::Session;

/// The header that carries the CSRF token on API requests made with a session cookie.
pub const CSRF_HEADER: &str = "x-csrf-token";

pub use imsbridge_service::Principal;

/// An authenticated request: the operations' [`imsbridge_service::Caller`] (who, and the
/// audit context of what they do), and the session when it came with a cookie.
#[derive(Debug, Clone)]
pub struct Caller {
    /// Who, and the audit context.
    pub actor: imsbridge_service::Caller,
    /// The session, when the caller came with a cookie.
    pub session: Option<Session>,
}

impl Caller {
    /// A caller from its parts.
    pub fn new(principal: Principal, audit: AuditContext, session: Option<Session>) -> Self {
        Self {
            actor: imsbridge_service::Caller { principal, audit },
            session,
        }
    }
}

impl std::ops::Deref for Caller {
    type Target = imsbridge_service::Caller;

    fn deref(&self) -> &imsbridge_service::Caller {
        &self.actor
    }
}

/// The audit context of a request made by `actor`.
pub fn audit_context(parts: &Parts, actor: String) -> AuditContext {
    let request_id = parts
        .extensions
        .get::<RequestId>()
        .map(|r| r.as_str().to_owned());
    let client = ClientAddr::of(parts);
    AuditContext {
        actor,
        request_id,
        client_addr: client.0.map(|a| a.ip().to_string()),
    }
}

/// The value of the session cookie, if the request has one.
pub fn session_cookie(headers: &HeaderMap, cookie_name: &str) -> Option<String> {
    crate::http::cookies::read(headers, cookie_name)
}

/// The live session of a request, without any CSRF check (the console checks its forms'
/// tokens itself).
pub async fn session_of(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Option<Session>, ApiError> {
    let Some(id) = session_cookie(headers, &state.settings.session.cookie_name) else {
        return Ok(None);
    };
    Ok(state.sessions.get(&id).await?)
}

async fn from_bearer(state: &AppState, value: &str) -> Result<Principal, ApiError> {
    let bad = || {
        ApiError::unauthenticated(
            "the API token is not valid: it is unknown, expired or revoked; ask an admin for a new one",
        )
    };
    let Some(token) = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
        .map(str::trim)
    else {
        return Err(ApiError::unauthenticated(
            "the Authorization header must be \"Bearer ibt_…\" with an imsbridge API token",
        ));
    };
    if !api_tokens::looks_like_token(token) {
        return Err(bad());
    }
    let hash = api_tokens::hash(token);
    let stored = state
        .store
        .cached_api_token(&hash)
        .await
        .map_err(ApiError::from)?
        .ok_or_else(bad)?;
    let now = state.clock.now();
    if !api_tokens::hash_matches(&hash, &stored.token_hash) || !stored.is_usable(now) {
        return Err(bad());
    }
    let scope = TokenScope::parse(&stored.scope).map_err(|_| bad())?;
    // Recording every use would turn each read into a write; once a minute is enough to
    // tell live tokens from dead ones.
    if stored
        .last_used_at
        .is_none_or(|t| now - t > Duration::seconds(60))
        && let Err(e) = state.store.touch_api_token(stored.id).await
    {
        tracing::warn!(error = %e, "could not record an API token's use");
    }
    Ok(Principal::Token {
        id: stored.id.as_uuid(),
        name: stored.name.clone(),
        scope,
        created_by: stored.created_by.map(|u| u.as_uuid()),
    })
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if let Some(value) = parts.headers.get(header::AUTHORIZATION) {
            let value = value.to_str().map_err(|_| {
                ApiError::unauthenticated("the Authorization header is not readable text")
            })?;
            let principal = from_bearer(state, value).await?;
            let audit = audit_context(parts, principal.actor());
            return Ok(Self::new(principal, audit, None));
        }
        let Some(session) = session_of(state, &parts.headers).await? else {
            return Err(ApiError::unauthenticated(
                "sign in first: send \"Authorization: Bearer ibt_…\" with an API token, or log in with POST /api/v1/session",
            ));
        };
        let unsafe_method = !matches!(
            parts.method,
            Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE
        );
        if unsafe_method {
            let presented = parts
                .headers
                .get(CSRF_HEADER)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            if !session.csrf_matches(presented) {
                return Err(ApiError::new(
                    axum::http::StatusCode::FORBIDDEN,
                    ErrorCode::Csrf,
                    "changes made with a session cookie must carry the session's CSRF token in the X-CSRF-Token header (it is returned by POST /api/v1/session and GET /api/v1/session)",
                ));
            }
        }
        // The session was read with its user, so a removal, disabling or demotion made
        // elsewhere (the CLI, another replica) already shows.
        let principal = Principal::User {
            id: session.user_id,
            username: session.username.clone(),
            role: session.role,
        };
        let audit = audit_context(parts, principal.actor());
        Ok(Self::new(principal, audit, Some(session)))
    }
}
