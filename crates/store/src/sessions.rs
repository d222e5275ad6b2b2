//! Sessions of people signed in with a password, shared by every process on the database.
//!
//! The store keeps the SHA-256 of a session id (the caller hashes it), whose user, and when
//! the session began and was last seen; lifetimes are the caller's policy. Reading a session
//! reads its user too, so a role change, a disabling or a removal made anywhere takes effect
//! on the next request. Any change to a user ([`Store::update_user`]) ends their sessions in
//! the same transaction, and removing a user removes them.

use chrono::{DateTime, Utc};

use crate::backend::with_backend;
use crate::users::UserRow;
use crate::{Store, StoreError, User, UserId, stored_time};

/// A stored session and its user as they are now.
#[derive(Debug, Clone)]
pub struct SessionRecord {
    /// The user, read with the session.
    pub user: User,
    /// When the session began.
    pub created_at: DateTime<Utc>,
    /// When it was last seen (to the resolution the caller touches it with).
    pub last_seen: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct SessionRow {
    #[sqlx(flatten)]
    user: UserRow,
    session_created_at: DateTime<Utc>,
    session_last_seen: DateTime<Utc>,
}

impl Store {
    /// Records a new session of `user_id` that began at `now`.
    pub async fn insert_session(
        &self,
        id_hash: &str,
        user_id: UserId,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let now = stored_time(now);
        with_backend!(&self.backend, pool => {
            sqlx::query(
                "INSERT INTO sessions (id_hash, user_id, created_at, last_seen) VALUES ($1, $2, $3, $3)",
            )
            .bind(id_hash)
            .bind(user_id.as_uuid())
            .bind(now)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// The session with this id hash and its user, if both exist.
    pub async fn find_session(&self, id_hash: &str) -> Result<Option<SessionRecord>, StoreError> {
        let sql = "SELECT u.id, u.username, u.password_hash, u.role, u.created_at, u.updated_at, \
                   u.disabled, s.created_at AS session_created_at, s.last_seen AS session_last_seen \
                   FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = $1";
        let row: Option<SessionRow> = with_backend!(&self.backend, pool => {
            sqlx::query_as(sql).bind(id_hash).fetch_optional(pool).await?
        });
        row.map(|r| {
            Ok(SessionRecord {
                user: User::try_from(r.user)?,
                created_at: r.session_created_at,
                last_seen: r.session_last_seen,
            })
        })
        .transpose()
    }

    /// Records that the session was seen at `now`.
    pub async fn touch_session(&self, id_hash: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
        let now = stored_time(now);
        with_backend!(&self.backend, pool => {
            sqlx::query("UPDATE sessions SET last_seen = $1 WHERE id_hash = $2")
                .bind(now)
                .bind(id_hash)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// Ends one session.
    pub async fn delete_session(&self, id_hash: &str) -> Result<(), StoreError> {
        with_backend!(&self.backend, pool => {
            sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
                .bind(id_hash)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// Forgets sessions last seen before `seen_before` or begun before `created_before`;
    /// returns how many.
    pub async fn purge_sessions(
        &self,
        seen_before: DateTime<Utc>,
        created_before: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        let n = with_backend!(&self.backend, pool => {
            sqlx::query("DELETE FROM sessions WHERE last_seen < $1 OR created_at < $2")
                .bind(stored_time(seen_before))
                .bind(stored_time(created_before))
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(n)
    }
}
