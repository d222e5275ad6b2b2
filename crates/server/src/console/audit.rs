//! The audit trail: every change, newest first, a page at a time.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use imsbridge_store::{AuditFilter, PageRequest};
use serde::Deserialize;

use super::Console;
use super::pages::{AuditPage, AuditRowView, PagerView};
use super::view::{format_time, iso_time};
use crate::error::ApiError;
use crate::state::AppState;

const PAGE_SIZE: u32 = 50;

/// `?page=`.
#[derive(Debug, Default, Deserialize)]
pub struct AuditQuery {
    page: Option<u64>,
}

/// `GET /console/audit`.
pub async fn page(
    State(state): State<AppState>,
    console: Console,
    Query(q): Query<AuditQuery>,
) -> Response {
    let t = console.t();
    if !console.caller.principal.can_read() {
        return console.error_page(StatusCode::FORBIDDEN, t.forbidden.to_owned());
    }
    let page_no = q.page.unwrap_or(1).max(1);
    let request = PageRequest {
        offset: (page_no - 1).saturating_mul(u64::from(PAGE_SIZE)),
        limit: PAGE_SIZE,
    };
    let page = match state
        .store
        .list_audit(&AuditFilter::default(), request)
        .await
    {
        Ok(p) => p,
        Err(e) => return console.api_error_page(&ApiError::from(e)),
    };
    let entries = page
        .items
        .iter()
        .map(|r| AuditRowView {
            at: format_time(r.at),
            at_iso: iso_time(r.at),
            actor: r.actor.clone(),
            action: r.action.clone(),
            target: r
                .target_name
                .clone()
                .unwrap_or_else(|| r.target_kind.clone()),
            details: if r.details.as_object().is_some_and(serde_json::Map::is_empty) {
                String::new()
            } else {
                r.details.to_string()
            },
        })
        .collect::<Vec<_>>();
    let first = page.offset + 1;
    let last = page.offset + page.items.len() as u64;
    let pager = PagerView {
        range: if entries.is_empty() {
            String::new()
        } else {
            format!("{first}–{last} {} {}", t.of, page.total)
        },
        prev: (page_no > 1).then(|| format!("/console/audit?page={}", page_no - 1)),
        next: page
            .has_more()
            .then(|| format!("/console/audit?page={}", page_no + 1)),
    };
    let flash = console.flash_view(&state).await;
    let view = AuditPage {
        page: console
            .chrome("audit")
            .titled(t.audit_trail)
            .with_flash(flash),
        entries,
        pager,
    };
    console.page(&view)
}
