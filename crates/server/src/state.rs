//! The state every handler (API and console) shares.

use std::sync::Arc;

use imsbridge_domain::Clock;
use imsbridge_ims::TokenProvider;
use imsbridge_store::Store;
use metrics_exporter_prometheus::PrometheusHandle;

use crate::auth::rate_limit::LoginThrottle;
use crate::auth::sessions::SessionStore;
use crate::settings::Settings;

/// Shared state: cheap to clone, one per application.
#[derive(Clone)]
pub struct AppState {
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
    /// Renders `/metrics`; `None` when another recorder owns the process.
    pub metrics: Option<PrometheusHandle>,
    /// Who fetched which configuration's tokens, written to the audit log now and then; the
    /// readiness page shows who still depends on a JWT configuration.
    pub token_usage: Arc<crate::readiness::TokenUsage>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("store", &self.store)
            .finish_non_exhaustive()
    }
}
