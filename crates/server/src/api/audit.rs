//! `GET /api/v1/audit`: the audit log, newest first, with filters.

use axum::extract::State;
use chrono::{DateTime, Utc};
use imsbridge_store::{AuditFilter, AuditRecord};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{PageView, page_request};
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Json, Query};
use crate::state::AppState;

/// Filters and paging.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Only this actor (user name or `api-token:<label>`).
    pub actor: Option<String>,
    /// Only this action (`config.create`, `config.update`, `config.migrate`, `user.login`, …).
    pub action: Option<String>,
    /// Only this kind of target (`config`, `user`, `api_token`).
    pub target_kind: Option<String>,
    /// Only this target name.
    pub target_name: Option<String>,
    /// Only this target id.
    pub target_id: Option<String>,
    /// Only entries at or after this time (RFC 3339, such as `2026-11-26T09:00:00Z`).
    pub since: Option<String>,
    /// Only entries before this time (RFC 3339).
    pub until: Option<String>,
    /// Items to skip.
    pub offset: Option<u64>,
    /// Page size, 1 to 500 (default 50).
    pub limit: Option<u32>,
}

/// One audit entry.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditView {
    /// Position in the log.
    pub id: i64,
    /// When.
    pub at: DateTime<Utc>,
    /// Who.
    pub actor: String,
    /// What.
    pub action: String,
    /// The kind of target.
    pub target_kind: String,
    /// Its name.
    pub target_name: Option<String>,
    /// Its id.
    pub target_id: Option<String>,
    /// The HTTP request id.
    pub request_id: Option<String>,
    /// The client's address.
    pub client_addr: Option<String>,
    /// Details, such as the non-secret fields that changed.
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
}

impl From<AuditRecord> for AuditView {
    fn from(r: AuditRecord) -> Self {
        Self {
            id: r.id,
            at: r.at,
            actor: r.actor,
            action: r.action,
            target_kind: r.target_kind,
            target_name: r.target_name,
            target_id: r.target_id,
            request_id: r.request_id,
            client_addr: r.client_addr,
            details: r.details,
        }
    }
}

fn filter_value(field: &'static str, v: Option<String>) -> Result<Option<String>, ApiError> {
    match v {
        Some(s) if s.chars().count() > 256 || s.chars().any(char::is_control) => {
            Err(ApiError::invalid_field(
                field,
                format!("{field}: must be at most 256 characters of plain text"),
            ))
        }
        Some(s) if s.trim().is_empty() => Ok(None),
        other => Ok(other),
    }
}

fn time_value(field: &'static str, v: Option<String>) -> Result<Option<DateTime<Utc>>, ApiError> {
    let Some(raw) = v.filter(|s| !s.trim().is_empty()) else {
        return Ok(None);
    };
    DateTime::parse_from_rfc3339(raw.trim())
        .map(|t| Some(t.with_timezone(&Utc)))
        .map_err(|_| {
            ApiError::invalid_field(
                field,
                format!(
                    "{field}: {} is not an RFC 3339 time; write it like 2026-11-26T09:00:00Z or 2026-11-26T18:00:00+09:00",
                    imsbridge_domain::quoted(&raw)
                ),
            )
        })
}

/// The audit filter of a query: blank values are no filter; times parse; `since` comes
/// before `until`. Shared with the console's audit page.
pub fn filter_of(q: AuditQuery) -> Result<AuditFilter, ApiError> {
    let filter = AuditFilter {
        actor: filter_value("actor", q.actor)?,
        action: filter_value("action", q.action)?,
        target_kind: filter_value("target_kind", q.target_kind)?,
        target_name: filter_value("target_name", q.target_name)?,
        target_id: filter_value("target_id", q.target_id)?,
        since: time_value("since", q.since)?,
        until: time_value("until", q.until)?,
    };
    if let (Some(since), Some(until)) = (filter.since, filter.until)
        && since >= until
    {
        return Err(ApiError::invalid_field(
            "until",
            "until: must be later than since (since is included, until is not)",
        ));
    }
    Ok(filter)
}

/// Lists audit entries, newest first.
#[utoipa::path(
    get, path = "/api/v1/audit", tag = "audit",
    params(AuditQuery),
    responses(
        (status = 200, description = "A page of entries", body = PageView<AuditView>),
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
    Query(q): Query<AuditQuery>,
) -> Result<Json<PageView<AuditView>>, ApiError> {
    caller.require_read()?;
    let page = page_request(q.offset, q.limit)?;
    let filter = filter_of(q)?;
    let result = state.store.list_audit(&filter, page).await?;
    Ok(Json(PageView {
        items: result.items.into_iter().map(Into::into).collect(),
        total: result.total,
        offset: result.offset,
        limit: result.limit,
    }))
}
