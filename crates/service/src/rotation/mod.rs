//! Client-secret rotation through Adobe's I/O Management API, without downtime: add a new
//! secret, verify it with IMS, switch the configuration to it (a new revision; tokens
//! already handed out stay valid), then retire the old one as asked. Each rotation is a job
//! in the store that resumes from its last recorded step.

mod engine;
mod policy;
mod retire;

pub use engine::{RotationStep, StepHook};
pub use policy::{
    NamedError, NamedRotation, PASS_INTERVAL, ROTATION_DUE, ROTATION_FAILURES, ROTATION_LOCK,
    ROTATIONS_FAILED, RotationPass, RotationPassReport, SECRET_AGE, describe_metrics,
};
pub use retire::{OldSecretVerdict, judge_old_secret};

use chrono::{DateTime, Utc};
use imsbridge_domain::{
    ConsoleOrgId, CredentialId, Credentials, DeleteOld, GraceHours, IntegrationConfig, Name,
    OAuthCredentials,
};
use imsbridge_ims::{CredentialRef, IoManagementError, SecretInfo};
use imsbridge_store::RotationJob;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{ErrorCode, ServiceError};
use crate::fields::FieldErrors;
use crate::{Caller, Services};

/// How to rotate: what becomes of the old secret.
#[derive(Debug, Default, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RotateSecret {
    /// `after_unused` (default): delete the old secret once Adobe shows no use of it since
    /// the switch plus `grace_hours`, and keep it while something still uses it; `now`:
    /// delete it at once; `never`: keep it.
    #[schema(example = "after_unused")]
    pub delete_old: Option<String>,
    /// Hours the old secret may still be used after the switch (default 24, at most 2160).
    #[schema(example = 24)]
    pub grace_hours: Option<i64>,
}

impl RotateSecret {
    fn parse(&self) -> Result<(DeleteOld, GraceHours), FieldErrors> {
        let mut errors = FieldErrors::new();
        let delete_old = match self.delete_old.as_deref() {
            Some(d) => errors.take(DeleteOld::parse(d)),
            None => Some(DeleteOld::default()),
        };
        let grace = match self.grace_hours {
            Some(h) => errors.take(GraceHours::new(h)),
            None => Some(GraceHours::default()),
        };
        errors.finish(|| (delete_old.unwrap_or_default(), grace.unwrap_or_default()))
    }
}

/// A rotation's outcome, as the API answers it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RotationView {
    /// `switched`, `pending_delete`, `completed` or `failed` (`started` and `added` only
    /// for a rotation interrupted before its switch, which the next run resumes).
    #[schema(example = "pending_delete")]
    pub state: String,
    /// The secret the configuration held before.
    pub old_secret_uuid: Option<String>,
    /// The secret it holds now (or would have).
    pub new_secret_uuid: Option<String>,
    /// Why it failed, or what became of the old secret.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// `after_unused`, `now` or `never`.
    pub delete_old: String,
    /// The grace period in hours.
    pub grace_hours: u32,
    /// When it began.
    pub started_at: DateTime<Utc>,
    /// When the configuration switched to the new secret.
    pub switched_at: Option<DateTime<Utc>>,
    /// When it finished.
    pub finished_at: Option<DateTime<Utc>>,
}

impl From<&RotationJob> for RotationView {
    fn from(job: &RotationJob) -> Self {
        Self {
            state: job.state.key().to_owned(),
            old_secret_uuid: job.old_secret_uuid.as_ref().map(ToString::to_string),
            new_secret_uuid: job.new_secret_uuid.as_ref().map(ToString::to_string),
            reason: job.reason.clone(),
            delete_old: job.delete_old.key().to_owned(),
            grace_hours: job.grace_hours.hours(),
            started_at: job.started_at,
            switched_at: job.switched_at,
            finished_at: job.finished_at,
        }
    }
}

/// One of the credential's client secrets; never its value.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ClientSecretView {
    /// Adobe's uuid of the secret.
    pub uuid: String,
    /// When it was made.
    pub created_at: Option<DateTime<Utc>>,
    /// The last time IMS accepted it.
    pub last_used_at: Option<DateTime<Utc>>,
    /// Whether imsbridge holds this one.
    pub held: bool,
    /// Its age in whole days.
    pub age_days: Option<i64>,
}

/// The credential's client secrets and the rotation state of its configuration.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SecretsView {
    /// At most two.
    pub secrets: Vec<ClientSecretView>,
    /// The rotation period, if any.
    pub rotate_every_days: Option<u16>,
    /// When the held secret is next due for rotation.
    pub next_rotation_at: Option<DateTime<Utc>>,
    /// The latest rotation, if any.
    pub rotation: Option<RotationView>,
}

/// The OAuth credential of a configuration and its Developer Console ids, or why rotation
/// cannot address it.
pub(crate) fn rotatable(
    config: &IntegrationConfig,
) -> Result<(&OAuthCredentials, &ConsoleOrgId, &CredentialId), ServiceError> {
    let Credentials::OAuth(oauth) = &config.credentials else {
        return Err(ServiceError::conflict(
            ErrorCode::NotOAuth,
            format!(
                "{} uses a JWT credential, whose secret is not rotated through the I/O Management API; migrate it to OAuth Server-to-Server first",
                config.name
            ),
        ));
    };
    let Some((org, credential)) = config.console.ids() else {
        return Err(ServiceError::Conflict {
            code: ErrorCode::RotationNotConfigured,
            message: format!(
                "{} does not say where its credential lives in the Developer Console; set console_org_id and credential_id (project.org.id and the credential's id in the project JSON) in its Properties",
                config.name
            ),
            field: Some(if config.console.console_org_id.is_none() {
                "console_org_id"
            } else {
                "credential_id"
            }),
            args: std::collections::BTreeMap::from([("name".to_owned(), config.name.to_string())]),
        });
    };
    Ok((oauth, org, credential))
}

/// The I/O Management API's error as the operation's: Adobe's refusal (502) with its code
/// and what to fix, or its unavailability (503).
pub(crate) fn io_error(e: &IoManagementError) -> ServiceError {
    let code = if e.is_transient() {
        ErrorCode::IoManagementUnavailable
    } else {
        ErrorCode::IoManagementRefused
    };
    ServiceError::conflict(code, e.to_string())
}

/// The uuid of the secret a configuration holds: the one a rotation recorded, else the
/// credential's only secret.
pub(crate) fn held_uuid<'a>(
    config: &IntegrationConfig,
    secrets: &'a [SecretInfo],
) -> Option<&'a SecretInfo> {
    match &config.secret_uuid {
        Some(uuid) => secrets.iter().find(|s| &s.uuid == uuid),
        None if secrets.len() == 1 => secrets.first(),
        None => None,
    }
}

impl Services {
    /// The credential's client secrets (uuid, created, last used, which one is held; never
    /// values), through the I/O Management API.
    pub async fn list_secrets(
        &self,
        caller: &Caller,
        raw_name: &str,
    ) -> Result<SecretsView, ServiceError> {
        caller.require_read()?;
        let config = self.load_integration(&Name::parse(raw_name)?).await?;
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
        let secrets = session.list().await.map_err(|e| io_error(&e))?;
        let held = held_uuid(&config, &secrets).map(|s| s.uuid.clone());
        let now = self.clock.now();
        let rotation = self.store.latest_rotation(config.id).await?;
        Ok(SecretsView {
            secrets: secrets
                .iter()
                .map(|s| ClientSecretView {
                    uuid: s.uuid.to_string(),
                    created_at: s.created_at,
                    last_used_at: s.last_used_at,
                    held: held.as_ref() == Some(&s.uuid),
                    age_days: s.created_at.map(|c| (now - c).num_days().max(0)),
                })
                .collect(),
            rotate_every_days: config
                .console
                .rotate_every_days
                .map(imsbridge_domain::RotateEveryDays::days),
            next_rotation_at: config.rotation_due_at(),
            rotation: rotation.as_ref().map(RotationView::from),
        })
    }

    /// Rotates configuration `raw_name`'s client secret; returns once the configuration has
    /// switched to the new secret (or the rotation failed). An unfinished rotation of it is
    /// resumed instead of starting another.
    pub async fn rotate_secret(
        &self,
        caller: &Caller,
        raw_name: &str,
        body: &RotateSecret,
    ) -> Result<RotationView, ServiceError> {
        self.rotate_secret_with(caller, raw_name, body, None).await
    }

    /// [`Services::rotate_secret`], calling `hook` after each step (tests use it to stop a
    /// rotation between two steps, as a crash would).
    pub async fn rotate_secret_with(
        &self,
        caller: &Caller,
        raw_name: &str,
        body: &RotateSecret,
        hook: Option<&StepHook>,
    ) -> Result<RotationView, ServiceError> {
        caller.require_admin()?;
        let (delete_old, grace) = body.parse()?;
        let config = self.load_integration(&Name::parse(raw_name)?).await?;
        rotatable(&config)?;
        let job = match self.store.open_rotation(config.id).await? {
            Some(job) => job,
            None => {
                self.begin_rotation(&caller.audit, &config, delete_old, grace, hook)
                    .await?
            }
        };
        let job = self.drive_rotation(&caller.audit, job, hook).await?;
        Ok(RotationView::from(&job))
    }
}
