//! `/api/v1/integrations`: list, read, create (OAuth only), update (OAuth only, with
//! `If-Match`), delete, migrate JWT → OAuth, and reading a Developer Console project JSON.

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use imsbridge_domain::{
    AuthType, AuthorizationServer, ClientId, CloudSolution, ConfigDraft, ConfigId, Credentials,
    DraftCredentials, ExposeSecret, IntegrationConfig, MigrationActor, OAuthCredentials,
    OAuthPatch, OrgId, Origin, RuleError, Scopes, SecretString, TechnicalAccountId, Title,
    secret_hint,
};
use imsbridge_store::{ConfigFilter, ConfigSummary, HealthFilter};
use serde::Deserialize;
use serde::de::IgnoredAny;
use utoipa::{IntoParams, ToSchema};

use super::views::{
    DEPRECATION_WARNING, HealthView, IntegrationView, MigrationPrefillView, SecretView,
};
use super::{PageView, StringList, etag, if_match, page_request, parse_name, require_if_match};
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Json, Path, Query};
use crate::migration::{self, MigrationRequest};
use crate::project_json::{self, ProjectOAuth};
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

/// A configuration in a list.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct IntegrationSummaryView {
    /// Stable id.
    #[schema(value_type = String, format = Uuid)]
    pub id: uuid::Uuid,
    /// Unique name.
    pub name: String,
    /// Display title.
    pub title: String,
    /// Solution key.
    pub cloud_solution: String,
    /// Solution label.
    pub cloud_solution_label: String,
    /// `oauth` or `jwt`.
    pub auth_type: String,
    /// Whether it still uses JWT.
    pub deprecated: bool,
    /// "JWT Credentials (deprecated)" for JWT configurations.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warning: Option<&'static str>,
    /// `customer` or `auto-provisioned`.
    pub origin: String,
    /// Current revision.
    pub revision: u64,
    /// IMS base URL.
    pub authorization_server: String,
    /// Client id.
    pub client_id: String,
    /// Organization.
    pub org_id: String,
    /// The client secret: set, and its last four characters.
    pub client_secret: SecretView,
    /// The last health check.
    pub health: Option<HealthView>,
    /// Created.
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// Last changed.
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

impl From<ConfigSummary> for IntegrationSummaryView {
    fn from(s: ConfigSummary) -> Self {
        let deprecated = s.auth_type == AuthType::Jwt;
        Self {
            id: s.id.as_uuid(),
            name: s.name.to_string(),
            title: s.title.to_string(),
            cloud_solution: s.cloud_solution.to_stored(),
            cloud_solution_label: s.cloud_solution.label().to_owned(),
            auth_type: s.auth_type.key().to_owned(),
            deprecated,
            warning: deprecated.then_some(DEPRECATION_WARNING),
            origin: s.origin.key().to_owned(),
            revision: s.revision.get(),
            authorization_server: s.authorization_server.to_string(),
            client_id: s.client_id.to_string(),
            org_id: s.org_id.to_string(),
            client_secret: SecretView {
                set: true,
                last4: s.client_secret_hint,
            },
            health: s.health.as_ref().map(HealthView::from),
            created_at: s.created_at,
            updated_at: s.updated_at,
        }
    }
}

fn parse_filter(q: &ListQuery) -> Result<ConfigFilter, ApiError> {
    let health = q
        .health
        .as_deref()
        .map(|h| match h.trim().to_ascii_lowercase().as_str() {
            "healthy" => Ok(HealthFilter::Healthy),
            "unhealthy" => Ok(HealthFilter::Unhealthy),
            "unchecked" | "unknown" | "none" => Ok(HealthFilter::Unchecked),
            other => Err(ApiError::invalid_field(
                "health",
                format!(
                    "health: {other:?} is not a health state; use healthy, unhealthy or unchecked"
                ),
            )),
        })
        .transpose()?;
    let cloud_solution = q
        .cloud_solution
        .as_deref()
        .map(|raw| {
            if raw.trim().eq_ignore_ascii_case("other") {
                Ok("other".to_owned())
            } else {
                CloudSolution::parse(raw).map(|s| s.key().to_owned())
            }
        })
        .transpose()?;
    let search =
        q.q.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| {
                if s.chars().count() > 128 || s.chars().any(char::is_control) {
                    Err(ApiError::invalid_field(
                        "q",
                        "q: the search text must be at most 128 characters of plain text",
                    ))
                } else {
                    Ok(s.to_owned())
                }
            })
            .transpose()?;
    Ok(ConfigFilter {
        auth_type: q.auth_type.as_deref().map(AuthType::parse).transpose()?,
        cloud_solution,
        origin: q.origin.as_deref().map(Origin::parse).transpose()?,
        health,
        search,
    })
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
        (status = 422, description = "Bad filter value", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<ListQuery>,
) -> Result<Json<PageView<IntegrationSummaryView>>, ApiError> {
    caller.require_read()?;
    let filter = parse_filter(&q)?;
    let page = page_request(q.offset, q.limit)?;
    let result = state.store.list_configs(&filter, page).await?;
    Ok(Json(PageView {
        items: result
            .items
            .into_iter()
            .map(|s| {
                let throttling = state
                    .provider
                    .throttling(&s.authorization_server, &s.client_id);
                let mut view = IntegrationSummaryView::from(s);
                view.health = HealthView::with_throttling(view.health, throttling.as_ref());
                view
            })
            .collect(),
        total: result.total,
        offset: result.offset,
        limit: result.limit,
    }))
}

pub(crate) async fn load(state: &AppState, raw_name: &str) -> Result<IntegrationConfig, ApiError> {
    let name = parse_name(raw_name)?;
    state
        .store
        .get_config(&name)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("the integration configuration {name:?}")))
}

/// The configuration as the store now holds it (timestamps at the store's precision), so
/// that a write answers exactly what a later read shows.
async fn stored(
    state: &AppState,
    written: &IntegrationConfig,
) -> Result<IntegrationConfig, ApiError> {
    Ok(state
        .store
        .get_config_by_id(written.id)
        .await?
        .unwrap_or_else(|| written.clone()))
}

fn with_etag(state: &AppState, status: StatusCode, config: &IntegrationConfig) -> Response {
    let mut view = IntegrationView::from(config);
    let throttling = state
        .provider
        .throttling(&config.authorization_server, config.client_id());
    view.health = HealthView::with_throttling(view.health, throttling.as_ref());
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
    caller.require_read()?;
    let config = load(&state, &name).await?;
    Ok(with_etag(&state, StatusCode::OK, &config))
}

/// The OAuth fields of a create request.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateIntegration {
    /// Unique name: lowercase letters, digits and '-'.
    #[schema(example = "target-production")]
    pub name: String,
    /// Display title (from the project JSON when absent there).
    #[schema(example = "Adobe Target (production)")]
    pub title: Option<String>,
    /// The solution: `target`, `analytics`, `launch`, `asset-compute`, `stock`,
    /// `brand-portal`, `campaign`, `automated-forms-conversion`, or `other:<name>`.
    #[schema(example = "target")]
    pub cloud_solution: String,
    /// IMS base URL (default `https://ims-na1.adobelogin.com`).
    pub authorization_server: Option<String>,
    /// `oauth` (the default). `jwt` is refused: JWT credentials are deprecated.
    #[schema(example = "oauth")]
    pub auth_type: Option<String>,
    /// Client id (or from `project_json`).
    pub client_id: Option<String>,
    /// Client secret (or from `project_json`). Never returned.
    #[schema(value_type = Option<String>, format = Password)]
    pub client_secret: Option<SecretString>,
    /// Scopes, a list or one comma-separated string (or from `project_json`).
    pub scopes: Option<StringList>,
    /// Organization id, `<24 hex>@AdobeOrg` (or from `project_json`).
    pub org_id: Option<String>,
    /// Technical account id (optional).
    pub technical_account_id: Option<String>,
    /// A Developer Console project JSON; fills the OAuth fields not given.
    #[schema(value_type = Option<Object>)]
    pub project_json: Option<serde_json::Value>,
    /// JWT-only fields, accepted only to answer with the deprecation.
    #[serde(default)]
    #[schema(ignore)]
    pub private_key: Option<IgnoredAny>,
    /// See `private_key`.
    #[serde(default)]
    #[schema(ignore)]
    pub certificate: Option<IgnoredAny>,
    /// See `private_key`.
    #[serde(default)]
    #[schema(ignore)]
    pub metascopes: Option<IgnoredAny>,
    /// See `private_key`.
    #[serde(default)]
    #[schema(ignore)]
    pub api_key: Option<IgnoredAny>,
}

fn missing(field: &'static str, hint: &str) -> ApiError {
    ApiError::invalid_field(field, format!("{field}: is missing; {hint}"))
}

/// Checks a client secret's shape without ever quoting it.
pub(crate) fn check_secret(secret: &SecretString) -> Result<(), ApiError> {
    let s = secret.expose_secret();
    let len = s.chars().count();
    if s.trim().is_empty() || len > 512 || s.chars().any(char::is_control) {
        return Err(ApiError::invalid_field(
            "client_secret",
            "client_secret: must be 1 to 512 printable characters; copy it from the credential's page in the Adobe Developer Console",
        ));
    }
    Ok(())
}

fn parse_scopes(list: &StringList) -> Result<Scopes, ApiError> {
    match list {
        StringList::One(s) => Scopes::parse(s),
        StringList::Many(items) => Scopes::from_items(items.iter().map(String::as_str)),
    }
    .map_err(ApiError::from)
}

fn parse_project(
    project_json: Option<&serde_json::Value>,
    client_id: Option<&ClientId>,
) -> Result<Option<ProjectOAuth>, ApiError> {
    project_json
        .map(|v| project_json::parse(v, client_id))
        .transpose()
        .map_err(|e| ApiError::invalid_field("project_json", e.to_string()))
}

/// The OAuth fields of a request, each from the body, else the project JSON, else `fallback`.
pub(crate) struct OAuthInput<'a> {
    pub client_id: Option<&'a str>,
    pub client_secret: Option<&'a SecretString>,
    pub scopes: Option<&'a StringList>,
    pub org_id: Option<&'a str>,
    pub technical_account_id: Option<&'a str>,
    pub project_json: Option<&'a serde_json::Value>,
}

/// Defaults for fields a request leaves out (a migration's prefill).
#[derive(Default)]
pub(crate) struct OAuthDefaults {
    pub client_id: Option<ClientId>,
    pub scopes: Option<Scopes>,
    pub org_id: Option<OrgId>,
    pub technical_account_id: Option<TechnicalAccountId>,
    /// For a migration: the JWT credential's client secret. The Developer Console keeps it
    /// when it migrates a credential, so an admin need not copy it again.
    pub client_secret: Option<SecretString>,
}

/// The client secret of a JWT configuration, which its migrated OAuth credential keeps.
pub(crate) fn jwt_client_secret(config: &IntegrationConfig) -> Option<SecretString> {
    match &config.credentials {
        Credentials::Jwt(jwt) => Some(jwt.client_secret.clone()),
        Credentials::OAuth(_) => None,
    }
}

pub(crate) fn oauth_from_input(
    input: &OAuthInput<'_>,
    defaults: OAuthDefaults,
) -> Result<(OAuthCredentials, Option<ProjectOAuth>), ApiError> {
    let client_id = input.client_id.map(ClientId::parse).transpose()?;
    let project = parse_project(
        input.project_json,
        client_id.as_ref().or(defaults.client_id.as_ref()),
    )?;
    let p = project.as_ref();
    let client_id = client_id
        .or_else(|| p.map(|p| p.client_id.clone()))
        .or(defaults.client_id)
        .ok_or_else(|| {
            missing(
                "client_id",
                "copy the Client ID from the credential's page in the Adobe Developer Console",
            )
        })?;
    let client_secret = input
        .client_secret
        .cloned()
        .or_else(|| p.and_then(|p| p.client_secrets.first().cloned()))
        .or(defaults.client_secret)
        .ok_or_else(|| {
            missing(
                "client_secret",
                "copy a Client Secret from the credential's page in the Adobe Developer Console",
            )
        })?;
    check_secret(&client_secret)?;
    let scopes = match input.scopes {
        Some(list) => Some(parse_scopes(list)?),
        None => p.map(|p| p.scopes.clone()).or(defaults.scopes),
    }
    .ok_or_else(|| {
        missing(
            "scopes",
            "copy the scopes from the credential's page in the Adobe Developer Console",
        )
    })?;
    let org_id = input
        .org_id
        .map(OrgId::parse)
        .transpose()?
        .or_else(|| p.map(|p| p.org_id.clone()))
        .or(defaults.org_id)
        .ok_or_else(|| {
            missing(
                "org_id",
                "it ends in @AdobeOrg; the Developer Console shows it",
            )
        })?;
    let technical_account_id = input
        .technical_account_id
        .filter(|s| !s.trim().is_empty())
        .map(TechnicalAccountId::parse)
        .transpose()?
        .or_else(|| p.and_then(|p| p.technical_account_id.clone()))
        .or(defaults.technical_account_id);
    Ok((
        OAuthCredentials {
            client_id,
            client_secret,
            scopes,
            org_id,
            technical_account_id,
        },
        project,
    ))
}

fn refuse_jwt(auth_type: Option<&str>, jwt_fields: bool, rule: RuleError) -> Result<(), ApiError> {
    let auth_type = auth_type.map(AuthType::parse).transpose()?;
    if auth_type == Some(AuthType::Jwt) || jwt_fields {
        return Err(rule.into());
    }
    Ok(())
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
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 409, description = "Name taken", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "Invalid field, or JWT refused (`jwt_deprecated`)", body = ErrorBody),
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<CreateIntegration>,
) -> Result<Response, ApiError> {
    caller.require_admin()?;
    let jwt_fields = body.private_key.is_some()
        || body.certificate.is_some()
        || body.metascopes.is_some()
        || body.api_key.is_some();
    refuse_jwt(
        body.auth_type.as_deref(),
        jwt_fields,
        RuleError::JwtCreationRefused,
    )?;
    let name = parse_name(&body.name)?;
    let (oauth, project) = oauth_from_input(
        &OAuthInput {
            client_id: body.client_id.as_deref(),
            client_secret: body.client_secret.as_ref(),
            scopes: body.scopes.as_ref(),
            org_id: body.org_id.as_deref(),
            technical_account_id: body.technical_account_id.as_deref(),
            project_json: body.project_json.as_ref(),
        },
        OAuthDefaults::default(),
    )?;
    let title = match body.title.as_deref() {
        Some(t) => Title::parse(t)?,
        None => project
            .and_then(|p| p.project_title)
            .and_then(|t| Title::parse(&t).ok())
            .ok_or_else(|| missing("title", "give the configuration a title"))?,
    };
    let draft = ConfigDraft {
        name,
        title,
        cloud_solution: CloudSolution::parse(&body.cloud_solution)?,
        authorization_server: body
            .authorization_server
            .as_deref()
            .map(AuthorizationServer::parse)
            .transpose()?
            .unwrap_or_default(),
        credentials: DraftCredentials::OAuth(oauth),
    };
    let config = IntegrationConfig::create(draft, ConfigId::new(), state.clock.now())?;
    state.store.insert_config(&config, &caller.audit).await?;
    let config = stored(&state, &config).await?;
    let mut response = with_etag(&state, StatusCode::CREATED, &config);
    if let Ok(location) = HeaderValue::from_str(&format!("/api/v1/integrations/{}", config.name)) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}

/// Changes to an OAuth configuration; absent fields keep their value.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateIntegration {
    /// New title.
    pub title: Option<String>,
    /// New solution.
    pub cloud_solution: Option<String>,
    /// New IMS base URL.
    pub authorization_server: Option<String>,
    /// Must be `oauth` if given; JWT configurations are read-only.
    pub auth_type: Option<String>,
    /// New client id.
    pub client_id: Option<String>,
    /// New client secret (the stored one is kept when absent). Never returned.
    #[schema(value_type = Option<String>, format = Password)]
    pub client_secret: Option<SecretString>,
    /// New scopes.
    pub scopes: Option<StringList>,
    /// New organization id.
    pub org_id: Option<String>,
    /// New technical account id; `null` clears it.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub technical_account_id: Option<Option<String>>,
    /// JWT-only fields, accepted only to answer that JWT is read-only.
    #[serde(default)]
    #[schema(ignore)]
    pub private_key: Option<IgnoredAny>,
    /// See `private_key`.
    #[serde(default)]
    #[schema(ignore)]
    pub certificate: Option<IgnoredAny>,
    /// See `private_key`.
    #[serde(default)]
    #[schema(ignore)]
    pub metascopes: Option<IgnoredAny>,
}

/// Tells a JSON `null` (clear) from an absent field (keep).
#[allow(clippy::option_option)] // exactly the three states of a JSON merge patch field
fn double_option<'de, D>(d: D) -> Result<Option<Option<String>>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    Option::<String>::deserialize(d).map(Some)
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
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 404, description = "No such configuration", body = ErrorBody),
        (status = 409, description = "Stale revision (with `current_revision`), or a JWT configuration (`jwt_read_only`)", body = ErrorBody),
        (status = 422, description = "Invalid field", body = ErrorBody),
        (status = 412, description = "If-Match holds a weak tag, which never matches", body = ErrorBody),
        (status = 428, description = "If-Match missing", body = ErrorBody),
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
    let jwt_fields =
        body.private_key.is_some() || body.certificate.is_some() || body.metascopes.is_some();
    refuse_jwt(
        body.auth_type.as_deref(),
        jwt_fields,
        RuleError::JwtReadOnly,
    )?;
    let expected = require_if_match(&headers)?;
    let current = load(&state, &name).await?;
    if let Some(secret) = &body.client_secret {
        check_secret(secret)?;
    }
    let patch = OAuthPatch {
        title: body.title.as_deref().map(Title::parse).transpose()?,
        cloud_solution: body
            .cloud_solution
            .as_deref()
            .map(CloudSolution::parse)
            .transpose()?,
        authorization_server: body
            .authorization_server
            .as_deref()
            .map(AuthorizationServer::parse)
            .transpose()?,
        client_id: body.client_id.as_deref().map(ClientId::parse).transpose()?,
        client_secret: body.client_secret.clone(),
        scopes: body.scopes.as_ref().map(parse_scopes).transpose()?,
        org_id: body.org_id.as_deref().map(OrgId::parse).transpose()?,
        technical_account_id: body
            .technical_account_id
            .as_ref()
            .map(|inner| {
                inner
                    .as_deref()
                    .filter(|s| !s.trim().is_empty())
                    .map(TechnicalAccountId::parse)
                    .transpose()
            })
            .transpose()?,
    };
    let after = current.update(patch, expected, state.clock.now())?;
    state
        .store
        .update_config(expected, &after, &caller.audit, "config.update")
        .await?;
    state.provider.retire(after.id);
    Ok(with_etag(
        &state,
        StatusCode::OK,
        &stored(&state, &after).await?,
    ))
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
    let name = parse_name(&name)?;
    let summary = state
        .store
        .get_config_summary(&name)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("the integration configuration {name:?}")))?;
    state
        .store
        .delete_config(&name, expected, &caller.audit)
        .await?;
    state.provider.retire(summary.id);
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
    caller.require_read()?;
    let config = load(&state, &name).await?;
    config.check_manual_migration()?;
    let prefill = config
        .migration_prefill()
        .ok_or(RuleError::NotJwt(config.auth_type()))?;
    Ok(Json(MigrationPrefillView::new(config.revision, &prefill)))
}

/// The OAuth details a JWT configuration is migrated to.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MigrateIntegration {
    /// The revision you read (or send it in `If-Match`).
    pub revision: Option<u64>,
    /// Client id; defaults to the JWT credential's (the Developer Console keeps it).
    pub client_id: Option<String>,
    /// The new OAuth credential's client secret (or from `project_json`). Never returned.
    /// When absent, the JWT credential's client secret is used, which the Developer
    /// Console keeps when it migrates a credential; verification must then be on.
    #[schema(value_type = Option<String>, format = Password)]
    pub client_secret: Option<SecretString>,
    /// Scopes; default: the OAuth credential's in `project_json`, else suggested from the
    /// JWT metascopes.
    pub scopes: Option<StringList>,
    /// Organization id; defaults to the JWT configuration's.
    pub org_id: Option<String>,
    /// Technical account id; defaults to the JWT configuration's.
    pub technical_account_id: Option<String>,
    /// A Developer Console project JSON; fills the fields not given.
    #[schema(value_type = Option<Object>)]
    pub project_json: Option<serde_json::Value>,
    /// Fetch a token with the new details before committing (default true).
    pub verify: Option<bool>,
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
        (status = 422, description = "Invalid field, or IMS refused the new details (`verification_failed` with `ims_error`, `debug_id`)", body = ErrorBody),
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
        (Some(n), _) => imsbridge_domain::Revision::parse(&n.to_string())?,
        (None, Some(r)) => r,
        (None, None) => return Err(require_if_match(&headers).unwrap_err()),
    };
    let verify = body.verify.unwrap_or(true);
    if !verify && !state.settings.allow_unverified_migration {
        return Err(ApiError::forbidden(
            "this server requires migrations to be verified with IMS; leave verify at true",
        ));
    }
    let config = load(&state, &name).await?;
    // Refuse before asking IMS anything: auto-provisioned and non-JWT configurations, and
    // stale revisions, fail the same with any OAuth details.
    config.check_manual_migration()?;
    let prefill = config
        .migration_prefill()
        .ok_or(RuleError::NotJwt(config.auth_type()))?;
    let (oauth, _) = oauth_from_input(
        &OAuthInput {
            client_id: body.client_id.as_deref(),
            client_secret: body.client_secret.as_ref(),
            scopes: body.scopes.as_ref(),
            org_id: body.org_id.as_deref(),
            technical_account_id: body.technical_account_id.as_deref(),
            project_json: body.project_json.as_ref(),
        },
        OAuthDefaults {
            client_id: Some(prefill.client_id),
            scopes: Some(prefill.scopes),
            org_id: Some(prefill.org_id),
            technical_account_id: Some(prefill.technical_account_id),
            // Only with verification: a kept secret is proven by IMS before anything changes.
            client_secret: verify.then(|| jwt_client_secret(&config)).flatten(),
        },
    )?;
    let migrated = migration::migrate(
        &state.store,
        &state.provider,
        state.clock.as_ref(),
        MigrationRequest {
            name: config.name.clone(),
            expected,
            oauth,
            verify,
            actor: MigrationActor::Manual,
        },
        &caller.audit,
    )
    .await?;
    Ok(with_etag(
        &state,
        StatusCode::OK,
        &stored(&state, &migrated).await?,
    ))
}

/// A Developer Console project JSON to read.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ParseProjectJson {
    /// The project JSON as downloaded from the Developer Console.
    #[schema(value_type = Object)]
    pub project_json: serde_json::Value,
    /// Chooses the credential when the project has several.
    pub client_id: Option<String>,
}

/// The OAuth fields found in a project JSON (secrets shown only by their last characters).
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct ProjectJsonView {
    /// The project's title.
    pub project_title: Option<String>,
    /// Client id.
    pub client_id: String,
    /// How many client secrets the credential has, and the last four characters of the first.
    pub client_secret: SecretView,
    /// How many client secrets the credential has.
    pub client_secret_count: usize,
    /// Scopes.
    pub scopes: Vec<String>,
    /// Organization id.
    pub org_id: String,
    /// Technical account id.
    pub technical_account_id: Option<String>,
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
    caller: Caller,
    Json(body): Json<ParseProjectJson>,
) -> Result<Json<ProjectJsonView>, ApiError> {
    caller.require_admin()?;
    let client_id = body.client_id.as_deref().map(ClientId::parse).transpose()?;
    let p = parse_project(Some(&body.project_json), client_id.as_ref())?
        .ok_or_else(|| missing("project_json", "send the project JSON"))?;
    Ok(Json(ProjectJsonView {
        project_title: p.project_title,
        client_id: p.client_id.to_string(),
        client_secret: SecretView {
            set: !p.client_secrets.is_empty(),
            last4: p.client_secrets.first().and_then(secret_hint),
        },
        client_secret_count: p.client_secrets.len(),
        scopes: p.scopes.iter().map(str::to_owned).collect(),
        org_id: p.org_id.to_string(),
        technical_account_id: p.technical_account_id.map(|t| t.to_string()),
    }))
}
