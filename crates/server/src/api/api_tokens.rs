//! `/api/v1/api-tokens`: admins make tokens for automation and integrations (shown once),
//! list them (never the secret) and revoke them.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use imsbridge_service::tokens::{self, ApiTokenView, CreateApiToken, CreatedApiToken};

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Json, Path};
use crate::state::AppState;

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
    Ok(Json(state.services.list_api_tokens(&caller).await?))
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
    Ok(Json(state.services.get_api_token(&caller, &id).await?))
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
    let (details, secret) = state.services.create_api_token(&caller, &body).await?;
    let body = CreatedApiToken {
        token: tokens::reveal(&secret),
        details,
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
    state.services.revoke_api_token(&caller, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
