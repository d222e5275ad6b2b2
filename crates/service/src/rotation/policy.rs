//! The rotation policy: configurations with `rotate_every_days` are rotated when due, and
//! unfinished rotations (interrupted ones, old secrets waiting to go unused) are advanced,
//! by one replica at a time; and the metrics that watch it.

use std::time::Duration;

use imsbridge_domain::{Credentials, DeleteOld, GraceHours};
use imsbridge_store::{AuditContext, DatabaseUrl};
use serde::Serialize;
use utoipa::ToSchema;

use super::RotationView;
use crate::bulk::lock::spawn_under_lock;
use crate::{Caller, Services};

/// The advisory lock key of the rotation job ("imsbridg" + 3 as an integer).
pub const ROTATION_LOCK: i64 = 0x696d_7362_7269_6403;

/// Failed rotations since the process started, by `config`.
pub const ROTATION_FAILURES: &str = "imsbridge_secret_rotation_failures_total";
/// Age of the client secret each configuration holds, in seconds, by `config`.
pub const SECRET_AGE: &str = "imsbridge_secret_age_seconds";
/// Failed rotations the store remembers, by `config` (every replica reports them).
pub const ROTATIONS_FAILED: &str = "imsbridge_secret_rotations_failed";
/// Seconds until the secret is due for rotation (negative: overdue), by `config`.
pub const ROTATION_DUE: &str = "imsbridge_secret_rotation_due_seconds";

/// How often the background pass runs.
pub const PASS_INTERVAL: Duration = Duration::from_secs(300);

/// The audit actor of the background pass.
const SCHEDULER: &str = "rotation-scheduler";

/// What one pass did.
#[derive(Debug, Default, Serialize, ToSchema)]
pub struct RotationPassReport {
    /// Rotations started or resumed, with their state.
    pub rotations: Vec<NamedRotation>,
    /// Configurations whose rotation could not run, with the reason.
    pub errors: Vec<NamedError>,
}

/// A configuration's rotation.
#[derive(Debug, Serialize, ToSchema)]
pub struct NamedRotation {
    /// The configuration.
    pub name: String,
    /// Its rotation's state.
    pub rotation: RotationView,
}

/// Why a configuration's rotation could not run.
#[derive(Debug, Serialize, ToSchema)]
pub struct NamedError {
    /// The configuration (empty when the pass itself failed).
    pub name: String,
    /// Why.
    pub reason: String,
}

impl RotationPassReport {
    fn done(&mut self, name: String, job: &imsbridge_store::RotationJob) {
        self.rotations.push(NamedRotation {
            name,
            rotation: RotationView::from(job),
        });
    }

    fn failed(&mut self, name: String, reason: String) {
        self.errors.push(NamedError { name, reason });
    }
}

/// The background job: advances unfinished rotations and rotates what is due.
#[derive(Clone, Debug)]
pub struct RotationPass {
    services: Services,
}

impl RotationPass {
    /// A pass over `services`.
    pub fn new(services: Services) -> Self {
        Self { services }
    }

    /// Runs a pass every `interval` for as long as the returned task lives, on the one
    /// replica that holds [`ROTATION_LOCK`]; abort the task to stop it.
    pub fn spawn(
        self,
        interval: Duration,
        database_url: Option<DatabaseUrl>,
    ) -> tokio::task::JoinHandle<()> {
        let services = self.services;
        spawn_under_lock(
            interval,
            database_url,
            ROTATION_LOCK,
            "secret rotation",
            move || {
                let services = services.clone();
                async move {
                    let report = services
                        .run_rotation_pass(&AuditContext::actor(SCHEDULER))
                        .await;
                    for e in &report.errors {
                        tracing::warn!(config = %e.name, reason = %e.reason, "secret rotation could not run");
                    }
                }
            },
        )
    }
}

impl Services {
    /// Runs the rotation pass now, as the CLI's `config rotate-secret --all-due` does:
    /// advances unfinished rotations, then rotates every configuration that is due.
    pub async fn rotate_all_due(
        &self,
        caller: &Caller,
    ) -> Result<RotationPassReport, crate::ServiceError> {
        caller.require_admin()?;
        Ok(self.run_rotation_pass(&caller.audit).await)
    }

    /// One pass: unfinished jobs first (each resumes where it stopped), then due ones.
    pub async fn run_rotation_pass(&self, audit: &AuditContext) -> RotationPassReport {
        let mut report = RotationPassReport::default();
        match self.store.unfinished_rotations().await {
            Ok(jobs) => {
                for job in jobs {
                    let name = job.config_name.clone();
                    match self.drive_rotation(audit, job, None).await {
                        Ok(job) => report.done(name, &job),
                        Err(e) => report.failed(name, e.to_string()),
                    }
                }
            }
            Err(e) => report.failed(String::new(), e.to_string()),
        }
        let configs = match self.store.all_configs().await {
            Ok(configs) => configs,
            Err(e) => {
                report.failed(String::new(), e.to_string());
                return report;
            }
        };
        let now = self.clock.now();
        let busy: Vec<String> = report.rotations.iter().map(|r| r.name.clone()).collect();
        for config in configs {
            let due = config.rotation_due_at().is_some_and(|at| at <= now)
                && config.console.ids().is_some()
                && matches!(config.credentials, Credentials::OAuth(_))
                && !busy.contains(&config.name.to_string());
            if !due {
                continue;
            }
            let name = config.name.to_string();
            let started = self
                .begin_rotation(
                    audit,
                    &config,
                    DeleteOld::AfterUnused,
                    GraceHours::default(),
                    None,
                )
                .await;
            let result = match started {
                Ok(job) => self.drive_rotation(audit, job, None).await,
                Err(e) => Err(e),
            };
            match result {
                Ok(job) => report.done(name, &job),
                Err(e) => report.failed(name, e.to_string()),
            }
        }
        report
    }

    /// Sets the secret metrics from the store: each OAuth configuration's secret age and
    /// time to its next rotation, and the failed rotations remembered.
    pub async fn record_secret_metrics(&self) -> Result<(), crate::ServiceError> {
        let now = self.clock.now();
        for config in self.store.all_configs().await? {
            if !matches!(config.credentials, Credentials::OAuth(_)) {
                continue;
            }
            let name = config.name.to_string();
            #[allow(clippy::cast_precision_loss)] // seconds fit a gauge's f64 exactly
            let age = (now - config.secret_since).num_seconds().max(0) as f64;
            metrics::gauge!(SECRET_AGE, "config" => name.clone()).set(age);
            if let Some(due) = config.rotation_due_at() {
                #[allow(clippy::cast_precision_loss)]
                let left = (due - now).num_seconds() as f64;
                metrics::gauge!(ROTATION_DUE, "config" => name).set(left);
            }
        }
        for (name, failed) in self.store.failed_rotation_counts().await? {
            #[allow(clippy::cast_precision_loss)]
            metrics::gauge!(ROTATIONS_FAILED, "config" => name).set(failed as f64);
        }
        Ok(())
    }
}

/// Describes the rotation metrics to the installed recorder.
pub fn describe_metrics() {
    metrics::describe_counter!(ROTATION_FAILURES, "Failed client-secret rotations.");
    metrics::describe_gauge!(
        SECRET_AGE,
        metrics::Unit::Seconds,
        "Age of the client secret each configuration holds."
    );
    metrics::describe_gauge!(
        ROTATIONS_FAILED,
        "Failed client-secret rotations recorded in the store."
    );
    metrics::describe_gauge!(
        ROTATION_DUE,
        metrics::Unit::Seconds,
        "Seconds until the client secret is due for rotation (negative: overdue)."
    );
}
