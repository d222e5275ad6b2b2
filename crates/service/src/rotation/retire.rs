//! Retiring the old secret once the configuration has switched: at once, never, or once
//! Adobe's last-used time shows that nothing uses it any more.

use chrono::{DateTime, Duration, Utc};
use imsbridge_domain::{DeleteOld, RotationState, SecretUuid};
use imsbridge_ims::{CredentialRef, IoManagementError};
use imsbridge_store::{AuditContext, RotationJob};

use super::{io_error, rotatable};
use crate::Services;
use crate::error::ServiceError;

/// What to do with an old secret under `after_unused`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OldSecretVerdict {
    /// Nothing has used it since the switch plus the grace period: delete it.
    Delete,
    /// The grace period after the switch is still running.
    WaitUntil(DateTime<Utc>),
    /// Something used it after the grace period began to count; keep it.
    InUse(DateTime<Utc>),
}

/// How long an old secret used after the switch must then stay unused before it is deleted
/// anyway, when the grace period is shorter.
const QUIET_AFTER_USE: Duration = Duration::hours(24);

/// Judges an old secret: delete it once the grace period after the switch has passed and
/// Adobe shows no use of it since the switch plus the grace period. One used later is kept
/// (another consumer, such as AEM itself, may hold it) until it has been unused for the
/// grace period (at least a day).
pub fn judge_old_secret(
    now: DateTime<Utc>,
    switched_at: DateTime<Utc>,
    grace: Duration,
    last_used: Option<DateTime<Utc>>,
) -> OldSecretVerdict {
    let threshold = switched_at + grace;
    match last_used {
        Some(used) if used > threshold => {
            if now >= used + grace.max(QUIET_AFTER_USE) {
                OldSecretVerdict::Delete
            } else {
                OldSecretVerdict::InUse(used)
            }
        }
        _ if now < threshold => OldSecretVerdict::WaitUntil(threshold),
        _ => OldSecretVerdict::Delete,
    }
}

fn minute(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

impl Services {
    /// Retires the old secret as the job asks, once the configuration has switched. Leaves
    /// the job `switched` (with the reason) when Adobe cannot be asked now.
    pub(super) async fn retire_old(
        &self,
        audit: &AuditContext,
        job: &mut RotationJob,
    ) -> Result<(), ServiceError> {
        let Some(old) = job.old_secret_uuid.clone() else {
            job.reason = Some("the credential had no other secret to retire".into());
            return self
                .record(
                    audit,
                    job,
                    RotationState::Completed,
                    "secret.rotate.complete",
                )
                .await;
        };
        match job.delete_old {
            DeleteOld::Never => {
                job.reason = Some(format!("the old secret {old} is kept (delete_old: never)"));
                self.record(
                    audit,
                    job,
                    RotationState::Completed,
                    "secret.rotate.complete",
                )
                .await
            }
            DeleteOld::AfterUnused => {
                self.record(
                    audit,
                    job,
                    RotationState::PendingDelete,
                    "secret.rotate.pending_delete",
                )
                .await
            }
            DeleteOld::Now => match self.delete_old_secret(job).await {
                Ok(()) => self.completed_after_delete(audit, job, &old).await,
                Err(e) => {
                    job.reason = Some(format!(
                        "the old secret {old} could not be deleted yet: {e}"
                    ));
                    self.record(audit, job, RotationState::Switched, "secret.rotate.retry")
                        .await
                }
            },
        }
    }

    /// Audits the old secret's deletion and completes the job.
    async fn completed_after_delete(
        &self,
        audit: &AuditContext,
        job: &mut RotationJob,
        old: &SecretUuid,
    ) -> Result<(), ServiceError> {
        self.audit_step(audit, job, "secret.rotate.delete_old", old)
            .await?;
        job.reason = None;
        self.record(
            audit,
            job,
            RotationState::Completed,
            "secret.rotate.complete",
        )
        .await
    }

    /// Deletes the job's old secret, with a token of the configuration's (new) secret. An
    /// old secret already gone counts as deleted.
    async fn delete_old_secret(&self, job: &RotationJob) -> Result<(), ServiceError> {
        let Some(old) = &job.old_secret_uuid else {
            return Ok(());
        };
        let config = self.config_of(job).await?;
        let (oauth, org, credential) = rotatable(&config)?;
        let io = self.provider.io_management();
        let session = io
            .session(
                CredentialRef {
                    server: &config.authorization_server,
                    oauth,
                    console_org_id: org,
                    credential_id: credential,
                },
                self.clock.as_ref(),
            )
            .await
            .map_err(|e| io_error(&e))?;
        match session.delete(old).await {
            Ok(()) | Err(IoManagementError::Refused { status: 404, .. }) => Ok(()),
            Err(e) => Err(io_error(&e)),
        }
    }

    /// Looks at Adobe's last-used time of a pending old secret: deletes it when nothing uses
    /// it any more, else says why it is kept. Writes the job only when that changed.
    pub(super) async fn check_pending(
        &self,
        audit: &AuditContext,
        job: &mut RotationJob,
    ) -> Result<(), ServiceError> {
        let Some(old) = job.old_secret_uuid.clone() else {
            return self
                .record(
                    audit,
                    job,
                    RotationState::Completed,
                    "secret.rotate.complete",
                )
                .await;
        };
        let config = self.config_of(job).await?;
        let io = self.provider.io_management();
        let listed = match self.secrets_of(&io, &config).await {
            Ok(listed) => listed,
            Err(e) => {
                return self
                    .note(
                        audit,
                        job,
                        format!("could not check the old secret yet: {e}"),
                    )
                    .await;
            }
        };
        let Some(info) = listed.iter().find(|s| s.uuid == old) else {
            job.reason = Some(format!("the old secret {old} was already deleted"));
            return self
                .record(
                    audit,
                    job,
                    RotationState::Completed,
                    "secret.rotate.complete",
                )
                .await;
        };
        let now = self.clock.now();
        let switched_at = job.switched_at.unwrap_or(job.updated_at);
        let grace = Duration::hours(i64::from(job.grace_hours.hours()));
        match judge_old_secret(now, switched_at, grace, info.last_used_at) {
            OldSecretVerdict::Delete => match self.delete_old_secret(job).await {
                Ok(()) => self.completed_after_delete(audit, job, &old).await,
                Err(e) => {
                    self.note(
                        audit,
                        job,
                        format!("could not delete the old secret yet: {e}"),
                    )
                    .await
                }
            },
            OldSecretVerdict::WaitUntil(at) => {
                let why = format!(
                    "the old secret {old} is deleted after {} if nothing uses it by then",
                    minute(at)
                );
                self.note(audit, job, why).await
            }
            OldSecretVerdict::InUse(used) => {
                let why = format!("still in use (last used {})", minute(used));
                self.note(audit, job, why).await
            }
        }
    }

    /// Keeps a pending job pending with a new reason, recorded (and audited) only when the
    /// reason changed, so that every pass does not add an audit entry.
    async fn note(
        &self,
        audit: &AuditContext,
        job: &mut RotationJob,
        reason: String,
    ) -> Result<(), ServiceError> {
        if job.reason.as_deref() == Some(reason.as_str()) {
            return Ok(());
        }
        job.reason = Some(reason);
        let state = job.state;
        self.record(audit, job, state, "secret.rotate.kept").await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(minutes: i64) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
            + Duration::minutes(minutes)
    }

    #[test]
    fn an_old_secret_is_deleted_only_after_the_grace_period_and_when_unused() {
        let grace = Duration::hours(24);
        let switch = at(0);
        assert_eq!(
            judge_old_secret(at(60), switch, grace, None),
            OldSecretVerdict::WaitUntil(at(24 * 60))
        );
        assert_eq!(
            judge_old_secret(at(25 * 60), switch, grace, Some(at(-5))),
            OldSecretVerdict::Delete
        );
        // Used during the grace period: in-flight work finishing, tolerated.
        assert_eq!(
            judge_old_secret(at(25 * 60), switch, grace, Some(at(60))),
            OldSecretVerdict::Delete
        );
        // Used after it: someone else holds it.
        assert_eq!(
            judge_old_secret(at(25 * 60), switch, grace, Some(at(24 * 60 + 30))),
            OldSecretVerdict::InUse(at(24 * 60 + 30))
        );
        // Quiet for a grace period since that use: it can go.
        assert_eq!(
            judge_old_secret(at(49 * 60), switch, grace, Some(at(24 * 60 + 30))),
            OldSecretVerdict::Delete
        );
    }

    #[test]
    fn without_a_grace_period_a_use_after_the_switch_keeps_the_secret_for_a_day() {
        let switch = at(0);
        assert_eq!(
            judge_old_secret(at(1), switch, Duration::zero(), None),
            OldSecretVerdict::Delete
        );
        assert_eq!(
            judge_old_secret(at(2), switch, Duration::zero(), Some(at(1))),
            OldSecretVerdict::InUse(at(1))
        );
        assert_eq!(
            judge_old_secret(at(25 * 60), switch, Duration::zero(), Some(at(1))),
            OldSecretVerdict::Delete
        );
    }
}
