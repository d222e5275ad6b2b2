//! Who is calling, and what they may do.
//!
//! Two ways in: `Authorization: Bearer ibt_…` API tokens (automation, integrations), and a
//! session cookie set by `POST /api/v1/session` (people, the console). Requests that change
//! something with a session cookie must also carry the session's CSRF token, since a browser
//! sends cookies on its own; bearer tokens are never sent implicitly, so they need none.

pub mod address_limit;
pub mod api_tokens;
pub mod hashing;
pub mod login;
pub mod passwords;
pub mod rate_limit;
pub mod sessions;
pub mod sso;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, header};
use chrono::Duration;
use imsbridge_domain::Name;
use imsbridge_store::AuditContext;
pub use imsbridge_store::Role;
use uuid::Uuid;

use crate::error::ApiError;
use crate::http::{ClientAddr, RequestId};
use crate::state::AppState;
use api_tokens::TokenScope;
use sessions::Session;

/// The header that carries the CSRF token on API requests made with a session cookie.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// An authenticated caller.
#[derive(Debug, Clone)]
pub enum Principal {
    /// A person, through a session.
    User {
        /// The user's id.
        id: Uuid,
        /// The user's name.
        username: String,
        /// The user's role.
        role: Role,
    },
    /// A machine, through an API token.
    Token {
        /// The token's id.
        id: Uuid,
        /// The token's label.
        name: String,
        /// What it may do.
        scope: TokenScope,
        /// The user who made the token.
        created_by: Option<Uuid>,
    },
}

impl Principal {
    /// The name recorded in the audit log: a user name, or `api-token:<label>`.
    pub fn actor(&self) -> String {
        match self {
            Self::User { username, .. } => username.clone(),
            Self::Token { name, .. } => format!("api-token:{name}"),
        }
    }

    /// Whether it may read the admin API.
    pub fn can_read(&self) -> bool {
        match self {
            Self::User { .. } => true,
            Self::Token { scope, .. } => matches!(scope, TokenScope::Admin | TokenScope::Read),
        }
    }

    /// Whether it may change things.
    pub fn is_admin(&self) -> bool {
        match self {
            Self::User { role, .. } => *role == Role::Admin,
            Self::Token { scope, .. } => *scope == TokenScope::Admin,
        }
    }

    /// Whether it may fetch access tokens of integration `name`.
    pub fn can_fetch_token(&self, name: &Name) -> bool {
        match self {
            Self::User { role, .. } => *role == Role::Admin,
            Self::Token { scope, .. } => scope.allows_token_for(name),
        }
    }

    /// The user behind this caller (a token's maker), for ownership of new tokens.
    pub fn user_id(&self) -> Option<Uuid> {
        match self {
            Self::User { id, .. } => Some(*id),
            Self::Token { created_by, .. } => *created_by,
        }
    }
}

/// An authenticated request: who, and the audit context of what they do.
#[derive(Debug, Clone)]
pub struct Caller {
    /// Who.
    pub principal: Principal,
    /// Actor, request id and client address, for the audit log.
    pub audit: AuditContext,
    /// The session, when the caller came with a cookie.
    pub session: Option<Session>,
}

impl Caller {
    /// Refuses callers that may not read.
    pub fn require_read(&self) -> Result<(), ApiError> {
        if self.principal.can_read() {
            Ok(())
        } else {
            Err(ApiError::forbidden(
                "this API token may only fetch access tokens of its integrations; use a token with scope read or admin",
            ))
        }
    }

    /// Refuses callers that are not admins.
    pub fn require_admin(&self) -> Result<(), ApiError> {
        if self.principal.is_admin() {
            Ok(())
        } else {
            Err(ApiError::forbidden(
                "this needs the admin role (or an API token with scope admin); viewers and read tokens may only read",
            ))
        }
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
pub fn session_cookie<'h>(headers: &'h HeaderMap, cookie_name: &str) -> Option<&'h str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == cookie_name)
        .map(|(_, v)| v.trim_matches('"'))
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
    Ok(state.sessions.get(id).await?)
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
            return Ok(Self {
                principal,
                audit,
                session: None,
            });
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
                    "csrf",
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
        Ok(Self {
            principal,
            audit,
            session: Some(session),
        })
    }
}
