//! Users and API tokens, for admins. Each change is an operation of the service layer,
//! called with the signed-in user; a new token is shown once, in the answer to the form that
//! made it.

use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use imsbridge_domain::SecretString;
use serde::Deserialize;

use super::flash::Flash;
use super::i18n::Texts;
use super::pages::{TokenRowView, TokensPage, UserRowView, UsersPage};
use super::view::{FieldView, OptionView, format_time, iso_time};
use super::{Console, see_other_with};
use crate::auth::Role;
use crate::error::ApiError;
use crate::extract::Path;
use crate::state::AppState;
use imsbridge_service::tokens::{self, CreateApiToken};
use imsbridge_service::users::{CreateUser, UpdateUser};

fn require_admin(console: &Console) -> Result<(), Response> {
    if console.caller.principal.is_admin() {
        Ok(())
    } else {
        Err(console.error_page(
            StatusCode::FORBIDDEN,
            console.t().get("forbidden").to_owned(),
        ))
    }
}

/// The message of `field`'s error in the page's language, when `e` names it.
fn field_error(t: Texts, e: &ApiError, field: &str) -> Option<String> {
    let body = e.body();
    body.errors
        .iter()
        .find(|x| x.field == field)
        .map(|x| super::errors::field_error_text(t, x))
        .or_else(|| {
            (body.field.as_deref() == Some(field)).then(|| super::errors::error_text(t, body))
        })
}

// ---------------------------------------------------------------------------------------
// Users
// ---------------------------------------------------------------------------------------

/// The add-user form.
#[derive(Debug, Default, Deserialize)]
pub struct UserForm {
    csrf_token: Option<String>,
    username: Option<String>,
    role: Option<String>,
    password: Option<String>,
}

fn user_fields(t: Texts, form: &UserForm, error: Option<&ApiError>) -> Vec<FieldView> {
    let role = form.role.clone().unwrap_or_else(|| "viewer".to_owned());
    let unplaced = error.filter(|e| {
        !matches!(
            e.body().field.as_deref(),
            Some("username" | "role" | "password")
        )
    });
    vec![
        FieldView::text(
            t,
            "username",
            t.get("username"),
            form.username.clone().unwrap_or_default(),
        )
        .required()
        .error(
            error
                .and_then(|e| field_error(t, e, "username"))
                .or_else(|| unplaced.map(|e| super::errors::error_text(t, e.body()))),
        ),
        FieldView::select(
            t,
            "role",
            t.get("role"),
            vec![
                OptionView::new("viewer", t.get("role_viewer"), &role),
                OptionView::new("admin", t.get("role_admin"), &role),
            ],
        )
        .error(error.and_then(|e| field_error(t, e, "role"))),
        FieldView::secret(t, "password", t.get("password"))
            .required()
            .error(error.and_then(|e| field_error(t, e, "password"))),
    ]
}

async fn users_page(
    state: &AppState,
    console: &Console,
    form: &UserForm,
    error: Option<&ApiError>,
) -> Response {
    let t = console.t();
    let users = match state.services.list_users(&console.caller).await {
        Ok(u) => u,
        Err(e) => return console.service_error_page(e),
    };
    let how = match state.store.users_sign_in().await {
        Ok(h) => h,
        Err(e) => return console.api_error_page(&ApiError::from(e)),
    };
    let s = Texts(console.lang);
    let rows = users
        .iter()
        .map(|u| UserRowView {
            id: u.id.as_uuid().to_string(),
            username: u.username.clone(),
            role: if u.role == Role::Admin {
                t.get("role_admin")
            } else {
                t.get("role_viewer")
            },
            is_admin: u.role == Role::Admin,
            disabled: u.disabled,
            created: format_time(u.created_at),
            created_iso: iso_time(u.created_at),
            is_self: u.id.as_uuid() == console.session.user_id,
            sign_in: match how.get(&u.id) {
                Some(h) if h.sso_issuer.is_some() => s.get("sso_sso"),
                Some(h) if h.break_glass => s.get("sso_break_glass"),
                _ => s.get("sso_local"),
            },
            break_glass: how.get(&u.id).is_some_and(|h| h.break_glass),
        })
        .collect();
    let flash = console.flash_view(state).await;
    let page = UsersPage {
        page: console
            .chrome("users")
            .titled(t.get("users"))
            .with_flash(flash),
        users: rows,
        fields: user_fields(t, form, error),
        sign_in_column: s.get("sso_sign_in_column"),
    };
    let mut response = console.page(&page);
    if let Some(e) = error {
        *response.status_mut() = e.status();
    }
    response
}

/// `GET /console/users`.
pub async fn users(State(state): State<AppState>, console: Console) -> Response {
    if let Err(refused) = require_admin(&console) {
        return refused;
    }
    users_page(&state, &console, &UserForm::default(), None).await
}

/// `POST /console/users`.
pub async fn add_user(
    State(state): State<AppState>,
    console: Console,
    Form(form): Form<UserForm>,
) -> Response {
    if let Err(refused) = console.check_csrf(form.csrf_token.as_deref()) {
        return refused;
    }
    let username = form.username.clone().unwrap_or_default();
    let body = CreateUser {
        username: username.clone(),
        role: form.role.clone().unwrap_or_else(|| "viewer".to_owned()),
        password: form
            .password
            .clone()
            .filter(|p| !p.is_empty())
            .map(SecretString::from),
        break_glass: false,
    };
    if body.password.is_none() {
        let e = ApiError::invalid_field("password", console.t().get("missing_value"));
        return users_page(&state, &console, &form, Some(&e)).await;
    }
    match state.services.create_user(&console.caller, &body).await {
        Ok(_) => see_other_with("/console/users", &Flash::UserAdded(username)),
        Err(e) => {
            let e = ApiError::from(e);
            if e.status() == StatusCode::FORBIDDEN || e.status().is_server_error() {
                return console.api_error_page(&e);
            }
            users_page(&state, &console, &form, Some(&e)).await
        }
    }
}

/// A form with only the CSRF token.
#[derive(Debug, Deserialize)]
pub struct CsrfOnly {
    csrf_token: Option<String>,
}

/// A row's role or status button: one of the two fields.
#[derive(Debug, Deserialize)]
pub struct UserUpdateForm {
    csrf_token: Option<String>,
    role: Option<String>,
    disabled: Option<bool>,
}

/// `POST /console/users/{username}/update`: the API's update (which keeps the last admin and
/// ends the user's sessions).
pub async fn update_user(
    State(state): State<AppState>,
    console: Console,
    Path(username): Path<String>,
    Form(form): Form<UserUpdateForm>,
) -> Response {
    if let Err(refused) = console.check_csrf(form.csrf_token.as_deref()) {
        return refused;
    }
    let body = UpdateUser {
        role: form.role,
        disabled: form.disabled,
        password: None,
    };
    match state
        .services
        .update_user(&console.caller, &username, &body)
        .await
    {
        Ok(_) => see_other_with("/console/users", &Flash::UserUpdated(username)),
        Err(e) => console.service_error_page(e),
    }
}

/// `POST /console/users/{username}/delete`.
pub async fn remove_user(
    State(state): State<AppState>,
    console: Console,
    Path(username): Path<String>,
    Form(form): Form<CsrfOnly>,
) -> Response {
    if let Err(refused) = console.check_csrf(form.csrf_token.as_deref()) {
        return refused;
    }
    match state.services.delete_user(&console.caller, &username).await {
        Ok(_) => see_other_with("/console/users", &Flash::UserRemoved(username)),
        Err(e) => console.service_error_page(e),
    }
}

// ---------------------------------------------------------------------------------------
// API tokens
// ---------------------------------------------------------------------------------------

/// The new-token form.
#[derive(Debug, Default, Deserialize)]
pub struct TokenForm {
    csrf_token: Option<String>,
    name: Option<String>,
    scope: Option<String>,
    expires_in_days: Option<String>,
}

fn token_fields(t: Texts, form: &TokenForm, error: Option<&ApiError>) -> Vec<FieldView> {
    let unplaced = error.filter(|e| {
        !matches!(
            e.body().field.as_deref(),
            Some("name" | "scope" | "expires_in_days")
        )
    });
    vec![
        FieldView::text(
            t,
            "name",
            t.get("token_name"),
            form.name.clone().unwrap_or_default(),
        )
        .required()
        .placeholder("ci-pipeline")
        .error(
            error
                .and_then(|e| field_error(t, e, "name"))
                .or_else(|| unplaced.map(|e| super::errors::error_text(t, e.body()))),
        ),
        FieldView::text(
            t,
            "scope",
            t.get("token_scope"),
            form.scope.clone().unwrap_or_else(|| "read".to_owned()),
        )
        .required()
        .mono()
        .hint("admin · read · token:<name>[,<name>…]")
        .error(error.and_then(|e| field_error(t, e, "scope"))),
        FieldView::text(
            t,
            "expires_in_days",
            t.get("token_expires"),
            form.expires_in_days
                .clone()
                .unwrap_or_else(|| "90".to_owned()),
        )
        .hint(t.get("days"))
        .error(error.and_then(|e| field_error(t, e, "expires_in_days"))),
    ]
}

async fn tokens_page(
    state: &AppState,
    console: &Console,
    form: &TokenForm,
    error: Option<&ApiError>,
    new_token: Option<String>,
) -> Response {
    let t = console.t();
    let views = match state.services.list_api_tokens(&console.caller).await {
        Ok(v) => v,
        Err(e) => return console.service_error_page(e),
    };
    let tokens = views
        .iter()
        .map(|v| TokenRowView {
            id: v.id.to_string(),
            name: v.name.clone(),
            prefix: v.prefix.clone(),
            scope: match v.scope.as_str() {
                "read" => t.get("token_scope_read").to_owned(),
                "admin" => t.get("token_scope_admin").to_owned(),
                other => other.to_owned(),
            },
            created: format_time(v.created_at),
            last_used: v
                .last_used_at
                .map_or_else(|| t.get("never").to_owned(), format_time),
            revoked: v.revoked_at.is_some(),
        })
        .collect();
    let flash = console.flash_view(state).await;
    let page = TokensPage {
        page: console
            .chrome("tokens")
            .titled(t.get("api_tokens"))
            .with_flash(flash),
        new_token,
        tokens,
        fields: token_fields(t, form, error),
    };
    let mut response = console.page(&page);
    if let Some(e) = error {
        *response.status_mut() = e.status();
    }
    response
}

/// `GET /console/tokens`.
pub async fn tokens(State(state): State<AppState>, console: Console) -> Response {
    if let Err(refused) = require_admin(&console) {
        return refused;
    }
    tokens_page(&state, &console, &TokenForm::default(), None, None).await
}

/// `POST /console/tokens`: makes a token and shows it, this once, in the answer.
pub async fn new_token(
    State(state): State<AppState>,
    console: Console,
    Form(form): Form<TokenForm>,
) -> Response {
    if let Err(refused) = console.check_csrf(form.csrf_token.as_deref()) {
        return refused;
    }
    let days = match form
        .expires_in_days
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty())
    {
        None => None,
        Some(d) => {
            let Ok(n) = d.parse::<u32>() else {
                let e =
                    ApiError::invalid_field("expires_in_days", console.t().get("missing_value"));
                return tokens_page(&state, &console, &form, Some(&e), None).await;
            };
            Some(n)
        }
    };
    let body = CreateApiToken {
        name: form.name.clone().unwrap_or_default(),
        scope: form.scope.clone().unwrap_or_default(),
        expires_in_days: days,
    };
    match state
        .services
        .create_api_token(&console.caller, &body)
        .await
    {
        Ok((_, secret)) => {
            let token = Some(tokens::reveal(&secret));
            let mut page = tokens_page(&state, &console, &TokenForm::default(), None, token).await;
            *page.status_mut() = StatusCode::CREATED;
            page
        }
        Err(e) => {
            let e = ApiError::from(e);
            if e.status() == StatusCode::FORBIDDEN || e.status().is_server_error() {
                return console.api_error_page(&e);
            }
            tokens_page(&state, &console, &form, Some(&e), None).await
        }
    }
}

/// `POST /console/tokens/{id}/revoke`.
pub async fn revoke_token(
    State(state): State<AppState>,
    console: Console,
    Path(id): Path<String>,
    Form(form): Form<CsrfOnly>,
) -> Response {
    if let Err(refused) = console.check_csrf(form.csrf_token.as_deref()) {
        return refused;
    }
    let name = match state.services.get_api_token(&console.caller, &id).await {
        Ok(token) => token.name,
        Err(e) => return console.service_error_page(e),
    };
    match state.services.revoke_api_token(&console.caller, &id).await {
        Ok(()) => see_other_with("/console/tokens", &Flash::TokenRevoked(name)),
        Err(e) => console.service_error_page(e),
    }
}
