//! `/api/v1/api-tokens`: admins make tokens for automation and integrations (shown once),
//! list them (never the secret) and revoke them.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Duration, Utc};
use imsbridge_domain::ExposeSecret;
use imsbridge_store::{ApiToken, ApiTokenId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::auth::api_tokens::{self, IssueError};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Json, Path};
use crate::state::AppState;

/// An API token, without its secret.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiTokenView {
    /// Stable id.
    #[schema(value_type = String, format = Uuid)]
    pub id: uuid::Uuid,
    /// Label.
    pub name: String,
    /// The token's first characters, to recognise it.
    #[schema(example = "ibt_AbCdEfGh")]
    pub prefix: String,
    /// `admin`, `read`, or `token:<name>[,<name>…]`.
    pub scope: String,
    /// When it stops working.
    pub expires_at: Option<DateTime<Utc>>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// The id of the user who made it.
    #[schema(value_type = Option<String>, format = Uuid)]
    pub created_by: Option<uuid::Uuid>,
    /// Last use (to the minute).
    pub last_used_at: Option<DateTime<Utc>>,
    /// When it was revoked.
    pub revoked_at: Option<DateTime<Utc>>,
    /// Whether it works now.
    pub active: bool,
}

impl ApiTokenView {
    fn new(t: &ApiToken, now: DateTime<Utc>) -> Self {
        Self {
            id: t.id.as_uuid(),
            name: t.name.clone(),
            prefix: t.prefix.clone(),
            scope: t.scope.clone(),
            expires_at: t.expires_at,
            created_at: t.created_at,
            created_by: t.created_by.map(|u| u.as_uuid()),
            last_used_at: t.last_used_at,
            revoked_at: t.revoked_at,
            active: t.is_usable(now),
        }
    }
}

/// A new API token.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateApiToken {
    /// Label, 1 to 64 characters of plain text.
    #[schema(example = "ci-pipeline")]
    pub name: String,
    /// `admin`, `read`, or `token:<integration name>[,<name>…]`.
    #[schema(example = "token:target-production")]
    pub scope: String,
    /// Lifetime in days (default from the server's settings; at most its maximum).
    pub expires_in_days: Option<u32>,
}

/// A new API token with its secret, shown this once.
#[derive(Serialize, ToSchema)]
pub struct CreatedApiToken {
    /// The token: send it as `Authorization: Bearer …`. It is not shown again.
    pub token: String,
    /// Its details.
    #[serde(flatten)]
    pub details: ApiTokenView,
}

fn parse_id(raw: &str) -> Result<ApiTokenId, ApiError> {
    uuid::Uuid::parse_str(raw.trim())
        .map(ApiTokenId::from)
        .map_err(|_| {
            ApiError::invalid_field(
                "id",
                "id: is not an API token id (a UUID, as listed by GET /api/v1/api-tokens)",
            )
        })
}

/// Lists API tokens (never their secrets).
#[utoipa::path(
    get, path = "/api/v1/api-tokens", tag = "api-tokens",
    responses(
        (status = 200, description = "Tokens, newest first", body = Vec<ApiTokenView>),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<ApiTokenView>>, ApiError> {
    caller.require_admin()?;
    let now = state.clock.now();
    let tokens = state.store.list_api_tokens().await?;
    Ok(Json(
        tokens.iter().map(|t| ApiTokenView::new(t, now)).collect(),
    ))
}

async fn find(state: &AppState, raw: &str) -> Result<ApiToken, ApiError> {
    let id = parse_id(raw)?;
    state
        .store
        .list_api_tokens()
        .await?
        .into_iter()
        .find(|t| t.id == id)
        .ok_or_else(|| ApiError::not_found(format!("the API token {id}")))
}

/// Reads one API token.
#[utoipa::path(
    get, path = "/api/v1/api-tokens/{id}", tag = "api-tokens",
    params(("id" = String, Path, description = "Token id")),
    responses(
        (status = 200, description = "The token", body = ApiTokenView),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 404, description = "No such token", body = ErrorBody),
        (status = 422, description = "Invalid id", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<ApiTokenView>, ApiError> {
    caller.require_admin()?;
    let token = find(&state, &id).await?;
    Ok(Json(ApiTokenView::new(&token, state.clock.now())))
}

/// Makes an API token. The secret is in this answer only.
#[utoipa::path(
    post, path = "/api/v1/api-tokens", tag = "api-tokens",
    request_body = CreateApiToken,
    responses(
        (status = 201, description = "Created; copy the token now", body = CreatedApiToken),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 422, description = "Invalid name, scope or lifetime", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<CreateApiToken>,
) -> Result<Response, ApiError> {
    caller.require_admin()?;
    let name = body.name.trim();
    if name.is_empty() || name.chars().count() > 64 || name.chars().any(char::is_control) {
        return Err(ApiError::invalid_field(
            "name",
            "name: must be 1 to 64 characters of plain text (for example ci-pipeline)",
        ));
    }
    let max = state.settings.api_token_max_ttl_days.max(1);
    let days = body
        .expires_in_days
        .unwrap_or(state.settings.api_token_default_ttl_days)
        .min(max.max(1));
    if body.expires_in_days.is_some_and(|d| d == 0 || d > max) {
        return Err(ApiError::invalid_field(
            "expires_in_days",
            format!("expires_in_days: must be between 1 and {max}"),
        ));
    }
    let expires_at = state.clock.now() + Duration::days(i64::from(days.max(1)));
    let created_by = caller.principal.user_id().map(Into::into);
    let result = api_tokens::issue(
        &state.store,
        name,
        &body.scope,
        Some(expires_at),
        created_by,
        &caller.audit,
    )
    .await;
    let (token, secret) = match result {
        Ok(pair) => pair,
        Err(IssueError::Scope(problem)) => {
            return Err(ApiError::invalid_field(
                "scope",
                format!("scope: {problem}"),
            ));
        }
        // The maker was deleted in the meantime: make the token without an owner.
        Err(IssueError::Store(imsbridge_store::StoreError::NotFound(_))) => api_tokens::issue(
            &state.store,
            name,
            &body.scope,
            Some(expires_at),
            None,
            &caller.audit,
        )
        .await
        .map_err(|e| match e {
            IssueError::Scope(p) => ApiError::invalid_field("scope", p),
            IssueError::Store(s) => s.into(),
        })?,
        Err(IssueError::Store(e)) => return Err(e.into()),
    };
    let body = CreatedApiToken {
        token: secret.expose_secret().to_owned(),
        details: ApiTokenView::new(&token, state.clock.now()),
    };
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// Revokes an API token at once.
#[utoipa::path(
    delete, path = "/api/v1/api-tokens/{id}", tag = "api-tokens",
    params(("id" = String, Path, description = "Token id")),
    responses(
        (status = 204, description = "Revoked"),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 404, description = "No such token", body = ErrorBody),
        (status = 422, description = "Invalid id", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn revoke(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    caller.require_admin()?;
    let id = parse_id(&id)?;
    state.store.revoke_api_token(id, &caller.audit).await?;
    Ok(StatusCode::NO_CONTENT)
}
