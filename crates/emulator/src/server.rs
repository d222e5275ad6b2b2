//! The HTTP server: router, the gate every IMS request passes (body limit, parameter
//! parsing, counters, faults, log), a listener that can reset connections, and the
//! library handle.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

use crate::clock::{Clock, ClockMode};
use crate::faults::{Endpoint, Fault};
use crate::handle::EmulatorHandle;
use crate::listener::{Conn, ResettableListener};
use crate::state::{LoggedRequest, Store};
use crate::wire::{ImsError, ParsedParams, add_debug_id, parse_params, read_body};
use crate::{EmulatorError, console, ims, io_management, oidc, user_oauth};

/// IMS's access tokens live 24 hours; so do the emulator's unless told otherwise.
pub const DEFAULT_TOKEN_LIFETIME: Duration = Duration::from_secs(24 * 3600);
/// The shortest token lifetime the emulator accepts: `expires_in` is answered one second
/// short of the lifetime, as IMS does, and must stay positive.
pub const MIN_TOKEN_LIFETIME: Duration = Duration::from_secs(2);
/// The longest token lifetime the emulator accepts (a year).
pub const MAX_TOKEN_LIFETIME: Duration = Duration::from_secs(365 * 24 * 3600);

/// Refuses a token lifetime outside [`MIN_TOKEN_LIFETIME`]..=[`MAX_TOKEN_LIFETIME`].
pub fn check_token_lifetime(lifetime: Duration) -> Result<(), EmulatorError> {
    if lifetime < MIN_TOKEN_LIFETIME || lifetime > MAX_TOKEN_LIFETIME {
        return Err(EmulatorError::InvalidInput(format!(
            "the token lifetime must be between {} seconds and {} seconds (365 days), not {} seconds; IMS's own tokens live {} seconds",
            MIN_TOKEN_LIFETIME.as_secs(),
            MAX_TOKEN_LIFETIME.as_secs(),
            lifetime.as_secs_f64(),
            DEFAULT_TOKEN_LIFETIME.as_secs(),
        )));
    }
    Ok(())
}

/// How the emulator binary is started (`imsbridge emulator --listen ADDR [--state FILE]`).
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Address to bind; port 0 picks a free one.
    pub listen: SocketAddr,
    /// JSON file the Developer Console data is loaded from and saved to.
    pub state_file: Option<PathBuf>,
    /// Lifetime of issued access tokens ([`DEFAULT_TOKEN_LIFETIME`] unless set).
    pub token_lifetime: Duration,
}

/// Runs the emulator until Ctrl-C or SIGTERM, after printing
/// `imsbridge emulator listening on http://IP:PORT` to stdout.
pub async fn serve(opts: ServeOptions) -> Result<(), EmulatorError> {
    let running = start(EmulatorConfig {
        listen: opts.listen,
        state_file: opts.state_file,
        clock: ClockMode::System,
        token_lifetime: opts.token_lifetime,
    })
    .await?;
    // Listening before the announcement, so that a SIGTERM sent as soon as it is read still
    // shuts down gracefully instead of ending the process.
    let stop = shutdown_signal();
    {
        use std::io::Write as _;
        let mut out = std::io::stdout().lock();
        writeln!(out, "imsbridge emulator listening on {}", running.base_url)?;
        out.flush()?;
    }
    let (tx, rx) = oneshot::channel();
    tokio::spawn(async move {
        stop.await;
        let _ = tx.send(());
    });
    running.run(rx).await
}

/// Ctrl-C or SIGTERM, listened for from this call on (not from the first poll).
fn shutdown_signal() -> impl Future<Output = ()> + Send + 'static {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let interrupt = signal(SignalKind::interrupt()).ok();
        let terminate = signal(SignalKind::terminate()).ok();
        async move {
            async fn next(signal: Option<tokio::signal::unix::Signal>) {
                match signal {
                    Some(mut s) => {
                        s.recv().await;
                    }
                    None => std::future::pending::<()>().await,
                }
            }
            tokio::select! { () = next(interrupt) => {}, () = next(terminate) => {} }
        }
    }
    #[cfg(not(unix))]
    async {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Settings for [`Emulator::spawn_with`].
#[derive(Debug, Clone)]
pub struct EmulatorConfig {
    /// Address to bind; the default is `127.0.0.1:0`.
    pub listen: SocketAddr,
    /// JSON file the Developer Console data is loaded from and saved to.
    pub state_file: Option<PathBuf>,
    /// Frozen-until-advanced (default, for tests) or following the system clock.
    pub clock: ClockMode,
    /// Lifetime of issued access tokens: `expires_in` (seconds at the token endpoint,
    /// milliseconds at the JWT exchange) and the token's own `expires_in` claim follow it.
    /// Between [`MIN_TOKEN_LIFETIME`] and [`MAX_TOKEN_LIFETIME`]; default 24 h.
    pub token_lifetime: Duration,
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            state_file: None,
            clock: ClockMode::Manual,
            token_lifetime: DEFAULT_TOKEN_LIFETIME,
        }
    }
}

/// Starts emulators in the current Tokio runtime.
#[derive(Debug)]
pub struct Emulator;

impl Emulator {
    /// Spawns an emulator on 127.0.0.1, a free port, empty state and a manual clock.
    pub async fn spawn() -> Result<EmulatorHandle, EmulatorError> {
        Self::spawn_with(EmulatorConfig::default()).await
    }

    /// Spawns an emulator with the given settings.
    pub async fn spawn_with(config: EmulatorConfig) -> Result<EmulatorHandle, EmulatorError> {
        let running = start(config).await?;
        let store = running.store.clone();
        let base_url = running.base_url.clone();
        let (tx, rx) = oneshot::channel();
        let task = tokio::spawn(async move {
            if let Err(e) = running.run(rx).await {
                tracing::error!(error = %e, "emulator server stopped");
            }
        });
        Ok(EmulatorHandle {
            base_url,
            store,
            stop: Some(tx),
            task: Some(task),
        })
    }
}

struct Running {
    listener: ResettableListener,
    router: Router,
    store: Arc<Store>,
    base_url: String,
}

async fn start(config: EmulatorConfig) -> Result<Running, EmulatorError> {
    check_token_lifetime(config.token_lifetime)?;
    let token_lifetime_ms = i64::try_from(config.token_lifetime.as_millis())
        .expect("a lifetime of at most a year fits in i64 milliseconds");
    // The signing key is made before the first request, so that no answer carries the cost
    // of generating it: only injected latency makes the emulator slow.
    tokio::task::spawn_blocking(crate::keys::signing_key)
        .await
        .map_err(|e| std::io::Error::other(format!("signing key generation failed: {e}")))?;
    let listener = TcpListener::bind(config.listen).await?;
    let addr = listener.local_addr()?;
    let base_url = format!("http://{addr}");
    let store = Arc::new(Store::new(
        Clock::new(config.clock),
        base_url.clone(),
        config.state_file,
        token_lifetime_ms,
    )?);
    Ok(Running {
        listener: ResettableListener(listener),
        router: router(store.clone()),
        store,
        base_url,
    })
}

impl Running {
    async fn run(self, stop: oneshot::Receiver<()>) -> Result<(), EmulatorError> {
        axum::serve(
            self.listener,
            self.router.into_make_service_with_connect_info::<Conn>(),
        )
        .with_graceful_shutdown(async {
            let _ = stop.await;
        })
        .await?;
        Ok(())
    }
}

fn router(store: Arc<Store>) -> Router {
    Router::new()
        .route("/ims/token/v3", post(ims::token))
        .route("/ims/token/v2", post(ims::token))
        .route("/ims/exchange/jwt", post(ims::exchange_jwt))
        .route("/ims/exchange/jwt/", post(ims::exchange_jwt))
        .route("/ims/exchange/v1/jwt", post(ims::exchange_jwt))
        .route(
            "/ims/validate_token/v1",
            post(ims::validate_token).get(ims::validate_token),
        )
        .route("/ims/invalidate_token/v2", post(ims::invalidate_token))
        .route("/ims/organizations/v6", get(ims::organizations))
        .route(
            "/ims/.well-known/openid-configuration",
            get(oidc::discovery),
        )
        .route("/ims/keys", get(ims::jwks))
        .route(
            "/ims/authorize/v2",
            get(user_oauth::authorize).post(user_oauth::sign_in),
        )
        .route("/ims/userinfo/v2", get(oidc::userinfo).post(oidc::userinfo))
        .route("/ims/revoke", post(oidc::revoke))
        .merge(io_management::router())
        .merge(console::router())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(store.clone(), gate))
        .with_state(store)
}

async fn not_found(uri: axum::http::Uri) -> ImsError {
    ImsError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        format!("no IMS endpoint at {}", uri.path()),
    )
}

async fn method_not_allowed(method: Method) -> ImsError {
    ImsError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        format!("{method} is not allowed on this endpoint"),
    )
}

/// Every request passes here: the admin API straight through, IMS requests through
/// body limit, parameter parsing, counting, faults and the log.
async fn gate(State(store): State<Arc<Store>>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    // The I/O Management API lives under /console/ too, but it is Adobe's API, not ours.
    if path.starts_with("/console/") && !path.starts_with(io_management::PREFIX) {
        // The admin API is never faulted or logged, so tests can always clear faults.
        let mut response = next.run(req).await;
        add_debug_id(response.headers_mut());
        return response;
    }
    let method = req.method().to_string();
    let endpoint = Endpoint::classify(&path);
    let reset = req
        .extensions()
        .get::<ConnectInfo<Conn>>()
        .map(|c| c.0.clone());
    let (parts, body) = req.into_parts();
    let mut entry = LoggedRequest {
        method,
        path,
        endpoint,
        client_id: None,
        status: None,
        fault: None,
        at: store.clock.now(),
    };
    let bytes = match read_body(body).await {
        Ok(b) => b,
        Err(e) => {
            let response = e.into_response();
            entry.status = Some(response.status().as_u16());
            store.count(endpoint, None, false);
            store.log(entry);
            return response;
        }
    };
    let parsed = parse_params(&parts.headers, parts.uri.query(), &bytes).await;
    entry.client_id = if endpoint == Some(Endpoint::IoManagement) {
        parts
            .headers
            .get("x-api-key")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    } else {
        parsed
            .as_ref()
            .ok()
            .and_then(|p| p.client_id().map(str::to_owned))
    };

    store.count(
        endpoint,
        entry.client_id.as_deref(),
        endpoint.is_some_and(Endpoint::issues_tokens),
    );

    let decision = endpoint
        .map(|e| store.faults.lock().expect("faults lock").decide(e))
        .unwrap_or_default();
    entry.fault = decision.fault.as_ref().map(|f| f.name().to_owned());
    // Logged however the request ends, even if the client hangs up during a delay.
    let mut pending = Pending {
        store: &store,
        entry: Some(entry),
    };
    if let Some(delay) = decision.delay {
        tokio::time::sleep(delay).await;
    }
    let mut response = if let Some(fault) = decision.fault {
        if matches!(fault, Fault::ConnectionReset)
            && let Some(conn) = &reset
        {
            conn.reset_now();
            return StatusCode::OK.into_response();
        }
        if endpoint == Some(Endpoint::IoManagement) {
            io_management::fault_response(&fault)
        } else {
            fault_response(&fault)
        }
    } else {
        let mut req = Request::from_parts(parts, Body::from(bytes));
        req.extensions_mut().insert(ParsedParams(parsed));
        next.run(req).await
    };
    add_debug_id(response.headers_mut());
    pending.answered(response.status().as_u16());
    response
}

/// A request's log entry until it is answered; dropped unanswered (a reset connection, a
/// client that hung up), it is logged without a status.
struct Pending<'a> {
    store: &'a Store,
    entry: Option<LoggedRequest>,
}

impl Pending<'_> {
    fn answered(&mut self, status: u16) {
        if let Some(mut entry) = self.entry.take() {
            entry.status = Some(status);
            self.store.log(entry);
        }
    }
}

impl Drop for Pending<'_> {
    fn drop(&mut self) {
        if let Some(entry) = self.entry.take() {
            self.store.log(entry);
        }
    }
}

fn fault_response(fault: &Fault) -> Response {
    match fault {
        Fault::Error { status, .. } => {
            let status = StatusCode::from_u16(*status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let code = match status.as_u16() {
                400 => "bad_request",
                401 => "invalid_client",
                403 => "access_denied",
                429 => "too_many_requests",
                503 => "temporarily_unavailable",
                s if s >= 500 => "server_error",
                _ => "bad_request",
            };
            ImsError::new(status, code, "injected fault").into_response()
        }
        Fault::RateLimited { retry_after_secs } => ImsError {
            retry_after: Some(*retry_after_secs),
            ..ImsError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_requests",
                "too many requests; retry after the Retry-After delay",
            )
        }
        .into_response(),
        Fault::Outage => ImsError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "temporarily_unavailable",
            "IMS is temporarily unavailable",
        )
        .into_response(),
        Fault::MalformedBody => (
            StatusCode::OK,
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json;charset=UTF-8"),
            )],
            "{\"access_token\":\"eyJhbGciOiJSUzI1NiIs",
        )
            .into_response(),
        // Handled by the caller; without connection info the best we can do is a 502.
        Fault::ConnectionReset | Fault::Latency { .. } => {
            ImsError::new(StatusCode::BAD_GATEWAY, "server_error", "connection reset")
                .into_response()
        }
    }
}
