//! Building and running the application (zero-to-production's `startup.rs`): bind, assemble
//! the router with its layers, serve until told to stop.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use imsbridge_domain::{Clock, SystemClock};
use imsbridge_ims::TokenProvider;
use imsbridge_store::Store;
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::auth::address_limit::AddressLimiter;
use crate::auth::hashing::HashPool;
use crate::auth::rate_limit::LoginThrottle;
use crate::auth::sessions::SessionStore;
use crate::connection::{self, Connections};
use crate::error::ServerError;
use crate::http::{self, RequestId, security_headers};
use crate::serve;
use crate::settings::Settings;
use crate::state::{AppState, Shared};

/// What the server is built on: the store and the token provider (made by the CLI or a test).
pub struct Dependencies {
    /// The store, migrated and with its keys checked.
    pub store: Store,
    /// The token provider.
    pub provider: TokenProvider,
    /// The time source (tests pass a manual clock).
    pub clock: Arc<dyn Clock>,
}

impl Dependencies {
    /// Dependencies with the system clock.
    pub fn new(store: Store, provider: TokenProvider) -> Self {
        Self {
            store,
            provider,
            clock: Arc::new(SystemClock),
        }
    }
}

/// A bound, ready-to-run server.
pub struct Application {
    listener: TcpListener,
    local_addr: SocketAddr,
    router: Router,
    tls: Option<TlsAcceptor>,
    state: AppState,
    connections: Arc<Connections>,
}

impl std::fmt::Debug for Application {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Application")
            .field("local_addr", &self.local_addr)
            .field("tls", &self.tls.is_some())
            .finish_non_exhaustive()
    }
}

impl Application {
    /// Checks that the request timeout exceeds the provider's token budget, loads TLS
    /// material, binds the listen address (port 0 picks one) and assembles the router.
    /// Nothing is served until [`Application::run_until_stopped`].
    pub async fn build(settings: Settings, deps: Dependencies) -> Result<Self, ServerError> {
        settings.validate().map_err(ServerError::Settings)?;
        settings
            .check_token_budget(deps.provider.token_budget())
            .map_err(ServerError::Settings)?;
        let tls = settings.tls.as_ref().map(serve::tls_acceptor).transpose()?;
        let listener =
            TcpListener::bind(settings.listen)
                .await
                .map_err(|source| ServerError::Bind {
                    addr: settings.listen,
                    source,
                })?;
        let local_addr = listener.local_addr()?;
        deps.store
            .set_read_cache_ttl(Duration::from_millis(settings.read_cache_ttl_ms));
        let sso = crate::auth::sso::start(&settings, local_addr, deps.clock.clone())
            .map_err(ServerError::Settings)?;
        let hashing = Arc::new(HashPool::new(
            settings.password_hashing.threads,
            settings.password_hashing.queue,
        ));
        let state = AppState::new(Shared {
            sessions: SessionStore::new(deps.store.clone(), &settings.session, deps.clock.clone()),
            login_throttle: LoginThrottle::new(
                deps.store.clone(),
                &settings.login_rate_limit,
                deps.clock.clone(),
            ),
            address_limiter: AddressLimiter::new(&settings.login_rate_limit, deps.clock.clone()),
            hashing: hashing.clone(),
            services: imsbridge_service::Services::new(
                deps.store.clone(),
                deps.provider.clone(),
                deps.clock.clone(),
                hashing,
                imsbridge_service::Policy {
                    allow_unverified_migration: settings.allow_unverified_migration,
                    api_token_default_ttl_days: settings.api_token_default_ttl_days,
                    api_token_max_ttl_days: settings.api_token_max_ttl_days,
                },
            ),
            store: deps.store,
            provider: deps.provider,
            clock: deps.clock,
            metrics: http::metrics::install(),
            settings: Arc::new(settings),
            token_usage: Arc::default(),
            sso,
            import_staging: Arc::default(),
        });
        let router = router(state.clone());
        let connections = Connections::new(connection::effective_max_connections(
            state.settings.max_connections,
            connection::open_files_limit(),
        ));
        Ok(Self {
            listener,
            local_addr,
            router,
            tls,
            state,
            connections,
        })
    }

    /// The port bound.
    pub fn port(&self) -> u16 {
        self.local_addr.port()
    }

    /// The address bound.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The most connections served at once (the `max_connections` setting, kept below the
    /// open-files limit).
    pub fn max_connections(&self) -> usize {
        self.connections.max()
    }

    /// The shared state (tests use its store and sessions).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until Ctrl-C or SIGTERM, then shuts down gracefully. Signals are listened for
    /// from the first poll; to catch one sent right after an announcement, make a
    /// [`StopSignal`](serve::StopSignal) before announcing and use [`Application::run_until`].
    pub async fn run_until_stopped(self) -> Result<(), ServerError> {
        let stop = serve::StopSignal::listen();
        self.run_until(stop.recv()).await
    }

    /// Serves until `shutdown` completes, then lets requests in flight finish.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send,
    ) -> Result<(), ServerError> {
        let grace = Duration::from_secs(self.state.settings.shutdown_grace_secs);
        let hashing = self.state.hashing.stats();
        tracing::info!(
            addr = %self.local_addr,
            tls = self.tls.is_some(),
            open_files_limit = connection::open_files_limit().unwrap_or(0),
            max_connections = self.connections.max(),
            hashing_threads = hashing.threads,
            hashing_capacity = hashing.capacity,
            "imsbridge server listening"
        );
        let flusher = spawn_usage_flusher(self.state.clone());
        let result = serve::serve(
            self.listener,
            self.router,
            self.tls,
            Arc::clone(&self.connections),
            shutdown,
            grace,
        )
        .await;
        flusher.abort();
        // What was counted since the last flush is not lost on a clean shutdown.
        flush_usage(&self.state).await;
        result
    }
}

/// How often token usage counts go to the audit log.
const USAGE_FLUSH_INTERVAL: Duration = Duration::from_secs(60);

fn spawn_usage_flusher(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(USAGE_FLUSH_INTERVAL);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        ticker.tick().await;
        loop {
            ticker.tick().await;
            flush_usage(&state).await;
        }
    })
}

async fn flush_usage(state: &AppState) {
    if let Err(e) = state.token_usage.flush(&state.store).await {
        tracing::warn!(error = %e, "could not record token usage");
    }
}

/// The whole router with every layer: API, token routes, operations routes. The console
/// (`crate::console`) merges its own router here.
pub fn router(state: AppState) -> Router {
    let settings = state.settings.clone();
    let hsts = security_headers::Hsts(settings.is_https());
    let app = Router::new()
        .merge(crate::api::router())
        .merge(crate::api::ops::router())
        .merge(crate::console::router())
        .fallback(http::fallback)
        .with_state(state);
    app
        // Innermost first: metrics see the matched route; errors become JSON before the
        // security headers and the request id are added around them.
        .layer(axum::middleware::from_fn(http::metrics::track))
        .layer(axum::middleware::from_fn(crate::error::log_server_errors))
        .layer(DefaultBodyLimit::max(settings.body_limit_bytes))
        .layer(RequestBodyLimitLayer::new(settings.body_limit_bytes))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            settings.request_timeout(),
        ))
        .layer(axum::middleware::from_fn(http::json_errors))
        .layer(axum::middleware::from_fn(http::no_store_by_default))
        .layer(axum::middleware::from_fn_with_state(
            http::same_origin::PublicAuthority::from_url(settings.public_base_url.as_ref()),
            http::same_origin::refuse_cross_site,
        ))
        .layer(axum::middleware::from_fn(http::limits::refuse_malformed))
        .layer(axum::middleware::from_fn_with_state(
            hsts,
            security_headers::add,
        ))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|req: &axum::http::Request<axum::body::Body>| {
                    let id = req
                        .extensions()
                        .get::<RequestId>()
                        .map_or("-", RequestId::as_str);
                    // The path only: query strings are the caller's business, not the log's.
                    tracing::info_span!(
                        "request",
                        method = %req.method(),
                        path = %req.uri().path(),
                        request_id = %id,
                    )
                })
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .layer(axum::middleware::from_fn(http::request_id::assign))
        .layer(axum::middleware::from_fn_with_state(
            http::client_addr::TrustedProxies(settings.trusted_proxies.iter().copied().collect()),
            http::client_addr::resolve,
        ))
}
