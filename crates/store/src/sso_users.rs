//! People who sign in through an OpenID Connect provider, and break-glass local users.
//!
//! An SSO user is an ordinary [`User`] (so sessions, disabling, roles and removal work as for
//! anyone) plus an identity row keyed by the provider's issuer and the person's subject there.
//! They are found by that key only, never by name or email, so an SSO sign-in can never land
//! in a local account. They have no password: their stored hash is not a hash at all, and the
//! password sign-in refuses users with an identity row anyway.
//!
//! A break-glass user is a local user who may still sign in with a password when
//! `allow_local_login` is off.

use std::collections::HashMap;

use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::audit::{AuditContext, AuditEntry, NewAuditRow, insert_audit};
use crate::backend::{BeginWrite, with_backend};
use crate::error::is_unique_violation;
use crate::users::{USERS_LOCK, UserRow};
use crate::{NewUser, Role, Store, StoreError, User, UserId};

/// What a provider says about the person signing in. Only `issuer` and `subject` identify
/// them; the rest is shown and kept up to date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SsoIdentity {
    /// The provider's issuer (`iss` of its ID tokens).
    pub issuer: String,
    /// The person's subject at the provider (`sub`).
    pub subject: String,
    /// Their email address, when the provider gave one.
    pub email: Option<String>,
    /// Their display name, when the provider gave one.
    pub name: Option<String>,
}

/// How a user signs in, for the Users page and the password sign-in.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserSignIn {
    /// A local user who may sign in with a password even when local sign-in is off.
    pub break_glass: bool,
    /// The issuer of an SSO user's provider; `None` for local users.
    pub sso_issuer: Option<String>,
    /// An SSO user's email at the provider.
    pub sso_email: Option<String>,
}

/// The stored stand-in for an SSO user's password hash: not a PHC string, so no password
/// ever matches it.
const NO_PASSWORD: &str = "!sso";

const SSO_USER: &str = "SELECT u.id, u.username, u.password_hash, u.role, u.created_at, \
     u.updated_at, u.disabled FROM sso_identities i JOIN users u ON u.id = i.user_id \
     WHERE i.issuer = $1 AND i.subject = $2";

#[derive(sqlx::FromRow)]
struct KindRow {
    id: Uuid,
    break_glass: bool,
    issuer: Option<String>,
    email: Option<String>,
}

/// The user name of a new SSO user: `sso:` and their email (or subject), which no local name
/// can be (local names have no `:`); a hash of the identity tells two such people apart.
fn sso_username(identity: &SsoIdentity, taken: bool) -> String {
    let shown = identity
        .email
        .as_deref()
        .filter(|e| !e.trim().is_empty())
        .unwrap_or(&identity.subject);
    let shown: String = shown
        .chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect();
    if taken {
        let digest = Sha256::digest(format!("{}\0{}", identity.issuer, identity.subject));
        format!("sso:{shown}~{}", &hex::encode(digest)[..8])
    } else {
        format!("sso:{shown}")
    }
}

fn entry(action: &str, user: &User, details: serde_json::Value) -> AuditEntry {
    AuditEntry {
        action: action.to_owned(),
        target_kind: "user".into(),
        target_name: Some(user.username.clone()),
        target_id: Some(user.id.to_string()),
        details,
    }
}

impl Store {
    /// Records an SSO sign-in of `identity` with the `role` its claims map to, in one
    /// transaction: the user is created on their first sign-in (`user.create`), their role
    /// follows the provider at every sign-in (`user.role`), and their email and name are
    /// kept. Returns the user as stored; a disabled user stays disabled, and the caller
    /// refuses them.
    ///
    /// The provider decides roles, so a demotion applies even to the last enabled admin:
    /// break-glass users (`imsbridge users add --break-glass`) are the way back in.
    pub async fn record_sso_sign_in(
        &self,
        identity: &SsoIdentity,
        role: Role,
        audit: &AuditContext,
    ) -> Result<User, StoreError> {
        let now = self.now();
        let source = serde_json::json!({ "issuer": identity.issuer, "subject": identity.subject });
        with_backend!(&self.backend, pool => {
            let mut tx = pool.begin_exclusive(USERS_LOCK).await?;
            let row: Option<UserRow> = sqlx::query_as(SSO_USER)
                .bind(&identity.issuer)
                .bind(&identity.subject)
                .fetch_optional(&mut *tx)
                .await?;
            let user = if let Some(row) = row {
                let mut user = User::try_from(row)?;
                if user.role != role && !user.disabled {
                    let details = serde_json::json!({
                        "from": user.role.key(), "to": role.key(), "sso": source,
                    });
                    user.role = role;
                    user.updated_at = now;
                    sqlx::query("UPDATE users SET role = $1, updated_at = $2 WHERE id = $3")
                        .bind(role.key())
                        .bind(now)
                        .bind(user.id.as_uuid())
                        .execute(&mut *tx)
                        .await?;
                    insert_audit!(&mut *tx, &NewAuditRow::new(now, audit, &entry("user.role", &user, details)))?;
                }
                sqlx::query(
                    "UPDATE sso_identities SET email = $1, display_name = $2, last_login_at = $3 \
                     WHERE issuer = $4 AND subject = $5",
                )
                .bind(&identity.email)
                .bind(&identity.name)
                .bind(now)
                .bind(&identity.issuer)
                .bind(&identity.subject)
                .execute(&mut *tx)
                .await?;
                user
            } else {
                let mut username = sso_username(identity, false);
                let taken: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE username = $1")
                    .bind(&username)
                    .fetch_one(&mut *tx)
                    .await?;
                if taken > 0 {
                    username = sso_username(identity, true);
                }
                let user = User {
                    id: UserId::from(Uuid::now_v7()),
                    username,
                    password_hash: NO_PASSWORD.to_owned(),
                    role,
                    created_at: now,
                    updated_at: now,
                    disabled: false,
                };
                sqlx::query(
                    "INSERT INTO users (id, username, password_hash, role, created_at, updated_at, disabled) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(user.id.as_uuid())
                .bind(&user.username)
                .bind(&user.password_hash)
                .bind(role.key())
                .bind(now)
                .bind(now)
                .bind(false)
                .execute(&mut *tx)
                .await?;
                sqlx::query(
                    "INSERT INTO sso_identities (issuer, subject, user_id, email, display_name, created_at, last_login_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $6)",
                )
                .bind(&identity.issuer)
                .bind(&identity.subject)
                .bind(user.id.as_uuid())
                .bind(&identity.email)
                .bind(&identity.name)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                let details = serde_json::json!({ "role": role.key(), "sso": source });
                insert_audit!(&mut *tx, &NewAuditRow::new(now, audit, &entry("user.create", &user, details)))?;
                user
            };
            tx.commit().await?;
            Ok(user)
        })
    }

    /// The SSO user of an identity, if they have signed in before.
    pub async fn sso_user(&self, issuer: &str, subject: &str) -> Result<Option<User>, StoreError> {
        let row: Option<UserRow> = with_backend!(&self.backend, pool => {
            sqlx::query_as(SSO_USER).bind(issuer).bind(subject).fetch_optional(pool).await?
        });
        row.map(User::try_from).transpose()
    }

    /// Ends every session of a user (an SSO user whose provider no longer grants a role).
    pub async fn end_sessions_of(&self, id: UserId) -> Result<u64, StoreError> {
        let n = with_backend!(&self.backend, pool => {
            sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                .bind(id.as_uuid())
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(n)
    }

    /// How `id` signs in: break-glass or not, SSO or local.
    pub async fn user_sign_in(&self, id: UserId) -> Result<UserSignIn, StoreError> {
        let sql = "SELECT u.id, u.break_glass, i.issuer, i.email FROM users u \
                   LEFT JOIN sso_identities i ON i.user_id = u.id WHERE u.id = $1";
        let row: Option<KindRow> = with_backend!(&self.backend, pool => {
            sqlx::query_as(sql).bind(id.as_uuid()).fetch_optional(pool).await?
        });
        Ok(row.map(sign_in_of).unwrap_or_default())
    }

    /// How every user signs in, by user id (for the Users page).
    pub async fn users_sign_in(&self) -> Result<HashMap<UserId, UserSignIn>, StoreError> {
        let sql = "SELECT u.id, u.break_glass, i.issuer, i.email FROM users u \
                   LEFT JOIN sso_identities i ON i.user_id = u.id";
        let rows: Vec<KindRow> = with_backend!(&self.backend, pool => {
            sqlx::query_as(sql).fetch_all(pool).await?
        });
        Ok(rows
            .into_iter()
            .map(|r| (UserId::from(r.id), sign_in_of(r)))
            .collect())
    }

    /// Creates a break-glass local user (audited as `user.create` with `break_glass`): one
    /// who may sign in with a password even when local sign-in is off.
    pub async fn create_break_glass_user(
        &self,
        new: &NewUser,
        audit: &AuditContext,
    ) -> Result<User, StoreError> {
        let now = self.now();
        let user = User {
            id: UserId::from(Uuid::now_v7()),
            username: new.username.clone(),
            password_hash: new.password_hash.clone(),
            role: new.role,
            created_at: now,
            updated_at: now,
            disabled: false,
        };
        let details = serde_json::json!({ "role": user.role.key(), "break_glass": true });
        let row = NewAuditRow::new(now, audit, &entry("user.create", &user, details));
        let result: Result<(), sqlx::Error> = with_backend!(&self.backend, pool => {
            async {
                let mut tx = pool.begin_write().await?;
                sqlx::query(
                    "INSERT INTO users (id, username, password_hash, role, created_at, updated_at, disabled, break_glass) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(user.id.as_uuid())
                .bind(&user.username)
                .bind(&user.password_hash)
                .bind(user.role.key())
                .bind(now)
                .bind(now)
                .bind(false)
                .bind(true)
                .execute(&mut *tx)
                .await?;
                insert_audit!(&mut *tx, &row)?;
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

    /// Marks a local user break-glass (or not); audited as `user.break_glass`. SSO users
    /// have no password, so they cannot be break-glass.
    pub async fn set_break_glass(
        &self,
        id: UserId,
        break_glass: bool,
        audit: &AuditContext,
    ) -> Result<User, StoreError> {
        let now = self.now();
        let select = "SELECT u.id, u.username, u.password_hash, u.role, u.created_at, u.updated_at, \
                      u.disabled FROM users u WHERE u.id = $1";
        with_backend!(&self.backend, pool => {
            let mut tx = pool.begin_write().await?;
            let row: Option<UserRow> = sqlx::query_as(select).bind(id.as_uuid()).fetch_optional(&mut *tx).await?;
            let user = row
                .map(User::try_from)
                .transpose()?
                .ok_or_else(|| StoreError::NotFound(format!("user {id}")))?;
            let sso: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sso_identities WHERE user_id = $1")
                .bind(id.as_uuid())
                .fetch_one(&mut *tx)
                .await?;
            if sso > 0 && break_glass {
                return Err(StoreError::Conflict(format!(
                    "{} signs in through single sign-on and has no password; add a local user with --break-glass instead",
                    user.username
                )));
            }
            sqlx::query("UPDATE users SET break_glass = $1 WHERE id = $2")
                .bind(break_glass)
                .bind(id.as_uuid())
                .execute(&mut *tx)
                .await?;
            let details = serde_json::json!({ "break_glass": break_glass });
            insert_audit!(&mut *tx, &NewAuditRow::new(now, audit, &entry("user.break_glass", &user, details)))?;
            tx.commit().await?;
            Ok(user)
        })
    }
}

fn sign_in_of(r: KindRow) -> UserSignIn {
    UserSignIn {
        break_glass: r.break_glass,
        sso_issuer: r.issuer,
        sso_email: r.email,
    }
}
