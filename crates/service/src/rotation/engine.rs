//! The rotation job's steps: add → verify → switch → retire. Each step reads what the last
//! recorded one left (the job row, the configuration, Adobe's list) and records its own
//! result before the next begins, so that a job stopped anywhere resumes safely:
//!
//! * stopped before Adobe's answer was recorded: the new secret's value is lost, so any
//!   secret the credential gained since the job began that the job did not record is
//!   deleted, and another is added;
//! * stopped after it was recorded: the sealed value is verified again and switched to;
//! * stopped after the configuration switched but before the job said so: the
//!   configuration's secret uuid shows the switch happened.

use std::ops::ControlFlow;
use std::sync::Arc;

use futures::future::BoxFuture;
use imsbridge_domain::{DeleteOld, GraceHours, IntegrationConfig, RotationState, SecretUuid};
use imsbridge_ims::{CredentialRef, IoManagementClient, SecretInfo};
use imsbridge_store::{AuditContext, AuditEntry, RotationJob};
use uuid::Uuid;

use super::{held_uuid, io_error, rotatable};
use crate::Services;
use crate::error::{ErrorCode, ServiceError};

/// A point between two steps of a rotation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RotationStep {
    /// The job is recorded; nothing asked of Adobe yet.
    Recorded,
    /// Adobe made the new secret; the job has not recorded it yet.
    AdobeAdded,
    /// The job recorded the new secret.
    Added,
    /// IMS accepted the new secret.
    Verified,
    /// The configuration switched; the job has not recorded it yet.
    ConfigSwitched,
    /// The job recorded the switch.
    Switched,
}

/// Called after each step; `Break` stops the rotation there, as a crash would.
pub type StepHook = Arc<dyn Fn(RotationStep) -> BoxFuture<'static, ControlFlow<()>> + Send + Sync>;

/// A rotation stopped by its hook.
#[derive(Debug, thiserror::Error)]
#[error("the rotation stopped after step {0:?}; run it again to resume it")]
pub struct Interrupted(pub RotationStep);

async fn step(hook: Option<&StepHook>, at: RotationStep) -> Result<(), ServiceError> {
    match hook {
        Some(hook) => match hook(at).await {
            ControlFlow::Continue(()) => Ok(()),
            ControlFlow::Break(()) => Err(ServiceError::Internal(Box::new(Interrupted(at)))),
        },
        None => Ok(()),
    }
}

fn describe(s: &SecretInfo) -> String {
    match s.last_used_at {
        Some(t) => format!("{} (last used {})", s.uuid, t.format("%Y-%m-%d %H:%M UTC")),
        None => format!("{} (never used)", s.uuid),
    }
}

/// The refusal for a credential that already has two secrets.
fn two_secrets(config: &IntegrationConfig, secrets: &[SecretInfo]) -> ServiceError {
    let named: Vec<String> = secrets.iter().map(describe).collect();
    ServiceError::conflict(
        ErrorCode::TwoSecrets,
        format!(
            "the credential of {} already has two client secrets, {}; Adobe allows at most two. Delete the one that is no longer used (in the Developer Console, or let a pending rotation finish), then rotate again",
            config.name,
            named.join(" and ")
        ),
    )
}

impl Services {
    pub(super) async fn config_of(
        &self,
        job: &RotationJob,
    ) -> Result<IntegrationConfig, ServiceError> {
        self.store
            .get_config_by_id(job.config_id)
            .await?
            .ok_or_else(|| ServiceError::NotFound(format!("the configuration {}", job.config_name)))
    }

    /// Lists the credential's secrets with its current secret's token.
    pub(super) async fn secrets_of(
        &self,
        io: &IoManagementClient,
        config: &IntegrationConfig,
    ) -> Result<Vec<SecretInfo>, ServiceError> {
        let (oauth, org, credential) = rotatable(config)?;
        let credential = CredentialRef {
            server: &config.authorization_server,
            oauth,
            console_org_id: org,
            credential_id: credential,
        };
        let session = io
            .session(credential, self.clock.as_ref())
            .await
            .map_err(|e| io_error(&e))?;
        session.list().await.map_err(|e| io_error(&e))
    }

    /// Writes the job's new state and audits it as `action`.
    pub(super) async fn record(
        &self,
        audit: &AuditContext,
        job: &mut RotationJob,
        state: RotationState,
        action: &str,
    ) -> Result<(), ServiceError> {
        let now = self.clock.now();
        job.state = state;
        job.updated_at = now;
        if state.is_finished() {
            job.finished_at = Some(now);
            job.new_secret = None;
            if state == RotationState::Failed {
                metrics::counter!(super::policy::ROTATION_FAILURES, "config" => job.config_name.clone())
                    .increment(1);
            }
        }
        self.store.record_rotation_step(job, audit, action).await?;
        Ok(())
    }

    /// Starts a rotation: refuses a credential with two secrets, records the job with the
    /// secrets the credential has now.
    pub(super) async fn begin_rotation(
        &self,
        audit: &AuditContext,
        config: &IntegrationConfig,
        delete_old: DeleteOld,
        grace_hours: GraceHours,
        hook: Option<&StepHook>,
    ) -> Result<RotationJob, ServiceError> {
        let io = self.provider.io_management();
        let secrets = self.secrets_of(&io, config).await?;
        if secrets.len() >= 2 {
            let refusal = two_secrets(config, &secrets);
            let entry = AuditEntry {
                action: "secret.rotate.refused".into(),
                target_kind: "config".into(),
                target_name: Some(config.name.to_string()),
                target_id: Some(config.id.to_string()),
                details: serde_json::json!({ "reason": refusal.to_string() }),
            };
            self.store.append_audit(audit, &entry).await?;
            return Err(refusal);
        }
        let now = self.clock.now();
        let job = RotationJob {
            id: Uuid::now_v7(),
            config_id: config.id,
            config_name: config.name.to_string(),
            state: RotationState::Started,
            delete_old,
            grace_hours,
            actor: audit.actor.clone(),
            known_uuids: secrets.iter().map(|s| s.uuid.clone()).collect(),
            old_secret_uuid: held_uuid(config, &secrets).map(|s| s.uuid.clone()),
            new_secret_uuid: None,
            new_secret: None,
            reason: None,
            started_at: now,
            switched_at: None,
            updated_at: now,
            finished_at: None,
        };
        self.store
            .start_rotation(&job, audit, "secret.rotate.start")
            .await?;
        step(hook, RotationStep::Recorded).await?;
        Ok(job)
    }

    /// Runs the job's remaining steps until it has switched and dealt with the old secret
    /// as far as it can now, or failed.
    pub(crate) async fn drive_rotation(
        &self,
        audit: &AuditContext,
        mut job: RotationJob,
        hook: Option<&StepHook>,
    ) -> Result<RotationJob, ServiceError> {
        loop {
            match job.state {
                RotationState::Started => self.add_secret(audit, &mut job, hook).await?,
                RotationState::Added => self.verify_and_switch(audit, &mut job, hook).await?,
                RotationState::Switched => {
                    self.retire_old(audit, &mut job).await?;
                    if job.state == RotationState::Switched {
                        return Ok(job);
                    }
                }
                RotationState::PendingDelete => {
                    self.check_pending(audit, &mut job).await?;
                    return Ok(job);
                }
                RotationState::Completed | RotationState::Failed => return Ok(job),
            }
        }
    }

    /// Deletes secrets gained since the job began that it did not record (their values
    /// are lost), then adds the new secret and records it.
    async fn add_secret(
        &self,
        audit: &AuditContext,
        job: &mut RotationJob,
        hook: Option<&StepHook>,
    ) -> Result<(), ServiceError> {
        let config = self.config_of(job).await?;
        let (oauth, org, credential) = rotatable(&config)?;
        let io = self.provider.io_management();
        let credential = CredentialRef {
            server: &config.authorization_server,
            oauth,
            console_org_id: org,
            credential_id: credential,
        };
        let session = io
            .session(credential, self.clock.as_ref())
            .await
            .map_err(|e| io_error(&e))?;
        let secrets = session.list().await.map_err(|e| io_error(&e))?;
        let (strays, kept): (Vec<&SecretInfo>, Vec<&SecretInfo>) = secrets
            .iter()
            .partition(|s| !job.known_uuids.contains(&s.uuid));
        for stray in strays {
            session
                .delete(&stray.uuid)
                .await
                .map_err(|e| io_error(&e))?;
            self.audit_step(audit, job, "secret.rotate.stray_deleted", &stray.uuid)
                .await?;
        }
        if kept.len() >= 2 {
            let kept: Vec<SecretInfo> = kept.into_iter().cloned().collect();
            job.reason = Some(two_secrets(&config, &kept).to_string());
            return self
                .record(audit, job, RotationState::Failed, "secret.rotate.fail")
                .await;
        }
        let new = match session.add().await {
            Ok(new) => new,
            Err(e) if e.is_transient() => return Err(io_error(&e)),
            Err(e) => {
                job.reason = Some(format!("Adobe did not add a secret: {e}"));
                return self
                    .record(audit, job, RotationState::Failed, "secret.rotate.fail")
                    .await;
            }
        };
        step(hook, RotationStep::AdobeAdded).await?;
        job.new_secret_uuid = Some(new.info.uuid);
        job.new_secret = Some(new.value);
        self.record(audit, job, RotationState::Added, "secret.rotate.add")
            .await?;
        step(hook, RotationStep::Added).await
    }

    /// Appends an audit entry about one secret of the job's credential.
    pub(super) async fn audit_step(
        &self,
        audit: &AuditContext,
        job: &RotationJob,
        action: &str,
        uuid: &SecretUuid,
    ) -> Result<(), ServiceError> {
        let entry = AuditEntry {
            action: action.to_owned(),
            target_kind: "config".into(),
            target_name: Some(job.config_name.clone()),
            target_id: Some(job.config_id.to_string()),
            details: serde_json::json!({
                "rotation": job.id.to_string(),
                "secret_uuid": uuid.as_str(),
            }),
        };
        self.store.append_audit(audit, &entry).await?;
        Ok(())
    }

    /// Verifies the new secret with IMS and switches the configuration to it; a secret IMS
    /// refuses is deleted again and the job fails, the configuration untouched.
    async fn verify_and_switch(
        &self,
        audit: &AuditContext,
        job: &mut RotationJob,
        hook: Option<&StepHook>,
    ) -> Result<(), ServiceError> {
        let config = self.config_of(job).await?;
        let (oauth, _, _) = rotatable(&config)?;
        let (Some(uuid), Some(secret)) = (job.new_secret_uuid.clone(), job.new_secret.clone())
        else {
            job.reason = Some("the job lost its new secret before the switch".into());
            return self
                .record(audit, job, RotationState::Failed, "secret.rotate.fail")
                .await;
        };
        if config.secret_uuid.as_ref() != Some(&uuid) {
            let mut candidate = oauth.clone();
            candidate.client_secret = secret.clone();
            match self
                .provider
                .verify(&config.authorization_server, &candidate)
                .await
            {
                Ok(_) => {
                    self.audit_step(audit, job, "secret.rotate.verify", &uuid)
                        .await?;
                }
                Err(e) if e.is_transient() => return Err(e.into()),
                Err(e) => return self.discard_new(audit, job, &config, &e.to_string()).await,
            }
            step(hook, RotationStep::Verified).await?;
            let now = self.clock.now();
            let after = config.switch_secret(secret, uuid, config.revision, now)?;
            self.store
                .update_config(config.revision, &after, audit, "secret.rotate.switch")
                .await?;
            self.provider.retire(config.id);
            step(hook, RotationStep::ConfigSwitched).await?;
        }
        job.switched_at = Some(self.clock.now());
        job.new_secret = None;
        self.record(
            audit,
            job,
            RotationState::Switched,
            "secret.rotate.switched",
        )
        .await?;
        step(hook, RotationStep::Switched).await
    }

    /// Deletes a new secret IMS refused (the configuration still holds its old one) and
    /// fails the job.
    async fn discard_new(
        &self,
        audit: &AuditContext,
        job: &mut RotationJob,
        config: &IntegrationConfig,
        why: &str,
    ) -> Result<(), ServiceError> {
        let (oauth, org, credential) = rotatable(config)?;
        let io = self.provider.io_management();
        let credential = CredentialRef {
            server: &config.authorization_server,
            oauth,
            console_org_id: org,
            credential_id: credential,
        };
        let deleted = match (
            io.session(credential, self.clock.as_ref()).await,
            &job.new_secret_uuid,
        ) {
            (Ok(session), Some(uuid)) => session.delete(uuid).await.is_ok(),
            _ => false,
        };
        job.reason = Some(if deleted {
            format!(
                "IMS refused the new secret ({why}); it was deleted again and the configuration keeps its secret"
            )
        } else {
            format!(
                "IMS refused the new secret ({why}); the configuration keeps its secret, and the new one could not be deleted: delete it in the Developer Console"
            )
        });
        self.record(audit, job, RotationState::Failed, "secret.rotate.fail")
            .await
    }
}
