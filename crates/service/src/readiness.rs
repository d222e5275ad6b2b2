//! Migration readiness: how many configurations of each kind remain, which JWT ones are left
//! and who still uses them, how long until JWT credentials stop working, and the migration's
//! progress over time (which the server draws as an SVG chart).
//!
//! Token use per configuration is recorded cheaply by [`TokenUsage`]: counts kept in memory
//! per (configuration, caller) and written to the audit log as `token.usage` entries when
//! flushed, so that every replica's use is seen and nothing is written per token request.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{PoisonError, RwLock};

use chrono::{DateTime, NaiveDate, Utc};
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
