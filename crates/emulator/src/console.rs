//! The Developer Console's credential side and the emulator's own admin controls, as a
//! JSON API under `/console` (routes documented in the README).

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{FromRequestParts, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::json;

use crate::EmulatorError;
use crate::faults::FaultRule;
use crate::secrets::{ClientSecret, CredentialRef};
use crate::state::Store;
use crate::wire::{ImsError, read_body};

type Shared = State<Arc<Store>>;
type ApiResult = Result<Response, ImsError>;

impl From<EmulatorError> for ImsError {
    fn from(e: EmulatorError) -> Self {
        let (status, code) = match &e {
            EmulatorError::NotFound { .. } => (StatusCode::NOT_FOUND, "not_found"),
            EmulatorError::Refused(_) => (StatusCode::CONFLICT, "conflict"),
            EmulatorError::InvalidInput(_) => (StatusCode::BAD_REQUEST, "bad_request"),
            _ => (StatusCode::INTERNAL_SERVER_ERROR, "server_error"),
        };
        let description = if status.is_server_error() {
            tracing::error!(error = %e, "emulator admin operation failed");
            "the emulator could not complete the operation".to_owned()
        } else {
            e.to_string()
        };
        ImsError::new(status, code, description)
    }
}

/// Path parameters whose rejection is answered in IMS's error shape.
struct PathParams<T>(T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for PathParams<T> {
    type Rejection = ImsError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ImsError> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|p| Self(p.0))
            .map_err(|e| ImsError::bad_request(format!("bad path parameter: {e}")))
    }
}

/// A JSON body; an empty body reads as `{}`.
async fn json_body<T: DeserializeOwned>(body: Body) -> Result<T, ImsError> {
    let bytes = read_body(body).await?;
    let bytes: &[u8] = if bytes.is_empty() { b"{}" } else { &bytes };
    serde_json::from_slice(bytes)
        .map_err(|e| ImsError::bad_request(format!("invalid JSON body: {e}")))
}

fn created<T: serde::Serialize>(value: &T) -> Response {
    (StatusCode::CREATED, Json(value)).into_response()
}

pub(crate) fn router() -> Router<Arc<Store>> {
    Router::new()
        .route("/console/orgs", post(create_org).get(list_orgs))
        .route("/console/orgs/{org_id}/projects", post(create_project))
        .route("/console/orgs/{org_id}/users", post(create_user))
        .route("/console/projects", get(list_projects))
        .route("/console/projects/{project_id}", get(project_json))
        .route(
            "/console/projects/{project_id}/auto_generated",
            post(mark_auto_generated),
        )
        .route(
            "/console/projects/{project_id}/credentials/oauth",
            post(create_oauth),
        )
        .route(
            "/console/projects/{project_id}/credentials/jwt",
            post(create_jwt),
        )
        .route(
            "/console/projects/{project_id}/credentials/web",
            post(create_web),
        )
        .route("/console/projects/{project_id}/services", post(add_service))
        .route("/console/credentials/{client_id}", get(get_credential))
        .route("/console/credentials/{client_id}/migrate", post(migrate))
        .route(
            "/console/credentials/{client_id}/secrets",
            post(add_secret).delete(remove_secret),
        )
        .route(
            "/console/credentials/{client_id}/certificates",
            post(add_certificate),
        )
        .route(
            "/console/credentials/{client_id}/jwt",
            axum::routing::delete(delete_jwt),
        )
        .route(
            "/console/admin/faults",
            put(set_fault).get(list_faults).delete(clear_faults),
        )
        .route("/console/admin/counters", get(counters))
        .route("/console/admin/requests", get(requests))
        .route("/console/admin/clock", get(clock))
        .route("/console/admin/clock/advance", post(advance_clock))
}

#[derive(Deserialize)]
struct NameBody {
    #[serde(default)]
    name: String,
}

async fn create_org(State(store): Shared, body: Body) -> ApiResult {
    let b: NameBody = json_body(body).await?;
    let name = if b.name.is_empty() {
        "Emulated Org".into()
    } else {
        b.name
    };
    Ok(created(&store.create_org(&name)?))
}

async fn list_orgs(State(store): Shared) -> ApiResult {
    Ok(Json(store.read(|d| d.orgs.values().cloned().collect::<Vec<_>>())).into_response())
}

#[derive(Deserialize)]
struct ProjectBody {
    #[serde(default)]
    name: String,
    #[serde(default)]
    auto_generated: bool,
}

async fn create_project(
    State(store): Shared,
    PathParams(org_id): PathParams<String>,
    body: Body,
) -> ApiResult {
    let b: ProjectBody = json_body(body).await?;
    Ok(created(&store.create_project(
        &org_id,
        &b.name,
        b.auto_generated,
    )?))
}

async fn list_projects(State(store): Shared) -> ApiResult {
    Ok(Json(store.read(|d| d.projects.values().cloned().collect::<Vec<_>>())).into_response())
}

async fn project_json(State(store): Shared, PathParams(id): PathParams<String>) -> ApiResult {
    Ok(Json(store.project_json(&id)?).into_response())
}

async fn mark_auto_generated(
    State(store): Shared,
    PathParams(id): PathParams<String>,
) -> ApiResult {
    Ok(Json(store.mark_auto_generated(&id)?).into_response())
}

#[derive(Deserialize)]
struct OAuthBody {
    #[serde(default)]
    scopes: Vec<String>,
}

async fn create_oauth(
    State(store): Shared,
    PathParams(id): PathParams<String>,
    body: Body,
) -> ApiResult {
    let b: OAuthBody = json_body(body).await?;
    Ok(created(&store.create_oauth_credential(&id, &b.scopes)?))
}

#[derive(Deserialize)]
struct JwtBody {
    #[serde(default)]
    metascopes: Vec<String>,
    certificate_pem: Option<String>,
}

async fn create_jwt(
    State(store): Shared,
    PathParams(id): PathParams<String>,
    body: Body,
) -> ApiResult {
    let b: JwtBody = json_body(body).await?;
    let store2 = store.clone();
    // RSA key generation takes a while; keep it off the async workers.
    let credential = tokio::task::spawn_blocking(move || {
        store2.create_jwt_credential(&id, &b.metascopes, b.certificate_pem.as_deref())
    })
    .await
    .map_err(|_| {
        ImsError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            "key generation failed",
        )
    })??;
    Ok(created(&credential))
}

async fn get_credential(State(store): Shared, PathParams(id): PathParams<String>) -> ApiResult {
    let (oauth, jwt, web) = store.read(|d| {
        (
            d.oauth.get(&id).map(|r| json!({
                "credential": r.credential(d), "created_at": r.created_at,
                "last_used": r.last_used, "migrated_at": r.migrated_at,
                "secrets": r.secrets.iter().map(ClientSecret::info).collect::<Vec<_>>(),
            })),
            d.jwt.get(&id).map(|r| json!({
                "credential": r.credential, "certificates": r.certificates,
                "created_at": r.created_at, "last_used": r.last_used, "migrated_at": r.migrated_at,
            })),
            d.web.get(&id).map(|r| json!({
                "credential": r.credential(), "created_at": r.created_at,
                "secrets": r.secrets.iter().map(ClientSecret::info).collect::<Vec<_>>(),
            })),
        )
    });
    if oauth.is_none() && jwt.is_none() && web.is_none() {
        return Err(EmulatorError::not_found("credential", id).into());
    }
    Ok(Json(json!({"oauth": oauth, "jwt": jwt, "web": web})).into_response())
}

async fn migrate(State(store): Shared, PathParams(id): PathParams<String>) -> ApiResult {
    Ok(created(&store.migrate_jwt_credential(&id)?))
}

async fn add_secret(State(store): Shared, PathParams(id): PathParams<String>) -> ApiResult {
    let secret = store.add_secret(&CredentialRef::ClientId(&id))?;
    Ok(created(
        &json!({"client_secret": secret.value, "uuid": secret.uuid}),
    ))
}

#[derive(Deserialize)]
struct SecretBody {
    client_secret: Option<String>,
    uuid: Option<String>,
}

async fn remove_secret(
    State(store): Shared,
    PathParams(id): PathParams<String>,
    body: Body,
) -> ApiResult {
    let b: SecretBody = json_body(body).await?;
    let r = CredentialRef::ClientId(&id);
    match (b.client_secret, b.uuid) {
        (Some(value), None) => store.delete_secret(&r, |s| s.value == value, "with that value")?,
        (None, Some(uuid)) => store.delete_secret(&r, |s| s.uuid == uuid, &uuid)?,
        _ => {
            return Err(ImsError::bad_request(
                "name the secret to delete by exactly one of client_secret or uuid",
            ));
        }
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Deserialize)]
struct UserBody {
    email: String,
    #[serde(default)]
    name: String,
    password: String,
    #[serde(default)]
    groups: Vec<String>,
}

async fn create_user(
    State(store): Shared,
    PathParams(org_id): PathParams<String>,
    body: Body,
) -> ApiResult {
    let b: UserBody = json_body(body).await?;
    Ok(created(&store.create_user(
        &org_id,
        &b.email,
        &b.name,
        &b.password,
        &b.groups,
    )?))
}

#[derive(Deserialize)]
struct WebBody {
    redirect_uri_pattern: String,
    default_redirect_uri: String,
    scopes: Option<Vec<String>>,
}

async fn create_web(
    State(store): Shared,
    PathParams(id): PathParams<String>,
    body: Body,
) -> ApiResult {
    let b: WebBody = json_body(body).await?;
    Ok(created(&store.create_web_credential(
        &id,
        &b.redirect_uri_pattern,
        &b.default_redirect_uri,
        b.scopes.as_deref(),
    )?))
}

#[derive(Deserialize)]
struct ServiceBody {
    code: String,
}

async fn add_service(
    State(store): Shared,
    PathParams(id): PathParams<String>,
    body: Body,
) -> ApiResult {
    let b: ServiceBody = json_body(body).await?;
    Ok(Json(store.add_service(&id, &b.code)?).into_response())
}

#[derive(Deserialize)]
struct CertificateBody {
    certificate_pem: String,
}

async fn add_certificate(
    State(store): Shared,
    PathParams(id): PathParams<String>,
    body: Body,
) -> ApiResult {
    let b: CertificateBody = json_body(body).await?;
    store.add_jwt_certificate(&id, &b.certificate_pem)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn delete_jwt(State(store): Shared, PathParams(id): PathParams<String>) -> ApiResult {
    store.delete_jwt_credential(&id)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn set_fault(State(store): Shared, body: Body) -> ApiResult {
    let rule: FaultRule = json_body(body).await?;
    store.faults.lock().expect("faults lock").set(rule)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn list_faults(State(store): Shared) -> ApiResult {
    Ok(Json(store.faults.lock().expect("faults lock").list()).into_response())
}

async fn clear_faults(State(store): Shared) -> ApiResult {
    store.faults.lock().expect("faults lock").clear();
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn counters(State(store): Shared) -> ApiResult {
    let c = store.counters.lock().expect("counters lock");
    let total: u64 = c.by_endpoint.values().sum();
    let mut by_endpoint = serde_json::Map::new();
    for (endpoint, n) in &c.by_endpoint {
        let key = serde_json::to_value(endpoint).expect("endpoints serialize");
        by_endpoint.insert(key.as_str().unwrap_or_default().to_owned(), json!(n));
    }
    by_endpoint.insert("any".into(), json!(total));
    Ok(Json(json!({"total_requests": by_endpoint, "token_requests": c.by_client})).into_response())
}

async fn requests(State(store): Shared) -> ApiResult {
    Ok(Json(store.request_log()).into_response())
}

async fn clock(State(store): Shared) -> ApiResult {
    Ok(Json(json!({"now": store.clock.now()})).into_response())
}

#[derive(Deserialize)]
struct AdvanceBody {
    seconds: u64,
}

async fn advance_clock(State(store): Shared, body: Body) -> ApiResult {
    let b: AdvanceBody = json_body(body).await?;
    store.clock.advance(Duration::from_secs(b.seconds));
    Ok(Json(json!({"now": store.clock.now()})).into_response())
}
