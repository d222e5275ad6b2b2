//! `GET /auth/sso` starts a sign-in at the OpenID Connect provider; `GET /auth/callback`
//! finishes it, maps the claims to a role, starts the same store-backed session a password
//! sign-in does, and answers with a same-origin page that moves on to the console. (The
//! session cookie is `SameSite=Strict`: set on the answer to the provider's cross-site
//! redirect, it would not be sent on a redirect that followed; a navigation started by our
//! own page is same-site, so it is.)
//!
//! Every refusal goes back to the sign-in page as `?sso_error=<kind>`, shown there in the
//! reader's language; the details go to the log and the audit trail.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;
use axum_extra::extract::cookie::{Cookie, SameSite};
use imsbridge_store::{AuditContext, AuditEntry, Role, User};
use serde::Deserialize;

use super::i18n::{Lang, PageLang, Texts};
use super::view::Chrome;
use super::{render, see_other};
use crate::auth::login::{secure_cookies, session_cookie};
use crate::auth::sso::flow::{FLOW_COOKIE, FLOW_LIFETIME, FLOW_PATH};
use crate::auth::sso::{Flow, Sso, SsoError};
use crate::http::{ClientAddr, RequestId, cookies};
use crate::state::AppState;

/// Where a signed-in person lands.
const LANDING: &str = "/console/integrations";

/// The routes of single sign-on.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/auth/sso", get(start))
        .route("/auth/callback", get(callback))
}

/// The page that ends a sign-in and moves on to the console.
#[derive(Template)]
#[template(path = "console/sso_done.html")]
pub struct DonePage {
    /// Chrome (no user yet: the cookie takes effect on the next request).
    pub page: Chrome,
    /// Its words.
    pub s: Texts,
    /// Where it moves on to.
    pub next: &'static str,
}

/// The sign-in page's SSO part.
#[derive(Debug, Clone)]
pub struct SsoLogin {
    /// The button's text.
    pub label: String,
    /// Whether the password form is for break-glass accounts only.
    pub break_glass_only: bool,
    /// The words around it.
    pub s: Texts,
}

/// What the sign-in page shows of single sign-on in `lang`: the button, and the provider's
/// error from `?sso_error=` as a sentence.
pub fn login_view(
    state: &AppState,
    lang: Lang,
    error_kind: Option<&str>,
) -> (Option<SsoLogin>, Option<String>) {
    let s = Texts(lang);
    let error = error_kind
        .and_then(|k| super::i18n::sso_error(s, k))
        .map(str::to_owned);
    let view = state.sso.as_ref().map(|sso| SsoLogin {
        label: sso
            .config()
            .label
            .clone()
            .unwrap_or_else(|| s.get("sso_button").to_owned()),
        break_glass_only: !sso.config().allow_local_login,
        s,
    });
    (view, error)
}

fn flow_cookie(state: &AppState, flow: Option<&Flow>) -> Cookie<'static> {
    let (value, age) = match flow {
        Some(f) => (f.to_cookie_value(), FLOW_LIFETIME.num_seconds()),
        None => (String::new(), 0),
    };
    cookies::build(
        FLOW_COOKIE,
        value,
        age,
        cookies::Attrs {
            path: FLOW_PATH,
            same_site: SameSite::Lax,
            http_only: true,
            secure: secure_cookies(state),
        },
    )
}

fn to_login(kind: &str) -> Response {
    see_other(&super::view::link("/console/login", [("sso_error", kind)]))
}

/// `GET /auth/sso`: a redirect to the provider's authorization endpoint with `state`,
/// `nonce` and an S256 PKCE challenge; the three are kept in the flow cookie.
pub async fn start(State(state): State<AppState>) -> Response {
    let Some(sso) = state.sso.clone() else {
        return to_login("not_configured");
    };
    match sso.begin().await {
        Ok((url, flow)) => cookies::with(see_other(url.as_str()), flow_cookie(&state, Some(&flow))),
        Err(e) => {
            tracing::warn!(error = %e, "single sign-on could not start");
            to_login(e.kind())
        }
    }
}

/// The provider's answer.
#[derive(Debug, Deserialize)]
pub struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

struct Audit<'a> {
    request_id: &'a RequestId,
    client: ClientAddr,
    provider: String,
    issuer: String,
}

impl Audit<'_> {
    async fn record(
        &self,
        state: &AppState,
        actor: &str,
        action: &str,
        details: serde_json::Value,
    ) {
        let ctx = AuditContext {
            actor: actor
                .chars()
                .filter(|c| !c.is_control())
                .take(128)
                .collect(),
            request_id: Some(self.request_id.as_str().to_owned()),
            client_addr: self.client.0.map(|a| a.ip().to_string()),
        };
        let entry = AuditEntry {
            action: action.to_owned(),
            target_kind: "user".into(),
            target_name: Some(ctx.actor.clone()),
            target_id: None,
            details,
        };
        if let Err(e) = state.store.append_audit(&ctx, &entry).await {
            tracing::error!(error = %e, "could not record a single sign-on in the audit log");
        }
    }

    fn sso(&self, subject: Option<&str>) -> serde_json::Value {
        serde_json::json!({ "provider": self.provider, "issuer": self.issuer, "subject": subject })
    }
}

/// `GET /auth/callback`: finishes the sign-in.
pub async fn callback(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    client: ClientAddr,
    request_id: RequestId,
    headers: HeaderMap,
    Query(q): Query<CallbackQuery>,
) -> Response {
    let Some(sso) = state.sso.clone() else {
        return to_login("not_configured");
    };
    let audit = Audit {
        request_id: &request_id,
        client,
        provider: sso
            .config()
            .label
            .clone()
            .unwrap_or_else(|| "single sign-on".to_owned()),
        issuer: sso.config().issuer.clone(),
    };
    let response = finish(&state, &sso, lang, &audit, &headers, q).await;
    // The flow is spent whatever happened: a reload cannot replay it.
    cookies::with(response, flow_cookie(&state, None))
}

async fn finish(
    state: &AppState,
    sso: &Sso,
    lang: Lang,
    audit: &Audit<'_>,
    headers: &HeaderMap,
    q: CallbackQuery,
) -> Response {
    let flow = cookies::read(headers, FLOW_COOKIE)
        .as_deref()
        .and_then(Flow::from_cookie_value);
    let verified = if let Some(error) = &q.error {
        Err(SsoError::Refused(format!(
            "{error}{}",
            q.error_description
                .as_deref()
                .map(|d| format!(": {d}"))
                .unwrap_or_default()
        )))
    } else {
        sso.finish(flow, q.state.as_deref(), q.code.as_deref())
            .await
    };
    let verified = match verified {
        Ok(v) => v,
        Err(e) => {
            tracing::warn!(error = %e, check = e.check(), "a single sign-on was refused");
            let details = serde_json::json!({
                "sso": audit.sso(None), "reason": e.kind(), "check": e.check(),
            });
            audit
                .record(state, "sso", "user.login.failed", details)
                .await;
            return to_login(e.kind());
        }
    };
    let identity = verified.identity;
    let sso_details = audit.sso(Some(&identity.subject));
    let Some(role) = sso.config().roles.role(&verified.claims) else {
        // The provider no longer grants a role: whatever sessions they had end too.
        if let Ok(Some(user)) = state
            .store
            .sso_user(&identity.issuer, &identity.subject)
            .await
            && let Err(e) = state.store.end_sessions_of(user.id).await
        {
            tracing::error!(error = %e, "could not end the sessions of an SSO user without a role");
        }
        return refuse(state, audit, &identity.subject, sso_details, "no_role").await;
    };
    let ctx = AuditContext {
        actor: format!("sso:{}", identity.subject),
        request_id: Some(audit.request_id.as_str().to_owned()),
        client_addr: audit.client.0.map(|a| a.ip().to_string()),
    };
    let user = match state.store.record_sso_sign_in(&identity, role, &ctx).await {
        Ok(u) => u,
        Err(e) => {
            tracing::error!(error = %e, "could not record a single sign-on");
            return to_login("unavailable");
        }
    };
    if user.disabled {
        return refuse(state, audit, &identity.subject, sso_details, "disabled").await;
    }
    signed_in(state, lang, audit, user, role, sso_details).await
}

async fn refuse(
    state: &AppState,
    audit: &Audit<'_>,
    subject: &str,
    sso: serde_json::Value,
    reason: &'static str,
) -> Response {
    let details = serde_json::json!({ "sso": sso, "reason": reason });
    audit
        .record(
            state,
            &format!("sso:{subject}"),
            "user.login.failed",
            details,
        )
        .await;
    to_login(reason)
}

async fn signed_in(
    state: &AppState,
    lang: Lang,
    audit: &Audit<'_>,
    user: User,
    role: Role,
    sso: serde_json::Value,
) -> Response {
    let username = user.username.clone();
    let (id, _session) = match state.sessions.create(user).await {
        Ok(s) => s,
        Err(e) => {
            tracing::error!(error = %e, "could not start a session for a single sign-on");
            return to_login("unavailable");
        }
    };
    let details = serde_json::json!({ "role": role.key(), "sso": sso });
    audit.record(state, &username, "user.login", details).await;
    let page = DonePage {
        page: Chrome::new(lang, None, String::new(), "").titled(Texts(lang).get("sso_done_title")),
        s: Texts(lang),
        next: LANDING,
    };
    cookies::with(render(&page), session_cookie(state, Some(&id)))
}
