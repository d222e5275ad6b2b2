//! Console and API users. Passwords arrive already hashed; the store never sees them.

use std::fmt;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::audit::{AuditContext, AuditEntry, NewAuditRow, insert_audit};
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
struct UserRow {
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

/// A change to one user's row.
enum UserChange<'a> {
    PasswordHash(&'a str),
    Role(Role),
    Disabled(bool),
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
        let result: Result<(), sqlx::Error> = with_backend!(&self.backend, pool => {
            async {
                let mut tx = pool.begin_write().await?;
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
                .await?;
                insert_audit!(&mut *tx, &audit_row)?;
                tx.commit().await
            }
            .await
        });
        match result {
            Err(e) if is_unique_violation(&e) => {
                Err(StoreError::UsernameTaken(new.username.clone()))
            }
            other => other.map(|()| user).map_err(StoreError::from),
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
        self.change_user(id, UserChange::PasswordHash(password_hash), audit)
            .await
    }

    /// Changes a user's role; audited as `user.role`.
    pub async fn set_role(
        &self,
        id: UserId,
        role: Role,
        audit: &AuditContext,
    ) -> Result<User, StoreError> {
        self.change_user(id, UserChange::Role(role), audit).await
    }

    /// Disables or enables a user; audited as `user.disable` or `user.enable`.
    pub async fn set_disabled(
        &self,
        id: UserId,
        disabled: bool,
        audit: &AuditContext,
    ) -> Result<User, StoreError> {
        self.change_user(id, UserChange::Disabled(disabled), audit)
            .await
    }

    async fn change_user(
        &self,
        id: UserId,
        change: UserChange<'_>,
        audit: &AuditContext,
    ) -> Result<User, StoreError> {
        let Some(mut user) = self.get_user_by_id(id).await? else {
            return Err(StoreError::NotFound(format!("user {id}")));
        };
        let now = self.now();
        let (action, details) = match change {
            UserChange::PasswordHash(hash) => {
                hash.clone_into(&mut user.password_hash);
                ("user.password", serde_json::json!({}))
            }
            UserChange::Role(role) => {
                let details = serde_json::json!({ "from": user.role.key(), "to": role.key() });
                user.role = role;
                ("user.role", details)
            }
            UserChange::Disabled(disabled) => {
                user.disabled = disabled;
                (
                    if disabled {
                        "user.disable"
                    } else {
                        "user.enable"
                    },
                    serde_json::json!({}),
                )
            }
        };
        user.updated_at = now;
        let audit_row = NewAuditRow::new(now, audit, &user_entry(action, &user, details));
        let updated: u64 = with_backend!(&self.backend, pool => {
            let mut tx = pool.begin_write().await?;
            let done = sqlx::query(
                "UPDATE users SET password_hash = $1, role = $2, disabled = $3, updated_at = $4 WHERE id = $5",
            )
            .bind(&user.password_hash)
            .bind(user.role.key())
            .bind(user.disabled)
            .bind(user.updated_at)
            .bind(id.0)
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() == 1 {
                insert_audit!(&mut *tx, &audit_row)?;
                tx.commit().await?;
            }
            done.rows_affected()
        });
        if updated == 1 {
            Ok(user)
        } else {
            Err(StoreError::NotFound(format!("user {id}")))
        }
    }

    /// Deletes a user and the API tokens they made; audited as `user.delete`.
    pub async fn delete_user(&self, id: UserId, audit: &AuditContext) -> Result<(), StoreError> {
        let Some(user) = self.get_user_by_id(id).await? else {
            return Err(StoreError::NotFound(format!("user {id}")));
        };
        let audit_row = NewAuditRow::new(
            self.now(),
            audit,
            &user_entry("user.delete", &user, serde_json::json!({})),
        );
        let deleted: u64 = with_backend!(&self.backend, pool => {
            let mut tx = pool.begin_write().await?;
            let done = sqlx::query("DELETE FROM users WHERE id = $1")
                .bind(id.0)
                .execute(&mut *tx)
                .await?;
            if done.rows_affected() == 1 {
                insert_audit!(&mut *tx, &audit_row)?;
                tx.commit().await?;
            }
            done.rows_affected()
        });
        if deleted == 1 {
            Ok(())
        } else {
            Err(StoreError::NotFound(format!("user {id}")))
        }
    }
}
