//! The audit trail: every change, newest first, a page at a time, filtered by actor, action,
//! target and days.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{Days, NaiveDate, TimeZone, Utc};
use imsbridge_store::PageRequest;
use serde::Deserialize;

use super::Console;
use super::i18n::Texts;
use super::pages::{AuditPage, AuditRowView, PagerView};
use super::view::{FieldView, format_time, iso_time, link};
use crate::state::AppState;
use imsbridge_service::audit::AuditQuery as Filters;

const PAGE_SIZE: u32 = 50;

/// `?page=&actor=&action=&target_name=&from=&to=`.
#[derive(Debug, Default, Deserialize)]
pub struct AuditQuery {
    page: Option<u64>,
    actor: Option<String>,
    action: Option<String>,
    target_name: Option<String>,
    /// First day (UTC), `YYYY-MM-DD`.
    from: Option<String>,
    /// Last day (UTC), included.
    to: Option<String>,
}

impl AuditQuery {
    fn value(v: Option<&String>) -> String {
        v.map(|s| s.trim().to_owned()).unwrap_or_default()
    }

    /// The filters, for the pager's links (empty ones included; [`link`] leaves them out).
    fn filters(&self) -> [(&'static str, String); 5] {
        [
            ("actor", Self::value(self.actor.as_ref())),
            ("action", Self::value(self.action.as_ref())),
            ("target_name", Self::value(self.target_name.as_ref())),
            ("from", Self::value(self.from.as_ref())),
            ("to", Self::value(self.to.as_ref())),
        ]
    }

    /// The audit page `page` with these filters.
    fn url(&self, page: u64) -> String {
        let page = ("page", page.to_string());
        link(
            "/console/audit",
            std::iter::once(page).chain(self.filters()),
        )
    }

    fn is_filtered(&self) -> bool {
        self.filters().iter().any(|(_, v)| !v.is_empty())
    }
}

/// A form field's error: which field, and what to say.
type FieldError = (&'static str, String);

/// Start of day `raw` (UTC), or the field's error.
fn day(
    t: Texts,
    field: &'static str,
    raw: Option<&String>,
) -> Result<Option<NaiveDate>, FieldError> {
    let raw = AuditQuery::value(raw);
    if raw.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(&raw, "%Y-%m-%d")
        .map(Some)
        .map_err(|_| (field, t.get("audit_bad_date").to_owned()))
}

/// The store filter of the page's query, or the error of one field.
fn filter(t: Texts, q: &AuditQuery) -> Result<imsbridge_store::AuditFilter, FieldError> {
    let from = day(t, "from", q.from.as_ref())?;
    let to = day(t, "to", q.to.as_ref())?;
    if let (Some(from), Some(to)) = (from, to)
        && to < from
    {
        return Err(("to", t.get("audit_to_before_from").to_owned()));
    }
    let midnight = |d: NaiveDate| {
        Utc.from_utc_datetime(&d.and_time(chrono::NaiveTime::MIN))
            .to_rfc3339()
    };
    let filters = Filters {
        actor: q.actor.clone(),
        action: q.action.clone(),
        target_kind: None,
        target_name: q.target_name.clone(),
        target_id: None,
        since: from.map(midnight),
        // The last day is included: up to the next midnight.
        until: to
            .and_then(|d| d.checked_add_days(Days::new(1)))
            .map(midnight),
    };
    filters.parse().map_err(|errors| {
        let Some(e) = errors.first() else {
            return ("target_name", String::new());
        };
        let field = match e.field.as_str() {
            "actor" => "actor",
            "action" => "action",
            "since" => "from",
            "until" => "to",
            _ => "target_name",
        };
        (field, super::errors::field_error_text(t, e))
    })
}

fn filter_fields(t: Texts, q: &AuditQuery, error: Option<&FieldError>) -> Vec<FieldView> {
    let error_of = |name: &str| error.filter(|(f, _)| *f == name).map(|(_, m)| m.clone());
    let date = |name: &'static str, label: &'static str, value: Option<&String>| FieldView {
        kind: "date",
        ..FieldView::text(t, name, label, AuditQuery::value(value))
            .hint(t.get("audit_days_utc"))
            .error(error_of(name))
    };
    vec![
        FieldView::text(
            t,
            "actor",
            t.get("audit_actor"),
            AuditQuery::value(q.actor.as_ref()),
        )
        .placeholder("admin")
        .error(error_of("actor")),
        FieldView::text(
            t,
            "action",
            t.get("audit_action"),
            AuditQuery::value(q.action.as_ref()),
        )
        .placeholder("config.migrate")
        .mono()
        .error(error_of("action")),
        FieldView::text(
            t,
            "target_name",
            t.get("audit_target"),
            AuditQuery::value(q.target_name.as_ref()),
        )
        .placeholder("target-production")
        .error(error_of("target_name")),
        date("from", t.get("audit_from"), q.from.as_ref()),
        date("to", t.get("audit_to"), q.to.as_ref()),
    ]
}

/// `GET /console/audit`.
pub async fn page(
    State(state): State<AppState>,
    console: Console,
    Query(q): Query<AuditQuery>,
) -> Response {
    let t = console.t();
    if !console.caller.principal.can_read() {
        return console.error_page(StatusCode::FORBIDDEN, t.get("forbidden").to_owned());
    }
    let filter = filter(t, &q);
    let page_no = q.page.unwrap_or(1).max(1);
    let request = PageRequest {
        offset: (page_no - 1).saturating_mul(u64::from(PAGE_SIZE)),
        limit: PAGE_SIZE,
    };
    let page = match &filter {
        Ok(f) => match state.services.list_audit(&console.caller, f, request).await {
            Ok(p) => Some(p),
            Err(e) => return console.service_error_page(e),
        },
        Err(_) => None,
    };
    let entries = page
        .iter()
        .flat_map(|p| &p.items)
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
    let link = |n: u64| q.url(n);
    let pager = match &page {
        Some(page) if !entries.is_empty() => PagerView {
            range: t.fmt(
                "pager_range",
                &[
                    ("first", (page.offset + 1).into()),
                    ("last", (page.offset + page.items.len() as u64).into()),
                    ("total", page.total.into()),
                ],
            ),
            prev: (page_no > 1).then(|| link(page_no - 1)),
            next: page.has_more().then(|| link(page_no + 1)),
        },
        _ => PagerView {
            range: String::new(),
            prev: (page_no > 1).then(|| link(page_no - 1)),
            next: None,
        },
    };
    let flash = console.flash_view(&state).await;
    let view = AuditPage {
        page: console
            .chrome("audit")
            .titled(t.get("audit_trail"))
            .with_flash(flash),
        entries,
        pager,
        filters: filter_fields(t, &q, filter.as_ref().err()),
        filtered: q.is_filtered(),
    };
    let mut response = console.page(&view);
    if filter.is_err() {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    response
}
