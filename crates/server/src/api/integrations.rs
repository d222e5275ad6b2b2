//! `/api/v1/integrations`: list, read, create (OAuth only), update (OAuth only, with
//! `If-Match`), delete, migrate JWT → OAuth, and reading a Developer Console project JSON.
//! Each handler reads its request, calls one operation of the service layer and renders it.

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use imsbridge_domain::{IntegrationConfig, Revision};
use imsbridge_service::integrations::{
    CreateIntegration, IntegrationFilter, MigrateIntegration, ParseProjectJson, UpdateIntegration,
};
use imsbridge_service::views::{
    IntegrationSummaryView, IntegrationView, MigrationPrefillView, PageView, ProjectJsonView,
};
use serde::Deserialize;
use utoipa::IntoParams;

use super::{etag, if_match, page_request, require_if_match};
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Json, Path, Query};
use crate::state::AppState;

/// Filters and paging of the list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// `oauth` or `jwt`.
    pub auth_type: Option<String>,
    /// A solution key (`target`, `analytics`, …) or `other`.
    pub cloud_solution: Option<String>,
    /// `customer` or `auto-provisioned`.
    pub origin: Option<String>,
    /// `healthy`, `unhealthy` or `unchecked`.
    pub health: Option<String>,
    /// Case-insensitive search in title and name.
    pub q: Option<String>,
    /// Items to skip.
    pub offset: Option<u64>,
    /// Page size, 1 to 500 (default 50).
    pub limit: Option<u32>,
}

/// Lists configurations: filters, title search, pages.
#[utoipa::path(
    get, path = "/api/v1/integrations", tag = "integrations",
    params(ListQuery),
    responses(
        (status = 200, description = "A page of configurations", body = PageView<IntegrationSummaryView>),
        (status = 400, description = "Bad query", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not allowed", body = ErrorBody),
        (status = 422, description = "Bad filter value (`invalid`, every one in `errors`)", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<ListQuery>,
) -> Result<Json<PageView<IntegrationSummaryView>>, ApiError> {
    caller.require_read()?;
    let (filter, errors) = IntegrationFilter {
        auth_type: q.auth_type,
        cloud_solution: q.cloud_solution,
        origin: q.origin,
        health: q.health,
        q: q.q,
    }
    .parse();
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    let page = page_request(q.offset, q.limit)?;
    let svc = &state.services;
    let result = svc.list_integrations(&caller, &filter, page).await?;
    Ok(Json(PageView {
        items: result
            .items
            .into_iter()
            .map(|s| svc.integration_summary_view(s))
            .collect(),
        total: result.total,
        offset: result.offset,
        limit: result.limit,
    }))
}

fn with_etag(state: &AppState, status: StatusCode, config: &IntegrationConfig) -> Response {
    let view: IntegrationView = state.services.integration_view(config);
    let mut response = (status, Json(view)).into_response();
    response
        .headers_mut()
        .insert(header::ETAG, etag(config.revision));
    response
}

/// Reads one configuration (secrets never included; `ETag` carries the revision).
#[utoipa::path(
    get, path = "/api/v1/integrations/{name}", tag = "integrations",
    params(("name" = String, Path, description = "Configuration name")),
    responses(
        (status = 200, description = "The configuration", body = IntegrationView,
            headers(("ETag" = String, description = "The revision, for If-Match"))),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not allowed", body = ErrorBody),
        (status = 404, description = "No such configuration", body = ErrorBody),
        (status = 422, description = "Invalid name", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path(name): Path<String>,
) -> Result<Response, ApiError> {
    let config = state.services.get_integration(&caller, &name).await?;
    Ok(with_etag(&state, StatusCode::OK, &config))
}

/// Creates an OAuth Server-to-Server configuration. JWT is refused (deprecated).
#[utoipa::path(
    post, path = "/api/v1/integrations", tag = "integrations",
    request_body = CreateIntegration,
    responses(
        (status = 201, description = "Created", body = IntegrationView,
            headers(("ETag" = String), ("Location" = String))),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an admin, or `verify: false` while `server.allow_unverified_migration` is off", body = ErrorBody),
        (status = 409, description = "Name taken", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "Invalid fields (`invalid`, every one in `errors`), JWT refused (`jwt_deprecated`), or IMS refused the details (`verification_failed`, with IMS's `ims_error`, `debug_id` and the `field` it concerns); nothing was stored", body = ErrorBody),
        (status = 503, description = "IMS could not be reached to verify the details (`ims_unavailable`); nothing was stored", body = ErrorBody),
        (status = 504, description = "IMS did not answer in time while verifying (`ims_timeout`); nothing was stored", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<CreateIntegration>,
) -> Result<Response, ApiError> {
    let config = state.services.create_integration(&caller, &body).await?;
    let mut response = with_etag(&state, StatusCode::CREATED, &config);
    if let Ok(location) = HeaderValue::from_str(&format!("/api/v1/integrations/{}", config.name)) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}

/// Updates an OAuth configuration read at the revision in `If-Match`.
#[utoipa::path(
    patch, path = "/api/v1/integrations/{name}", tag = "integrations",
    params(
        ("name" = String, Path, description = "Configuration name"),
        ("If-Match" = String, Header, description = "The revision you read (its ETag)"),
    ),
    request_body = UpdateIntegration,
    responses(
        (status = 200, description = "Updated", body = IntegrationView, headers(("ETag" = String))),
        (status = 400, description = "Malformed JSON or If-Match", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an admin, or `verify: false` while `server.allow_unverified_migration` is off", body = ErrorBody),
        (status = 404, description = "No such configuration", body = ErrorBody),
        (status = 409, description = "Stale revision (with `current_revision`), or a JWT configuration (`jwt_read_only`)", body = ErrorBody),
        (status = 422, description = "Invalid fields (`invalid`, every one in `errors`), or IMS refused the new credential details (`verification_failed`, with IMS's `ims_error`, `debug_id` and the `field` it concerns); nothing was changed", body = ErrorBody),
        (status = 412, description = "If-Match holds a weak tag, which never matches", body = ErrorBody),
        (status = 428, description = "If-Match missing", body = ErrorBody),
        (status = 503, description = "IMS could not be reached to verify the new credential details (`ims_unavailable`); nothing was changed", body = ErrorBody),
        (status = 504, description = "IMS did not answer in time while verifying (`ims_timeout`); nothing was changed", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(name): Path<String>,
    headers: HeaderMap,
    Json(body): Json<UpdateIntegration>,
) -> Result<Response, ApiError> {
    caller.require_admin()?;
    let expected = require_if_match(&headers)?;
    let config = state
        .services
        .update_integration(&caller, &name, expected, &body)
        .await?;
    Ok(with_etag(&state, StatusCode::OK, &config))
}

/// Deletes a configuration; with `If-Match`, only if still at that revision.
#[utoipa::path(
    delete, path = "/api/v1/integrations/{name}", tag = "integrations",
    params(
        ("name" = String, Path, description = "Configuration name"),
        ("If-Match" = Option<String>, Header, description = "Delete only if still at this revision"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, description = "Malformed If-Match", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 404, description = "No such configuration", body = ErrorBody),
        (status = 409, description = "Stale revision", body = ErrorBody),
        (status = 412, description = "If-Match holds a weak tag, which never matches", body = ErrorBody),
        (status = 422, description = "Invalid name", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Result<StatusCode, ApiError> {
    caller.require_admin()?;
    let expected = if_match(&headers)?;
    state
        .services
        .delete_integration(&caller, &name, expected)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// What a migration form of this JWT configuration starts from.
#[utoipa::path(
    get, path = "/api/v1/integrations/{name}/migration", tag = "migration",
    params(("name" = String, Path, description = "Configuration name")),
    responses(
        (status = 200, description = "Prefilled OAuth fields", body = MigrationPrefillView),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not allowed", body = ErrorBody),
        (status = 404, description = "No such configuration", body = ErrorBody),
        (status = 409, description = "Not a JWT configuration, or auto-provisioned", body = ErrorBody),
        (status = 422, description = "Invalid name", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn migration_prefill(
    State(state): State<AppState>,
    caller: Caller,
    Path(name): Path<String>,
) -> Result<Json<MigrationPrefillView>, ApiError> {
    Ok(Json(
        state.services.migration_prefill(&caller, &name).await?,
    ))
}

/// Migrates a JWT configuration to OAuth Server-to-Server, keeping its id, name, title and
/// solution, after verifying the new details with IMS (unless `verify` is false). The JWT
/// private key is destroyed when the migration commits.
#[utoipa::path(
    post, path = "/api/v1/integrations/{name}/migrate", tag = "migration",
    params(
        ("name" = String, Path, description = "Configuration name"),
        ("If-Match" = Option<String>, Header, description = "The revision you read, if not in the body"),
    ),
    request_body = MigrateIntegration,
    responses(
        (status = 200, description = "Migrated", body = IntegrationView, headers(("ETag" = String))),
        (status = 400, description = "Malformed JSON or If-Match", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an admin, or unverified migration disabled", body = ErrorBody),
        (status = 404, description = "No such configuration", body = ErrorBody),
        (status = 409, description = "Stale revision, not JWT, or auto-provisioned", body = ErrorBody),
        (status = 422, description = "Invalid fields (`invalid`, every one in `errors`), or IMS refused the new details (`verification_failed` with `ims_error`, `debug_id`)", body = ErrorBody),
        (status = 412, description = "If-Match holds a weak tag, which never matches", body = ErrorBody),
        (status = 428, description = "No revision given", body = ErrorBody),
        (status = 502, description = "IMS failed", body = ErrorBody),
        (status = 503, description = "IMS unavailable", body = ErrorBody),
        (status = 504, description = "IMS timed out", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn migrate(
    State(state): State<AppState>,
    caller: Caller,
    Path(name): Path<String>,
    headers: HeaderMap,
    Json(body): Json<MigrateIntegration>,
) -> Result<Response, ApiError> {
    caller.require_admin()?;
    let expected = match (body.revision, if_match(&headers)?) {
        (Some(n), _) => Revision::parse(&n.to_string())?,
        (None, Some(r)) => r,
        (None, None) => return Err(require_if_match(&headers).unwrap_err()),
    };
    let migrated = state
        .services
        .migrate_integration(&caller, &name, expected, &body)
        .await?;
    Ok(with_etag(&state, StatusCode::OK, &migrated))
}

/// Reads the OAuth Server-to-Server fields of a Developer Console project JSON. To use them,
/// send the same JSON as `project_json` to create or migrate: secrets never come back.
#[utoipa::path(
    post, path = "/api/v1/project-json", tag = "integrations",
    request_body = ParseProjectJson,
    responses(
        (status = 200, description = "The OAuth fields found", body = ProjectJsonView),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 422, description = "Not a usable project JSON", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn parse_project_json(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<ParseProjectJson>,
) -> Result<Json<ProjectJsonView>, ApiError> {
    Ok(Json(state.services.read_project_json(&caller, &body)?))
}
