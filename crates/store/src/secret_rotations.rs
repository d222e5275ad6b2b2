//! Client-secret rotations as resumable jobs: one row per rotation, its state written (and
//! audited) after every step, so that a rotation interrupted at any point resumes from what
//! it recorded. A new secret's value is sealed in the row between Adobe's answer and the
//! configuration's switch to it, then cleared.

use chrono::{DateTime, Utc};
use imsbridge_domain::{
    ConfigId, DeleteOld, ExposeSecret, GraceHours, RotationState, SecretString, SecretUuid,
};
use uuid::Uuid;

use crate::audit::{AuditContext, AuditEntry, NewAuditRow, audited_write};
use crate::backend::with_backend;
use crate::error::is_unique_violation;
use crate::{Store, StoreError, stored_time};

/// One rotation of a configuration's client secret.
#[derive(Clone)]
pub struct RotationJob {
    /// The job's id.
    pub id: Uuid,
    /// The configuration rotated.
    pub config_id: ConfigId,
    /// Its name, for messages and the audit log.
    pub config_name: String,
    /// Where the job stands.
    pub state: RotationState,
    /// What happens to the old secret.
    pub delete_old: DeleteOld,
    /// How long the old secret may still be used after the switch.
    pub grace_hours: GraceHours,
    /// Who asked for it (`admin`, `scheduler`, …).
    pub actor: String,
    /// The credential's secrets when the job began.
    pub known_uuids: Vec<SecretUuid>,
    /// The secret the configuration held.
    pub old_secret_uuid: Option<SecretUuid>,
    /// The secret Adobe made for this job.
    pub new_secret_uuid: Option<SecretUuid>,
    /// The new secret's value, until the switch.
    pub new_secret: Option<SecretString>,
    /// Why it failed, or why the old secret is kept.
    pub reason: Option<String>,
    /// When it began.
    pub started_at: DateTime<Utc>,
    /// When the configuration switched.
    pub switched_at: Option<DateTime<Utc>>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// When it finished.
    pub finished_at: Option<DateTime<Utc>>,
}

impl std::fmt::Debug for RotationJob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RotationJob")
            .field("id", &self.id)
            .field("config_name", &self.config_name)
            .field("state", &self.state)
            .field("delete_old", &self.delete_old)
            .field("old_secret_uuid", &self.old_secret_uuid)
            .field("new_secret_uuid", &self.new_secret_uuid)
            .field(
                "new_secret",
                &self.new_secret.as_ref().map(|_| "[REDACTED]"),
            )
            .field("reason", &self.reason)
            .finish_non_exhaustive()
    }
}

const COLUMNS: &str = "id, config_id, config_name, state, delete_old, grace_hours, actor, \
    known_uuids, old_secret_uuid, new_secret_uuid, key_id, new_secret_ct, reason, started_at, \
    switched_at, updated_at, finished_at";

#[derive(sqlx::FromRow)]
struct JobRow {
    id: Uuid,
    config_id: Uuid,
    config_name: String,
    state: String,
    delete_old: String,
    grace_hours: i64,
    actor: String,
    known_uuids: String,
    old_secret_uuid: Option<String>,
    new_secret_uuid: Option<String>,
    key_id: Option<String>,
    new_secret_ct: Option<Vec<u8>>,
    reason: Option<String>,
    started_at: DateTime<Utc>,
    switched_at: Option<DateTime<Utc>>,
    updated_at: DateTime<Utc>,
    finished_at: Option<DateTime<Utc>>,
}

fn secret_context(job: Uuid) -> String {
    format!("secret_rotations/{job}/new_secret")
}

fn corrupt(job: Uuid, e: impl std::fmt::Display) -> StoreError {
    StoreError::corrupt(format!("secret rotation {job}"), e)
}

impl JobRow {
    fn open(self, store: &Store) -> Result<RotationJob, StoreError> {
        let id = self.id;
        let uuid = |v: Option<String>| {
            v.map(|s| SecretUuid::parse(&s).map_err(|e| corrupt(id, e)))
                .transpose()
        };
        let new_secret = match (&self.key_id, &self.new_secret_ct) {
            (Some(key), Some(ct)) => {
                Some(store.keys().open_string(key, &secret_context(id), ct)?)
            }
            _ => None,
        };
        Ok(RotationJob {
            id,
            config_id: ConfigId::from(self.config_id),
            config_name: self.config_name,
            state: RotationState::parse(&self.state).map_err(|e| corrupt(id, e))?,
            delete_old: DeleteOld::parse(&self.delete_old).map_err(|e| corrupt(id, e))?,
            grace_hours: GraceHours::new(self.grace_hours).map_err(|e| corrupt(id, e))?,
            actor: self.actor,
            known_uuids: self
                .known_uuids
                .split(',')
                .filter(|s| !s.is_empty())
                .map(|s| SecretUuid::parse(s).map_err(|e| corrupt(id, e)))
                .collect::<Result<_, _>>()?,
            old_secret_uuid: uuid(self.old_secret_uuid)?,
            new_secret_uuid: uuid(self.new_secret_uuid)?,
            new_secret,
            reason: self.reason,
            started_at: self.started_at,
            switched_at: self.switched_at,
            updated_at: self.updated_at,
            finished_at: self.finished_at,
        })
    }
}

/// A job's columns, the new secret sealed.
struct JobValues {
    state: String,
    known_uuids: String,
    old_secret_uuid: Option<String>,
    new_secret_uuid: Option<String>,
    key_id: Option<String>,
    new_secret_ct: Option<Vec<u8>>,
    reason: Option<String>,
    switched_at: Option<DateTime<Utc>>,
    updated_at: DateTime<Utc>,
    finished_at: Option<DateTime<Utc>>,
}

impl JobValues {
    fn of(job: &RotationJob, store: &Store) -> Result<Self, StoreError> {
        let sealed = job
            .new_secret
            .as_ref()
            .map(|s| {
                store
                    .keys()
                    .seal(&secret_context(job.id), s.expose_secret().as_bytes())
            })
            .transpose()?;
        let (key_id, new_secret_ct) = sealed.map_or((None, None), |(k, ct)| (Some(k), Some(ct)));
        Ok(Self {
            state: job.state.key().to_owned(),
            known_uuids: job
                .known_uuids
                .iter()
                .map(SecretUuid::as_str)
                .collect::<Vec<_>>()
                .join(","),
            old_secret_uuid: job.old_secret_uuid.as_ref().map(ToString::to_string),
            new_secret_uuid: job.new_secret_uuid.as_ref().map(ToString::to_string),
            key_id,
            new_secret_ct,
            reason: job.reason.clone(),
            switched_at: job.switched_at.map(stored_time),
            updated_at: stored_time(job.updated_at),
            finished_at: job.finished_at.map(stored_time),
        })
    }
}

/// The audit entry of a job's step: its state and uuids, never the secret.
fn step_entry(job: &RotationJob, action: &str) -> AuditEntry {
    AuditEntry {
        action: action.to_owned(),
        target_kind: "config".into(),
        target_name: Some(job.config_name.clone()),
        target_id: Some(job.config_id.to_string()),
        details: serde_json::json!({
            "rotation": job.id.to_string(),
            "state": job.state.key(),
            "delete_old": job.delete_old.key(),
            "grace_hours": job.grace_hours.hours(),
            "old_secret_uuid": job.old_secret_uuid.as_ref().map(SecretUuid::as_str),
            "new_secret_uuid": job.new_secret_uuid.as_ref().map(SecretUuid::as_str),
            "reason": job.reason,
        }),
    }
}

impl Store {
    /// Records a new rotation and audits it as `action`. Refused with
    /// [`StoreError::Conflict`] while another rotation of the configuration is unfinished.
    pub async fn start_rotation(
        &self,
        job: &RotationJob,
        audit: &AuditContext,
        action: &str,
    ) -> Result<(), StoreError> {
        let v = JobValues::of(job, self)?;
        let row = NewAuditRow::new(self.now(), audit, &step_entry(job, action));
        let sql = format!(
            "INSERT INTO secret_rotations ({COLUMNS}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)"
        );
        let result = audited_write!(&self.backend, &row, |tx| {
            sqlx::query(&sql)
                .bind(job.id)
                .bind(job.config_id.as_uuid())
                .bind(job.config_name.clone())
                .bind(v.state.clone())
                .bind(job.delete_old.key())
                .bind(i64::from(job.grace_hours.hours()))
                .bind(job.actor.clone())
                .bind(v.known_uuids.clone())
                .bind(v.old_secret_uuid.clone())
                .bind(v.new_secret_uuid.clone())
                .bind(v.key_id.clone())
                .bind(v.new_secret_ct.clone())
                .bind(v.reason.clone())
                .bind(stored_time(job.started_at))
                .bind(v.switched_at)
                .bind(v.updated_at)
                .bind(v.finished_at)
                .execute(&mut *tx)
                .await?
                .rows_affected()
        });
        match result {
            Ok(_) => Ok(()),
            Err(e) if is_unique_violation(&e) => Err(StoreError::Conflict(format!(
                "a rotation of {} is already under way; wait for it, or run it again to resume it",
                job.config_name
            ))),
            Err(e) => Err(e.into()),
        }
    }

    /// Writes a job's step, if it is still unfinished, and audits it as `action` in the same
    /// transaction. [`StoreError::Conflict`] when the job had already finished.
    pub async fn record_rotation_step(
        &self,
        job: &RotationJob,
        audit: &AuditContext,
        action: &str,
    ) -> Result<(), StoreError> {
        let v = JobValues::of(job, self)?;
        let row = NewAuditRow::new(self.now(), audit, &step_entry(job, action));
        let changed = audited_write!(&self.backend, &row, |tx| {
            sqlx::query(
                "UPDATE secret_rotations SET state = $2, known_uuids = $3, old_secret_uuid = $4, \
                 new_secret_uuid = $5, key_id = $6, new_secret_ct = $7, reason = $8, \
                 switched_at = $9, updated_at = $10, finished_at = $11 \
                 WHERE id = $1 AND finished_at IS NULL",
            )
            .bind(job.id)
            .bind(v.state.clone())
            .bind(v.known_uuids.clone())
            .bind(v.old_secret_uuid.clone())
            .bind(v.new_secret_uuid.clone())
            .bind(v.key_id.clone())
            .bind(v.new_secret_ct.clone())
            .bind(v.reason.clone())
            .bind(v.switched_at)
            .bind(v.updated_at)
            .bind(v.finished_at)
            .execute(&mut *tx)
            .await?
            .rows_affected()
        })?;
        if changed == 1 {
            Ok(())
        } else {
            Err(StoreError::Conflict(format!(
                "the rotation of {} has already finished",
                job.config_name
            )))
        }
    }

    /// The unfinished rotation of a configuration, if there is one.
    pub async fn open_rotation(&self, config: ConfigId) -> Result<Option<RotationJob>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM secret_rotations WHERE config_id = $1 AND finished_at IS NULL"
        );
        let row: Option<JobRow> = with_backend!(&self.backend, pool => {
            sqlx::query_as(&sql).bind(config.as_uuid()).fetch_optional(pool).await?
        });
        row.map(|r| r.open(self)).transpose()
    }

    /// The latest rotation of a configuration, finished or not.
    pub async fn latest_rotation(
        &self,
        config: ConfigId,
    ) -> Result<Option<RotationJob>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM secret_rotations WHERE config_id = $1 \
             ORDER BY started_at DESC, id DESC LIMIT 1"
        );
        let row: Option<JobRow> = with_backend!(&self.backend, pool => {
            sqlx::query_as(&sql).bind(config.as_uuid()).fetch_optional(pool).await?
        });
        row.map(|r| r.open(self)).transpose()
    }

    /// Every unfinished rotation, oldest first (for the background pass).
    pub async fn unfinished_rotations(&self) -> Result<Vec<RotationJob>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM secret_rotations WHERE finished_at IS NULL ORDER BY started_at"
        );
        let rows: Vec<JobRow> = with_backend!(&self.backend, pool => {
            sqlx::query_as(&sql).fetch_all(pool).await?
        });
        rows.into_iter().map(|r| r.open(self)).collect()
    }

    /// How many rotations of each configuration failed, by configuration name.
    pub async fn failed_rotation_counts(&self) -> Result<Vec<(String, u64)>, StoreError> {
        let rows: Vec<(String, i64)> = with_backend!(&self.backend, pool => {
            sqlx::query_as(
                "SELECT config_name, COUNT(*) FROM secret_rotations WHERE state = 'failed' \
                 GROUP BY config_name ORDER BY config_name",
            )
            .fetch_all(pool)
            .await?
        });
        Ok(rows
            .into_iter()
            .map(|(n, c)| (n, u64::try_from(c).unwrap_or(0)))
            .collect())
    }
}
