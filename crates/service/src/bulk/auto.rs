//! The automatic migration of auto-provisioned JWT configurations (the seed: "the platform
//! migrates them automatically").
//!
//! For each auto-provisioned JWT configuration the job asks the credential source to migrate
//! the credential, then switches the configuration through the one migration core (which
//! verifies the new credential with IMS first) as [`MigrationActor::Automatic`], and records
//! `config.migrate.automatic` ("migrated automatically") in the audit log. A failure is
//! recorded as `config.migrate.automatic.failed` with its reason and the time of the next
//! attempt, and retried with exponential backoff; [`AutoMigration::statuses`] and
//! [`failures`] show them.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use chrono::{DateTime, Utc};
use imsbridge_domain::{
    AuthType, Clock, ConfigId, Credentials, MigrationActor, OAuthCredentials, Origin,
};
use imsbridge_ims::TokenProvider;
use imsbridge_store::{
    AuditContext, AuditEntry, AuditFilter, ConfigFilter, DatabaseUrl, PageRequest, Store,
    StoreError,
};
use serde::Serialize;

use super::lock::{AUTO_MIGRATION_LOCK, spawn_under_lock};
use super::source::CredentialSource;
use crate::integrations::{self as migration, MigrationRequest};

/// The audit action of a successful automatic migration.
pub const MIGRATED_AUTOMATICALLY: &str = "config.migrate.automatic";
/// The audit action of a failed attempt.
pub const AUTOMATIC_FAILED: &str = "config.migrate.automatic.failed";
/// The actor the job's audit entries carry.
pub const AUTO_ACTOR: &str = "system:auto-migration";

/// How failed attempts are retried.
#[derive(Debug, Clone, Copy)]
pub struct Backoff {
    /// Wait after the first failure.
    pub base: Duration,
    /// Longest wait.
    pub max: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Self {
            base: Duration::from_secs(60),
            max: Duration::from_secs(6 * 3600),
        }
    }
}

impl Backoff {
    /// The wait after `attempts` consecutive failures (1-based): base · 2^(attempts-1), capped.
    pub fn delay(&self, attempts: u32) -> Duration {
        let factor = 2u32.saturating_pow(attempts.saturating_sub(1).min(20));
        self.base.saturating_mul(factor).min(self.max)
    }
}

/// Where the job stands with one configuration that has not migrated yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AutoStatus {
    /// The configuration.
    pub name: String,
    /// Consecutive failed attempts.
    pub attempts: u32,
    /// The last failure's reason.
    pub last_error: String,
    /// When the last attempt ran.
    pub last_attempt_at: DateTime<Utc>,
    /// When the next attempt is due.
    pub next_attempt_at: DateTime<Utc>,
}

/// What one pass did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AutoRunReport {
    /// Migrated in this pass.
    pub migrated: Vec<String>,
    /// Failed in this pass, with the reason.
    pub failed: Vec<(String, String)>,
    /// Waiting for their backoff to pass.
    pub deferred: Vec<String>,
}

/// The job; cheap to clone (clones share the retry state).
#[derive(Clone)]
pub struct AutoMigration {
    store: Store,
    provider: TokenProvider,
    clock: Arc<dyn Clock>,
    source: CredentialSource,
    backoff: Backoff,
    state: Arc<Mutex<HashMap<ConfigId, AutoStatus>>>,
}

impl std::fmt::Debug for AutoMigration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AutoMigration")
            .field("source", &self.source.base_url())
            .field("backoff", &self.backoff)
            .finish_non_exhaustive()
    }
}

impl AutoMigration {
    /// A job over `store`, asking `source` and verifying through `provider`.
    pub fn new(
        store: Store,
        provider: TokenProvider,
        clock: Arc<dyn Clock>,
        source: CredentialSource,
        backoff: Backoff,
    ) -> Self {
        Self {
            store,
            provider,
            clock,
            source,
            backoff,
            state: Arc::default(),
        }
    }

    /// Configurations whose last attempt failed, with when the next one is due.
    pub fn statuses(&self) -> Vec<AutoStatus> {
        let mut v: Vec<AutoStatus> = self
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .values()
            .cloned()
            .collect();
        v.sort_by(|a, b| a.name.cmp(&b.name));
        v
    }

    /// One pass over every auto-provisioned JWT configuration whose backoff has passed.
    pub async fn run_once(&self) -> Result<AutoRunReport, StoreError> {
        let filter = ConfigFilter {
            auth_type: Some(AuthType::Jwt),
            origin: Some(Origin::AutoProvisioned),
            ..ConfigFilter::default()
        };
        // Collect first: migrating shrinks the filtered list under an offset-based walk.
        let mut targets = Vec::new();
        let mut offset = 0;
        loop {
            let page = self
                .store
                .list_configs(
                    &filter,
                    PageRequest {
                        offset,
                        limit: PageRequest::MAX_LIMIT,
                    },
                )
                .await?;
            offset += page.items.len() as u64;
            let more = page.has_more() && !page.items.is_empty();
            targets.extend(page.items);
            if !more {
                break;
            }
        }
        let mut report = AutoRunReport::default();
        for summary in targets {
            let now = self.clock.now();
            let due = self
                .state
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .get(&summary.id)
                .is_none_or(|s| s.next_attempt_at <= now);
            if !due {
                report.deferred.push(summary.name.to_string());
                continue;
            }
            match self.migrate_one(&summary.name).await {
                Ok(true) => {
                    self.state
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .remove(&summary.id);
                    report.migrated.push(summary.name.to_string());
                }
                Ok(false) => {}
                Err(reason) => {
                    self.record_failure(summary.id, summary.name.as_str(), &reason)
                        .await;
                    report.failed.push((summary.name.to_string(), reason));
                }
            }
        }
        Ok(report)
    }

    /// `Ok(false)`: nothing to do any more (changed or gone meanwhile).
    async fn migrate_one(&self, name: &imsbridge_domain::Name) -> Result<bool, String> {
        let config = match self.store.get_config(name).await {
            Ok(Some(c)) => c,
            Ok(None) => return Ok(false),
            Err(e) => return Err(e.to_string()),
        };
        let Credentials::Jwt(jwt) = &config.credentials else {
            return Ok(false);
        };
        let credential = self
            .source
            .migrate(&jwt.api_key)
            .await
            .map_err(|e| e.to_string())?;
        let request = MigrationRequest {
            name: config.name.clone(),
            expected: config.revision,
            oauth: OAuthCredentials {
                client_id: credential.client_id.clone(),
                client_secret: credential.client_secret,
                scopes: credential.scopes.clone(),
                org_id: credential.org_id.clone(),
                technical_account_id: credential.technical_account_id,
            },
            verify: true,
            actor: MigrationActor::Automatic,
        };
        let audit = AuditContext {
            actor: AUTO_ACTOR.to_owned(),
            request_id: Some("auto-migration".to_owned()),
            client_addr: None,
        };
        let migrated = migration::migrate(
            &self.store,
            &self.provider,
            self.clock.as_ref(),
            request,
            &audit,
        )
        .await
        .map_err(|e| e.to_string())?;
        let entry = AuditEntry {
            action: MIGRATED_AUTOMATICALLY.to_owned(),
            target_kind: "config".to_owned(),
            target_name: Some(migrated.name.to_string()),
            target_id: Some(migrated.id.to_string()),
            details: serde_json::json!({
                "message": "migrated automatically",
                "client_id": credential.client_id.as_str(),
                "scopes": credential.scopes.to_string(),
                "revision": migrated.revision.get(),
            }),
        };
        if let Err(e) = self.store.append_audit(&audit, &entry).await {
            // The migration itself is committed and audited by the core; this note is extra.
            tracing::warn!(error = %e, config = %migrated.name, "could not record the automatic migration note");
        }
        tracing::info!(config = %migrated.name, "migrated automatically");
        Ok(true)
    }

    async fn record_failure(&self, id: ConfigId, name: &str, reason: &str) {
        let now = self.clock.now();
        let status = {
            let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
            let attempts = state.get(&id).map_or(0, |s| s.attempts) + 1;
            let delay = chrono::Duration::from_std(self.backoff.delay(attempts))
                .unwrap_or(chrono::Duration::MAX);
            let status = AutoStatus {
                name: name.to_owned(),
                attempts,
                last_error: reason.to_owned(),
                last_attempt_at: now,
                next_attempt_at: now + delay,
            };
            state.insert(id, status.clone());
            status
        };
        tracing::warn!(
            config = name,
            attempts = status.attempts,
            reason,
            "automatic migration failed; will retry"
        );
        let entry = AuditEntry {
            action: AUTOMATIC_FAILED.to_owned(),
            target_kind: "config".to_owned(),
            target_name: Some(name.to_owned()),
            target_id: Some(id.to_string()),
            details: serde_json::json!({
                "message": "automatic migration failed; it will be retried",
                "reason": reason,
                "attempt": status.attempts,
                "next_attempt_at": status.next_attempt_at,
            }),
        };
        if let Err(e) = self
            .store
            .append_audit(&AuditContext::actor(AUTO_ACTOR), &entry)
            .await
        {
            tracing::warn!(error = %e, "could not audit a failed automatic migration");
        }
    }

    /// Runs a pass every `interval` for as long as the returned task lives, on the one
    /// replica that holds the job lock (see [`JobLock`](super::lock::JobLock)); abort the task to stop it.
    pub fn spawn(
        self,
        interval: Duration,
        database_url: Option<DatabaseUrl>,
    ) -> tokio::task::JoinHandle<()> {
        let job = Arc::new(self);
        spawn_under_lock(
            interval,
            database_url,
            AUTO_MIGRATION_LOCK,
            "automatic migration",
            move || {
                let job = Arc::clone(&job);
                async move {
                    match job.run_once().await {
                        Ok(r) if !r.migrated.is_empty() || !r.failed.is_empty() => tracing::info!(
                            migrated = r.migrated.len(),
                            failed = r.failed.len(),
                            deferred = r.deferred.len(),
                            "automatic migration pass"
                        ),
                        Ok(_) => {}
                        Err(e) => tracing::warn!(error = %e, "automatic migration pass failed"),
                    }
                }
            },
        )
    }
}

/// A failed automatic attempt, as the audit log remembers it (survives restarts and is seen
/// by every replica).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AutoFailure {
    /// When it failed.
    pub at: DateTime<Utc>,
    /// Why.
    pub reason: String,
    /// Which consecutive attempt it was.
    pub attempt: u64,
    /// When the job tries again.
    pub next_attempt_at: Option<DateTime<Utc>>,
}

/// The latest failed automatic attempt per configuration id, from the newest `limit` entries.
pub async fn failures(
    store: &Store,
    limit: u32,
) -> Result<HashMap<String, AutoFailure>, StoreError> {
    let filter = AuditFilter {
        action: Some(AUTOMATIC_FAILED.to_owned()),
        ..AuditFilter::default()
    };
    let page = store.list_audit(&filter, PageRequest::first(limit)).await?;
    let mut out = HashMap::new();
    for r in page.items {
        let Some(id) = r.target_id.clone() else {
            continue;
        };
        // Newest first: the first entry per configuration is its latest.
        out.entry(id).or_insert_with(|| AutoFailure {
            at: r.at,
            reason: r.details["reason"].as_str().unwrap_or_default().to_owned(),
            attempt: r.details["attempt"].as_u64().unwrap_or(0),
            next_attempt_at: r.details["next_attempt_at"]
                .as_str()
                .and_then(|s| s.parse().ok()),
        });
    }
    Ok(out)
}
