//! A hook through which replicas share access tokens (e.g. through the database), so that
//! several `imsbridge serve` processes do not each ask IMS for the same token.

use std::fmt;

use chrono::{DateTime, Utc};
use futures::future::BoxFuture;
use imsbridge_domain::{ConfigId, Revision};
use secrecy::SecretString;

use crate::token::AccessToken;

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
}
