//! A hook through which replicas share access tokens (e.g. through the database), so that
//! several `imsbridge serve` processes fetch each token from IMS once for the whole fleet and
//! one of them refreshes it.

use std::fmt;
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures::future::BoxFuture;
use imsbridge_domain::{ConfigId, Revision};
use secrecy::SecretString;

use crate::token::AccessToken;

/// A held fleet-wide lease on fetching one configuration's token; [`FetchLease::release`]
/// gives it up (dropping it must give it up too, if less promptly).
pub trait FetchLease: Send {
    /// Gives the lease up.
    fn release(self: Box<Self>) -> BoxFuture<'static, ()>;
}

/// What asking for the fetch lease of a configuration found.
pub enum Lease {
    /// This replica holds it: fetch, [`SharedTokenCache::save`], then release.
    Granted(Box<dyn FetchLease>),
    /// Another replica holds it: wait for its token ([`SharedTokenCache::wait_for_token`]).
    Taken,
    /// The fleet cannot be asked (its database is unreachable): fetch without a lease rather
    /// than fail the caller.
    Unavailable,
}

impl fmt::Debug for Lease {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Granted(_) => "Granted",
            Self::Taken => "Taken",
            Self::Unavailable => "Unavailable",
        })
    }
}

/// A cache shared between replicas, consulted on a miss and before a background refresh.
///
/// Implementations log and swallow their own failures: a shared cache that is down must
/// only cost upstream requests, never fail a caller.
pub trait SharedTokenCache: Send + Sync + fmt::Debug {
    /// The token another replica stored for this configuration revision, with its expiry.
    fn load(
        &self,
        id: ConfigId,
        revision: Revision,
    ) -> BoxFuture<'_, Option<(SecretString, DateTime<Utc>)>>;

    /// Offers a token just fetched from IMS to the other replicas.
    fn save<'a>(
        &'a self,
        id: ConfigId,
        revision: Revision,
        token: &'a AccessToken,
    ) -> BoxFuture<'a, ()>;

    /// Tries to take the fleet's lease on fetching configuration `id`'s token, without
    /// waiting. Without a fleet to ask, [`Lease::Unavailable`].
    fn try_lease(&self, id: ConfigId) -> BoxFuture<'_, Lease> {
        let _ = id;
        Box::pin(async { Lease::Unavailable })
    }

    /// Waits until a token of this configuration revision is stored by any replica, or at
    /// most `wait`; a token stored after this call (before the future is first polled) counts
    /// too. Without notifications, just waits.
    fn wait_for_token(
        &self,
        id: ConfigId,
        revision: Revision,
        wait: Duration,
    ) -> BoxFuture<'_, ()> {
        let _ = (id, revision);
        Box::pin(tokio::time::sleep(wait))
    }

    /// Whether this replica refreshes tokens ahead of expiry (the elected refresher does;
    /// the others pick its tokens up).
    fn refreshes(&self) -> bool {
        true
    }

    /// Tells the refresher that a token this replica serves, expiring at `expires_at`, is
    /// due for refresh.
    fn refresh_due(
        &self,
        id: ConfigId,
        revision: Revision,
        expires_at: DateTime<Utc>,
    ) -> BoxFuture<'_, ()> {
        let _ = (id, revision, expires_at);
        Box::pin(async {})
    }
}
