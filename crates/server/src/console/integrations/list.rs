//! The list of configurations (filters, pages, selection) and its toolbar's Check Health.

use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use imsbridge_domain::{AuthType, CloudSolution, HealthStatus, Name, Origin};
use imsbridge_service::integrations::IntegrationFilter;
use imsbridge_store::{ConfigFilter, ConfigSummary, PageRequest};
use serde::Deserialize;

use super::super::flash::Flash;
use super::super::i18n::Texts;
use super::super::pages::{FiltersView, ListPage, PagerView, RowView};
use super::super::view::{OptionView, format_time, is_local_path, iso_time, link};
use super::super::{Console, see_other, see_other_with};
use crate::extract::Path;
use crate::state::AppState;

/// Rows per page of the list.
const PAGE_SIZE: u32 = 50;

// ---------------------------------------------------------------------------------------
// List
// ---------------------------------------------------------------------------------------

/// The list's query string.
#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    q: Option<String>,
    auth_type: Option<String>,
    solution: Option<String>,
    origin: Option<String>,
    health: Option<String>,
    page: Option<u64>,
    selected: Option<String>,
}

fn non_empty(v: Option<&String>) -> Option<&str> {
    v.map(|s| s.trim()).filter(|s| !s.is_empty())
}

impl ListQuery {
    /// The store filter, read by the same parser as the API's; a value that does not parse
    /// is left out rather than refused (a hand-edited URL shows everything instead of an
    /// error).
    fn filter(&self) -> ConfigFilter {
        IntegrationFilter {
            auth_type: self.auth_type.clone(),
            cloud_solution: self.solution.clone(),
            origin: self.origin.clone(),
            health: self.health.clone(),
            q: self.q.clone(),
        }
        .parse()
        .0
    }

    /// The list URL with these filters and page `page`.
    fn url(&self, page: u64) -> String {
        let filters = [
            ("q", &self.q),
            ("auth_type", &self.auth_type),
            ("solution", &self.solution),
            ("origin", &self.origin),
            ("health", &self.health),
        ]
        .map(|(key, value)| {
            (
                key,
                non_empty(value.as_ref()).unwrap_or_default().to_owned(),
            )
        });
        let page = (
            "page",
            if page > 1 {
                page.to_string()
            } else {
                String::new()
            },
        );
        link("/console/integrations", filters.into_iter().chain([page]))
    }
}

pub(super) fn auth_label(t: Texts, auth: AuthType) -> &'static str {
    match auth {
        AuthType::OAuth => t.get("auth_oauth"),
        AuthType::Jwt => t.get("auth_jwt"),
    }
}

fn row(t: Texts, s: &ConfigSummary, selected: Option<&str>) -> RowView {
    let (health_key, health_label) = match s.health.as_ref().map(|h| h.status) {
        Some(HealthStatus::Healthy) => ("healthy", t.get("health_healthy")),
        Some(HealthStatus::Unhealthy) => ("unhealthy", t.get("health_unhealthy")),
        None => ("unknown", t.get("health_unknown")),
    };
    RowView {
        id: s.id.to_string(),
        title: s.title.to_string(),
        name: s.name.to_string(),
        solution: s.cloud_solution.label().to_owned(),
        auth_key: s.auth_type.key(),
        auth_label: auth_label(t, s.auth_type),
        is_jwt: s.auth_type == AuthType::Jwt,
        is_auto: s.origin == Origin::AutoProvisioned,
        health_key,
        health_label,
        health_message: s
            .health
            .as_ref()
            .map(|h| h.message.clone())
            .unwrap_or_default(),
        health_time: s
            .health
            .as_ref()
            .map(|h| format_time(h.checked_at))
            .unwrap_or_default(),
        health_time_iso: s
            .health
            .as_ref()
            .map(|h| iso_time(h.checked_at))
            .unwrap_or_default(),
        selected: selected == Some(s.name.as_str()),
    }
}

fn filters_view(t: Texts, q: &ListQuery) -> FiltersView {
    let cur = |v: &Option<String>| non_empty(v.as_ref()).unwrap_or("").to_owned();
    let auth = cur(&q.auth_type);
    let solution = cur(&q.solution);
    let origin = cur(&q.origin);
    let health = cur(&q.health);
    let mut solutions = vec![OptionView::new("", t.get("all"), &solution)];
    solutions.extend(
        CloudSolution::KNOWN
            .iter()
            .map(|s| OptionView::new(s.key(), s.label(), &solution)),
    );
    solutions.push(OptionView::new("other", t.get("other_solution"), &solution));
    FiltersView {
        q: cur(&q.q),
        auth_types: vec![
            OptionView::new("", t.get("all"), &auth),
            OptionView::new("oauth", t.get("auth_oauth"), &auth),
            OptionView::new("jwt", t.get("auth_jwt"), &auth),
        ],
        solutions,
        origins: vec![
            OptionView::new("", t.get("all"), &origin),
            OptionView::new("customer", t.get("origin_customer"), &origin),
            OptionView::new("auto-provisioned", t.get("origin_auto"), &origin),
        ],
        healths: vec![
            OptionView::new("", t.get("all"), &health),
            OptionView::new("healthy", t.get("health_healthy"), &health),
            OptionView::new("unhealthy", t.get("health_unhealthy"), &health),
            OptionView::new("unchecked", t.get("health_unknown"), &health),
        ],
        active: [&q.q, &q.auth_type, &q.solution, &q.origin, &q.health]
            .iter()
            .any(|v| non_empty(v.as_ref()).is_some()),
    }
}

/// `GET /console/integrations`: one page of the store's paged list (never all of it).
pub async fn list(
    State(state): State<AppState>,
    console: Console,
    Query(q): Query<ListQuery>,
) -> Response {
    let t = console.t();
    let page_no = q.page.unwrap_or(1).max(1);
    let request = PageRequest {
        offset: (page_no - 1).saturating_mul(u64::from(PAGE_SIZE)),
        limit: PAGE_SIZE,
    };
    let page = match state
        .services
        .list_integrations(&console.caller, &q.filter(), request)
        .await
    {
        Ok(page) => page,
        Err(e) => return console.service_error_page(e),
    };
    let selected = non_empty(q.selected.as_ref());
    let rows: Vec<RowView> = page.items.iter().map(|s| row(t, s, selected)).collect();
    let selected_title = rows.iter().find(|r| r.selected).map(|r| r.title.clone());
    let first = page.offset + 1;
    let last = page.offset + page.items.len() as u64;
    let pager = PagerView {
        range: if page.items.is_empty() {
            t.fmt("pager_none", &[("total", page.total.into())])
        } else {
            t.fmt(
                "pager_range",
                &[
                    ("first", first.into()),
                    ("last", last.into()),
                    ("total", page.total.into()),
                ],
            )
        },
        prev: (page_no > 1).then(|| q.url(page_no - 1)),
        next: page.has_more().then(|| q.url(page_no + 1)),
    };
    let flash = console.flash_view(&state).await;
    let view = ListPage {
        page: console
            .chrome("integrations")
            .titled(t.get("ims_integrations"))
            .with_flash(flash),
        filters: filters_view(t, &q),
        rows,
        selected_title,
        pager,
        back: q.url(page_no),
    };
    console.page(&view)
}

/// The toolbar form of the list.
#[derive(Debug, Deserialize)]
pub struct SelectionForm {
    csrf_token: Option<String>,
    action: Option<String>,
    id: Option<String>,
    back: Option<String>,
}

/// `back` (a list URL) with `selected=<name>`.
fn back_to(back: Option<&str>, name: Option<&str>) -> String {
    let back = back
        .filter(|b| is_local_path(b) && b.starts_with("/console/integrations"))
        .unwrap_or("/console/integrations");
    let (path, query) = back.split_once('?').unwrap_or((back, ""));
    let kept = url::form_urlencoded::parse(query.as_bytes())
        .filter(|(key, _)| key != "selected")
        .map(|(key, value)| (key.into_owned(), value.into_owned()));
    let selected = name.map(|n| ("selected".to_owned(), n.to_owned()));
    link(path, kept.chain(selected))
}

/// `POST /console/integrations/_selection`: the toolbar's Properties, Check Health and
/// Delete for the selected row (so that selection works without JavaScript).
pub async fn selection(
    State(state): State<AppState>,
    console: Console,
    Form(form): Form<SelectionForm>,
) -> Response {
    if let Err(refused) = console.check_csrf(form.csrf_token.as_deref()) {
        return refused;
    }
    let Some(name) = form.id.as_deref().and_then(|n| Name::parse(n).ok()) else {
        return see_other_with(&back_to(form.back.as_deref(), None), &Flash::SelectFirst);
    };
    match form.action.as_deref() {
        Some("health") => run_health(&state, &console, &name, form.back.as_deref()).await,
        Some("delete") => see_other(&format!("/console/integrations/{name}/delete")),
        _ => see_other(&format!("/console/integrations/{name}")),
    }
}

async fn run_health(
    state: &AppState,
    console: &Console,
    name: &Name,
    back: Option<&str>,
) -> Response {
    match state
        .services
        .check_health(&console.caller, name.as_str())
        .await
    {
        Ok(_) => see_other_with(
            &back_to(back, Some(name.as_str())),
            &Flash::Health(name.to_string()),
        ),
        Err(e) => console.service_error_page(e),
    }
}

/// The Check Health form.
#[derive(Debug, Deserialize)]
pub struct CsrfForm {
    csrf_token: Option<String>,
    back: Option<String>,
}

/// `POST /console/integrations/{name}/health`.
pub async fn check_health(
    State(state): State<AppState>,
    console: Console,
    Path(raw): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Response {
    if let Err(refused) = console.check_csrf(form.csrf_token.as_deref()) {
        return refused;
    }
    match Name::parse(&raw) {
        Ok(name) => run_health(&state, &console, &name, form.back.as_deref()).await,
        Err(_) => console.error_page(
            StatusCode::NOT_FOUND,
            console.t().get("not_found").to_owned(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn back_to_keeps_filters_and_replaces_the_selection() {
        assert_eq!(
            back_to(
                Some("/console/integrations?q=a&selected=x&page=2"),
                Some("y")
            ),
            "/console/integrations?q=a&page=2&selected=y"
        );
        assert_eq!(
            back_to(Some("https://evil.example/"), None),
            "/console/integrations"
        );
        assert_eq!(
            back_to(Some("//evil.example/console/integrations"), Some("a")),
            "/console/integrations?selected=a"
        );
    }
}
