//! The IMS endpoints: client credentials, JWT exchange, validation, invalidation,
//! organisations, discovery and keys.

use std::collections::HashSet;
use std::sync::Arc;

use axum::Json;
use axum::extract::{Extension, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use jsonwebtoken::{Algorithm, Validation};
use serde_json::json;

use crate::keys;
use crate::secrets::JWT_BEARER;
use crate::state::Store;
use crate::tokens::{check_access_token, issue_access_token};
use crate::user_oauth;
use crate::wire::{ImsError, ParsedParams, add_debug_id, bearer};

/// Clock skew IMS tolerates on a JWT's `exp`.
const JWT_SKEW_SECS: i64 = 30;
/// Clients built for production put this host in `aud` and metascope claims.
const PROD_IMS: &str = "https://ims-na1.adobelogin.com";

type Shared = State<Arc<Store>>;

pub(crate) fn ok_json(body: serde_json::Value) -> Response {
    let mut response = Json(body).into_response();
    add_debug_id(response.headers_mut());
    response
}

pub(crate) fn params(p: &ParsedParams) -> Result<&crate::wire::Params, ImsError> {
    p.0.as_ref().map_err(Clone::clone)
}

pub(crate) fn split_scopes(raw: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in raw
        .split([',', ' '])
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        if !out.iter().any(|o| o == s) {
            out.push(s.to_owned());
        }
    }
    out
}

/// `POST /ims/token/v3` and `/ims/token/v2`: client credentials, authorization code and
/// refresh token grants.
pub(crate) async fn token(
    State(store): Shared,
    headers: HeaderMap,
    Extension(p): Extension<ParsedParams>,
) -> Response {
    token_grant(&store, &headers, &p).unwrap_or_else(IntoResponse::into_response)
}

fn token_grant(store: &Store, headers: &HeaderMap, p: &ParsedParams) -> Result<Response, ImsError> {
    let p = params(p)?;
    let grant = p
        .get("grant_type")
        .ok_or_else(|| ImsError::missing("grant_type"))?;
    match grant {
        "client_credentials" => client_credentials(store, p),
        "authorization_code" => user_oauth::authorization_code(store, headers, p),
        "refresh_token" => user_oauth::refresh_token(store, p),
        other => Err(ImsError::new(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            format!(
                "grant_type {other} is not supported; use client_credentials, authorization_code or refresh_token"
            ),
        )),
    }
}

fn client_credentials(store: &Store, p: &crate::wire::Params) -> Result<Response, ImsError> {
    let client_id = p
        .client_id()
        .ok_or_else(|| ImsError::missing("client_id"))?;
    let secret = p
        .client_secret()
        .ok_or_else(|| ImsError::missing("client_secret"))?;
    let (rec, scopes) = {
        let data = store.data.lock().expect("state lock");
        if data.web.contains_key(client_id) {
            return Err(ImsError::unauthorized_client(
                "this client is an OAuth Web App credential; it may not use client_credentials",
            ));
        }
        let rec = data
            .oauth
            .get(client_id)
            .ok_or_else(|| ImsError::invalid_client("invalid client_id parameter"))?;
        if !rec.secrets.iter().any(|s| s.value == secret) {
            return Err(ImsError::invalid_client("invalid client_secret parameter"));
        }
        if let Some(org) = p.get("org_id")
            && org != rec.org_id
        {
            return Err(ImsError::invalid_client(
                "org_id does not match the client's organization",
            ));
        }
        let requested = p.get("scope").map(split_scopes).unwrap_or_default();
        let unknown: Vec<&str> = requested
            .iter()
            .filter(|s| !rec.scopes.contains(s))
            .map(String::as_str)
            .collect();
        if !unknown.is_empty() {
            return Err(ImsError::invalid_scope(format!(
                "invalid scope(s): {}",
                unknown.join(",")
            )));
        }
        // No scope asked for: grant the credential's scopes, as a lenient IMS would.
        let scopes = if requested.is_empty() {
            rec.scopes.clone()
        } else {
            requested
        };
        (rec.clone(), scopes)
    };
    store.record_secret_use(client_id, secret, "client_credentials");
    let issued = issue_access_token(
        store,
        &rec.client_id,
        &rec.technical_account_id,
        &rec.org_id,
        &scopes,
    );
    Ok(ok_json(json!({
        "access_token": issued.token,
        "token_type": "bearer",
        "expires_in": store.expires_in_secs(),
    })))
}

/// `POST /ims/exchange/jwt`: swaps a signed JWT for an access token.
pub(crate) async fn exchange_jwt(
    State(store): Shared,
    headers: HeaderMap,
    Extension(p): Extension<ParsedParams>,
) -> Response {
    jwt_exchange(&store, &headers, &p).unwrap_or_else(IntoResponse::into_response)
}

#[expect(
    clippy::too_many_lines,
    reason = "one sequential pass; not yet split by responsibility"
)]
fn jwt_exchange(
    store: &Store,
    headers: &HeaderMap,
    p: &ParsedParams,
) -> Result<Response, ImsError> {
    let p = params(p)?;
    let client_id = p
        .client_id()
        .ok_or_else(|| ImsError::missing("client_id"))?;
    let secret = p
        .client_secret()
        .ok_or_else(|| ImsError::missing("client_secret"))?;
    let jwt = p
        .get("jwt_token")
        .ok_or_else(|| ImsError::missing("jwt_token"))?;
    let rec = store
        .read(|d| d.jwt.get(client_id).cloned())
        .ok_or_else(|| ImsError::invalid_client("invalid client_id parameter"))?;
    if rec.credential.client_secret != secret {
        return Err(ImsError::invalid_client("invalid client_secret parameter"));
    }
    let header = jsonwebtoken::decode_header(jwt)
        .map_err(|_| ImsError::invalid_token("JWT token is incorrectly formatted"))?;
    if header.alg != Algorithm::RS256 {
        return Err(ImsError::invalid_token(
            "JWT token must be signed with RS256",
        ));
    }
    let mut validation = Validation::new(Algorithm::RS256);
    validation.validate_exp = false;
    validation.validate_aud = false;
    validation.required_spec_claims = HashSet::new();
    let mut claims = None;
    for cert in &rec.certificates {
        let Ok(key) = keys::public_key_from_certificate(cert) else {
            continue;
        };
        match jsonwebtoken::decode::<serde_json::Map<String, serde_json::Value>>(
            jwt,
            &key,
            &validation,
        ) {
            Ok(data) => {
                claims = Some(data.claims);
                break;
            }
            Err(e) if matches!(e.kind(), jsonwebtoken::errors::ErrorKind::InvalidSignature) => {}
            Err(_) => {
                return Err(ImsError::invalid_token(
                    "JWT token is incorrectly formatted",
                ));
            }
        }
    }
    let claims = claims.ok_or_else(|| {
        ImsError::new(
            StatusCode::BAD_REQUEST,
            "invalid_signature",
            "Could not match JWT signature to any of the bindings",
        )
    })?;
    let c = &rec.credential;
    let now = store.clock.now();
    let exp = claims
        .get("exp")
        .and_then(serde_json::Value::as_i64)
        .ok_or_else(|| ImsError::invalid_token("JWT token has no numeric exp claim"))?;
    if exp + JWT_SKEW_SECS < now.timestamp() {
        return Err(ImsError::invalid_token("JWT token is expired"));
    }
    if claims.get("iss").and_then(|v| v.as_str()) != Some(c.org_id.as_str()) {
        return Err(ImsError::invalid_token(
            "JWT issuer (iss) is not the client's organization",
        ));
    }
    if claims.get("sub").and_then(|v| v.as_str()) != Some(c.technical_account_id.as_str()) {
        return Err(ImsError::invalid_token(
            "JWT subject (sub) is not the client's technical account",
        ));
    }
    let bases = accepted_bases(store, headers);
    let aud = claims
        .get("aud")
        .and_then(|v| v.as_str())
        .unwrap_or_default();
    if !bases
        .iter()
        .any(|b| aud == format!("{b}/c/{}", c.client_id))
    {
        return Err(ImsError::invalid_token(format!(
            "JWT audience (aud) must be <ims>/c/{}",
            c.client_id
        )));
    }
    let mut asked = Vec::new();
    for (key, value) in &claims {
        let Some(code) = bases.iter().find_map(|b| {
            key.strip_prefix(b.as_str())
                .and_then(|rest| rest.strip_prefix("/s/"))
        }) else {
            continue;
        };
        if value != &serde_json::Value::Bool(true) {
            continue;
        }
        if !c.metascopes.iter().any(|m| m == code) {
            return Err(ImsError::invalid_scope(format!(
                "invalid metascope: {code}"
            )));
        }
        asked.push(code.to_owned());
    }
    if asked.is_empty() {
        return Err(ImsError::invalid_scope(
            "the JWT names no metascope of this client",
        ));
    }
    if let Some(r) = store
        .data
        .lock()
        .expect("state lock")
        .jwt
        .get_mut(client_id)
    {
        r.last_used = Some(now);
    }
    // A migrated credential's OAuth side holds the same secret: its usage shows this use.
    store.record_secret_use(client_id, secret, JWT_BEARER);
    let scopes = crate::model::scopes_for_metascopes(&asked);
    let issued = issue_access_token(
        store,
        &c.client_id,
        &c.technical_account_id,
        &c.org_id,
        &scopes,
    );
    Ok(ok_json(json!({
        "token_type": "bearer",
        "access_token": issued.token,
        "expires_in": store.expires_in_ms(),
    })))
}

/// The IMS base URLs a JWT may name: ours (as configured and as addressed) and prod's.
pub(crate) fn accepted_bases(store: &Store, headers: &HeaderMap) -> Vec<String> {
    let mut bases = vec![store.base_url.clone(), PROD_IMS.to_owned()];
    if let Some(host) = headers.get(header::HOST).and_then(|h| h.to_str().ok()) {
        bases.push(format!("http://{host}"));
    }
    bases
}

/// `POST /ims/validate_token/v1`.
pub(crate) async fn validate_token(
    State(store): Shared,
    headers: HeaderMap,
    Extension(p): Extension<ParsedParams>,
) -> Response {
    let p = match params(&p) {
        Ok(p) => p,
        Err(e) => return e.into_response(),
    };
    let Some(token) = p.get("token").or_else(|| bearer(&headers)) else {
        return ImsError::missing("token").into_response();
    };
    let kind = p.get("type").unwrap_or("access_token");
    if kind != "access_token" {
        return ok_json(
            json!({"valid": false, "reason": format!("unsupported token type {kind}")}),
        );
    }
    match check_access_token(&store, token) {
        Ok((claims, issued)) => {
            if let Some(asked) = p.client_id()
                && asked != claims.client_id
            {
                return ok_json(json!({
                    "valid": false,
                    "reason": "token was issued to another client_id",
                }));
            }
            ok_json(json!({
                "valid": true,
                "token": claims,
                "user": {"user_id": claims.user_id, "org": issued.org_id},
                "expires_at": issued.expires_at_ms,
            }))
        }
        Err(reason) => ok_json(json!({"valid": false, "reason": reason})),
    }
}

/// `POST /ims/invalidate_token/v2`: answers 200 with an empty body.
pub(crate) async fn invalidate_token(
    State(store): Shared,
    Extension(p): Extension<ParsedParams>,
) -> Response {
    match invalidate(&store, &p) {
        Ok(()) => {
            let mut response = StatusCode::OK.into_response();
            add_debug_id(response.headers_mut());
            response
        }
        Err(e) => e.into_response(),
    }
}

fn invalidate(store: &Store, p: &ParsedParams) -> Result<(), ImsError> {
    let p = params(p)?;
    let token = p.get("token").ok_or_else(|| ImsError::missing("token"))?;
    let client_id = p
        .client_id()
        .ok_or_else(|| ImsError::missing("client_id"))?;
    let secret = p
        .client_secret()
        .ok_or_else(|| ImsError::missing("client_secret"))?;
    let known = store.read(|d| d.client_secret_matches(client_id, secret));
    if !known {
        return Err(ImsError::invalid_client(
            "invalid client_id or client_secret parameter",
        ));
    }
    // Unknown or foreign tokens are ignored: invalidation is idempotent, as at IMS.
    if let Ok((claims, _)) = check_access_token(store, token)
        && claims.client_id == client_id
        && let Some(t) = store
            .tokens
            .lock()
            .expect("tokens lock")
            .get_mut(&claims.id)
    {
        t.invalidated = true;
    }
    Ok(())
}

/// `GET /ims/organizations/v6`: the organisation of the bearer token.
pub(crate) async fn organizations(State(store): Shared, headers: HeaderMap) -> Response {
    let Some(token) = bearer(&headers) else {
        return ImsError::new(
            StatusCode::UNAUTHORIZED,
            "invalid_token",
            "missing bearer token",
        )
        .into_response();
    };
    let issued = match check_access_token(&store, token) {
        Ok((_, issued)) => issued,
        Err(reason) => {
            return ImsError::new(StatusCode::UNAUTHORIZED, "invalid_token", reason)
                .into_response();
        }
    };
    let name = store
        .read(|d| d.orgs.get(&issued.org_id).map(|o| o.name.clone()))
        .unwrap_or_default();
    let ident = issued.org_id.trim_end_matches("@AdobeOrg");
    ok_json(json!([{
        "orgName": name,
        "orgRef": {"ident": ident, "authSrc": "AdobeOrg"},
        "orgType": "Enterprise",
        "countryCode": "US",
        "groups": [],
        "role": "TECHNICAL_ACCOUNT",
    }]))
}

/// `GET /ims/keys`: the JWKS with the token-signing key.
pub(crate) async fn jwks() -> Response {
    ok_json(json!({"keys": [keys::signing_key().jwk.clone()]}))
}
