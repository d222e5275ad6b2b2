//! Adobe's I/O Management API for a credential's own client secrets, as documented in the
//! Developer Console's "OAuth Server-to-Server credential API Reference":
//! `GET`/`POST /console/organizations/{orgId}/credentials/{credentialId}/secrets` and
//! `DELETE …/secrets/{uuid}`. Requests pass Adobe's API gateway checks first (`x-api-key`,
//! bearer token, scope), and errors come in the gateway's `{"error_code", "message"}` shape.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get};
use serde_json::json;

use crate::EmulatorError;
use crate::secrets::{ClientSecret, CredentialRef};
use crate::state::Store;
use crate::tokens::check_access_token;
use crate::wire::bearer;

/// The prefix of every I/O Management route.
pub(crate) const PREFIX: &str = "/console/organizations/";

/// An error as Adobe's API gateway answers it.
#[derive(Debug)]
pub(crate) struct GatewayError {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl GatewayError {
    pub(crate) fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }
}

impl IntoResponse for GatewayError {
    fn into_response(self) -> Response {
        let mut response = (
            self.status,
            Json(json!({"error_code": self.code, "message": self.message})),
        )
            .into_response();
        let id = uuid::Uuid::new_v4().simple().to_string();
        if let Ok(v) = HeaderValue::from_str(&id) {
            response.headers_mut().insert("x-request-id", v);
        }
        response
    }
}

impl From<EmulatorError> for GatewayError {
    fn from(e: EmulatorError) -> Self {
        match &e {
            EmulatorError::NotFound { .. } => {
                Self::new(StatusCode::NOT_FOUND, "404001", e.to_string())
            }
            EmulatorError::Refused(_) => Self::new(StatusCode::CONFLICT, "409001", e.to_string()),
            EmulatorError::InvalidInput(_) => {
                Self::new(StatusCode::BAD_REQUEST, "400001", e.to_string())
            }
            _ => {
                tracing::error!(error = %e, "I/O Management request failed");
                Self::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "500000",
                    "the request could not be completed",
                )
            }
        }
    }
}

pub(crate) fn router() -> axum::Router<Arc<Store>> {
    axum::Router::new()
        .route(
            "/console/organizations/{org_id}/credentials/{credential_id}/secrets",
            get(list).post(add),
        )
        .route(
            "/console/organizations/{org_id}/credentials/{credential_id}/secrets/{uuid}",
            delete(remove),
        )
}

/// The gateway's checks, then the credential's: `x-api-key` and the bearer token both name
/// the credential's client, and the token carries the scope the method needs.
fn authorize(
    store: &Store,
    headers: &HeaderMap,
    method: &Method,
    org: &str,
    credential: &str,
) -> Result<(), GatewayError> {
    let forbidden = |code, message: String| GatewayError::new(StatusCode::FORBIDDEN, code, message);
    let api_key = headers
        .get("x-api-key")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| forbidden("403000", "Api Key is required".into()))?;
    if !store.read(|d| {
        d.oauth.contains_key(api_key) || d.web.contains_key(api_key) || d.jwt.contains_key(api_key)
    }) {
        return Err(forbidden("403003", "Api Key is invalid".into()));
    }
    let token =
        bearer(headers).ok_or_else(|| forbidden("403010", "Oauth token is missing.".into()))?;
    let invalid = |why: String| {
        GatewayError::new(
            StatusCode::UNAUTHORIZED,
            "401013",
            format!("Oauth token is not valid: {why}"),
        )
    };
    let (claims, _) = check_access_token(store, token).map_err(invalid)?;
    if claims.client_id != api_key {
        return Err(invalid(
            "it was issued to another client than the x-api-key".into(),
        ));
    }
    let needed = if method == Method::GET {
        "read_client_secret"
    } else {
        "manage_client_secrets"
    };
    if !claims.scopes().any(|s| s == needed) {
        return Err(forbidden(
            "403011",
            format!(
                "Scope mismatch: this call needs the {needed} scope; add the I/O Management API to the project and ask for it"
            ),
        ));
    }
    let owner = store.read(|d| {
        d.oauth
            .values()
            .find(|r| r.id == credential && d.console_org_id(&r.org_id) == org)
            .map(|r| r.client_id.clone())
    });
    match owner {
        None => Err(GatewayError::new(
            StatusCode::NOT_FOUND,
            "404001",
            format!("organization {org} has no OAuth Server-to-Server credential {credential}"),
        )),
        Some(owner) if owner != api_key => Err(forbidden(
            "403001",
            "a credential may only read and manage its own client secrets".into(),
        )),
        Some(_) => Ok(()),
    }
}

async fn list(
    State(store): State<Arc<Store>>,
    headers: HeaderMap,
    Path((org, credential)): Path<(String, String)>,
) -> Result<Response, GatewayError> {
    authorize(&store, &headers, &Method::GET, &org, &credential)?;
    let r = CredentialRef::Console {
        org: &org,
        credential: &credential,
    };
    let (client_id, secrets) = store.secrets_of(&r)?;
    let listed: Vec<serde_json::Value> = secrets.iter().map(ClientSecret::adobe_json).collect();
    Ok(Json(json!({"client_id": client_id, "client_secrets": listed})).into_response())
}

async fn add(
    State(store): State<Arc<Store>>,
    headers: HeaderMap,
    Path((org, credential)): Path<(String, String)>,
) -> Result<Response, GatewayError> {
    authorize(&store, &headers, &Method::POST, &org, &credential)?;
    let secret = store.add_secret(&CredentialRef::Console {
        org: &org,
        credential: &credential,
    })?;
    let mut body = secret.adobe_json();
    // The one answer that carries the value.
    body["client_secret"] = json!(secret.value);
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

async fn remove(
    State(store): State<Arc<Store>>,
    headers: HeaderMap,
    Path((org, credential, uuid)): Path<(String, String, String)>,
) -> Result<Response, GatewayError> {
    authorize(&store, &headers, &Method::DELETE, &org, &credential)?;
    store.delete_secret(
        &CredentialRef::Console {
            org: &org,
            credential: &credential,
        },
        |s| s.uuid == uuid,
        &uuid,
    )?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// The answer of a fault injected on `io_management`, in the gateway's shape.
pub(crate) fn fault_response(fault: &crate::faults::Fault) -> Response {
    use crate::faults::Fault;
    match fault {
        Fault::Error { status, .. } => {
            let status = StatusCode::from_u16(*status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let code = match status.as_u16() {
                401 => "401013",
                403 => "403000",
                429 => "429050",
                500 => "500000",
                502 => "502000",
                503 => "503000",
                504 => "504000",
                s if s >= 500 => "500000",
                _ => "400000",
            };
            GatewayError::new(status, code, "injected fault").into_response()
        }
        Fault::RateLimited { retry_after_secs } => {
            let mut response =
                GatewayError::new(StatusCode::TOO_MANY_REQUESTS, "429050", "Too many requests")
                    .into_response();
            response.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                HeaderValue::from(*retry_after_secs),
            );
            response
        }
        Fault::Outage => GatewayError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "503000",
            "Service unavailable",
        )
        .into_response(),
        Fault::MalformedBody => (
            StatusCode::OK,
            [(
                axum::http::header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            "{\"client_id\":\"",
        )
            .into_response(),
        Fault::ConnectionReset | Fault::Latency { .. } => {
            GatewayError::new(StatusCode::BAD_GATEWAY, "502000", "connection reset").into_response()
        }
    }
}
