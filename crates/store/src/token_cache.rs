//! Access tokens shared between replicas, sealed like every other secret.

use chrono::{DateTime, Utc};
use imsbridge_domain::{ConfigId, ExposeSecret, Revision, SecretString};
use uuid::Uuid;

use crate::backend::with_backend;
use crate::{Store, StoreError, stored_time};

/// Where a cached token is bound to by the associated data of its ciphertext.
pub(crate) fn token_context(config_id: Uuid, revision: i64) -> String {
    format!("token_cache/{config_id}/{revision}/access_token")
}

fn revision_i64(revision: Revision) -> Result<i64, StoreError> {
    i64::try_from(revision.get())
        .map_err(|_| StoreError::Conflict(format!("revision {revision} is out of range")))
}

impl Store {
    /// Caches an access token for a configuration at `revision`, replacing any token of the
    /// same or an older revision. A configuration that no longer exists is
    /// [`StoreError::NotFound`].
    pub async fn put_cached_token(
        &self,
        config_id: ConfigId,
        revision: Revision,
        token: &SecretString,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let revision = revision_i64(revision)?;
        let (key_id, sealed) = self.keys().seal(
            &token_context(config_id.as_uuid(), revision),
            token.expose_secret().as_bytes(),
        )?;
        let now = self.now();
        let result: Result<_, sqlx::Error> = with_backend!(&self.backend, pool => {
            sqlx::query(
                "INSERT INTO token_cache (config_id, revision, key_id, access_token_ct, expires_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) \
                 ON CONFLICT (config_id) DO UPDATE SET revision = excluded.revision, \
                 key_id = excluded.key_id, access_token_ct = excluded.access_token_ct, \
                 expires_at = excluded.expires_at, updated_at = excluded.updated_at \
                 WHERE token_cache.revision <= excluded.revision",
            )
            .bind(config_id.as_uuid())
            .bind(revision)
            .bind(&key_id)
            .bind(&sealed)
            .bind(stored_time(expires_at))
            .bind(now)
            .execute(pool)
            .await
            .map(|done| done.rows_affected())
        });
        match result {
            Ok(_) => Ok(()),
            Err(e)
                if e.as_database_error()
                    .is_some_and(sqlx::error::DatabaseError::is_foreign_key_violation) =>
            {
                Err(StoreError::NotFound(format!("configuration {config_id}")))
            }
            Err(e) => Err(e.into()),
        }
    }

    /// The cached access token of a configuration at `revision`, and when it expires
    /// (possibly already: the caller decides when to refresh).
    pub async fn get_cached_token(
        &self,
        config_id: ConfigId,
        revision: Revision,
    ) -> Result<Option<(SecretString, DateTime<Utc>)>, StoreError> {
        let revision = revision_i64(revision)?;
        let row: Option<(String, Vec<u8>, DateTime<Utc>)> = with_backend!(&self.backend, pool => {
            sqlx::query_as(
                "SELECT key_id, access_token_ct, expires_at FROM token_cache \
                 WHERE config_id = $1 AND revision = $2",
            )
            .bind(config_id.as_uuid())
            .bind(revision)
            .fetch_optional(pool)
            .await?
        });
        let Some((key_id, sealed, expires_at)) = row else {
            return Ok(None);
        };
        let context = token_context(config_id.as_uuid(), revision);
        let token = self.with_keys(|keys| keys.open_string(&key_id, &context, &sealed))?;
        Ok(Some((token, expires_at)))
    }

    /// Forgets the cached tokens of a configuration; returns how many there were.
    pub async fn delete_cached_tokens(&self, config_id: ConfigId) -> Result<u64, StoreError> {
        let n = with_backend!(&self.backend, pool => {
            sqlx::query("DELETE FROM token_cache WHERE config_id = $1")
                .bind(config_id.as_uuid())
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(n)
    }
}
