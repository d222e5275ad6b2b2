//! Migration readiness (`GET /console/readiness`): counts by authentication type, origin,
//! cloud solution and health; the JWT configurations left and who still fetches their tokens;
//! days to the JWT end of life; the migration's progress as a server-rendered SVG chart.
//!
//! Every label comes from the catalogues (`readiness_*`, and the list's own words for the
//! breakdowns' values); the end-of-life date comes from the `jwt_eol` setting.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

use super::Console;
use super::i18n::Texts;
use super::view::Chrome;
use crate::error::ApiError;
use crate::readiness::{self, Count, Readiness};
use crate::readiness_chart::{Chart, ChartLabels};
use crate::state::AppState;

/// One row of the JWT-left table.
pub struct RemainingView {
    name: String,
    origin: String,
    solution: String,
    used_by: String,
    next_step: String,
    failed: bool,
}

/// The readiness page.
#[derive(Template)]
#[template(path = "readiness.html")]
pub struct ReadinessPage {
    /// Chrome.
    pub page: Chrome,
    l: Texts,
    r: Readiness,
    days: String,
    breakdowns: Vec<(&'static str, Vec<Count>)>,
    remaining: Vec<RemainingView>,
    /// The progress chart's layout, drawn by the included `readiness_chart.svg`.
    chart: Chart,
    /// The chart's words.
    chart_l: ChartLabels<'static>,
}

/// `GET /console/readiness`.
pub async fn page(State(state): State<AppState>, console: Console) -> Response {
    if !console.caller.principal.can_read() {
        return console.error_page(
            StatusCode::FORBIDDEN,
            console.t().get("forbidden").to_owned(),
        );
    }
    let r = match readiness::compute(&state.store, state.clock.now(), state.settings.jwt_eol).await
    {
        Ok(r) => r,
        Err(e) => return console.api_error_page(&ApiError::from(e)),
    };
    let l = console.t();
    let days = if r.days_to_eol >= 0 {
        l.fmt1("readiness_days_left", "days", r.days_to_eol)
    } else {
        l.fmt1("readiness_passed", "days", -r.days_to_eol)
    };
    let remaining = r
        .remaining
        .iter()
        .map(|c| RemainingView {
            name: c.name.clone(),
            origin: l.get(origin_key(&c.origin)).to_owned(),
            solution: c.cloud_solution.clone(),
            used_by: c
                .used_by
                .iter()
                .map(|u| format!("{} ({})", u.caller, u.requests))
                .collect::<Vec<_>>()
                .join(", "),
            next_step: match (&c.auto_failure, c.origin.as_str()) {
                (Some(f), _) => l.fmt(
                    "readiness_auto_failed",
                    &[
                        ("attempt", f.attempt.into()),
                        ("reason", f.reason.as_str().into()),
                    ],
                ),
                (None, "auto-provisioned") => l.get("readiness_automatic").to_owned(),
                (None, _) => l.get("readiness_plan").to_owned(),
            },
            failed: c.auto_failure.is_some(),
        })
        .collect();
    let view = ReadinessPage {
        page: console
            .chrome("readiness")
            .titled(l.get("readiness"))
            .with_flash(console.flash_view(&state).await),
        l,
        breakdowns: vec![
            (l.get("auth_type"), labelled(l, &r.by_auth_type, auth_key)),
            (l.get("origin"), labelled(l, &r.by_origin, origin_key)),
            (l.get("cloud_solution"), r.by_cloud_solution.clone()),
            (l.get("health"), labelled(l, &r.by_health, health_key)),
        ],
        chart: Chart::of(&r),
        chart_l: ChartLabels::in_lang(console.lang),
        days,
        remaining,
        r,
    };
    console.page(&view)
}

/// The counts with their labels in the page's language.
fn labelled(t: Texts, counts: &[Count], key: fn(&str) -> &'static str) -> Vec<Count> {
    counts
        .iter()
        .map(|c| Count {
            label: t.get(key(&c.key)).to_owned(),
            ..c.clone()
        })
        .collect()
}

/// The message of an authentication type's key.
fn auth_key(key: &str) -> &'static str {
    if key == "jwt" {
        "auth_jwt"
    } else {
        "auth_oauth"
    }
}

/// The message of an origin's key.
fn origin_key(key: &str) -> &'static str {
    if key == "auto-provisioned" {
        "origin_auto"
    } else {
        "origin_customer"
    }
}

/// The message of a health key.
fn health_key(key: &str) -> &'static str {
    match key {
        "healthy" => "health_healthy",
        "unhealthy" => "health_unhealthy",
        _ => "health_unknown",
    }
}
