//! Writing configurations: secrets sealed, every change guarded by the revision it read and
//! audited in the same transaction.

use chrono::{DateTime, Utc};
use imsbridge_domain::{
    AuthType, ConfigId, Credentials, ExposeSecret, Health, IntegrationConfig, Name, Revision,
    RuleError, secret_hint,
};
use sqlx::{Arguments, Database, Encode, Transaction, Type};
use uuid::Uuid;

use super::rows::{ConsoleColumns, HealthColumns, parse_revision, secret_context};
use crate::audit::{AuditContext, AuditEntry, NewAuditRow, audited_write};
use crate::backend::with_backend;
use crate::error::is_unique_violation;
use crate::{Keyring, Store, StoreError, stored_time};

/// The column values of a configuration, secrets sealed, ready to bind.
struct ConfigValues {
    id: Uuid,
    name: String,
    title: String,
    title_key: String,
    cloud_solution: String,
    cloud_solution_key: String,
    authorization_server: String,
    origin: String,
    auth_type: String,
    revision: i64,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    health: HealthColumns,
    client_id: String,
    org_id: String,
    scopes: Option<String>,
    technical_account_id: Option<String>,
    metascopes: Option<String>,
    certificate_pem: Option<String>,
    client_secret_hint: Option<String>,
    key_id: String,
    client_secret_ct: Vec<u8>,
    private_key_ct: Option<Vec<u8>>,
    console: ConsoleColumns,
}

fn revision_i64(revision: Revision) -> Result<i64, StoreError> {
    i64::try_from(revision.get())
        .map_err(|_| StoreError::Conflict(format!("revision {revision} is out of range")))
}

impl ConfigValues {
    fn seal(
        cfg: &IntegrationConfig,
        revision: Revision,
        keys: &Keyring,
    ) -> Result<Self, StoreError> {
        let (client_secret, private_key) = match &cfg.credentials {
            Credentials::OAuth(o) => (&o.client_secret, None),
            Credentials::Jwt(j) => (&j.client_secret, Some(&j.private_key)),
        };
        let (key_id, client_secret_ct) = keys.seal(
            &secret_context(cfg.id, "client_secret"),
            client_secret.expose_secret().as_bytes(),
        )?;
        let private_key_ct = private_key
            .map(|pk| {
                keys.seal(
                    &secret_context(cfg.id, "private_key"),
                    pk.expose_secret().as_bytes(),
                )
                .map(|(_, ct)| ct)
            })
            .transpose()?;
        let (scopes, technical_account_id, metascopes, certificate_pem) = match &cfg.credentials {
            Credentials::OAuth(o) => (
                Some(o.scopes.to_string()),
                o.technical_account_id.as_ref().map(ToString::to_string),
                None,
                None,
            ),
            Credentials::Jwt(j) => (
                None,
                Some(j.technical_account_id.to_string()),
                Some(j.metascopes.to_string()),
                Some(j.certificate.pem().to_owned()),
            ),
        };
        Ok(Self {
            id: cfg.id.as_uuid(),
            name: cfg.name.to_string(),
            title: cfg.title.to_string(),
            title_key: cfg.title.as_str().to_lowercase(),
            cloud_solution: cfg.cloud_solution.to_stored(),
            cloud_solution_key: cfg.cloud_solution.key().to_owned(),
            authorization_server: cfg.authorization_server.to_string(),
            origin: cfg.origin.key().to_owned(),
            auth_type: cfg.auth_type().key().to_owned(),
            revision: revision_i64(revision)?,
            created_at: stored_time(cfg.created_at),
            updated_at: stored_time(cfg.updated_at),
            health: HealthColumns::from_health(cfg.health.as_ref()),
            client_id: cfg.client_id().to_string(),
            org_id: cfg.org_id().to_string(),
            scopes,
            technical_account_id,
            metascopes,
            certificate_pem,
            client_secret_hint: secret_hint(client_secret),
            key_id,
            client_secret_ct,
            private_key_ct,
            console: ConsoleColumns::from_config(cfg),
        })
    }
}

impl ConfigValues {
    /// The columns and their values, in the one list both the insert and the update are
    /// built from, bound for the database `_tx` runs on.
    fn write_row<'q, DB: Database>(
        &self,
        _tx: &Transaction<'_, DB>,
    ) -> Result<WriteRow<'q, DB>, sqlx::Error>
    where
        Uuid: Encode<'q, DB> + Type<DB>,
        String: Encode<'q, DB> + Type<DB>,
        Option<String>: Encode<'q, DB> + Type<DB>,
        i64: Encode<'q, DB> + Type<DB>,
        DateTime<Utc>: Encode<'q, DB> + Type<DB>,
        Option<DateTime<Utc>>: Encode<'q, DB> + Type<DB>,
        Vec<u8>: Encode<'q, DB> + Type<DB>,
        Option<Vec<u8>>: Encode<'q, DB> + Type<DB>,
        Option<i64>: Encode<'q, DB> + Type<DB>,
    {
        let mut row = WriteRow::default();
        row.put("id", self.id)?;
        row.put("name", self.name.clone())?;
        row.put("title", self.title.clone())?;
        row.put("title_key", self.title_key.clone())?;
        row.put("cloud_solution", self.cloud_solution.clone())?;
        row.put("cloud_solution_key", self.cloud_solution_key.clone())?;
        row.put("authorization_server", self.authorization_server.clone())?;
        row.put("origin", self.origin.clone())?;
        row.put("auth_type", self.auth_type.clone())?;
        row.put("revision", self.revision)?;
        row.put("created_at", self.created_at)?;
        row.put("updated_at", self.updated_at)?;
        let h = &self.health;
        row.put("health_status", h.health_status.clone())?;
        row.put("health_checked_at", h.health_checked_at)?;
        row.put("health_message", h.health_message.clone())?;
        row.put("health_error_code", h.health_error_code.clone())?;
        row.put("health_debug_id", h.health_debug_id.clone())?;
        row.put("client_id", self.client_id.clone())?;
        row.put("org_id", self.org_id.clone())?;
        row.put("scopes", self.scopes.clone())?;
        row.put("technical_account_id", self.technical_account_id.clone())?;
        row.put("metascopes", self.metascopes.clone())?;
        row.put("certificate_pem", self.certificate_pem.clone())?;
        row.put("client_secret_hint", self.client_secret_hint.clone())?;
        row.put("key_id", self.key_id.clone())?;
        row.put("client_secret_ct", self.client_secret_ct.clone())?;
        row.put("private_key_ct", self.private_key_ct.clone())?;
        let c = &self.console;
        row.put("console_org_id", c.console_org_id.clone())?;
        row.put("credential_id", c.credential_id.clone())?;
        row.put("rotate_every_days", c.rotate_every_days)?;
        row.put("secret_uuid", c.secret_uuid.clone())?;
        row.put("secret_since", c.secret_since)?;
        Ok(row)
    }
}

/// Column names and their bound values, side by side, so that no statement can bind a value
/// to the wrong column.
struct WriteRow<'q, DB: Database> {
    columns: Vec<&'static str>,
    args: DB::Arguments<'q>,
}

impl<DB: Database> Default for WriteRow<'_, DB> {
    fn default() -> Self {
        Self {
            columns: Vec::new(),
            args: DB::Arguments::default(),
        }
    }
}

impl<'q, DB: Database> WriteRow<'q, DB> {
    fn put<T>(&mut self, column: &'static str, value: T) -> Result<(), sqlx::Error>
    where
        T: 'q + Encode<'q, DB> + Type<DB>,
    {
        self.columns.push(column);
        self.args.add(value).map_err(sqlx::Error::Encode)
    }

    /// Inserts every column.
    fn insert(self) -> (String, DB::Arguments<'q>) {
        let placeholders: Vec<String> = (1..=self.columns.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "INSERT INTO configs ({}) VALUES ({})",
            self.columns.join(", "),
            placeholders.join(", ")
        );
        (sql, self.args)
    }

    /// Updates every column but the id (the first, which picks the row), only if the stored
    /// revision is `expected`.
    fn update(mut self, expected: i64) -> Result<(String, DB::Arguments<'q>), sqlx::Error>
    where
        i64: Encode<'q, DB> + Type<DB>,
    {
        debug_assert_eq!(self.columns.first(), Some(&"id"));
        let sets: Vec<String> = self
            .columns
            .iter()
            .enumerate()
            .skip(1)
            .map(|(i, c)| format!("{c} = ${}", i + 1))
            .collect();
        let sql = format!(
            "UPDATE configs SET {} WHERE id = $1 AND revision = ${}",
            sets.join(", "),
            self.columns.len() + 1
        );
        self.args.add(expected).map_err(sqlx::Error::Encode)?;
        Ok((sql, self.args))
    }
}

fn config_target(cfg: &IntegrationConfig, action: &str, details: serde_json::Value) -> AuditEntry {
    AuditEntry {
        action: action.to_owned(),
        target_kind: "config".into(),
        target_name: Some(cfg.name.to_string()),
        target_id: Some(cfg.id.to_string()),
        details,
    }
}

impl Store {
    /// Stores a new OAuth configuration (made by `IntegrationConfig::create`) and audits it
    /// as `config.create`.
    ///
    /// A JWT configuration is refused ([`RuleError::JwtCreationRefused`]): those enter only
    /// through [`Store::import_config`] or [`Store::import`]. A name already in use is
    /// [`StoreError::NameTaken`]; nothing is written then.
    pub async fn insert_config(
        &self,
        cfg: &IntegrationConfig,
        audit: &AuditContext,
    ) -> Result<(), StoreError> {
        if cfg.auth_type() == AuthType::Jwt {
            return Err(RuleError::JwtCreationRefused.into());
        }
        self.insert_config_as(cfg, audit, "config.create").await
    }

    /// Stores a new OAuth configuration that the admin chose to save without verifying it
    /// with IMS, audited as `config.create.unverified`.
    pub async fn insert_config_unverified(
        &self,
        cfg: &IntegrationConfig,
        audit: &AuditContext,
    ) -> Result<(), StoreError> {
        if cfg.auth_type() == AuthType::Jwt {
            return Err(RuleError::JwtCreationRefused.into());
        }
        self.insert_config_as(cfg, audit, "config.create.unverified")
            .await
    }

    /// Stores a configuration brought in from elsewhere (made by `IntegrationConfig::import`,
    /// OAuth or JWT), audited as `config.import`. A name already in use is
    /// [`StoreError::NameTaken`].
    pub async fn import_config(
        &self,
        cfg: &IntegrationConfig,
        audit: &AuditContext,
    ) -> Result<(), StoreError> {
        self.insert_config_as(cfg, audit, "config.import").await
    }

    pub(crate) async fn insert_config_as(
        &self,
        cfg: &IntegrationConfig,
        audit: &AuditContext,
        action: &str,
    ) -> Result<(), StoreError> {
        let values = ConfigValues::seal(cfg, cfg.revision, &self.keys())?;
        let details = serde_json::json!({
            "title": cfg.title.as_str(),
            "cloud_solution": cfg.cloud_solution.to_stored(),
            "auth_type": cfg.auth_type().key(),
            "origin": cfg.origin.key(),
            "client_id": cfg.client_id().as_str(),
            "org_id": cfg.org_id().as_str(),
            "revision": cfg.revision.get(),
        });
        let audit_row = NewAuditRow::new(self.now(), audit, &config_target(cfg, action, details));
        let result = audited_write!(&self.backend, &audit_row, |tx| {
            let (sql, args) = values.write_row(&tx)?.insert();
            sqlx::query_with(&sql, args)
                .execute(&mut *tx)
                .await?
                .rows_affected()
        });
        self.cache.invalidate();
        match result {
            Err(e) if is_unique_violation(&e) => Err(StoreError::NameTaken(cfg.name.clone())),
            other => other.map(drop).map_err(StoreError::from),
        }
    }

    async fn current_revision(&self, id: ConfigId) -> Result<Option<Revision>, StoreError> {
        let n: Option<i64> = with_backend!(&self.backend, pool => {
            sqlx::query_scalar("SELECT revision FROM configs WHERE id = $1")
                .bind(id.as_uuid())
                .fetch_optional(pool)
                .await?
        });
        n.map(|n| parse_revision(&id.to_string(), n)).transpose()
    }

    /// The error for a write that matched no row: the revision moved on, or the row is gone.
    async fn stale_or_missing(&self, id: ConfigId, expected: Revision) -> StoreError {
        match self.current_revision(id).await {
            Ok(Some(current)) => StoreError::StaleRevision { expected, current },
            Ok(None) => StoreError::NotFound(format!("configuration {id}")),
            Err(e) => e,
        }
    }

    /// Replaces the configuration read at revision `expected` with `after` (an edit or a
    /// migration made by the domain), stored at revision `expected + 1`, and audits it as
    /// `action` with the changed fields as details.
    ///
    /// If the stored revision is not `expected`, nothing changes and the result is
    /// [`StoreError::StaleRevision`] with the current revision.
    pub async fn update_config(
        &self,
        expected: Revision,
        after: &IntegrationConfig,
        audit: &AuditContext,
        action: &str,
    ) -> Result<(), StoreError> {
        let Some(before) = self.get_config_by_id(after.id).await? else {
            return Err(StoreError::NotFound(format!(
                "configuration {}",
                after.name
            )));
        };
        if before.revision != expected {
            return Err(StoreError::StaleRevision {
                expected,
                current: before.revision,
            });
        }
        if before.name != after.name {
            return Err(StoreError::Conflict(format!(
                "a configuration's name cannot change ({} to {}); create a new configuration instead",
                before.name, after.name
            )));
        }
        let next = expected.next();
        let values = ConfigValues::seal(after, next, &self.keys())?;
        let details = serde_json::json!({
            "revision": { "from": expected.get(), "to": next.get() },
            "changes": before.diff(after),
        });
        let audit_row = NewAuditRow::new(self.now(), audit, &config_target(after, action, details));
        let expected_n = revision_i64(expected)?;
        let updated = audited_write!(&self.backend, &audit_row, |tx| {
            let (sql, args) = values.write_row(&tx)?.update(expected_n)?;
            sqlx::query_with(&sql, args)
                .execute(&mut *tx)
                .await?
                .rows_affected()
        })?;
        if updated == 1 {
            self.cache.invalidate();
            Ok(())
        } else {
            Err(self.stale_or_missing(after.id, expected).await)
        }
    }

    /// Deletes a configuration (and its cached tokens), if still at `expected` when given,
    /// and audits it as `config.delete`.
    pub async fn delete_config(
        &self,
        name: &Name,
        expected: Option<Revision>,
        audit: &AuditContext,
    ) -> Result<(), StoreError> {
        let Some(current) = self.get_config_summary(name).await? else {
            return Err(StoreError::NotFound(format!("configuration {name}")));
        };
        let expected = expected.unwrap_or(current.revision);
        if current.revision != expected {
            return Err(StoreError::StaleRevision {
                expected,
                current: current.revision,
            });
        }
        let details = serde_json::json!({
            "title": current.title.as_str(),
            "auth_type": current.auth_type.key(),
            "revision": current.revision.get(),
        });
        let entry = AuditEntry {
            action: "config.delete".into(),
            target_kind: "config".into(),
            target_name: Some(name.to_string()),
            target_id: Some(current.id.to_string()),
            details,
        };
        let audit_row = NewAuditRow::new(self.now(), audit, &entry);
        let expected_n = revision_i64(expected)?;
        let deleted = audited_write!(&self.backend, &audit_row, |tx| {
            sqlx::query("DELETE FROM configs WHERE id = $1 AND revision = $2")
                .bind(current.id.as_uuid())
                .bind(expected_n)
                .execute(&mut *tx)
                .await?
                .rows_affected()
        })?;
        if deleted == 1 {
            self.cache.invalidate();
            Ok(())
        } else {
            Err(self.stale_or_missing(current.id, expected).await)
        }
    }

    /// Records the result of a health check of the configuration at revision `checked`.
    ///
    /// Does not bump the revision and is not audited. A check of a revision that is no
    /// longer current describes an old credential, so it is refused with
    /// [`StoreError::StaleRevision`].
    pub async fn record_health(
        &self,
        id: ConfigId,
        checked: Revision,
        health: &Health,
    ) -> Result<(), StoreError> {
        let h = HealthColumns::from_health(Some(health));
        let checked_n = revision_i64(checked)?;
        let updated = with_backend!(&self.backend, pool => {
            sqlx::query(
                "UPDATE configs SET health_status = $1, health_checked_at = $2, \
                 health_message = $3, health_error_code = $4, health_debug_id = $5 \
                 WHERE id = $6 AND revision = $7",
            )
            .bind(&h.health_status)
            .bind(h.health_checked_at)
            .bind(&h.health_message)
            .bind(&h.health_error_code)
            .bind(&h.health_debug_id)
            .bind(id.as_uuid())
            .bind(checked_n)
            .execute(pool)
            .await?
            .rows_affected()
        });
        if updated == 1 {
            Ok(())
        } else {
            Err(self.stale_or_missing(id, checked).await)
        }
    }
}
