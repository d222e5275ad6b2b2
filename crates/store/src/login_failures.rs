//! Failed logins per (user name, client address), counted in windows, for the login throttle.
//! The throttle's policy (how many, how long) is the caller's; the store keeps the counts
//! where every process on the database sees them.

use chrono::{DateTime, Utc};

use crate::backend::with_backend;
use crate::{Store, StoreError, stored_time};

/// The failures of one (user name, client address) in its current window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginFailures {
    /// When the window began (its first failure).
    pub started_at: DateTime<Utc>,
    /// Failures since.
    pub failures: u32,
}

impl Store {
    /// The failures recorded for this pair, if any.
    pub async fn login_failures(
        &self,
        username: &str,
        client_addr: &str,
    ) -> Result<Option<LoginFailures>, StoreError> {
        let row: Option<(DateTime<Utc>, i32)> = with_backend!(&self.backend, pool => {
            sqlx::query_as(
                "SELECT started_at, failures FROM login_failures WHERE username = $1 AND client_addr = $2",
            )
            .bind(username)
            .bind(client_addr)
            .fetch_optional(pool)
            .await?
        });
        Ok(row.map(|(started_at, failures)| LoginFailures {
            started_at,
            failures: u32::try_from(failures).unwrap_or(0),
        }))
    }

    /// Counts one failure at `now`: a window that began at or before `window_start` is over,
    /// so the count starts again at one. Windows that ended are forgotten on the way.
    pub async fn record_login_failure(
        &self,
        username: &str,
        client_addr: &str,
        now: DateTime<Utc>,
        window_start: DateTime<Utc>,
    ) -> Result<LoginFailures, StoreError> {
        let (now, window_start) = (stored_time(now), stored_time(window_start));
        let row: (DateTime<Utc>, i32) = with_backend!(&self.backend, pool => {
            sqlx::query("DELETE FROM login_failures WHERE started_at <= $1")
                .bind(window_start)
                .execute(pool)
                .await?;
            // One statement, so that concurrent failures (on any replica) all count.
            sqlx::query_as(
                "INSERT INTO login_failures (username, client_addr, started_at, failures) \
                 VALUES ($1, $2, $3, 1) \
                 ON CONFLICT (username, client_addr) DO UPDATE SET \
                 failures = CASE WHEN login_failures.started_at <= $4 THEN 1 ELSE login_failures.failures + 1 END, \
                 started_at = CASE WHEN login_failures.started_at <= $4 THEN excluded.started_at ELSE login_failures.started_at END \
                 RETURNING started_at, failures",
            )
            .bind(username)
            .bind(client_addr)
            .bind(now)
            .bind(window_start)
            .fetch_one(pool)
            .await?
        });
        Ok(LoginFailures {
            started_at: row.0,
            failures: u32::try_from(row.1).unwrap_or(0),
        })
    }

    /// Forgets the failures of this pair (after a successful login).
    pub async fn clear_login_failures(
        &self,
        username: &str,
        client_addr: &str,
    ) -> Result<(), StoreError> {
        with_backend!(&self.backend, pool => {
            sqlx::query("DELETE FROM login_failures WHERE username = $1 AND client_addr = $2")
                .bind(username)
                .bind(client_addr)
                .execute(pool)
                .await?;
        });
        Ok(())
    }
}
