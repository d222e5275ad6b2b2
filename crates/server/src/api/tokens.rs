//! Access tokens for integrations (`POST …/{name}/token`) and Check Health
//! (`POST …/{name}/health`).

use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use imsbridge_domain::ExposeSecret;
use imsbridge_ims::TokenRequest;
use imsbridge_service::{Resource, ServiceError};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use imsbridge_service::views::HealthView;

use super::parse_name;
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Json, OptionalJson, Path, Query};
use crate::state::AppState;

/// The longest minimum validity a caller may ask for: IMS tokens live about a day.
const MAX_MIN_VALIDITY_SECS: u64 = 23 * 3600;

/// Options for fetching a token (body or query; the body wins).
#[derive(Debug, Default, Deserialize, ToSchema, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TokenOptions {
    /// The token must stay valid at least this many seconds (0 to 82800).
    pub min_validity: Option<u64>,
    /// Fetch a new token from IMS even if a cached one is valid.
    pub force_refresh: Option<bool>,
    /// Answer within this many milliseconds (1 up to the server's token budget, by default
    /// 5000). A caller without a cached token then hears IMS's reason (or `ims_timeout`)
    /// in time, never a generic timeout.
    #[schema(minimum = 1, example = 1000)]
    #[param(minimum = 1, example = 1000)]
    pub timeout_ms: Option<u64>,
}

/// An IMS access token.
#[derive(Serialize, ToSchema)]
pub struct TokenResponse<'a> {
    /// The access token, to send as `Authorization: Bearer …` to the Adobe product.
    pub access_token: &'a str,
    /// Always `bearer`.
    pub token_type: &'a str,
    /// When it expires.
    pub expires_at: DateTime<Utc>,
    /// Seconds until it expires.
    pub expires_in: i64,
}

/// Fetches an access token for the integration (cached, refreshed ahead of expiry).
/// Needs an API token with scope `token:<name>` (or `admin`). Always answers within the
/// budget (`timeout_ms`, at most the server's `token_budget_ms`): while IMS is failing, with
/// IMS's own reason.
#[utoipa::path(
    post, path = "/api/v1/integrations/{name}/token", tag = "tokens",
    params(("name" = String, Path, description = "Configuration name"), TokenOptions),
    request_body(content = Option<TokenOptions>, description = "Options (optional body)"),
    responses(
        (status = 200, description = "A token (`Cache-Control: no-store`)", body = TokenResponse),
        (status = 400, description = "Malformed options", body = ErrorBody),
        (status = 401, description = "No or bad API token", body = ErrorBody),
        (status = 403, description = "The token's scope does not include this integration", body = ErrorBody),
        (status = 404, description = "No such configuration", body = ErrorBody),
        (status = 422, description = "Invalid option", body = ErrorBody),
        (status = 502, description = "IMS refused the credential (`ims_refused`, with `ims_error` such as `invalid_client` and `debug_id`)", body = ErrorBody),
        (status = 503, description = "IMS is failing or throttling this client (`ims_unavailable`, with `ims_error` such as `too_many_requests`, `temporarily_unavailable` or `server_error`, `debug_id` when IMS gave one, and `Retry-After` in seconds)", body = ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds to wait before asking again"))),
        (status = 504, description = "IMS did not answer within the budget (`ims_timeout`, `ims_error` = `timeout`)", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn token(
    State(state): State<AppState>,
    caller: Caller,
    Path(name): Path<String>,
    Query(query): Query<TokenOptions>,
    OptionalJson(body): OptionalJson<TokenOptions>,
) -> Result<Response, ApiError> {
    let parsed = parse_name(&name)?;
    // Scope first: a caller that may not fetch this token learns nothing about whether the
    // configuration exists.
    if !caller.principal.can_fetch_token(&parsed) {
        return Err(ApiError::forbidden(format!(
            "this caller may not fetch access tokens of \"{parsed}\"; use an API token with scope token:{parsed} (or admin)"
        )));
    }
    let min_validity = body.min_validity.or(query.min_validity).unwrap_or(0);
    if min_validity > MAX_MIN_VALIDITY_SECS {
        return Err(ApiError::invalid_field(
            "min_validity",
            format!(
                "min_validity: {min_validity} seconds is longer than IMS tokens live; ask for at most {MAX_MIN_VALIDITY_SECS}"
            ),
        ));
    }
    let force = body.force_refresh.or(query.force_refresh).unwrap_or(false);
    let budget = state.provider.token_budget();
    let timeout = body
        .timeout_ms
        .or(query.timeout_ms)
        .map(Duration::from_millis);
    if let Some(timeout) = timeout
        && (timeout.is_zero() || timeout > budget)
    {
        return Err(ApiError::invalid_field(
            "timeout_ms",
            format!(
                "timeout_ms: {} ms is not allowed; ask for 1 to {} ms (this server's token budget)",
                timeout.as_millis(),
                budget.as_millis()
            ),
        ));
    }
    // From the store's short-lived read cache: the hot path of every integration.
    let config = state
        .store
        .cached_config(&parsed)
        .await?
        .ok_or_else(|| ServiceError::not_found(Resource::Integration, &parsed))?;
    let mut request = TokenRequest::new().with_min_validity(Duration::from_secs(min_validity));
    if force {
        request = request.forcing_refresh();
    }
    if let Some(timeout) = timeout {
        request = request.with_budget(timeout);
    }
    let token = state.provider.token(&config, request).await?;
    let now = state.clock.now();
    state
        .token_usage
        .record(config.name.as_str(), &caller.audit.actor, now);
    let access_token = token.token.expose_secret();
    let body = TokenResponse {
        access_token,
        token_type: &token.token_type,
        expires_at: token.expires_at,
        expires_in: (token.expires_at - now).num_seconds().max(0),
    };
    // Written once into a buffer of the right size: this is the hot path.
    let mut json = Vec::with_capacity(access_token.len() + 128);
    serde_json::to_writer(&mut json, &body).map_err(|e| ApiError::internal(&e))?;
    let mut response = json.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    Ok(response)
}

/// Check Health: fetches a fresh token (bypassing the cache), records the result on the
/// configuration and returns it. IMS refusing is a result, not an error (200).
#[utoipa::path(
    post, path = "/api/v1/integrations/{name}/health", tag = "tokens",
    params(("name" = String, Path, description = "Configuration name")),
    responses(
        (status = 200, description = "The check's result", body = HealthView),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 404, description = "No such configuration", body = ErrorBody),
        (status = 422, description = "Invalid name", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn health(
    State(state): State<AppState>,
    caller: Caller,
    Path(name): Path<String>,
) -> Result<Json<HealthView>, ApiError> {
    let health = state.services.check_health(&caller, &name).await?;
    Ok(Json(HealthView::from(&health)))
}
