//! `/api/v1/users` (admins manage people) and `/api/v1/me` (anyone sees and changes their
//! own account).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use imsbridge_service::users::{
    self, ChangePassword, CreateUser, CreatedUser, UpdateUser, UserView,
};
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::{Caller, Principal};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Json, Path};
use crate::state::AppState;

/// Who the caller is.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeView {
    /// `user` or `api_token`.
    pub kind: String,
    /// User name or token label.
    pub name: String,
    /// A user's role.
    pub role: Option<String>,
    /// A token's scope.
    pub scope: Option<String>,
    /// Whether the caller may change things.
    pub admin: bool,
}

/// Lists users.
#[utoipa::path(
    get, path = "/api/v1/users", tag = "users",
    responses(
        (status = 200, description = "Users", body = Vec<UserView>),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not allowed", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<UserView>>, ApiError> {
    let users = state.services.list_users(&caller).await?;
    Ok(Json(users.iter().map(UserView::from).collect()))
}

/// Reads one user.
#[utoipa::path(
    get, path = "/api/v1/users/{username}", tag = "users",
    params(("username" = String, Path, description = "User name")),
    responses(
        (status = 200, description = "The user", body = UserView),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not allowed", body = ErrorBody),
        (status = 404, description = "No such user", body = ErrorBody),
        (status = 422, description = "Invalid user name", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path(username): Path<String>,
) -> Result<Json<UserView>, ApiError> {
    let user = state.services.get_user(&caller, &username).await?;
    Ok(Json(UserView::from(&user)))
}

/// Creates a user.
#[utoipa::path(
    post, path = "/api/v1/users", tag = "users",
    request_body = CreateUser,
    responses(
        (status = 201, description = "Created", body = CreatedUser),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 409, description = "User name taken", body = ErrorBody),
        (status = 422, description = "Invalid field", body = ErrorBody),
        (status = 429, description = "The server is busy checking other passwords (`server_busy`, `Retry-After`)", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<CreateUser>,
) -> Result<Response, ApiError> {
    let (user, one_time) = state.services.create_user(&caller, &body).await?;
    let body = CreatedUser {
        user: UserView::from(&user),
        one_time_password: one_time.as_ref().map(users::reveal),
    };
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// Changes a user's role, password or disabled flag. Their sessions end.
#[utoipa::path(
    patch, path = "/api/v1/users/{username}", tag = "users",
    params(("username" = String, Path, description = "User name")),
    request_body = UpdateUser,
    responses(
        (status = 200, description = "Updated", body = UserView),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 404, description = "No such user", body = ErrorBody),
        (status = 409, description = "Would leave no admin", body = ErrorBody),
        (status = 422, description = "Invalid field", body = ErrorBody),
        (status = 429, description = "The server is busy checking other passwords (`server_busy`, `Retry-After`)", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(username): Path<String>,
    Json(body): Json<UpdateUser>,
) -> Result<Json<UserView>, ApiError> {
    let user = state
        .services
        .update_user(&caller, &username, &body)
        .await?;
    Ok(Json(UserView::from(&user)))
}

/// Deletes a user and the API tokens they made.
#[utoipa::path(
    delete, path = "/api/v1/users/{username}", tag = "users",
    params(("username" = String, Path, description = "User name")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 404, description = "No such user", body = ErrorBody),
        (status = 409, description = "Yourself, or the last admin", body = ErrorBody),
        (status = 422, description = "Invalid user name", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    Path(username): Path<String>,
) -> Result<StatusCode, ApiError> {
    state.services.delete_user(&caller, &username).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Who the caller is.
#[utoipa::path(
    get, path = "/api/v1/me", tag = "users",
    responses(
        (status = 200, description = "The caller", body = MeView),
        (status = 401, description = "Not signed in", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn me(caller: Caller) -> Json<MeView> {
    let admin = caller.principal.is_admin();
    Json(match caller.actor.principal {
        Principal::User { username, role, .. } => MeView {
            kind: "user".into(),
            name: username,
            role: Some(role.key().to_owned()),
            scope: None,
            admin,
        },
        Principal::Token { name, scope, .. } => MeView {
            kind: "api_token".into(),
            name,
            role: None,
            scope: Some(scope.to_string()),
            admin,
        },
    })
}

/// Changes the caller's own password (session users; needs the current password).
#[utoipa::path(
    post, path = "/api/v1/me/password", tag = "users",
    request_body = ChangePassword,
    responses(
        (status = 204, description = "Changed; other sessions end"),
        (status = 400, description = "Malformed JSON, or not a user", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Current password wrong", body = ErrorBody),
        (status = 422, description = "New password too short", body = ErrorBody),
        (status = 429, description = "The server is busy checking other passwords (`server_busy`, `Retry-After`)", body = ErrorBody),
    ),
    security(("session" = []))
)]
pub async fn change_own_password(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<ChangePassword>,
) -> Result<StatusCode, ApiError> {
    state.services.change_own_password(&caller, &body).await?;
    Ok(StatusCode::NO_CONTENT)
}
