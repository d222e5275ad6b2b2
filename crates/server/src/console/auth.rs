//! Sign in, sign out and the language switch. Signing in and out go through the API's own
//! session handlers, so throttling, auditing and the cookie are the same.

use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use imsbridge_domain::SecretString;
use serde::Deserialize;

use super::flash::Flash;
use super::i18n::{Lang, PageLang, Texts};
use super::pages::LoginPage;
use super::view::{Chrome, is_local_path};
use super::{Console, render, see_other, see_other_with};
use crate::auth::login;
use crate::auth::session_of;
use crate::http::{ClientAddr, RequestId, cookies};
use crate::state::AppState;

/// `?next=` of the login page.
#[derive(Debug, Deserialize)]
pub struct NextQuery {
    next: Option<String>,
    /// Why the last single sign-on failed (a kind, shown as a sentence).
    sso_error: Option<String>,
}

fn safe_next(next: Option<&str>) -> String {
    next.filter(|n| is_local_path(n) && n.starts_with("/console"))
        .unwrap_or("/console/integrations")
        .to_owned()
}

fn render_login(
    state: &AppState,
    lang: Lang,
    flash: Option<&Flash>,
    error: Option<String>,
    username: String,
    next: String,
    sso_error: Option<&str>,
) -> Response {
    let t = Texts(lang);
    let (sso, sso_message) = super::sso::login_view(state, lang, sso_error);
    let error = error.or(sso_message);
    let flash_view = match flash {
        Some(Flash::SignedOut) => Some(super::view::FlashView {
            kind: "info",
            title: t.get("signed_out").to_owned(),
            message: String::new(),
            details: Vec::new(),
        }),
        _ => None,
    };
    let had_flash = flash_view.is_some();
    let page = LoginPage {
        page: Chrome::new(lang, None, String::new(), "")
            .titled(t.get("sign_in"))
            .at(super::view::link("/console/login", [("next", &next)]))
            .with_flash(flash_view),
        error,
        username,
        next,
        sso,
    };
    let response = render(&page);
    if had_flash {
        cookies::with(response, Flash::clear_cookie())
    } else {
        response
    }
}

/// `GET /console/login`.
pub async fn login_page(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    headers: HeaderMap,
    Query(q): Query<NextQuery>,
) -> Response {
    let next = safe_next(q.next.as_deref());
    if matches!(session_of(&state, &headers).await, Ok(Some(_))) {
        return see_other(&next);
    }
    render_login(
        &state,
        lang,
        Flash::from_headers(&headers).as_ref(),
        None,
        String::new(),
        next,
        q.sso_error.as_deref(),
    )
}

/// The login form.
#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    next: Option<String>,
}

/// `POST /console/login`: the shared sign-in; on success 303 to where the user was going.
pub async fn login(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    client: ClientAddr,
    request_id: RequestId,
    Form(form): Form<LoginForm>,
) -> Response {
    let next = safe_next(form.next.as_deref());
    let result = login::sign_in(
        &state,
        client,
        &request_id,
        &form.username,
        SecretString::from(form.password),
    )
    .await;
    match result {
        Ok((id, _)) => cookies::with(see_other(&next), login::session_cookie(&state, Some(&id))),
        Err(e) => {
            let t = Texts(lang);
            let message = match e.status() {
                StatusCode::UNAUTHORIZED => t.get("login_failed").to_owned(),
                // The only refusal of a right password: local sign-in is off for this user.
                StatusCode::FORBIDDEN => t.get("sso_local_login_off").to_owned(),
                StatusCode::TOO_MANY_REQUESTS => t.fmt(
                    "login_throttled",
                    &[("seconds", e.retry_after().unwrap_or(1).into())],
                ),
                _ => super::errors::error_text(t, e.body()),
            };
            let mut response =
                render_login(&state, lang, None, Some(message), form.username, next, None);
            *response.status_mut() = e.status();
            if let Some(secs) = e.retry_after() {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(secs));
            }
            response
        }
    }
}

/// The logout form.
#[derive(Deserialize)]
pub struct LogoutForm {
    csrf_token: Option<String>,
}

/// `POST /console/logout`: the shared sign-out, then back to the login page.
pub async fn logout(
    State(state): State<AppState>,
    console: Console,
    client: ClientAddr,
    request_id: RequestId,
    headers: HeaderMap,
    Form(form): Form<LogoutForm>,
) -> Response {
    if let Err(refused) = console.check_csrf(form.csrf_token.as_deref()) {
        return refused;
    }
    let response = see_other_with("/console/login", &Flash::SignedOut);
    match login::sign_out(&state, client, &request_id, &headers).await {
        Ok(()) => cookies::with(response, login::session_cookie(&state, None)),
        Err(e) => console.api_error_page(&e),
    }
}

/// `?lang=ko&next=/console/...`.
#[derive(Debug, Deserialize)]
pub struct LangQuery {
    lang: Option<String>,
    next: Option<String>,
}

/// `GET /console/lang`: remembers the chosen language for a year and returns to the page.
/// A preference only, so a GET link is fine (and works without JavaScript).
pub async fn switch_language(Query(q): Query<LangQuery>) -> Response {
    let next = q
        .next
        .as_deref()
        .filter(|n| is_local_path(n) && (n.starts_with("/console") || *n == "/"))
        .unwrap_or("/console/integrations")
        .to_owned();
    let response = see_other(&next);
    match q.lang.as_deref().and_then(Lang::parse) {
        Some(lang) => cookies::with(response, super::i18n::lang_cookie(lang)),
        None => response,
    }
}
