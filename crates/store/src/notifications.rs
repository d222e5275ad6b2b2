//! Changes announced between replicas through PostgreSQL's `LISTEN/NOTIFY`.
//!
//! Triggers (migration `0005_notifications`) announce every committed change to a
//! configuration, an API token or a shared access token, whoever made it (a replica, the CLI,
//! a person at `psql`). A [`ChangeListener`] drops the read cache's affected entries before
//! it hands the change on, and clears the whole cache when it connects again after losing
//! its connection, since it may have missed changes meanwhile; the read cache's TTL remains
//! the fallback while it is disconnected.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use imsbridge_domain::{ConfigId, Revision};
use sqlx::postgres::{PgListener, PgPool, PgPoolOptions};

use crate::backend::Backend;
use crate::read_cache::ReadCache;
use crate::{Store, StoreError};

/// The channel every change is announced on.
pub const CHANGES_CHANNEL: &str = "imsbridge_changes";

/// A change another process (or this one) committed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    /// A configuration was created or changed (now at `revision`), or deleted (`None`).
    Config {
        /// The configuration.
        id: ConfigId,
        /// Its revision now; `None` once deleted.
        revision: Option<Revision>,
    },
    /// An API token was created, revoked, changed or deleted.
    ApiTokens,
    /// A shared access token of a configuration revision was stored.
    Token {
        /// The configuration.
        id: ConfigId,
        /// The revision the token belongs to.
        revision: Revision,
    },
    /// A replica found a token in use due for refresh, which only the elected refresher
    /// refreshes.
    RefreshDue {
        /// The configuration.
        id: ConfigId,
        /// The revision the token belongs to.
        revision: Revision,
        /// When the token found due expires.
        expires_at: DateTime<Utc>,
    },
    /// The listener lost its connection and made it again: anything may have changed
    /// meanwhile, and the read cache was cleared.
    Reconnected,
}

impl Change {
    fn parse(payload: &str) -> Option<Self> {
        let mut parts = payload.split(':');
        let kind = parts.next()?;
        if kind == "api_tokens" {
            return Some(Self::ApiTokens);
        }
        let id = ConfigId::from_str(parts.next()?).ok()?;
        let revision: u64 = parts.next()?.parse().ok()?;
        let revision = (revision >= 1).then(|| Revision::new(revision));
        match kind {
            "config" => Some(Self::Config { id, revision }),
            "token" => Some(Self::Token {
                id,
                revision: revision?,
            }),
            "due" => Some(Self::RefreshDue {
                id,
                revision: revision?,
                expires_at: DateTime::from_timestamp_millis(parts.next()?.parse().ok()?)?,
            }),
            _ => None,
        }
    }
}

/// Receives the changes announced on [`CHANGES_CHANNEL`] (PostgreSQL only).
pub struct ChangeListener {
    pool: PgPool,
    listener: Option<PgListener>,
    cache: Arc<ReadCache>,
}

impl std::fmt::Debug for ChangeListener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChangeListener")
            .field("connected", &self.listener.is_some())
            .finish_non_exhaustive()
    }
}

/// The longest pause between two attempts to connect again.
const MAX_RECONNECT_DELAY: Duration = Duration::from_secs(1);

impl ChangeListener {
    async fn connect(pool: &PgPool) -> Result<PgListener, sqlx::Error> {
        // A connection made now, not an idle one from the pool: that may be one the server
        // is about to end, and a listener that seems back would empty the caches that answer
        // while the database cannot be read.
        let own = PgPoolOptions::new()
            .max_connections(1)
            .connect_with((*pool.connect_options()).clone())
            .await?;
        let mut listener = PgListener::connect_with(&own).await?;
        listener.listen(CHANGES_CHANNEL).await?;
        Ok(listener)
    }

    /// The next change, after the read cache has dropped what it affects. When the
    /// connection is lost, tries again (backing off up to a second) until it is back, then
    /// answers [`Change::Reconnected`]; it never gives up.
    pub async fn next(&mut self) -> Change {
        loop {
            let Some(listener) = self.listener.as_mut() else {
                self.reconnect().await;
                self.cache.invalidate();
                return Change::Reconnected;
            };
            let Ok(Some(notification)) = listener.try_recv().await else {
                tracing::warn!(
                    "lost the change notification connection; connecting again (the read cache's TTL applies meanwhile)"
                );
                self.listener = None;
                continue;
            };
            let Some(change) = Change::parse(notification.payload()) else {
                tracing::debug!(
                    payload = notification.payload(),
                    "ignored an unknown change notification"
                );
                continue;
            };
            match change {
                Change::Config { .. } => self.cache.invalidate_configs(),
                Change::ApiTokens => self.cache.invalidate_tokens(),
                Change::Token { .. } | Change::RefreshDue { .. } | Change::Reconnected => {}
            }
            return change;
        }
    }

    async fn reconnect(&mut self) {
        let mut delay = Duration::from_millis(50);
        loop {
            match Self::connect(&self.pool).await {
                Ok(listener) => {
                    tracing::info!("listening for changes again; caches cleared");
                    self.listener = Some(listener);
                    return;
                }
                Err(e) => {
                    tracing::debug!(error = %e, "change notifications: cannot connect yet");
                    tokio::time::sleep(delay).await;
                    delay = (delay * 2).min(MAX_RECONNECT_DELAY);
                }
            }
        }
    }
}

impl Store {
    /// Starts listening for changes announced by every process on this database; `None`
    /// on SQLite, where one process serves the file and sees its own writes at once.
    pub async fn listen_for_changes(&self) -> Result<Option<ChangeListener>, StoreError> {
        let Backend::Postgres(pool) = &self.backend else {
            return Ok(None);
        };
        let listener = ChangeListener::connect(pool).await?;
        Ok(Some(ChangeListener {
            pool: pool.clone(),
            listener: Some(listener),
            cache: Arc::clone(&self.cache),
        }))
    }

    /// Tells the other replicas that the token of a configuration revision is due for
    /// refresh (see [`Change::RefreshDue`]). Nothing on SQLite.
    pub async fn announce_refresh_due(
        &self,
        id: ConfigId,
        revision: Revision,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        if let Backend::Postgres(pool) = &self.backend {
            sqlx::query("SELECT pg_notify($1, $2)")
                .bind(CHANGES_CHANNEL)
                .bind(format!(
                    "due:{id}:{revision}:{}",
                    expires_at.timestamp_millis()
                ))
                .execute(pool)
                .await?;
        }
        Ok(())
    }

    /// Forgets every API token and configuration read from the database.
    pub fn clear_read_cache(&self) {
        self.cache.invalidate();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_parse_into_changes() {
        let id = ConfigId::new();
        assert_eq!(Change::parse("api_tokens"), Some(Change::ApiTokens));
        assert_eq!(
            Change::parse(&format!("config:{id}:3")),
            Some(Change::Config {
                id,
                revision: Some(Revision::new(3))
            })
        );
        assert_eq!(
            Change::parse(&format!("config:{id}:0")),
            Some(Change::Config { id, revision: None })
        );
        assert_eq!(
            Change::parse(&format!("token:{id}:2")),
            Some(Change::Token {
                id,
                revision: Revision::new(2)
            })
        );
        assert_eq!(Change::parse(&format!("token:{id}:0")), None);
        assert_eq!(
            Change::parse(&format!("due:{id}:2:1700000000000")),
            Some(Change::RefreshDue {
                id,
                revision: Revision::new(2),
                expires_at: DateTime::from_timestamp_millis(1_700_000_000_000).expect("in range"),
            })
        );
        assert_eq!(Change::parse("config:nope:1"), None);
        assert_eq!(Change::parse("other"), None);
    }
}
