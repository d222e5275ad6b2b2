//! The operations of imsbridge, in one place: integrations (list, read, create, update,
//! delete, migrate, health), users, API tokens, sessions, audit, readiness, bulk migration,
//! import and export.
//!
//! Every operation takes a [`Caller`] and typed input and returns a [`ServiceError`]. The
//! JSON API, the console and the CLI are adapters over [`Services`]: they parse their input,
//! call one operation and render its result, and never call each other. Like lldap's backend
//! handlers, an operation is written once and every front end gets it.

pub mod api_tokens;
pub mod audit;
pub mod bulk;
pub mod caller;
pub mod error;
pub mod fields;
pub mod file_import;
pub mod hashing;
pub mod integrations;
pub mod passwords;
pub mod project_json;
pub mod readiness;
pub mod rotation;
pub mod tokens;
pub mod users;
pub mod views;

use std::sync::Arc;

use imsbridge_domain::Clock;
use imsbridge_ims::TokenProvider;
use imsbridge_store::Store;

pub use api_tokens::TokenScope;
pub use caller::{Caller, Principal};
pub use error::{ErrorCode, Resource, ServiceError, chain};
pub use fields::{FieldError, FieldErrorKind, FieldErrors};

/// What the operations run on: one per process, cheap to clone.
#[derive(Clone)]
pub struct Services {
    /// Configurations, users, API tokens, audit.
    pub store: Store,
    /// IMS access tokens and health checks.
    pub provider: TokenProvider,
    /// The time source.
    pub clock: Arc<dyn Clock>,
    /// The threads that hash and check passwords.
    pub hashing: Arc<hashing::HashPool>,
    /// The policies the operations enforce.
    pub policy: Policy,
}

/// Settings the operations themselves honour.
#[derive(Debug, Clone, Default)]
pub struct Policy {
    /// Whether an admin may migrate without verifying the new details with IMS.
    pub allow_unverified_migration: bool,
    /// Lifetime in days of an API token made without one.
    pub api_token_default_ttl_days: u32,
    /// Longest lifetime in days an API token may have.
    pub api_token_max_ttl_days: u32,
}

impl Services {
    /// The operations over a store and a provider.
    pub fn new(
        store: Store,
        provider: TokenProvider,
        clock: Arc<dyn Clock>,
        hashing: Arc<hashing::HashPool>,
        policy: Policy,
    ) -> Self {
        Self {
            store,
            provider,
            clock,
            hashing,
            policy,
        }
    }
}

impl std::fmt::Debug for Services {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Services")
            .field("store", &self.store)
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}
