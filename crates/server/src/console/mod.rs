//! The web console: server-rendered pages for the seed's workflow (Tools › Security › Adobe
//! IMS Integrations: list, Create, Properties, the Authentication Type switch, Save & Close,
//! Check Health), the audit trail, users and API tokens, in English and Korean.
//!
//! The console owns no rules. Every change is an operation of the service layer
//! ([`imsbridge_service::Services`]), called with the signed-in user as the [`Caller`], as
//! the admin API calls it, so the console and the API cannot disagree. Forms post, the server answers 303 to a page that shows a flash message
//! (POST → 303 → GET); every form carries the session's CSRF token.

// Handlers answer refusals with a ready page (`Result<_, Response>`), axum's own idiom for
// rejections; boxing every refusal would only add noise.
#![allow(clippy::result_large_err)]

mod admin;
pub mod assets;
mod audit;
mod auth;
pub mod errors;
pub mod flash;
pub mod i18n;
mod import;
mod integrations;
pub mod pages;
mod readiness;
mod sso;
mod tools;
pub mod view;

use askama::Template;
use axum::Router;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use imsbridge_domain::Name;

use crate::auth::sessions::Session;
use crate::auth::{Caller, Principal, Role, audit_context, session_of};
use crate::error::ApiError;
use crate::http::cookies;
use crate::state::AppState;
use flash::Flash;
use i18n::{Lang, Texts};
use pages::ErrorPage;
use view::{Chrome, FlashView, UserChrome};

/// Every console route, to merge into the application's router.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(|| async { Redirect::to("/console/integrations") }))
        .route(
            "/console",
            get(|| async { Redirect::to("/console/integrations") }),
        )
        .route(
            "/console/",
            get(|| async { Redirect::to("/console/integrations") }),
        )
        .route("/console/assets/{file}", get(assets::serve))
        .route("/console/lang", get(auth::switch_language))
        .route("/console/login", get(auth::login_page).post(auth::login))
        .route("/console/logout", post(auth::logout))
        .route(
            "/console/integrations",
            get(integrations::list).post(integrations::create),
        )
        .route("/console/integrations/_new", get(integrations::new_form))
        .route(
            "/console/integrations/_selection",
            post(integrations::selection),
        )
        .route(
            "/console/integrations/{name}",
            get(integrations::properties).post(integrations::save),
        )
        .route(
            "/console/integrations/{name}/health",
            post(integrations::check_health),
        )
        .route(
            "/console/integrations/{name}/rotate-secret",
            post(integrations::rotate_secret),
        )
        .route(
            "/console/integrations/{name}/delete",
            get(integrations::confirm_delete).post(integrations::delete),
        )
        .route("/console/import", get(import::form).post(import::preview))
        .route("/console/import/apply", post(import::apply))
        .route("/console/audit", get(audit::page))
        .route("/console/readiness", get(readiness::page))
        .route("/console/tools", get(tools::page))
        .route("/console/users", get(admin::users).post(admin::add_user))
        .route("/console/users/{username}/delete", post(admin::remove_user))
        .route("/console/users/{username}/update", post(admin::update_user))
        .route("/console/tokens", get(admin::tokens).post(admin::new_token))
        .route("/console/tokens/{id}/revoke", post(admin::revoke_token))
        .merge(sso::router())
}

/// A signed-in request to a console page: who, in which language, and the flash it carries.
pub struct Console {
    /// The session.
    pub session: Session,
    /// The caller, as the API handlers take it.
    pub caller: Caller,
    /// The page language.
    pub lang: Lang,
    /// The request's path and query.
    pub path: String,
    /// The flash message from the previous request.
    pub flash: Option<Flash>,
    /// Whether this server lets an admin save OAuth details without verifying them with
    /// IMS (`server.allow_unverified_migration`).
    pub allow_unverified: bool,
}

impl FromRequestParts<AppState> for Console {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let lang = i18n::lang_of_request(parts);
        let path = parts
            .uri
            .path_and_query()
            .map_or_else(|| parts.uri.path().to_owned(), |p| p.as_str().to_owned());
        let session = match session_of(state, &parts.headers).await {
            Ok(session) => session,
            Err(e) => return Err(e.into_response()),
        };
        let Some(session) = session else {
            let next = if parts.method == axum::http::Method::GET {
                path
            } else {
                "/console/integrations".to_owned()
            };
            return Err(see_other(&view::link("/console/login", [("next", next)])));
        };
        let principal = Principal::User {
            id: session.user_id,
            username: session.username.clone(),
            role: session.role,
        };
        let audit = audit_context(parts, principal.actor());
        Ok(Self {
            caller: Caller::new(principal, audit, Some(session.clone())),
            session,
            lang,
            path,
            flash: Flash::from_headers(&parts.headers),
            allow_unverified: state.services.policy.allow_unverified_migration,
        })
    }
}

impl Console {
    /// The labels of the page language.
    pub fn t(&self) -> Texts {
        Texts(self.lang)
    }

    /// The frame of a page under navigation item `nav`.
    pub fn chrome(&self, nav: &'static str) -> Chrome {
        Chrome::new(
            self.lang,
            Some(UserChrome {
                username: self.session.username.clone(),
                admin: self.session.role == Role::Admin,
            }),
            self.session.csrf_token.clone(),
            nav,
        )
        .at(self.path.clone())
    }

    /// Refuses a form whose CSRF token is not this session's.
    pub fn check_csrf(&self, presented: Option<&str>) -> Result<(), Response> {
        if presented.is_some_and(|p| self.session.csrf_matches(p)) {
            Ok(())
        } else {
            Err(self.error_page(
                StatusCode::FORBIDDEN,
                self.t().get("csrf_failed").to_owned(),
            ))
        }
    }

    /// An error page.
    pub fn error_page(&self, status: StatusCode, message: String) -> Response {
        let page = ErrorPage {
            page: self.chrome("").titled(self.t().get("error_heading")),
            message,
        };
        let mut response = render(&page);
        *response.status_mut() = status;
        response
    }

    /// The error page for an API error: what the API would have said, in the page's frame.
    /// A server-side failure keeps its cause for the log.
    pub fn api_error_page(&self, e: &ApiError) -> Response {
        let t = self.t();
        let message = match e.status() {
            StatusCode::NOT_FOUND => t.get("not_found").to_owned(),
            StatusCode::FORBIDDEN => t.get("forbidden").to_owned(),
            s if s.is_server_error() => t.get("internal_error").to_owned(),
            _ => errors::error_text(t, e.body()),
        };
        let mut response = self.error_page(e.status(), message);
        if let Some(cause) = e.cause() {
            response
                .extensions_mut()
                .insert(crate::error::ErrorCause(cause.clone()));
        }
        response
    }

    /// The error page for an operation's error, with the status the API would answer.
    pub fn service_error_page(&self, e: imsbridge_service::ServiceError) -> Response {
        self.api_error_page(&ApiError::from(e))
    }

    /// The flash of this request, in the page language (health results are read back from
    /// the store, so that IMS's own reason and debug id are shown).
    pub async fn flash_view(&self, state: &AppState) -> Option<FlashView> {
        let t = self.t();
        let simple = |kind: &'static str, title: &str, message: String| FlashView {
            kind,
            title: title.to_owned(),
            message,
            details: Vec::new(),
        };
        Some(match self.flash.as_ref()? {
            Flash::Created(title) => simple("success", t.get("flash_created"), title.clone()),
            Flash::Saved(title) => simple("success", t.get("flash_saved"), title.clone()),
            Flash::Migrated(title) => simple("success", t.get("flash_migrated"), title.clone()),
            Flash::Deleted(title) => simple("success", t.get("flash_deleted"), title.clone()),
            Flash::SignedOut => simple("info", t.get("signed_out"), String::new()),
            Flash::SelectFirst => simple("info", t.get("select_hint"), String::new()),
            Flash::UserAdded(name) => simple("success", t.get("flash_user_added"), name.clone()),
            Flash::UserRemoved(name) => {
                simple("success", t.get("flash_user_removed"), name.clone())
            }
            Flash::UserUpdated(name) => {
                simple("success", t.get("flash_user_updated"), name.clone())
            }
            Flash::TokenRevoked(name) => {
                simple("success", t.get("flash_token_revoked"), name.clone())
            }
            Flash::CsrfFailed => simple("error", t.get("csrf_failed"), String::new()),
            Flash::Unchanged => simple("info", t.get("flash_unchanged"), String::new()),
            Flash::Health(name) => {
                let name = Name::parse(name).ok()?;
                let summary = state.store.get_config_summary(&name).await.ok()??;
                let health = summary.health?;
                let ok = health.status == imsbridge_domain::HealthStatus::Healthy;
                let mut details = vec![(t.get("title").to_owned(), summary.title.to_string())];
                if !ok {
                    if let Some(code) = health.error_code.clone() {
                        details.push((t.get("ims_error").to_owned(), code));
                    }
                    if let Some(id) = health.debug_id.clone() {
                        details.push((t.get("debug_id").to_owned(), id));
                    }
                }
                FlashView {
                    kind: if ok { "success" } else { "error" },
                    title: if ok {
                        t.get("health_success").to_owned()
                    } else {
                        t.get("flash_health_failed").to_owned()
                    },
                    message: if ok {
                        String::new()
                    } else {
                        health.message.clone()
                    },
                    details,
                }
            }
        })
    }

    /// Renders a page and, if it showed a flash, clears the flash cookie.
    pub fn page(&self, template: &impl Template) -> Response {
        let response = render(template);
        if self.flash.is_some() {
            cookies::with(response, Flash::clear_cookie())
        } else {
            response
        }
    }
}

/// Renders a template as HTML (500 with a plain message if rendering fails).
pub fn render(template: &impl Template) -> Response {
    match template.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "a console template failed to render");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "the page could not be rendered; it has been logged",
            )
                .into_response()
        }
    }
}

/// 303 See Other to `location`.
pub fn see_other(location: &str) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(value) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

/// 303 to `location`, carrying a flash message.
pub fn see_other_with(location: &str, flash: &Flash) -> Response {
    cookies::with(see_other(location), flash.cookie())
}
