//! `GET /api/v1/audit`: the audit log, newest first, with filters.

use axum::extract::State;
use imsbridge_service::audit::{self, AuditView};
use serde::Deserialize;
use utoipa::IntoParams;

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
    let page = page_request(q.offset, q.limit)?;
    let filter = audit::AuditQuery {
        actor: q.actor,
        action: q.action,
        target_kind: q.target_kind,
        target_name: q.target_name,
        target_id: q.target_id,
        since: q.since,
        until: q.until,
    }
    .parse()?;
    let result = state.services.list_audit(&caller, &filter, page).await?;
    Ok(Json(PageView {
        items: result.items.into_iter().map(Into::into).collect(),
        total: result.total,
        offset: result.offset,
        limit: result.limit,
    }))
}
