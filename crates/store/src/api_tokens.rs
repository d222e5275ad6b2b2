//! API tokens for machine clients. Only a hash of each token is stored; the server makes
//! and hashes tokens, the store keeps and finds them.

use std::fmt;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::audit::{AuditContext, AuditEntry, NewAuditRow, audited_write};
use crate::backend::with_backend;
use crate::error::is_unique_violation;
use crate::{Store, StoreError, UserId, stored_time};

/// An API token's stable id.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct ApiTokenId(Uuid);

impl ApiTokenId {
    /// The id as a UUID.
    pub fn as_uuid(&self) -> Uuid {
        self.0
    }
}

impl From<Uuid> for ApiTokenId {
    fn from(id: Uuid) -> Self {
        Self(id)
    }
}

impl fmt::Display for ApiTokenId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// What a new API token is stored as. `Debug` hides the hash.
#[derive(Clone)]
pub struct NewApiToken {
    /// A label chosen by its maker.
    pub name: String,
    /// The token's first characters, shown so people can tell tokens apart.
    pub prefix: String,
    /// The hash the server looks tokens up by.
    pub token_hash: String,
    /// What the token may do, as the server defines it.
    pub scope: String,
    /// When it stops working, if ever.
    pub expires_at: Option<DateTime<Utc>>,
    /// The user who made it; the token is deleted with them.
    pub created_by: Option<UserId>,
}

impl fmt::Debug for NewApiToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewApiToken")
            .field("name", &self.name)
            .field("prefix", &self.prefix)
            .field("scope", &self.scope)
            .finish_non_exhaustive()
    }
}

/// A stored API token. `Debug` hides the hash.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiToken {
    /// Stable id.
    pub id: ApiTokenId,
    /// A label chosen by its maker.
    pub name: String,
    /// The token's first characters.
    pub prefix: String,
    /// The hash the server looks tokens up by.
    pub token_hash: String,
    /// What the token may do.
    pub scope: String,
    /// When it stops working, if ever.
    pub expires_at: Option<DateTime<Utc>>,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// Who made it.
    pub created_by: Option<UserId>,
    /// When it was last used (updated by [`Store::touch_api_token`]).
    pub last_used_at: Option<DateTime<Utc>>,
    /// When it was revoked.
    pub revoked_at: Option<DateTime<Utc>>,
}

impl ApiToken {
    /// Whether the token may be used at `now`: not revoked and not expired.
    pub fn is_usable(&self, now: DateTime<Utc>) -> bool {
        self.revoked_at.is_none() && self.expires_at.is_none_or(|e| now < e)
    }
}

impl fmt::Debug for ApiToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiToken")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("prefix", &self.prefix)
            .field("scope", &self.scope)
            .field("expires_at", &self.expires_at)
            .field("revoked_at", &self.revoked_at)
            .finish_non_exhaustive()
    }
}

#[derive(sqlx::FromRow)]
struct ApiTokenRow {
    id: Uuid,
    name: String,
    prefix: String,
    token_hash: String,
    scope: String,
    expires_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
    created_by: Option<Uuid>,
    last_used_at: Option<DateTime<Utc>>,
    revoked_at: Option<DateTime<Utc>>,
}

impl From<ApiTokenRow> for ApiToken {
    fn from(r: ApiTokenRow) -> Self {
        Self {
            id: ApiTokenId(r.id),
            name: r.name,
            prefix: r.prefix,
            token_hash: r.token_hash,
            scope: r.scope,
            expires_at: r.expires_at,
            created_at: r.created_at,
            created_by: r.created_by.map(UserId::from),
            last_used_at: r.last_used_at,
            revoked_at: r.revoked_at,
        }
    }
}

const TOKEN_COLUMNS: &str = "id, name, prefix, token_hash, scope, expires_at, created_at, created_by, last_used_at, revoked_at";

fn token_entry(action: &str, token: &ApiToken) -> AuditEntry {
    AuditEntry {
        action: action.to_owned(),
        target_kind: "api_token".into(),
        target_name: Some(token.name.clone()),
        target_id: Some(token.id.to_string()),
        details: serde_json::json!({ "prefix": token.prefix, "scope": token.scope }),
    }
}

impl Store {
    /// Stores a new API token; audited as `api_token.create`. A hash already stored is a
    /// [`StoreError::Conflict`]; a `created_by` user that does not exist is
    /// [`StoreError::NotFound`].
    pub async fn insert_api_token(
        &self,
        new: &NewApiToken,
        audit: &AuditContext,
    ) -> Result<ApiToken, StoreError> {
        let now = self.now();
        let token = ApiToken {
            id: ApiTokenId(Uuid::now_v7()),
            name: new.name.clone(),
            prefix: new.prefix.clone(),
            token_hash: new.token_hash.clone(),
            scope: new.scope.clone(),
            expires_at: new.expires_at.map(stored_time),
            created_at: now,
            created_by: new.created_by,
            last_used_at: None,
            revoked_at: None,
        };
        let audit_row = NewAuditRow::new(now, audit, &token_entry("api_token.create", &token));
        let result = audited_write!(&self.backend, &audit_row, |tx| {
            sqlx::query(&format!(
                "INSERT INTO api_tokens ({TOKEN_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
            ))
            .bind(token.id.0)
            .bind(&token.name)
            .bind(&token.prefix)
            .bind(&token.token_hash)
            .bind(&token.scope)
            .bind(token.expires_at)
            .bind(token.created_at)
            .bind(token.created_by.map(|u| u.as_uuid()))
            .bind(token.last_used_at)
            .bind(token.revoked_at)
            .execute(&mut *tx)
            .await?
            .rows_affected()
        });
        match result {
            Ok(_) => Ok(token),
            Err(e) if is_unique_violation(&e) => Err(StoreError::Conflict(
                "an API token with this hash already exists; generate a new token".into(),
            )),
            Err(e)
                if e.as_database_error()
                    .is_some_and(sqlx::error::DatabaseError::is_foreign_key_violation) =>
            {
                Err(StoreError::NotFound(format!(
                    "user {}",
                    new.created_by.map(|u| u.to_string()).unwrap_or_default()
                )))
            }
            Err(e) => Err(e.into()),
        }
    }

    /// The token with this hash, revoked and expired ones included (the caller checks
    /// [`ApiToken::is_usable`]).
    pub async fn find_api_token(&self, token_hash: &str) -> Result<Option<ApiToken>, StoreError> {
        let sql = format!("SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE token_hash = $1");
        let row: Option<ApiTokenRow> = with_backend!(&self.backend, pool => {
            sqlx::query_as(&sql).bind(token_hash).fetch_optional(pool).await?
        });
        Ok(row.map(ApiToken::from))
    }

    /// Like [`Store::find_api_token`], but answered from memory when this token was read
    /// less than the read-cache TTL ago (see [`Store::set_read_cache_ttl`]) and nothing was
    /// written through this store since. For authenticating requests.
    pub async fn cached_api_token(
        &self,
        token_hash: &str,
    ) -> Result<Option<Arc<ApiToken>>, StoreError> {
        if let Some(hit) = self.cache.token(token_hash) {
            return Ok(Some(hit));
        }
        let ticket = self.cache.ticket();
        let found = self
            .cache
            .token_or_stale(token_hash, self.find_api_token(token_hash).await)?;
        if let Some(token) = &found {
            self.cache.put_token(ticket, token_hash, Arc::clone(token));
        }
        Ok(found)
    }

    /// Every API token, newest first.
    pub async fn list_api_tokens(&self) -> Result<Vec<ApiToken>, StoreError> {
        let sql =
            format!("SELECT {TOKEN_COLUMNS} FROM api_tokens ORDER BY created_at DESC, id DESC");
        let rows: Vec<ApiTokenRow> = with_backend!(&self.backend, pool => {
            sqlx::query_as(&sql).fetch_all(pool).await?
        });
        Ok(rows.into_iter().map(ApiToken::from).collect())
    }

    /// Revokes a token (once; revoking again keeps the first time); audited as
    /// `api_token.revoke`.
    pub async fn revoke_api_token(
        &self,
        id: ApiTokenId,
        audit: &AuditContext,
    ) -> Result<ApiToken, StoreError> {
        let sql = format!("SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE id = $1");
        let row: Option<ApiTokenRow> = with_backend!(&self.backend, pool => {
            sqlx::query_as(&sql).bind(id.0).fetch_optional(pool).await?
        });
        let Some(mut token) = row.map(ApiToken::from) else {
            return Err(StoreError::NotFound(format!("API token {id}")));
        };
        if token.revoked_at.is_some() {
            return Ok(token);
        }
        let now = self.now();
        token.revoked_at = Some(now);
        let audit_row = NewAuditRow::new(now, audit, &token_entry("api_token.revoke", &token));
        // Zero rows: revoked concurrently, which is what was asked; nothing to audit twice.
        audited_write!(&self.backend, &audit_row, |tx| {
            sqlx::query(
                "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL",
            )
            .bind(now)
            .bind(id.0)
            .execute(&mut *tx)
            .await?
            .rows_affected()
        })?;
        self.cache.invalidate();
        Ok(token)
    }

    /// Records that a token was just used. Not audited (it happens on every request).
    pub async fn touch_api_token(&self, id: ApiTokenId) -> Result<(), StoreError> {
        let now = self.now();
        with_backend!(&self.backend, pool => {
            sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
                .bind(now)
                .bind(id.0)
                .execute(pool)
                .await?;
        });
        self.cache.touched(id, now);
        Ok(())
    }
}
