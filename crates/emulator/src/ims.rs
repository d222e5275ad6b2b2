//! The IMS endpoints: client credentials, JWT exchange, validation, invalidation,
//! organisations, discovery and keys.

use std::collections::HashSet;
use std::sync::Arc;

use axum::Json;
use axum::extract::{Extension, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use jsonwebtoken::{Algorithm, Header, Validation};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::keys::{self, SIGNING_KID};
use crate::state::{IssuedToken, Store};
use crate::wire::{ImsError, ParsedParams, add_debug_id, bearer};

/// Lifetime of every access token: 24 h, which IMS reports as 86399 s or 86399999 ms.
const TOKEN_LIFETIME_MS: i64 = 86_400_000;
/// Clock skew IMS tolerates on a JWT's `exp`.
const JWT_SKEW_SECS: i64 = 30;
/// Clients built for production put this host in `aud` and metascope claims.
const PROD_IMS: &str = "https://ims-na1.adobelogin.com";

type Shared = State<Arc<Store>>;

/// The claims of an emulator-issued access token (those Adobe's libraries read).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct AccessClaims {
    pub(crate) id: String,
    #[serde(rename = "type")]
    pub(crate) token_type: String,
    pub(crate) client_id: String,
    pub(crate) user_id: String,
    #[serde(rename = "as")]
    pub(crate) authorization_server: String,
    pub(crate) aa_id: String,
    pub(crate) ctp: u8,
    pub(crate) scope: String,
    pub(crate) created_at: String,
    pub(crate) expires_in: String,
}

fn ok_json(body: serde_json::Value) -> Response {
    let mut response = Json(body).into_response();
    add_debug_id(response.headers_mut());
    response
}

/// Signs a new access token and remembers it for validation.
pub(crate) fn issue_access_token(
    store: &Store,
    client_id: &str,
    user_id: &str,
    org_id: &str,
    scopes: &[String],
) -> String {
    let created_ms = store.clock.now().timestamp_millis();
    let claims = AccessClaims {
        id: format!("{}-{}", created_ms, uuid::Uuid::new_v4().simple()),
        token_type: "access_token".into(),
        client_id: client_id.into(),
        user_id: user_id.into(),
        authorization_server: "ims-na1".into(),
        aa_id: user_id.into(),
        ctp: 0,
        scope: scopes.join(","),
        created_at: created_ms.to_string(),
        expires_in: TOKEN_LIFETIME_MS.to_string(),
    };
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(SIGNING_KID.into());
    let token = jsonwebtoken::encode(&header, &claims, &keys::signing_key().encoding)
        .expect("signing with a valid RSA key does not fail");
    store.tokens.lock().expect("tokens lock").insert(
        claims.id,
        IssuedToken {
            org_id: org_id.into(),
            expires_at_ms: created_ms + TOKEN_LIFETIME_MS,
            invalidated: false,
        },
    );
    token
}

/// Checks a token this emulator issued: signature, known id, not invalidated, not expired.
pub(crate) fn check_access_token(
    store: &Store,
    token: &str,
) -> Result<(AccessClaims, IssuedToken), String> {
    let mut validation = Validation::new(Algorithm::RS256);
    // Expiry is judged by the emulator's clock below, not the system's.
    validation.validate_exp = false;
    validation.validate_aud = false;
    validation.required_spec_claims = HashSet::new();
    let data =
        jsonwebtoken::decode::<AccessClaims>(token, &keys::signing_key().decoding, &validation)
            .map_err(|e| format!("token is not a valid IMS access token: {e}"))?;
    let claims = data.claims;
    if claims.token_type != "access_token" {
        return Err("token is not an access token".into());
    }
    let issued = store
        .tokens
        .lock()
        .expect("tokens lock")
        .get(&claims.id)
        .cloned()
        // Several emulators in one process share the signing key; only our own count.
        .ok_or("token was not issued by this IMS")?;
    if issued.invalidated {
        return Err("token has been invalidated".into());
    }
    if store.clock.now().timestamp_millis() >= issued.expires_at_ms {
        return Err("token has expired".into());
    }
    Ok((claims, issued))
}

fn params(p: &ParsedParams) -> Result<&crate::wire::Params, ImsError> {
    p.0.as_ref().map_err(Clone::clone)
}

fn split_scopes(raw: &str) -> Vec<String> {
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

/// `POST /ims/token/v3` and `/ims/token/v2`: the client credentials grant.
pub(crate) async fn token(State(store): Shared, Extension(p): Extension<ParsedParams>) -> Response {
    client_credentials(&store, &p).unwrap_or_else(IntoResponse::into_response)
}

fn client_credentials(store: &Store, p: &ParsedParams) -> Result<Response, ImsError> {
    let p = params(p)?;
    let grant = p
        .get("grant_type")
        .ok_or_else(|| ImsError::missing("grant_type"))?;
    if grant != "client_credentials" {
        return Err(ImsError::new(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            format!("grant_type {grant} is not supported here; use client_credentials"),
        ));
    }
    let client_id = p
        .client_id()
        .ok_or_else(|| ImsError::missing("client_id"))?;
    let secret = p
        .client_secret()
        .ok_or_else(|| ImsError::missing("client_secret"))?;
    let now = store.clock.now();
    let (credential, scopes) = {
        let mut data = store.data.lock().expect("state lock");
        let rec = data
            .oauth
            .get_mut(client_id)
            .ok_or_else(|| ImsError::invalid_client("invalid client_id parameter"))?;
        if !rec.credential.client_secrets.iter().any(|s| s == secret) {
            return Err(ImsError::invalid_client("invalid client_secret parameter"));
        }
        if let Some(org) = p.get("org_id")
            && org != rec.credential.org_id
        {
            return Err(ImsError::invalid_client(
                "org_id does not match the client's organization",
            ));
        }
        let requested = p.get("scope").map(split_scopes).unwrap_or_default();
        let unknown: Vec<&str> = requested
            .iter()
            .filter(|s| !rec.credential.scopes.contains(s))
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
            rec.credential.scopes.clone()
        } else {
            requested
        };
        rec.last_used = Some(now);
        (rec.credential.clone(), scopes)
    };
    let token = issue_access_token(
        store,
        &credential.client_id,
        &credential.technical_account_id,
        &credential.org_id,
        &scopes,
    );
    Ok(ok_json(json!({
        "access_token": token,
        "token_type": "bearer",
        "expires_in": TOKEN_LIFETIME_MS / 1000 - 1,
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
    let scopes = crate::model::scopes_for_metascopes(&asked);
    let token = issue_access_token(
        store,
        &c.client_id,
        &c.technical_account_id,
        &c.org_id,
        &scopes,
    );
    Ok(ok_json(json!({
        "token_type": "bearer",
        "access_token": token,
        "expires_in": TOKEN_LIFETIME_MS - 1,
    })))
}

/// The IMS base URLs a JWT may name: ours (as configured and as addressed) and prod's.
fn accepted_bases(store: &Store, headers: &HeaderMap) -> Vec<String> {
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
    let known = store.read(|d| {
        d.oauth
            .get(client_id)
            .is_some_and(|r| r.credential.client_secrets.iter().any(|s| s == secret))
            || d.jwt
                .get(client_id)
                .is_some_and(|r| r.credential.client_secret == secret)
    });
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

/// `GET /ims/.well-known/openid-configuration`.
pub(crate) async fn discovery(State(store): Shared) -> Response {
    let b = &store.base_url;
    ok_json(json!({
        "issuer": b,
        "authorization_endpoint": format!("{b}/ims/authorize/v2"),
        "token_endpoint": format!("{b}/ims/token/v3"),
        "userinfo_endpoint": format!("{b}/ims/userinfo/v2"),
        "revocation_endpoint": format!("{b}/ims/revoke"),
        "jwks_uri": format!("{b}/ims/keys"),
        "response_types_supported": ["code", "token", "id_token"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
        "grant_types_supported": ["client_credentials", "urn:ietf:params:oauth:grant-type:jwt-bearer"],
        "scopes_supported": ["openid", "AdobeID", "read_organizations"],
    }))
}

/// `GET /ims/keys`: the JWKS with the token-signing key.
pub(crate) async fn jwks() -> Response {
    ok_json(json!({"keys": [keys::signing_key().jwk.clone()]}))
}
