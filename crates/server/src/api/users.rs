//! `/api/v1/users` (admins manage people) and `/api/v1/me` (anyone sees and changes their
//! own account).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use imsbridge_domain::{ExposeSecret, SecretString};
use imsbridge_service::{ErrorCode, Resource, ServiceError};
use imsbridge_store::{NewUser, Role, User, UserUpdate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::hashing::Lane;
use crate::auth::{Caller, Principal, passwords};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Json, Path};
use crate::state::AppState;

/// A user, without the password hash.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserView {
    /// Stable id.
    #[schema(value_type = String, format = Uuid)]
    pub id: uuid::Uuid,
    /// Login name.
    pub username: String,
    /// `admin` or `viewer`.
    pub role: String,
    /// A disabled user cannot log in.
    pub disabled: bool,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<&User> for UserView {
    fn from(u: &User) -> Self {
        Self {
            id: u.id.as_uuid(),
            username: u.username.clone(),
            role: u.role.key().to_owned(),
            disabled: u.disabled,
            created_at: u.created_at,
            updated_at: u.updated_at,
        }
    }
}

/// A new user.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUser {
    /// Login name: 1 to 64 letters, digits, '.', '_', '-' or '@'.
    #[schema(example = "alice")]
    pub username: String,
    /// `admin` or `viewer`.
    #[schema(example = "viewer")]
    pub role: String,
    /// The password (at least 12 characters); when absent a one-time password is made and
    /// returned once.
    #[schema(value_type = Option<String>, format = Password)]
    pub password: Option<SecretString>,
}

/// A new user, with the one-time password when one was made.
#[derive(Serialize, ToSchema)]
pub struct CreatedUser {
    /// The user.
    pub user: UserView,
    /// Shown once; give it to the user.
    pub one_time_password: Option<String>,
}

/// Changes to a user.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateUser {
    /// New role.
    pub role: Option<String>,
    /// New password (at least 12 characters).
    #[schema(value_type = Option<String>, format = Password)]
    pub password: Option<SecretString>,
    /// Disable or enable.
    pub disabled: Option<bool>,
}

/// A change of one's own password.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePassword {
    /// The current password.
    #[schema(value_type = String, format = Password)]
    pub current_password: SecretString,
    /// The new password (at least 12 characters).
    #[schema(value_type = String, format = Password)]
    pub new_password: SecretString,
}

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

/// Checks a user name's shape.
pub fn check_username(raw: &str) -> Result<String, ApiError> {
    let name = raw.trim();
    let ok = (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b'@'));
    if ok {
        Ok(name.to_owned())
    } else {
        Err(ApiError::invalid_field(
            "username",
            "username: must be 1 to 64 letters, digits, '.', '_', '-' or '@' (for example alice)",
        ))
    }
}

fn parse_role(raw: &str) -> Result<Role, ApiError> {
    Role::parse(raw).ok_or_else(|| {
        ApiError::invalid_field(
            "role",
            format!(
                "role: {} is not a role; use admin or viewer",
                imsbridge_domain::quoted(raw.trim())
            ),
        )
    })
}

fn password_policy(field: &'static str, p: &SecretString) -> Result<(), ApiError> {
    passwords::check_policy(p).map_err(|e| ApiError::invalid_field(field, format!("{field}: {e}")))
}

async fn hash(state: &AppState, p: SecretString) -> Result<String, ApiError> {
    Ok(state.hashing.hash(p).await?)
}

async fn find(state: &AppState, username: &str) -> Result<User, ApiError> {
    let username = check_username(username)?;
    state
        .store
        .get_user(&username)
        .await?
        .ok_or_else(|| ServiceError::not_found(Resource::User, &username).into())
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
    caller.require_read()?;
    let users = state.store.list_users().await?;
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
    caller.require_read()?;
    Ok(Json(UserView::from(&find(&state, &username).await?)))
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
    caller.require_admin()?;
    let username = check_username(&body.username)?;
    let role = parse_role(&body.role)?;
    let (password, one_time) = match body.password {
        Some(p) => {
            password_policy("password", &p)?;
            (p, false)
        }
        None => (passwords::generate(), true),
    };
    let password_hash = hash(&state, password.clone()).await?;
    let user = state
        .store
        .create_user(
            &NewUser {
                username,
                password_hash,
                role,
            },
            &caller.audit,
        )
        .await?;
    let body = CreatedUser {
        user: UserView::from(&user),
        one_time_password: one_time.then(|| password.expose_secret().to_owned()),
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
    caller.require_admin()?;
    let user = find(&state, &username).await?;
    let role = body.role.as_deref().map(parse_role).transpose()?;
    if let Some(p) = &body.password {
        password_policy("password", p)?;
    }
    let password_hash = match body.password {
        Some(p) => Some(hash(&state, p).await?),
        None => None,
    };
    // All of it in one transaction, which also keeps the last enabled admin.
    let update = UserUpdate {
        role,
        disabled: body.disabled,
        password_hash,
    };
    let user = state
        .store
        .update_user(user.id, &update, &caller.audit)
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
    caller.require_admin()?;
    let user = find(&state, &username).await?;
    if let Principal::User { id, .. } = &caller.principal
        && *id == user.id.as_uuid()
    {
        return Err(ApiError::conflict(
            ErrorCode::SelfDelete,
            "you cannot delete yourself; ask another admin",
        ));
    }
    state.store.delete_user(user.id, &caller.audit).await?;
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
    let Principal::User { id, .. } = &caller.principal else {
        return Err(ApiError::bad_request(
            ErrorCode::NotAUser,
            "API tokens have no password; log in as the user",
        ));
    };
    let user = state
        .store
        .get_user_by_id((*id).into())
        .await?
        .ok_or_else(|| ApiError::unauthenticated("your user no longer exists"))?;
    let current_ok = state
        .hashing
        .verify(
            body.current_password,
            Some(user.password_hash.clone()),
            Lane::Normal,
        )
        .await?;
    if !current_ok {
        return Err(ApiError::forbidden("the current password is wrong"));
    }
    password_policy("new_password", &body.new_password)?;
    let h = hash(&state, body.new_password).await?;
    state
        .store
        .set_password_hash(user.id, &h, &caller.audit)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
