//! Migration readiness (`GET /console/readiness`): counts by authentication type, origin,
//! cloud solution and health; the JWT configurations left and who still fetches their tokens;
//! days to the JWT end of life; the migration's progress as a server-rendered SVG chart.
//!
//! The labels live here (English and Korean) until they join `i18n`; the end-of-life date
//! comes from the `jwt_eol` setting.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

use super::Console;
use super::i18n::Lang;
use super::view::Chrome;
use crate::error::ApiError;
use crate::readiness::{self, Count, Readiness};
use crate::readiness_chart::{Chart, ChartLabels};
use crate::state::AppState;

/// The page's own labels.
pub struct Labels {
    title: &'static str,
    intro: &'static str,
    eol: &'static str,
    days_left: &'static str,
    passed: &'static str,
    total: &'static str,
    by_auth: &'static str,
    by_origin: &'static str,
    by_solution: &'static str,
    by_health: &'static str,
    progress: &'static str,
    migrated: &'static str,
    remaining: &'static str,
    none_left: &'static str,
    name: &'static str,
    origin: &'static str,
    solution: &'static str,
    used_by: &'static str,
    next_step: &'static str,
    automatic: &'static str,
    plan: &'static str,
    auto_failed: &'static str,
}

const EN: Labels = Labels {
    title: "Migration readiness",
    intro: "JWT credentials stop working at their end of life. Migrate customer configurations with a plan (imsbridge migrate plan / apply); auto-provisioned ones are migrated automatically.",
    eol: "JWT end of life",
    days_left: "days left",
    passed: "days ago",
    total: "Configurations",
    by_auth: "Authentication type",
    by_origin: "Origin",
    by_solution: "Cloud solution",
    by_health: "Health",
    progress: "Migration progress",
    migrated: "Migrated",
    remaining: "JWT configurations left",
    none_left: "Every configuration uses OAuth Server-to-Server.",
    name: "Name",
    origin: "Origin",
    solution: "Cloud solution",
    used_by: "Recent token requests",
    next_step: "Next step",
    automatic: "Migrated automatically",
    plan: "Migrate with a plan",
    auto_failed: "Automatic migration failed; retrying",
};

const KO: Labels = Labels {
    title: "마이그레이션 준비 상태",
    intro: "JWT 자격 증명은 지원 종료일 이후 작동하지 않습니다. 고객 구성은 계획으로 마이그레이션하고(imsbridge migrate plan / apply), 자동 프로비저닝된 구성은 자동으로 마이그레이션됩니다.",
    eol: "JWT 지원 종료일",
    days_left: "일 남음",
    passed: "일 지남",
    total: "구성",
    by_auth: "인증 유형",
    by_origin: "출처",
    by_solution: "클라우드 솔루션",
    by_health: "상태",
    progress: "마이그레이션 진행률",
    migrated: "마이그레이션됨",
    remaining: "남은 JWT 구성",
    none_left: "모든 구성이 OAuth 서버 간 인증을 사용합니다.",
    name: "이름",
    origin: "출처",
    solution: "클라우드 솔루션",
    used_by: "최근 토큰 요청",
    next_step: "다음 단계",
    automatic: "자동으로 마이그레이션됨",
    plan: "계획으로 마이그레이션",
    auto_failed: "자동 마이그레이션 실패, 재시도 중",
};

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
    l: &'static Labels,
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
        return console.error_page(StatusCode::FORBIDDEN, console.t().forbidden.to_owned());
    }
    let r = match readiness::compute(&state.store, state.clock.now(), state.settings.jwt_eol).await
    {
        Ok(r) => r,
        Err(e) => return console.api_error_page(&ApiError::from(e)),
    };
    let l = match console.lang {
        Lang::Ko => &KO,
        Lang::En => &EN,
    };
    let days = if r.days_to_eol >= 0 {
        format!("{} {}", r.days_to_eol, l.days_left)
    } else {
        format!("{} {}", -r.days_to_eol, l.passed)
    };
    let remaining = r
        .remaining
        .iter()
        .map(|c| RemainingView {
            name: c.name.clone(),
            origin: c.origin.clone(),
            solution: c.cloud_solution.clone(),
            used_by: c
                .used_by
                .iter()
                .map(|u| format!("{} ({})", u.caller, u.requests))
                .collect::<Vec<_>>()
                .join(", "),
            next_step: match (&c.auto_failure, c.origin.as_str()) {
                (Some(f), _) => format!("{} ({}): {}", l.auto_failed, f.attempt, f.reason),
                (None, "auto-provisioned") => l.automatic.to_owned(),
                (None, _) => l.plan.to_owned(),
            },
            failed: c.auto_failure.is_some(),
        })
        .collect();
    let view = ReadinessPage {
        page: console
            .chrome("readiness")
            .titled(l.title)
            .with_flash(console.flash_view(&state).await),
        l,
        breakdowns: vec![
            (l.by_auth, r.by_auth_type.clone()),
            (l.by_origin, r.by_origin.clone()),
            (l.by_solution, r.by_cloud_solution.clone()),
            (l.by_health, r.by_health.clone()),
        ],
        chart: Chart::of(&r),
        chart_l: ChartLabels {
            title: l.progress,
            migrated: l.migrated,
            remaining: l.remaining,
            eol: l.eol,
        },
        days,
        remaining,
        r,
    };
    console.page(&view)
}
