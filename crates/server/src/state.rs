//! The state every handler (API and console) shares.

use std::sync::Arc;

use imsbridge_domain::Clock;
use imsbridge_ims::TokenProvider;
use imsbridge_store::Store;
use metrics_exporter_prometheus::PrometheusHandle;

use crate::auth::address_limit::AddressLimiter;
use crate::auth::hashing::HashPool;
use crate::auth::rate_limit::LoginThrottle;
use crate::auth::sessions::SessionStore;
use crate::settings::Settings;

/// Shared state, one per application: a pointer, so that handing it to each request (axum
/// clones it for every extractor) costs one reference count.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl AppState {
    /// Wraps the parts.
    pub fn new(shared: Shared) -> Self {
        Self(Arc::new(shared))
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// What every handler shares.
pub struct Shared {
    /// The product's operations, which the API, the console and the CLI adapt.
    pub services: imsbridge_service::Services,
    /// Configurations, users, API tokens, audit.
    pub store: Store,
    /// IMS access tokens (cached) and health checks.
    pub provider: TokenProvider,
    /// The time source.
    pub clock: Arc<dyn Clock>,
    /// The settings the server started with.
    pub settings: Arc<Settings>,
    /// Logged-in sessions.
    pub sessions: SessionStore,
    /// Failed-login counters.
    pub login_throttle: LoginThrottle,
    /// Sign-in attempts per client address.
    pub address_limiter: AddressLimiter,
    /// The threads that hash and check passwords.
    pub hashing: Arc<HashPool>,
    /// Renders `/metrics`; `None` when another recorder owns the process.
    pub metrics: Option<PrometheusHandle>,
    /// Who fetched which configuration's tokens, written to the audit log now and then; the
    /// readiness page shows who still depends on a JWT configuration.
    pub token_usage: Arc<crate::readiness::TokenUsage>,
    /// Single sign-on, when `[sso]` is configured.
    pub sso: Option<Arc<crate::auth::sso::Sso>>,
    /// The console's uploads waiting between an import's preview and the import.
    pub import_staging: Arc<crate::import_upload::Staging>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("store", &self.store)
            .finish_non_exhaustive()
    }
}
