//! Migration readiness: how many configurations of each kind remain, which JWT ones are left
//! and who still uses them, how long until JWT credentials stop working, and the migration's
//! progress over time (drawn as an SVG chart, server-side).
//!
//! Token use per configuration is recorded cheaply by [`TokenUsage`]: counts kept in memory
//! per (configuration, caller) and written to the audit log as `token.usage` entries when
//! flushed, so that every replica's use is seen and nothing is written per token request.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{PoisonError, RwLock};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use imsbridge_domain::{AuthType, HealthStatus};
use imsbridge_store::{
    AuditContext, AuditEntry, AuditFilter, ConfigFilter, ConfigSummary, PageRequest, Store,
    StoreError,
};
use serde::Serialize;

use crate::bulk::apply::MIGRATION_ACTIONS;
use crate::bulk::auto::{self, AutoFailure};

/// The end-of-life date of JWT (Service Account) credentials announced by Adobe, used when
/// none is configured.
pub const DEFAULT_JWT_EOL: &str = "2025-06-30";

/// The audit action of a token-usage record.
pub const TOKEN_USAGE: &str = "token.usage";

/// How many recent usage records and automatic failures readiness reads.
const RECENT: u32 = 1000;

/// One bucket of a breakdown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Count {
    /// Stable key (`jwt`, `auto-provisioned`, `target`, `unchecked`, …).
    pub key: String,
    /// What people read.
    pub label: String,
    /// How many configurations.
    pub count: u64,
}

/// Someone still fetching tokens of a configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Usage {
    /// The caller (API token or user name).
    pub caller: String,
    /// Token requests recorded.
    pub requests: u64,
    /// The latest one.
    pub last_at: DateTime<Utc>,
}

/// A JWT configuration not migrated yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RemainingJwt {
    /// Name.
    pub name: String,
    /// Title.
    pub title: String,
    /// Solution label.
    pub cloud_solution: String,
    /// `customer` or `auto-provisioned`.
    pub origin: String,
    /// Current revision.
    pub revision: u64,
    /// Who fetched its tokens recently, busiest first.
    pub used_by: Vec<Usage>,
    /// The latest failed automatic attempt, for auto-provisioned ones.
    pub auto_failure: Option<AutoFailure>,
}

/// Migrations on one day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProgressPoint {
    /// The day (UTC).
    pub date: NaiveDate,
    /// Migrated that day.
    pub migrated: u64,
    /// Migrated up to and including that day.
    pub cumulative: u64,
    /// JWT configurations left at the end of that day.
    pub remaining_jwt: u64,
}

/// Everything the readiness page and `imsbridge migrate status` show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Readiness {
    /// When it was computed.
    pub generated_at: DateTime<Utc>,
    /// All configurations.
    pub total: u64,
    /// By authentication type.
    pub by_auth_type: Vec<Count>,
    /// By origin.
    pub by_origin: Vec<Count>,
    /// By cloud solution.
    pub by_cloud_solution: Vec<Count>,
    /// By last health check.
    pub by_health: Vec<Count>,
    /// The JWT configurations left, auto-provisioned last.
    pub remaining: Vec<RemainingJwt>,
    /// The JWT end-of-life date.
    pub jwt_eol: NaiveDate,
    /// Days from today to it (negative once passed).
    pub days_to_eol: i64,
    /// Migrations per day, oldest first.
    pub progress: Vec<ProgressPoint>,
}

fn bump(map: &mut BTreeMap<String, (String, u64)>, key: &str, label: &str) {
    map.entry(key.to_owned())
        .or_insert_with(|| (label.to_owned(), 0))
        .1 += 1;
}

fn counts(map: BTreeMap<String, (String, u64)>) -> Vec<Count> {
    let mut v: Vec<Count> = map
        .into_iter()
        .map(|(key, (label, count))| Count { key, label, count })
        .collect();
    v.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.key.cmp(&b.key)));
    v
}

/// Computes readiness at `now` for end-of-life date `eol`.
pub async fn compute(
    store: &Store,
    now: DateTime<Utc>,
    eol: NaiveDate,
) -> Result<Readiness, StoreError> {
    let mut all: Vec<ConfigSummary> = Vec::new();
    let mut offset = 0;
    loop {
        let page = store
            .list_configs(
                &ConfigFilter::default(),
                PageRequest {
                    offset,
                    limit: PageRequest::MAX_LIMIT,
                },
            )
            .await?;
        offset += page.items.len() as u64;
        let more = page.has_more() && !page.items.is_empty();
        all.extend(page.items);
        if !more {
            break;
        }
    }
    let (mut auth, mut origin, mut solution, mut health) = Default::default();
    for c in &all {
        bump(&mut auth, c.auth_type.key(), &c.auth_type.to_string());
        bump(&mut origin, c.origin.key(), c.origin.key());
        bump(
            &mut solution,
            c.cloud_solution.key(),
            c.cloud_solution.label(),
        );
        let (k, l) = match c.health.as_ref().map(|h| h.status) {
            Some(HealthStatus::Healthy) => ("healthy", "Healthy"),
            Some(HealthStatus::Unhealthy) => ("unhealthy", "Unhealthy"),
            None => ("unchecked", "Not checked"),
        };
        bump(&mut health, k, l);
    }
    let usage = recent_usage(store).await?;
    let failures = auto::failures(store, RECENT).await?;
    let mut remaining: Vec<RemainingJwt> = all
        .iter()
        .filter(|c| c.auth_type == AuthType::Jwt)
        .map(|c| RemainingJwt {
            name: c.name.to_string(),
            title: c.title.to_string(),
            cloud_solution: c.cloud_solution.label().to_owned(),
            origin: c.origin.key().to_owned(),
            revision: c.revision.get(),
            used_by: usage.get(c.name.as_str()).cloned().unwrap_or_default(),
            auto_failure: failures.get(&c.id.to_string()).cloned(),
        })
        .collect();
    remaining.sort_by(|a, b| {
        a.origin
            .cmp(&b.origin)
            .reverse()
            .then_with(|| a.name.cmp(&b.name))
    });
    // "customer" sorts after "auto-provisioned" reversed: customer rows (actionable) first.
    let jwt_now = remaining.len() as u64;
    let progress = progress(store, jwt_now).await?;
    Ok(Readiness {
        generated_at: now,
        total: all.len() as u64,
        by_auth_type: counts(auth),
        by_origin: counts(origin),
        by_cloud_solution: counts(solution),
        by_health: counts(health),
        remaining,
        jwt_eol: eol,
        days_to_eol: (eol - now.date_naive()).num_days(),
        progress,
    })
}

/// Migrations per day from the audit log, with the JWT count left at each day's end.
async fn progress(store: &Store, jwt_now: u64) -> Result<Vec<ProgressPoint>, StoreError> {
    let mut per_day: BTreeMap<NaiveDate, u64> = BTreeMap::new();
    for action in MIGRATION_ACTIONS {
        let filter = AuditFilter {
            action: Some(action.to_owned()),
            target_kind: Some("config".to_owned()),
            ..AuditFilter::default()
        };
        let mut offset = 0;
        loop {
            let page = store
                .list_audit(
                    &filter,
                    PageRequest {
                        offset,
                        limit: PageRequest::MAX_LIMIT,
                    },
                )
                .await?;
            offset += page.items.len() as u64;
            for r in &page.items {
                *per_day.entry(r.at.date_naive()).or_default() += 1;
            }
            if !page.has_more() || page.items.is_empty() {
                break;
            }
        }
    }
    let total: u64 = per_day.values().sum();
    let mut cumulative = 0;
    Ok(per_day
        .into_iter()
        .map(|(date, migrated)| {
            cumulative += migrated;
            ProgressPoint {
                date,
                migrated,
                cumulative,
                remaining_jwt: jwt_now + (total - cumulative),
            }
        })
        .collect())
}

async fn recent_usage(store: &Store) -> Result<HashMap<String, Vec<Usage>>, StoreError> {
    let filter = AuditFilter {
        action: Some(TOKEN_USAGE.to_owned()),
        ..AuditFilter::default()
    };
    let page = store
        .list_audit(&filter, PageRequest::first(RECENT))
        .await?;
    let mut by: HashMap<String, HashMap<String, Usage>> = HashMap::new();
    for r in page.items {
        let Some(name) = r.target_name else { continue };
        let caller = r.details["caller"].as_str().unwrap_or("unknown").to_owned();
        let requests = r.details["requests"].as_u64().unwrap_or(0);
        let u = by
            .entry(name)
            .or_default()
            .entry(caller.clone())
            .or_insert(Usage {
                caller,
                requests: 0,
                last_at: r.at,
            });
        u.requests += requests;
        u.last_at = u.last_at.max(r.at);
    }
    Ok(by
        .into_iter()
        .map(|(name, m)| {
            let mut v: Vec<Usage> = m.into_values().collect();
            v.sort_by(|a, b| {
                b.requests
                    .cmp(&a.requests)
                    .then_with(|| a.caller.cmp(&b.caller))
            });
            (name, v)
        })
        .collect())
}

/// Token requests per (configuration, caller), counted in memory and written to the audit
/// log by [`TokenUsage::flush`]. Recording is a lookup under a read lock and two atomic
/// updates once a pair has been seen; call it from the token handler.
#[derive(Debug, Default)]
pub struct TokenUsage {
    /// configuration name → caller → count.
    counts: RwLock<HashMap<String, HashMap<String, UsageCount>>>,
}

/// Requests, and the latest one (milliseconds since the epoch).
#[derive(Debug, Default)]
struct UsageCount {
    requests: AtomicU64,
    last_ms: AtomicI64,
}

impl UsageCount {
    fn add(&self, at_ms: i64) {
        self.requests.fetch_add(1, Ordering::Relaxed);
        self.last_ms.fetch_max(at_ms, Ordering::Relaxed);
    }
}

impl TokenUsage {
    /// Counts one token request for configuration `name` by `caller` at `at`.
    pub fn record(&self, name: &str, caller: &str, at: DateTime<Utc>) {
        let at_ms = at.timestamp_millis();
        if let Some(count) = self
            .counts
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(name)
            .and_then(|callers| callers.get(caller))
        {
            count.add(at_ms);
            return;
        }
        self.counts
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(name.to_owned())
            .or_default()
            .entry(caller.to_owned())
            .or_default()
            .add(at_ms);
    }

    /// Writes one `token.usage` audit entry per (configuration, caller) seen since the last
    /// flush, and forgets them. Returns how many entries were written.
    pub async fn flush(&self, store: &Store) -> Result<usize, StoreError> {
        let drained =
            std::mem::take(&mut *self.counts.write().unwrap_or_else(PoisonError::into_inner));
        let ctx = AuditContext::actor("system:token-usage");
        let mut written = 0;
        for (name, callers) in drained {
            for (caller, count) in callers {
                let last_at =
                    DateTime::from_timestamp_millis(count.last_ms.load(Ordering::Relaxed))
                        .unwrap_or_default();
                let entry = AuditEntry {
                    action: TOKEN_USAGE.to_owned(),
                    target_kind: "config".to_owned(),
                    target_name: Some(name.clone()),
                    target_id: None,
                    details: serde_json::json!({
                        "caller": caller,
                        "requests": count.requests.load(Ordering::Relaxed),
                        "last_at": last_at,
                    }),
                };
                store.append_audit(&ctx, &entry).await?;
                written += 1;
            }
        }
        Ok(written)
    }
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The migration progress as a standalone SVG line chart: configurations migrated so far
/// (green) and JWT configurations left (amber) per day, with the end-of-life date marked when
/// it falls in the range. Needs no script or stylesheet.
#[expect(
    clippy::too_many_lines,
    reason = "one sequential pass; not yet split by responsibility"
)]
pub fn svg_chart(r: &Readiness) -> String {
    const W: f64 = 640.0;
    const H: f64 = 260.0;
    const LEFT: f64 = 48.0;
    const RIGHT: f64 = 16.0;
    const TOP: f64 = 28.0;
    const BOTTOM: f64 = 40.0;
    let today = r.generated_at.date_naive();
    let jwt_now = r.remaining.len() as u64;
    // The series: each recorded day, and today, so the lines reach the present.
    let mut points: Vec<(NaiveDate, u64, u64)> = r
        .progress
        .iter()
        .map(|p| (p.date, p.cumulative, p.remaining_jwt))
        .collect();
    let migrated_total = points.last().map_or(0, |p| p.1);
    match points.first() {
        None => points.push((today - Duration::days(1), 0, jwt_now)),
        Some(first) => {
            let before = first.0 - Duration::days(1);
            let start_left = first.2 + first.1;
            points.insert(0, (before, 0, start_left));
        }
    }
    if points.last().is_some_and(|p| p.0 < today) {
        points.push((today, migrated_total, jwt_now));
    }
    let first = points[0].0;
    let last = points[points.len() - 1].0.max(first + Duration::days(1));
    let span = (last - first).num_days().max(1) as f64;
    let max_y = points
        .iter()
        .map(|p| p.1.max(p.2))
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let x = |d: NaiveDate| LEFT + (d - first).num_days() as f64 / span * (W - LEFT - RIGHT);
    let y = |v: u64| TOP + (1.0 - v as f64 / max_y) * (H - TOP - BOTTOM);
    let line = |pick: fn(&(NaiveDate, u64, u64)) -> u64| {
        points
            .iter()
            .map(|p| format!("{:.1},{:.1}", x(p.0), y(pick(p))))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" width="{W}" height="{H}" role="img" aria-labelledby="readiness-chart-title" font-family="sans-serif" font-size="11">"#
    );
    let _ = write!(
        s,
        r#"<title id="readiness-chart-title">Migration progress: {migrated_total} migrated, {jwt_now} JWT configurations left</title>"#
    );
    let _ = write!(
        s,
        r##"<rect x="0" y="0" width="{W}" height="{H}" fill="#ffffff"/><line x1="{LEFT}" y1="{b:.1}" x2="{r:.1}" y2="{b:.1}" stroke="#888"/><line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{b:.1}" stroke="#888"/>"##,
        b = H - BOTTOM,
        r = W - RIGHT
    );
    let _ = write!(
        s,
        r#"<text x="{lx:.1}" y="{ty:.1}" text-anchor="end">{max}</text><text x="{lx:.1}" y="{by:.1}" text-anchor="end">0</text>"#,
        lx = LEFT - 6.0,
        ty = TOP + 4.0,
        by = H - BOTTOM + 4.0,
        max = max_y as u64
    );
    let _ = write!(
        s,
        r#"<text x="{LEFT}" y="{dy:.1}">{a}</text><text x="{rx:.1}" y="{dy:.1}" text-anchor="end">{b}</text>"#,
        dy = H - BOTTOM + 16.0,
        rx = W - RIGHT,
        a = esc(&first.to_string()),
        b = esc(&last.to_string())
    );
    if r.jwt_eol >= first && r.jwt_eol <= last {
        let ex = x(r.jwt_eol);
        let _ = write!(
            s,
            r##"<line x1="{ex:.1}" y1="{TOP}" x2="{ex:.1}" y2="{b:.1}" stroke="#c62828" stroke-dasharray="4 3"/><text x="{ex:.1}" y="{ty:.1}" fill="#c62828" text-anchor="middle">JWT end of life {d}</text>"##,
            b = H - BOTTOM,
            ty = TOP - 8.0,
            d = esc(&r.jwt_eol.to_string())
        );
    }
    let _ = write!(
        s,
        r##"<polyline class="migrated" points="{}" fill="none" stroke="#2e7d32" stroke-width="2"/><polyline class="remaining" points="{}" fill="none" stroke="#ef6c00" stroke-width="2"/>"##,
        line(|p| p.1),
        line(|p| p.2)
    );
    let _ = write!(
        s,
        r##"<g font-size="12"><rect x="{LEFT}" y="{ly:.1}" width="10" height="10" fill="#2e7d32"/><text x="{t1:.1}" y="{tt:.1}">Migrated ({migrated_total})</text><rect x="{x2:.1}" y="{ly:.1}" width="10" height="10" fill="#ef6c00"/><text x="{t2:.1}" y="{tt:.1}">JWT left ({jwt_now})</text></g>"##,
        ly = H - 16.0,
        tt = H - 7.0,
        t1 = LEFT + 14.0,
        x2 = LEFT + 140.0,
        t2 = LEFT + 154.0
    );
    s.push_str("</svg>");
    s
}

/// Parses an end-of-life date (`YYYY-MM-DD`).
pub fn parse_eol(raw: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d").map_err(|_| {
        format!(
            "{} is not a date; write it as YYYY-MM-DD, such as {DEFAULT_JWT_EOL}",
            imsbridge_domain::quoted(raw.trim())
        )
    })
}

/// The default end-of-life date.
pub fn default_eol() -> NaiveDate {
    parse_eol(DEFAULT_JWT_EOL).expect("the default end-of-life date parses")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(progress: Vec<ProgressPoint>) -> Readiness {
        Readiness {
            generated_at: "2026-11-26T12:00:00Z".parse().unwrap(),
            total: 3,
            by_auth_type: vec![],
            by_origin: vec![],
            by_cloud_solution: vec![],
            by_health: vec![],
            remaining: vec![],
            jwt_eol: NaiveDate::from_ymd_opt(2026, 11, 25).unwrap(),
            days_to_eol: -1,
            progress,
        }
    }

    #[test]
    fn the_chart_is_one_svg_element_with_both_series_and_the_end_of_life_marker() {
        let svg = svg_chart(&sample(vec![ProgressPoint {
            date: NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
            migrated: 3,
            cumulative: 3,
            remaining_jwt: 0,
        }]));
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("class=\"migrated\"") && svg.contains("class=\"remaining\""));
        assert!(svg.contains("JWT end of life 2026-11-25"));
    }

    #[test]
    fn a_chart_without_any_migration_still_draws() {
        let svg = svg_chart(&sample(vec![]));
        assert!(svg.contains("Migrated (0)"));
    }
}
