//! Master key rotation: a new key seals everything again while the service keeps running.

use imsbridge_domain::ConfigId;
use uuid::Uuid;

use crate::audit::{AuditContext, AuditEntry};
use crate::backend::{BeginWrite, with_backend};
use crate::configs::secret_context;
use crate::token_cache::token_context;
use crate::{KEY_CHECK_PLAINTEXT, Store, StoreError, key_check_context};

/// How [`Store::rotate_keys`] proceeds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RotateOptions {
    /// Rows re-encrypted per transaction; small batches keep writers waiting briefly.
    pub batch_size: u32,
    /// Drop the old keys from the key file once nothing depends on them any more.
    ///
    /// Leave this off while other replicas still run with the old key file: they would
    /// keep sealing with the old key. Retire later with [`Store::retire_old_keys`].
    pub retire_old_keys: bool,
}

impl Default for RotateOptions {
    fn default() -> Self {
        Self {
            batch_size: 200,
            retire_old_keys: false,
        }
    }
}

/// What a rotation did.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct RotationReport {
    /// The key that is active now.
    pub new_key_id: String,
    /// The keys that were active or held before.
    pub previous_key_ids: Vec<String>,
    /// Configurations whose secrets were sealed again.
    pub configs_reencrypted: u64,
    /// Cached access tokens sealed again.
    pub tokens_reencrypted: u64,
    /// Rows that a concurrent writer changed first (and sealed under the new key itself, or
    /// that were picked up again in a later batch).
    pub concurrent_changes: u64,
    /// Keys dropped from the key file (empty unless retirement was asked for).
    pub retired_key_ids: Vec<String>,
}

/// Passes over the data without progress after which rotation gives up: something keeps
/// writing with the old key (another replica that still has the old key file).
const MAX_IDLE_PASSES: u32 = 5;

#[derive(sqlx::FromRow)]
struct SealedConfig {
    id: Uuid,
    revision: i64,
    key_id: String,
    client_secret_ct: Vec<u8>,
    private_key_ct: Option<Vec<u8>>,
}

#[derive(sqlx::FromRow)]
struct SealedToken {
    config_id: Uuid,
    revision: i64,
    key_id: String,
    access_token_ct: Vec<u8>,
}

impl Store {
    /// Adds a new master key, makes it active, and seals every stored secret again under it,
    /// batch by batch, while other requests go on. Requires a key file (a raw key in
    /// [`crate::MASTER_KEY_ENV`] cannot be rotated).
    ///
    /// The key file is saved with the new key before anything is sealed with it. Writes made
    /// meanwhile already use the new key; rows changed concurrently are skipped and picked
    /// up again. Old keys stay in the key file unless `options.retire_old_keys` is set and
    /// nothing depends on them any more. Audited as `keys.rotate`.
    pub async fn rotate_keys(
        &self,
        options: &RotateOptions,
        audit: &AuditContext,
    ) -> Result<RotationReport, StoreError> {
        let previous_key_ids = self.key_ids();
        let (new_key_id, check) = {
            let mut ring = self.keys_mut();
            let id = ring.add_active_key(self.clock.now())?;
            let check = ring.seal(&key_check_context(&id), KEY_CHECK_PLAINTEXT)?.1;
            (id, check)
        };
        self.insert_key_check(&new_key_id, check).await?;
        tracing::info!(key_id = %new_key_id, "new master key is active; sealing stored secrets again");

        let batch = i64::from(options.batch_size.max(1));
        let mut report = RotationReport {
            new_key_id: new_key_id.clone(),
            previous_key_ids,
            configs_reencrypted: 0,
            tokens_reencrypted: 0,
            concurrent_changes: 0,
            retired_key_ids: Vec::new(),
        };
        let mut idle = 0;
        loop {
            let (done, raced) = self.reseal_config_batch(&new_key_id, batch).await?;
            report.configs_reencrypted += done;
            report.concurrent_changes += raced;
            if done == 0 && raced == 0 {
                break;
            }
            idle = if done == 0 { idle + 1 } else { 0 };
            if idle >= MAX_IDLE_PASSES {
                return Err(stuck(&new_key_id));
            }
        }
        idle = 0;
        loop {
            let (done, raced) = self.reseal_token_batch(&new_key_id, batch).await?;
            report.tokens_reencrypted += done;
            report.concurrent_changes += raced;
            if done == 0 && raced == 0 {
                break;
            }
            idle = if done == 0 { idle + 1 } else { 0 };
            if idle >= MAX_IDLE_PASSES {
                return Err(stuck(&new_key_id));
            }
        }
        if options.retire_old_keys {
            report.retired_key_ids = self.retire_old_keys().await?;
        }
        self.append_audit(
            audit,
            &AuditEntry {
                action: "keys.rotate".into(),
                target_kind: "keyring".into(),
                target_name: None,
                target_id: Some(new_key_id.clone()),
                details: serde_json::json!({
                    "previous_key_ids": report.previous_key_ids,
                    "configs_reencrypted": report.configs_reencrypted,
                    "tokens_reencrypted": report.tokens_reencrypted,
                    "concurrent_changes": report.concurrent_changes,
                    "retired_key_ids": report.retired_key_ids,
                }),
            },
        )
        .await?;
        Ok(report)
    }

    /// Drops every key but the active one from the key file, once no stored secret depends
    /// on them; returns the ids dropped. Refused while anything is still sealed under an old
    /// key (run [`Store::rotate_keys`] first).
    pub async fn retire_old_keys(&self) -> Result<Vec<String>, StoreError> {
        let active = self.active_key_id();
        let remaining: i64 = with_backend!(&self.backend, pool => {
            sqlx::query_scalar(
                "SELECT (SELECT COUNT(*) FROM configs WHERE key_id <> $1) \
                      + (SELECT COUNT(*) FROM token_cache WHERE key_id <> $1)",
            )
            .bind(&active)
            .fetch_one(pool)
            .await?
        });
        if remaining > 0 {
            return Err(StoreError::Key(format!(
                "{remaining} stored secret(s) are still sealed under an old key; run the key rotation again before retiring old keys"
            )));
        }
        let retired = self.keys_mut().retire_inactive()?;
        let now = self.now();
        for key_id in &retired {
            with_backend!(&self.backend, pool => {
                sqlx::query("UPDATE key_checks SET retired_at = $1 WHERE key_id = $2")
                    .bind(now)
                    .bind(key_id)
                    .execute(pool)
                    .await?;
            });
        }
        Ok(retired)
    }

    /// Seals one batch of configurations under `new_key`; returns (done, changed meanwhile).
    async fn reseal_config_batch(
        &self,
        new_key: &str,
        batch: i64,
    ) -> Result<(u64, u64), StoreError> {
        let rows: Vec<SealedConfig> = with_backend!(&self.backend, pool => {
            sqlx::query_as(
                "SELECT id, revision, key_id, client_secret_ct, private_key_ct FROM configs \
                 WHERE key_id <> $1 ORDER BY id LIMIT $2",
            )
            .bind(new_key)
            .bind(batch)
            .fetch_all(pool)
            .await?
        });
        if rows.is_empty() {
            return Ok((0, 0));
        }
        let mut resealed = Vec::with_capacity(rows.len());
        {
            let ring = self.keys();
            for row in &rows {
                let id = ConfigId::from(row.id);
                let reseal = |field: &str, sealed: &[u8]| -> Result<Vec<u8>, StoreError> {
                    let context = secret_context(id, field);
                    let plain = ring.open(&row.key_id, &context, sealed)?;
                    Ok(ring.seal(&context, &plain)?.1)
                };
                let secret = reseal("client_secret", &row.client_secret_ct)?;
                let private_key = row
                    .private_key_ct
                    .as_deref()
                    .map(|pk| reseal("private_key", pk))
                    .transpose()?;
                resealed.push((row, secret, private_key));
            }
        }
        let done: u64 = with_backend!(&self.backend, pool => {
            let mut tx = pool.begin_write().await?;
            let mut done = 0;
            for (row, secret, private_key) in &resealed {
                // Only if nobody changed the row since it was read: a newer secret written
                // meanwhile must not be replaced by this copy of the old one.
                done += sqlx::query(
                    "UPDATE configs SET key_id = $1, client_secret_ct = $2, private_key_ct = $3 \
                     WHERE id = $4 AND revision = $5 AND key_id = $6",
                )
                .bind(new_key)
                .bind(secret)
                .bind(private_key)
                .bind(row.id)
                .bind(row.revision)
                .bind(&row.key_id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            }
            tx.commit().await?;
            done
        });
        Ok((done, rows.len() as u64 - done))
    }

    /// Seals one batch of cached tokens under `new_key`; returns (done, changed meanwhile).
    async fn reseal_token_batch(
        &self,
        new_key: &str,
        batch: i64,
    ) -> Result<(u64, u64), StoreError> {
        let rows: Vec<SealedToken> = with_backend!(&self.backend, pool => {
            sqlx::query_as(
                "SELECT config_id, revision, key_id, access_token_ct FROM token_cache \
                 WHERE key_id <> $1 ORDER BY config_id LIMIT $2",
            )
            .bind(new_key)
            .bind(batch)
            .fetch_all(pool)
            .await?
        });
        if rows.is_empty() {
            return Ok((0, 0));
        }
        let mut resealed = Vec::with_capacity(rows.len());
        {
            let ring = self.keys();
            for row in &rows {
                let context = token_context(row.config_id, row.revision);
                let plain = ring.open(&row.key_id, &context, &row.access_token_ct)?;
                resealed.push((row, ring.seal(&context, &plain)?.1));
            }
        }
        let done: u64 = with_backend!(&self.backend, pool => {
            let mut tx = pool.begin_write().await?;
            let mut done = 0;
            for (row, sealed) in &resealed {
                // The ciphertext itself is the version: a token refreshed meanwhile wins.
                done += sqlx::query(
                    "UPDATE token_cache SET key_id = $1, access_token_ct = $2 \
                     WHERE config_id = $3 AND key_id = $4 AND access_token_ct = $5",
                )
                .bind(new_key)
                .bind(sealed)
                .bind(row.config_id)
                .bind(&row.key_id)
                .bind(&row.access_token_ct)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            }
            tx.commit().await?;
            done
        });
        Ok((done, rows.len() as u64 - done))
    }
}

fn stuck(new_key: &str) -> StoreError {
    StoreError::Conflict(format!(
        "key rotation to {new_key} made no progress: something keeps writing secrets under an old key (another replica with the old key file?); restart every replica with the new key file and run the rotation again"
    ))
}
