//! Console and API users. Passwords arrive already hashed; the store never sees them.

use std::fmt;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::audit::{AuditContext, AuditEntry, NewAuditRow, audited_write, insert_audit};
use crate::backend::{BeginWrite, with_backend};
use crate::error::is_unique_violation;
use crate::{Store, StoreError};

/// A user's stable id.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct UserId(Uuid);

impl UserId {
    /// The id as a UUID.
    pub fn as_uuid(&self) -> Uuid {
        self.0
    }
}

impl From<Uuid> for UserId {
    fn from(id: Uuid) -> Self {
        Self(id)
    }
}

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// What a user may do.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Everything, including users and keys.
    Admin,
    /// Read-only.
    Viewer,
}

impl Role {
    /// The stored and API form: `admin` or `viewer`.
    pub fn key(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Viewer => "viewer",
        }
    }

    /// Parses `admin` or `viewer` (any case).
    pub fn parse(raw: &str) -> Option<Self> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "admin" => Some(Self::Admin),
            "viewer" => Some(Self::Viewer),
            _ => None,
        }
    }
}

/// A stored user. `Debug` hides the password hash.
#[derive(Clone, PartialEq, Eq)]
pub struct User {
    /// Stable id.
    pub id: UserId,
    /// Unique login name.
    pub username: String,
    /// The password hash (PHC string), as given to [`Store::create_user`].
    pub password_hash: String,
    /// What the user may do.
    pub role: Role,
    /// When the user was created.
    pub created_at: DateTime<Utc>,
    /// When the user last changed.
    pub updated_at: DateTime<Utc>,
    /// A disabled user cannot sign in.
    pub disabled: bool,
}

impl fmt::Debug for User {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("User")
            .field("id", &self.id)
            .field("username", &self.username)
            .field("password_hash", &"[REDACTED]")
            .field("role", &self.role)
            .field("disabled", &self.disabled)
            .finish_non_exhaustive()
    }
}

/// What a new user is made from. `Debug` hides the password hash.
#[derive(Clone)]
pub struct NewUser {
    /// Unique login name.
    pub username: String,
    /// The password hash (PHC string).
    pub password_hash: String,
    /// What the user may do.
    pub role: Role,
}

impl fmt::Debug for NewUser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewUser")
            .field("username", &self.username)
            .field("role", &self.role)
            .finish_non_exhaustive()
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct UserRow {
    id: Uuid,
    username: String,
    password_hash: String,
    role: String,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    disabled: bool,
}

impl TryFrom<UserRow> for User {
    type Error = StoreError;
    fn try_from(r: UserRow) -> Result<Self, StoreError> {
        Ok(Self {
            role: Role::parse(&r.role).ok_or_else(|| {
                StoreError::corrupt(format!("user {}", r.username), format!("role {:?}", r.role))
            })?,
            id: UserId(r.id),
            username: r.username,
            password_hash: r.password_hash,
            created_at: r.created_at,
            updated_at: r.updated_at,
            disabled: r.disabled,
        })
    }
}

/// The lock every change that could leave no enabled admin takes (PostgreSQL advisory lock
/// key; SQLite's write transactions are exclusive already).
pub(crate) const USERS_LOCK: i64 = 0x696d_7362_7573_6572; // "imsbuser"

/// How many enabled admins there are besides user `$2` (`$1` is `false`).
const OTHER_ADMINS: &str =
    "SELECT COUNT(*) FROM users WHERE role = 'admin' AND disabled = $1 AND id <> $2";

const USER_COLUMNS: &str = "id, username, password_hash, role, created_at, updated_at, disabled";

fn user_entry(action: &str, user: &User, details: serde_json::Value) -> AuditEntry {
    AuditEntry {
        action: action.to_owned(),
        target_kind: "user".into(),
        target_name: Some(user.username.clone()),
        target_id: Some(user.id.to_string()),
        details,
    }
}

/// What to change about a user, all at once: fields left `None` stay as they are.
#[derive(Clone, Default)]
pub struct UserUpdate {
    /// A new role.
    pub role: Option<Role>,
    /// Disable (`true`) or enable (`false`).
    pub disabled: Option<bool>,
    /// A new password hash (the store never sees passwords).
    pub password_hash: Option<String>,
}

impl fmt::Debug for UserUpdate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UserUpdate")
            .field("role", &self.role)
            .field("disabled", &self.disabled)
            .field(
                "password_hash",
                &self.password_hash.as_ref().map(|_| "[REDACTED]"),
            )
            .finish()
    }
}

/// Whether `user` can administer (an enabled admin).
fn administers(user: &User) -> bool {
    user.role == Role::Admin && !user.disabled
}

impl Store {
    /// Creates a user and audits it as `user.create`; a taken username is
    /// [`StoreError::UsernameTaken`].
    pub async fn create_user(
        &self,
        new: &NewUser,
        audit: &AuditContext,
    ) -> Result<User, StoreError> {
        let now = self.now();
        let user = User {
            id: UserId(Uuid::now_v7()),
            username: new.username.clone(),
            password_hash: new.password_hash.clone(),
            role: new.role,
            created_at: now,
            updated_at: now,
            disabled: false,
        };
        let audit_row = NewAuditRow::new(
            now,
            audit,
            &user_entry(
                "user.create",
                &user,
                serde_json::json!({ "role": user.role.key() }),
            ),
        );
        let result = audited_write!(&self.backend, &audit_row, |tx| {
            sqlx::query(
                "INSERT INTO users (id, username, password_hash, role, created_at, updated_at, disabled) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(user.id.0)
            .bind(&user.username)
            .bind(&user.password_hash)
            .bind(user.role.key())
            .bind(user.created_at)
            .bind(user.updated_at)
            .bind(user.disabled)
            .execute(&mut *tx)
            .await?
            .rows_affected()
        });
        match result {
            Err(e) if is_unique_violation(&e) => {
                Err(StoreError::UsernameTaken(new.username.clone()))
            }
            other => other.map(|_| user).map_err(StoreError::from),
        }
    }

    /// The user with this username.
    pub async fn get_user(&self, username: &str) -> Result<Option<User>, StoreError> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE username = $1");
        let row: Option<UserRow> = with_backend!(&self.backend, pool => {
            sqlx::query_as(&sql).bind(username).fetch_optional(pool).await?
        });
        row.map(User::try_from).transpose()
    }

    /// The user with this id.
    pub async fn get_user_by_id(&self, id: UserId) -> Result<Option<User>, StoreError> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1");
        let row: Option<UserRow> = with_backend!(&self.backend, pool => {
            sqlx::query_as(&sql).bind(id.0).fetch_optional(pool).await?
        });
        row.map(User::try_from).transpose()
    }

    /// Every user, by username.
    pub async fn list_users(&self) -> Result<Vec<User>, StoreError> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users ORDER BY username");
        let rows: Vec<UserRow> = with_backend!(&self.backend, pool => {
            sqlx::query_as(&sql).fetch_all(pool).await?
        });
        rows.into_iter().map(User::try_from).collect()
    }

    /// How many users exist (the CLI offers to create the first admin when there are none).
    pub async fn count_users(&self) -> Result<u64, StoreError> {
        let n: i64 = with_backend!(&self.backend, pool => {
            sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(pool).await?
        });
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// Replaces a user's password hash; audited as `user.password` (without the hash).
    pub async fn set_password_hash(
        &self,
        id: UserId,
        password_hash: &str,
        audit: &AuditContext,
    ) -> Result<User, StoreError> {
        let update = UserUpdate {
            password_hash: Some(password_hash.to_owned()),
            ..UserUpdate::default()
        };
        self.update_user(id, &update, audit).await
    }

    /// Changes a user's role; audited as `user.role`.
    pub async fn set_role(
        &self,
        id: UserId,
        role: Role,
        audit: &AuditContext,
    ) -> Result<User, StoreError> {
        let update = UserUpdate {
            role: Some(role),
            ..UserUpdate::default()
        };
        self.update_user(id, &update, audit).await
    }

    /// Disables or enables a user; audited as `user.disable` or `user.enable`.
    pub async fn set_disabled(
        &self,
        id: UserId,
        disabled: bool,
        audit: &AuditContext,
    ) -> Result<User, StoreError> {
        let update = UserUpdate {
            disabled: Some(disabled),
            ..UserUpdate::default()
        };
        self.update_user(id, &update, audit).await
    }

    /// Applies every change of `update` in one transaction, each audited (`user.role`,
    /// `user.disable`/`user.enable`, `user.password`), or none of them; a change ends the
    /// user's sessions in the same transaction.
    ///
    /// Demoting or disabling the last enabled admin is [`StoreError::LastAdmin`]: the check
    /// runs inside the transaction, under a lock that every such change takes, so two admins
    /// demoting each other at once cannot both succeed.
    pub async fn update_user(
        &self,
        id: UserId,
        update: &UserUpdate,
        audit: &AuditContext,
    ) -> Result<User, StoreError> {
        let now = self.now();
        let select = format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1");
        with_backend!(&self.backend, pool => {
            let mut tx = pool.begin_exclusive(USERS_LOCK).await?;
            let row: Option<UserRow> = sqlx::query_as(&select).bind(id.0).fetch_optional(&mut *tx).await?;
            let before = row
                .map(User::try_from)
                .transpose()?
                .ok_or_else(|| StoreError::NotFound(format!("user {id}")))?;
            let mut user = before.clone();
            let mut entries = Vec::new();
            if let Some(role) = update.role.filter(|r| *r != user.role) {
                entries.push(("user.role", serde_json::json!({ "from": user.role.key(), "to": role.key() })));
                user.role = role;
            }
            if let Some(disabled) = update.disabled.filter(|d| *d != user.disabled) {
                entries.push((if disabled { "user.disable" } else { "user.enable" }, serde_json::json!({})));
                user.disabled = disabled;
            }
            if let Some(hash) = &update.password_hash {
                entries.push(("user.password", serde_json::json!({})));
                user.password_hash.clone_from(hash);
            }
            if entries.is_empty() {
                return Ok(before);
            }
            if administers(&before) && !administers(&user) {
                let others: i64 = sqlx::query_scalar(OTHER_ADMINS).bind(false).bind(id.0).fetch_one(&mut *tx).await?;
                if others == 0 {
                    return Err(StoreError::LastAdmin(user.username));
                }
            }
            user.updated_at = now;
            sqlx::query(
                "UPDATE users SET password_hash = $1, role = $2, disabled = $3, updated_at = $4 WHERE id = $5",
            )
            .bind(&user.password_hash)
            .bind(user.role.key())
            .bind(user.disabled)
            .bind(user.updated_at)
            .bind(id.0)
            .execute(&mut *tx)
            .await?;
            for (action, details) in entries {
                let row = NewAuditRow::new(now, audit, &user_entry(action, &user, details));
                insert_audit!(&mut *tx, &row)?;
            }
            // A changed role, status or password ends the user's sessions.
            sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                .bind(id.0)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(user)
        })
    }

    /// Deletes a user and the API tokens they made; audited as `user.delete`. Deleting the
    /// last enabled admin is [`StoreError::LastAdmin`] (checked as in [`Store::update_user`]).
    pub async fn delete_user(&self, id: UserId, audit: &AuditContext) -> Result<(), StoreError> {
        let now = self.now();
        let select = format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1");
        with_backend!(&self.backend, pool => {
            let mut tx = pool.begin_exclusive(USERS_LOCK).await?;
            let row: Option<UserRow> = sqlx::query_as(&select).bind(id.0).fetch_optional(&mut *tx).await?;
            let user = row
                .map(User::try_from)
                .transpose()?
                .ok_or_else(|| StoreError::NotFound(format!("user {id}")))?;
            if administers(&user) {
                let others: i64 = sqlx::query_scalar(OTHER_ADMINS)
                    .bind(false)
                    .bind(id.0)
                    .fetch_one(&mut *tx)
                    .await?;
                if others == 0 {
                    return Err(StoreError::LastAdmin(user.username));
                }
            }
            sqlx::query("DELETE FROM users WHERE id = $1")
                .bind(id.0)
                .execute(&mut *tx)
                .await?;
            let row = NewAuditRow::new(now, audit, &user_entry("user.delete", &user, serde_json::json!({})));
            insert_audit!(&mut *tx, &row)?;
            tx.commit().await?;
            Ok(())
        })
    }
}
