//! User sign-in as Adobe IMS documents it: `/ims/authorize/v2` with its sign-in page and
//! sign-in sessions, and the authorization codes it hands out. The token side of the flow
//! (codes and refresh tokens exchanged, ID tokens, userinfo, revocation) is in `oidc`.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Extension, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use chrono::{DateTime, TimeDelta, Utc};

use crate::ims::{params, split_scopes};
use crate::model::User;
use crate::state::Store;
use crate::users::{WebRecord, check_redirect_uri};
use crate::wire::{Params, ParsedParams, add_debug_id};
use crate::{ids, signin_page};

pub(crate) use crate::oidc::{authorization_code, refresh_token};

/// Authorization codes are short-lived, as RFC 6749 recommends (at most 10 minutes).
pub(crate) const CODE_LIFETIME: TimeDelta = TimeDelta::minutes(10);
/// How long a sign-in at the emulator lasts for `prompt=none` and silent sign-in.
const SESSION_LIFETIME: TimeDelta = TimeDelta::hours(24);
/// The cookie that carries the emulator's sign-in session.
const SESSION_COOKIE: &str = "ims_emulator_sid";
/// Adobe documents `state` as at most 4096 characters.
const MAX_STATE: usize = 4096;

/// An authorization code and what it is bound to.
#[derive(Debug, Clone)]
pub(crate) struct Code {
    pub(crate) client_id: String,
    /// The `redirect_uri` of the authorize request, when it named one.
    pub(crate) redirect_uri: Option<String>,
    pub(crate) sub: String,
    pub(crate) scopes: Vec<String>,
    pub(crate) nonce: Option<String>,
    /// `(method, challenge)` of PKCE.
    pub(crate) challenge: Option<(String, String)>,
    pub(crate) auth_time: DateTime<Utc>,
    pub(crate) expires_at: DateTime<Utc>,
    pub(crate) used: bool,
    /// Access token ids and the refresh token issued for it, revoked if it is replayed.
    pub(crate) issued: Vec<String>,
    pub(crate) refresh: Option<String>,
}

/// A refresh token (issued only with `offline_access`).
#[derive(Debug, Clone)]
pub(crate) struct Refresh {
    pub(crate) client_id: String,
    pub(crate) sub: String,
    pub(crate) scopes: Vec<String>,
    pub(crate) expires_at: DateTime<Utc>,
    pub(crate) revoked: bool,
    pub(crate) issued: Vec<String>,
}

#[derive(Debug, Clone)]
struct Session {
    sub: String,
    auth_time: DateTime<Utc>,
    expires_at: DateTime<Utc>,
}

/// The user flows' transient state: in memory only, like issued tokens.
#[derive(Debug, Default)]
pub(crate) struct Grants {
    pub(crate) codes: HashMap<String, Code>,
    pub(crate) refresh: HashMap<String, Refresh>,
    sessions: HashMap<String, Session>,
}

/// The prompt behaviours Adobe documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Prompt {
    Default,
    None,
    Login,
}

/// A checked authorize request.
struct Authorize {
    client: WebRecord,
    client_label: String,
    /// Where the answer goes: the request's `redirect_uri`, or the default one.
    redirect_to: String,
    redirect_uri: Option<String>,
    scopes: Vec<String>,
    state: Option<String>,
    nonce: Option<String>,
    challenge: Option<(String, String)>,
    prompt: Prompt,
}

/// Why an authorize request fails: shown on a page when the client or its redirect URI
/// cannot be trusted, sent back to the client otherwise.
enum Refusal {
    Page(String),
    Redirect {
        to: String,
        state: Option<String>,
        error: &'static str,
        description: String,
    },
}

/// The parameters carried through the sign-in form.
const CARRIED: [&str; 9] = [
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "nonce",
    "response_type",
    "response_mode",
    "code_challenge",
    "code_challenge_method",
];

#[expect(
    clippy::too_many_lines,
    reason = "one sequential pass; not yet split by responsibility"
)]
fn check(store: &Store, p: &Params) -> Result<Authorize, Refusal> {
    let client_id = p
        .get("client_id")
        .ok_or_else(|| Refusal::Page("The request names no client_id.".into()))?;
    let (client, client_label) = store
        .read(|d| {
            d.web.get(client_id).map(|w| {
                let label = d
                    .projects
                    .get(&w.project_id)
                    .map_or_else(|| w.client_id.clone(), |p| p.name.clone());
                (w.clone(), label)
            })
        })
        .ok_or_else(|| {
            Refusal::Page(format!(
                "client_id {client_id} is not an OAuth Web App credential of this IMS."
            ))
        })?;
    let redirect_uri = p.raw("redirect_uri").map(str::to_owned);
    if let Some(uri) = &redirect_uri {
        check_redirect_uri(uri).map_err(|e| Refusal::Page(format!("redirect_uri: {e}.")))?;
        if !client.redirect_allowed(uri) {
            return Err(Refusal::Page(format!(
                "redirect_uri {uri} does not match the redirect URI pattern registered for this client ({}).",
                client.redirect_uri_pattern
            )));
        }
    }
    let redirect_to = redirect_uri
        .clone()
        .unwrap_or_else(|| client.default_redirect_uri.clone());
    let state = p.raw("state").map(str::to_owned);
    let refuse = |error: &'static str, description: String| Refusal::Redirect {
        to: redirect_to.clone(),
        state: state.clone(),
        error,
        description,
    };
    if state.as_ref().is_some_and(|s| s.len() > MAX_STATE) {
        return Err(refuse(
            "invalid_request",
            format!("state is longer than {MAX_STATE} characters"),
        ));
    }
    match p.get("response_type") {
        Some("code") => {}
        None => {
            return Err(refuse(
                "invalid_request",
                "missing response_type parameter; use response_type=code".into(),
            ));
        }
        Some(other) => {
            return Err(refuse(
                "unsupported_response_type",
                format!("response_type {other} is not supported here; use code"),
            ));
        }
    }
    if let Some(mode) = p.get("response_mode")
        && mode != "query"
    {
        return Err(refuse(
            "invalid_request",
            format!("response_mode {mode} is not supported with response_type=code; use query"),
        ));
    }
    let scopes = p.get("scope").map(split_scopes).unwrap_or_default();
    if !scopes.iter().any(|s| s == "openid") {
        return Err(refuse(
            "invalid_scope",
            "the openid scope is required".into(),
        ));
    }
    let unknown: Vec<&str> = scopes
        .iter()
        .filter(|s| !client.scopes.contains(s))
        .map(String::as_str)
        .collect();
    if !unknown.is_empty() {
        return Err(refuse(
            "invalid_scope",
            format!("invalid scope(s) for this client: {}", unknown.join(",")),
        ));
    }
    let challenge = match (p.raw("code_challenge"), p.get("code_challenge_method")) {
        (None, None) => None,
        (None, Some(_)) => {
            return Err(refuse(
                "invalid_request",
                "code_challenge_method without code_challenge".into(),
            ));
        }
        (Some(c), method) => {
            let method = method.unwrap_or("plain");
            if method != "S256" && method != "plain" {
                return Err(refuse(
                    "invalid_request",
                    format!("code_challenge_method {method} is not supported; use S256"),
                ));
            }
            if !(43..=128).contains(&c.len())
                || !c
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
            {
                return Err(refuse(
                    "invalid_request",
                    "code_challenge must be 43 to 128 characters of [A-Za-z0-9-._~]".into(),
                ));
            }
            Some((method.to_owned(), c.to_owned()))
        }
    };
    let prompt = match p.get("prompt") {
        None => Prompt::Default,
        Some("none") => Prompt::None,
        Some("login") => Prompt::Login,
        Some(other) => {
            return Err(refuse(
                "invalid_request",
                format!("prompt {other} is not supported; use none or login"),
            ));
        }
    };
    Ok(Authorize {
        client,
        client_label,
        redirect_to,
        redirect_uri,
        scopes,
        state,
        nonce: p.raw("nonce").map(str::to_owned),
        challenge,
        prompt,
    })
}

/// `redirect_to` with the answer's parameters added to its query.
fn redirect(status: StatusCode, to: &str, pairs: &[(&str, &str)]) -> Response {
    let mut url = url::Url::parse(to).expect("redirect URIs are checked to be absolute URLs");
    {
        let mut q = url.query_pairs_mut();
        for (k, v) in pairs {
            q.append_pair(k, v);
        }
    }
    let mut response = status.into_response();
    if let Ok(location) = HeaderValue::from_str(url.as_str()) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    add_debug_id(response.headers_mut());
    response
}

fn html(status: StatusCode, body: String) -> Response {
    let mut response = (status, body).into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert("x-frame-options", HeaderValue::from_static("DENY"));
    h.insert(
        "content-security-policy",
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
        ),
    );
    add_debug_id(h);
    response
}

fn refusal(r: Refusal) -> Response {
    match r {
        Refusal::Page(message) => html(StatusCode::BAD_REQUEST, signin_page::error(&message)),
        Refusal::Redirect {
            to,
            state,
            error,
            description,
        } => {
            let mut pairs = vec![
                ("error", error),
                ("error_description", description.as_str()),
            ];
            if let Some(s) = &state {
                pairs.push(("state", s));
            }
            redirect(StatusCode::FOUND, &to, &pairs)
        }
    }
}

fn form(req: &Authorize, p: &Params, email: &str, error: Option<&str>) -> Response {
    let hidden: Vec<(&str, &str)> = CARRIED
        .iter()
        .filter_map(|name| p.raw(name).map(|v| (*name, v)))
        .collect();
    let status = if error.is_some() {
        StatusCode::UNAUTHORIZED
    } else {
        StatusCode::OK
    };
    html(
        status,
        signin_page::sign_in(&hidden, &req.client_label, email, error),
    )
}

/// Hands out a code for the signed-in user and sends the browser back to the client.
fn grant(
    store: &Store,
    req: &Authorize,
    user: &User,
    auth_time: DateTime<Utc>,
    status: StatusCode,
) -> Response {
    let now = store.clock.now();
    let code = ids::opaque_token("eyJ-code-");
    store.grants.lock().expect("grants lock").codes.insert(
        code.clone(),
        Code {
            client_id: req.client.client_id.clone(),
            redirect_uri: req.redirect_uri.clone(),
            sub: user.sub.clone(),
            scopes: req.scopes.clone(),
            nonce: req.nonce.clone(),
            challenge: req.challenge.clone(),
            auth_time,
            expires_at: now + CODE_LIFETIME,
            used: false,
            issued: Vec::new(),
            refresh: None,
        },
    );
    let mut pairs = vec![("code", code.as_str())];
    if let Some(s) = &req.state {
        pairs.push(("state", s));
    }
    redirect(status, &req.redirect_to, &pairs)
}

/// The signed-in user of the request's session cookie, if the session is still valid.
fn session_user(store: &Store, headers: &HeaderMap) -> Option<(User, DateTime<Utc>)> {
    let sid = CookieJar::from_headers(headers)
        .get(SESSION_COOKIE)?
        .value()
        .to_owned();
    let now = store.clock.now();
    let session = {
        let mut grants = store.grants.lock().expect("grants lock");
        grants.sessions.retain(|_, s| s.expires_at > now);
        grants.sessions.get(&sid).cloned()?
    };
    Some((store.user(&session.sub)?, session.auth_time))
}

/// `GET /ims/authorize/v2`: signs the user in (or finds their session) and redirects back.
pub(crate) async fn authorize(
    State(store): State<Arc<Store>>,
    headers: HeaderMap,
    Extension(p): Extension<ParsedParams>,
) -> Response {
    let p = match params(&p) {
        Ok(p) => p,
        Err(e) => return html(e.status, signin_page::error(&e.description)),
    };
    let req = match check(&store, p) {
        Ok(r) => r,
        Err(r) => return refusal(r),
    };
    let session = session_user(&store, &headers);
    match (req.prompt, session) {
        (Prompt::None, None) => refusal(Refusal::Redirect {
            to: req.redirect_to.clone(),
            state: req.state.clone(),
            error: "login_required",
            description: "no user is signed in".into(),
        }),
        (Prompt::None | Prompt::Default, Some((user, auth_time))) => {
            grant(&store, &req, &user, auth_time, StatusCode::FOUND)
        }
        (Prompt::Login | Prompt::Default, _) => form(&req, p, "", None),
    }
}

/// `POST /ims/authorize/v2`: the sign-in form. Every authorize parameter is checked again.
pub(crate) async fn sign_in(
    State(store): State<Arc<Store>>,
    Extension(p): Extension<ParsedParams>,
) -> Response {
    let p = match params(&p) {
        Ok(p) => p,
        Err(e) => return html(e.status, signin_page::error(&e.description)),
    };
    let req = match check(&store, p) {
        Ok(r) => r,
        Err(r) => return refusal(r),
    };
    let email = p.get("email").unwrap_or_default();
    let password = p.raw("password").unwrap_or_default();
    let Some(user) = store.authenticate(email, password) else {
        return form(
            &req,
            p,
            email,
            Some("The email address or password is incorrect."),
        );
    };
    let now = store.clock.now();
    let sid = ids::opaque_token("");
    store.grants.lock().expect("grants lock").sessions.insert(
        sid.clone(),
        Session {
            sub: user.sub.clone(),
            auth_time: now,
            expires_at: now + SESSION_LIFETIME,
        },
    );
    let cookie = Cookie::build((SESSION_COOKIE, sid))
        .path("/ims")
        .http_only(true)
        .same_site(SameSite::Lax);
    (
        CookieJar::new().add(cookie),
        grant(&store, &req, &user, now, StatusCode::SEE_OTHER),
    )
        .into_response()
}
