//! The token side of user sign-in: authorization codes and refresh tokens exchanged at
//! `/ims/token/v3`, ID tokens, `/ims/userinfo/v2`, `/ims/revoke` and OIDC discovery.

use std::sync::Arc;

use axum::extract::{Extension, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use crate::ims::{ok_json, params, split_scopes};
use crate::model::User;
use crate::state::Store;
use crate::tokens::{self, check_access_token, issue_access_token};
use crate::users::WebRecord;
use crate::wire::{ImsError, Params, ParsedParams, add_debug_id, bearer};

/// Refresh tokens live 14 days, as Adobe documents.
const REFRESH_LIFETIME: chrono::TimeDelta = chrono::TimeDelta::days(14);

type Shared = State<Arc<Store>>;

/// The issuer: the emulator's base URL as the client addressed it (`http://` + `Host`),
/// so discovery, ID tokens and every endpoint agree for whoever asks. Adobe's issuer is
/// likewise its base URL (`https://ims-na1.adobelogin.com`), without `/ims`.
pub(crate) fn issuer(store: &Store, headers: &HeaderMap) -> String {
    headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| !h.is_empty() && h.bytes().all(|b| b.is_ascii_graphic()))
        .map_or_else(|| store.base_url.clone(), |h| format!("http://{h}"))
}

/// The web credential authenticating the request (HTTP Basic or `client_id` and
/// `client_secret` in the body).
fn web_client(store: &Store, p: &Params) -> Result<(WebRecord, String), ImsError> {
    let client_id = p.client_id().ok_or_else(|| {
        ImsError::invalid_client(
            "client authentication is required: HTTP Basic, or client_id and client_secret",
        )
    })?;
    let (web, other) = store.read(|d| {
        (
            d.web.get(client_id).cloned(),
            d.oauth.contains_key(client_id) || d.jwt.contains_key(client_id),
        )
    });
    let Some(web) = web else {
        if other {
            return Err(ImsError::unauthorized_client(
                "this client is not an OAuth Web App credential; it may only use client_credentials",
            ));
        }
        return Err(ImsError::invalid_client("invalid client_id parameter"));
    };
    let secret = p
        .client_secret()
        .ok_or_else(|| ImsError::invalid_client("missing client_secret parameter"))?;
    if !web.secret_matches(secret) {
        return Err(ImsError::invalid_client("invalid client_secret parameter"));
    }
    Ok((web, secret.to_owned()))
}

fn pkce_ok(method: &str, challenge: &str, verifier: &str) -> bool {
    match method {
        "S256" => URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())) == challenge,
        _ => verifier == challenge,
    }
}

/// The user's claims projected by scope, as Adobe's userinfo documents them, plus
/// `groups` (the emulator's own, for role mapping).
fn user_claims(user: &User, scopes: &[String]) -> Map<String, Value> {
    let has = |s: &str| scopes.iter().any(|x| x == s);
    let mut claims = Map::new();
    claims.insert("sub".into(), json!(user.sub));
    if has("email") {
        claims.insert("email".into(), json!(user.email));
        claims.insert("email_verified".into(), json!(true));
    }
    if has("profile") {
        let (given, family) = user.name.split_once(' ').unwrap_or((&user.name, ""));
        claims.insert("name".into(), json!(user.name));
        claims.insert("given_name".into(), json!(given));
        claims.insert("family_name".into(), json!(family));
        claims.insert("account_type".into(), json!("ent"));
    }
    if has("address") {
        claims.insert("address".into(), json!({"country": "US"}));
    }
    claims.insert("groups".into(), json!(user.groups));
    claims
}

fn id_token(
    store: &Store,
    iss: &str,
    client_id: &str,
    user: &User,
    code: &crate::user_oauth::Code,
) -> String {
    let now = store.clock.now().timestamp();
    let mut claims = user_claims(user, &code.scopes);
    claims.insert("iss".into(), json!(iss));
    claims.insert("aud".into(), json!(client_id));
    claims.insert("iat".into(), json!(now));
    claims.insert("exp".into(), json!(now + store.token_lifetime_ms / 1000));
    claims.insert("auth_time".into(), json!(code.auth_time.timestamp()));
    claims.insert("type".into(), json!("id_token"));
    if let Some(nonce) = &code.nonce {
        claims.insert("nonce".into(), json!(nonce));
    }
    tokens::sign(&claims)
}

/// `grant_type=authorization_code` at `/ims/token/v3`.
#[expect(
    clippy::too_many_lines,
    reason = "one sequential pass; not yet split by responsibility"
)]
pub(crate) fn authorization_code(
    store: &Store,
    headers: &HeaderMap,
    p: &Params,
) -> Result<Response, ImsError> {
    let (client, secret) = web_client(store, p)?;
    let code_value = p
        .get("code")
        .or_else(|| p.get("authorization_code"))
        .ok_or_else(|| ImsError::invalid_request("missing code parameter"))?;
    let now = store.clock.now();
    let code = {
        let mut guard = store.grants.lock().expect("grants lock");
        let grants = &mut *guard;
        let code = grants
            .codes
            .get_mut(code_value)
            .ok_or_else(|| ImsError::invalid_grant("the authorization code is not valid"))?;
        if code.client_id != client.client_id {
            return Err(ImsError::invalid_grant(
                "the authorization code was issued to another client",
            ));
        }
        if code.used {
            // A replayed code may be stolen: revoke what the first exchange issued.
            let issued = std::mem::take(&mut code.issued);
            let refresh = code.refresh.take();
            if let Some(r) = refresh.and_then(|r| grants.refresh.get_mut(&r)) {
                r.revoked = true;
            }
            tokens::invalidate(store, &issued);
            return Err(ImsError::invalid_grant(
                "the authorization code has already been used; the tokens issued for it are revoked",
            ));
        }
        if now >= code.expires_at {
            return Err(ImsError::invalid_grant(
                "the authorization code has expired",
            ));
        }
        let sent = p.raw("redirect_uri");
        let bound = match &code.redirect_uri {
            Some(uri) => sent == Some(uri.as_str()),
            None => sent.is_none_or(|s| s == client.default_redirect_uri),
        };
        if !bound {
            return Err(ImsError::invalid_grant(
                "redirect_uri does not match the one of the authorization request",
            ));
        }
        match (&code.challenge, p.raw("code_verifier")) {
            (Some(_), None) => {
                return Err(ImsError::invalid_grant(
                    "missing code_verifier: the authorization request had a code_challenge",
                ));
            }
            (Some((method, challenge)), Some(verifier))
                if !pkce_ok(method, challenge, verifier) =>
            {
                return Err(ImsError::invalid_grant(
                    "code_verifier does not match the code_challenge",
                ));
            }
            (None, Some(_)) => {
                return Err(ImsError::invalid_grant(
                    "code_verifier sent, but the authorization request had no code_challenge",
                ));
            }
            _ => {}
        }
        code.used = true;
        code.clone()
    };
    let user = store
        .user(&code.sub)
        .ok_or_else(|| ImsError::invalid_grant("the user of this code no longer exists"))?;
    store.record_secret_use(&client.client_id, &secret, "authorization_code");
    let access = issue_access_token(
        store,
        &client.client_id,
        &user.sub,
        &user.org_id,
        &code.scopes,
    );
    let mut body = json!({
        "access_token": access.token,
        "sub": user.sub,
        "token_type": "bearer",
        "expires_in": store.expires_in_secs(),
    });
    let refresh = code.scopes.iter().any(|s| s == "offline_access").then(|| {
        new_refresh(
            store,
            &client.client_id,
            &user.sub,
            &code.scopes,
            &access.id,
        )
    });
    if let Some(r) = &refresh {
        body["refresh_token"] = json!(r);
    }
    body["id_token"] = json!(id_token(
        store,
        &issuer(store, headers),
        &client.client_id,
        &user,
        &code
    ));
    if let Some(c) = store
        .grants
        .lock()
        .expect("grants lock")
        .codes
        .get_mut(code_value)
    {
        c.issued.push(access.id);
        c.refresh = refresh;
    }
    Ok(ok_json(body))
}

fn new_refresh(
    store: &Store,
    client_id: &str,
    sub: &str,
    scopes: &[String],
    access_id: &str,
) -> String {
    let token = crate::ids::opaque_token("eyJ-refresh-");
    store.grants.lock().expect("grants lock").refresh.insert(
        token.clone(),
        crate::user_oauth::Refresh {
            client_id: client_id.to_owned(),
            sub: sub.to_owned(),
            scopes: scopes.to_vec(),
            expires_at: store.clock.now() + REFRESH_LIFETIME,
            revoked: false,
            issued: vec![access_id.to_owned()],
        },
    );
    token
}

/// `grant_type=refresh_token` at `/ims/token/v3`.
pub(crate) fn refresh_token(store: &Store, p: &Params) -> Result<Response, ImsError> {
    let (client, secret) = web_client(store, p)?;
    let token = p
        .get("refresh_token")
        .ok_or_else(|| ImsError::invalid_request("missing refresh_token parameter"))?;
    let now = store.clock.now();
    let refresh = store
        .grants
        .lock()
        .expect("grants lock")
        .refresh
        .get(token)
        .cloned()
        .filter(|r| !r.revoked && now < r.expires_at)
        .ok_or_else(|| ImsError::invalid_grant("the refresh token is not valid"))?;
    if refresh.client_id != client.client_id {
        return Err(ImsError::invalid_grant(
            "the refresh token was issued to another client",
        ));
    }
    let scopes = match p.get("scope").map(split_scopes) {
        None => refresh.scopes.clone(),
        Some(asked) => {
            let extra: Vec<&str> = asked
                .iter()
                .filter(|s| !refresh.scopes.contains(s))
                .map(String::as_str)
                .collect();
            if !extra.is_empty() {
                return Err(ImsError::invalid_scope(format!(
                    "scope(s) not granted to this refresh token: {}",
                    extra.join(",")
                )));
            }
            asked
        }
    };
    let user = store.user(&refresh.sub).ok_or_else(|| {
        ImsError::invalid_grant("the user of this refresh token no longer exists")
    })?;
    store.record_secret_use(&client.client_id, &secret, "refresh_token");
    let access = issue_access_token(store, &client.client_id, &user.sub, &user.org_id, &scopes);
    if let Some(r) = store
        .grants
        .lock()
        .expect("grants lock")
        .refresh
        .get_mut(token)
    {
        r.issued.push(access.id);
    }
    Ok(ok_json(json!({
        "access_token": access.token,
        "refresh_token": token,
        "token_type": "bearer",
        "expires_in": store.expires_in_secs(),
    })))
}

fn unauthorized(description: impl Into<String>) -> Response {
    let mut response =
        ImsError::new(StatusCode::UNAUTHORIZED, "invalid_token", description).into_response();
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Bearer error=\"invalid_token\""),
    );
    response
}

/// `GET` or `POST /ims/userinfo/v2`: the signed-in user, projected by the token's scopes.
pub(crate) async fn userinfo(
    State(store): Shared,
    headers: HeaderMap,
    Extension(p): Extension<ParsedParams>,
) -> Response {
    let p = match params(&p) {
        Ok(p) => p,
        Err(e) => return e.into_response(),
    };
    let Some(token) = bearer(&headers) else {
        return unauthorized("missing bearer token");
    };
    let claims = match check_access_token(&store, token) {
        Ok((claims, _)) => claims,
        Err(reason) => return unauthorized(reason),
    };
    if let Some(asked) = p.get("client_id")
        && asked != claims.client_id
    {
        return unauthorized("the token was issued to another client_id");
    }
    let Some(user) = store.user(&claims.user_id) else {
        return unauthorized("the token does not belong to a user");
    };
    let scopes: Vec<String> = claims.scopes().map(str::to_owned).collect();
    ok_json(Value::Object(user_claims(&user, &scopes)))
}

/// `POST /ims/revoke`: revokes an access or refresh token of the authenticated client.
pub(crate) async fn revoke(
    State(store): Shared,
    Extension(p): Extension<ParsedParams>,
) -> Response {
    match revoke_token(&store, &p) {
        Ok(()) => {
            let mut response = StatusCode::OK.into_response();
            add_debug_id(response.headers_mut());
            response
        }
        Err(e) => e.into_response(),
    }
}

fn revoke_token(store: &Store, p: &ParsedParams) -> Result<(), ImsError> {
    let p = params(p)?;
    let token = p
        .get("token")
        .ok_or_else(|| ImsError::invalid_request("missing token parameter"))?;
    let client_id = p.client_id().ok_or_else(|| {
        ImsError::invalid_client(
            "client authentication is required: HTTP Basic, or client_id and client_secret",
        )
    })?;
    let secret = p
        .client_secret()
        .ok_or_else(|| ImsError::invalid_client("missing client_secret parameter"))?;
    if !store.read(|d| d.client_secret_matches(client_id, secret)) {
        return Err(ImsError::invalid_client(
            "invalid client_id or client_secret parameter",
        ));
    }
    let foreign = || ImsError::unauthorized_client("the token was issued to another client");
    let mut grants = store.grants.lock().expect("grants lock");
    if let Some(r) = grants.refresh.get_mut(token) {
        if r.client_id != client_id {
            return Err(foreign());
        }
        r.revoked = true;
        let issued = r.issued.clone();
        drop(grants);
        tokens::invalidate(store, &issued);
        return Ok(());
    }
    drop(grants);
    // Unknown tokens are ignored, as RFC 7009 asks.
    if let Ok((claims, issued)) = check_access_token(store, token) {
        if issued.client_id != client_id {
            return Err(foreign());
        }
        tokens::invalidate(store, &[claims.id]);
    }
    Ok(())
}

/// `GET /ims/.well-known/openid-configuration`: only what this emulator serves.
pub(crate) async fn discovery(State(store): Shared, headers: HeaderMap) -> Response {
    let b = issuer(&store, &headers);
    ok_json(json!({
        "issuer": b,
        "authorization_endpoint": format!("{b}/ims/authorize/v2"),
        "token_endpoint": format!("{b}/ims/token/v3"),
        "userinfo_endpoint": format!("{b}/ims/userinfo/v2"),
        "revocation_endpoint": format!("{b}/ims/revoke"),
        "jwks_uri": format!("{b}/ims/keys"),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "revocation_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
        "code_challenge_methods_supported": ["S256", "plain"],
        "prompt_values_supported": ["none", "login"],
        "scopes_supported": ["openid", "AdobeID", "email", "profile", "address", "offline_access", "read_organizations"],
        "claims_supported": ["sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "email", "email_verified", "name", "given_name", "family_name", "account_type", "address", "groups"],
    }))
}
