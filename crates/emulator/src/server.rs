//! The HTTP server: router, the gate every IMS request passes (body limit, parameter
//! parsing, counters, faults, log), a listener that can reset connections, and the
//! library handle.

use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::connect_info::Connected;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::serve::{IncomingStream, Listener};
use chrono::{DateTime, Utc};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::clock::{Clock, ClockMode};
use crate::faults::{Endpoint, Fault, FaultRule};
use crate::model::{JwtCredential, OAuthCredential, Org, Project};
use crate::state::{LoggedRequest, Store};
use crate::wire::{ImsError, ParsedParams, add_debug_id, parse_params, read_body};
use crate::{EmulatorError, console, ims};

/// How the emulator binary is started (`imsbridge emulator --listen ADDR [--state FILE]`).
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Address to bind; port 0 picks a free one.
    pub listen: SocketAddr,
    /// JSON file the Developer Console data is loaded from and saved to.
    pub state_file: Option<PathBuf>,
}

/// Runs the emulator until Ctrl-C or SIGTERM, after printing
/// `imsbridge emulator listening on http://IP:PORT` to stdout.
pub async fn serve(opts: ServeOptions) -> Result<(), EmulatorError> {
    let running = start(EmulatorConfig {
        listen: opts.listen,
        state_file: opts.state_file,
        clock: ClockMode::System,
    })
    .await?;
    {
        use std::io::Write as _;
        let mut out = std::io::stdout().lock();
        writeln!(out, "imsbridge emulator listening on {}", running.base_url)?;
        out.flush()?;
    }
    let (tx, rx) = oneshot::channel();
    tokio::spawn(async move {
        shutdown_signal().await;
        let _ = tx.send(());
    });
    running.run(rx).await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { () = ctrl_c => {}, () = term => {} }
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
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            state_file: None,
            clock: ClockMode::Manual,
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
    let listener = TcpListener::bind(config.listen).await?;
    let addr = listener.local_addr()?;
    let base_url = format!("http://{addr}");
    let store = Arc::new(Store::new(
        Clock::new(config.clock),
        base_url.clone(),
        config.state_file,
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
        .route("/ims/.well-known/openid-configuration", get(ims::discovery))
        .route("/ims/keys", get(ims::jwks))
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
    if path.starts_with("/console/") {
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
        .map(|c| c.0.reset.clone());
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
            store.record(entry, false);
            return response;
        }
    };
    let parsed = parse_params(&parts.headers, parts.uri.query(), &bytes).await;
    entry.client_id = parsed
        .as_ref()
        .ok()
        .and_then(|p| p.client_id().map(str::to_owned));

    let decision = endpoint
        .map(|e| store.faults.lock().expect("faults lock").decide(e))
        .unwrap_or_default();
    if let Some(delay) = decision.delay {
        tokio::time::sleep(delay).await;
    }
    let mut response = if let Some(fault) = decision.fault {
        entry.fault = Some(fault.name().to_owned());
        if matches!(fault, Fault::ConnectionReset)
            && let Some(flag) = &reset
        {
            flag.store(true, Ordering::SeqCst);
            store.record(entry, endpoint.is_some_and(Endpoint::issues_tokens));
            return StatusCode::OK.into_response();
        }
        fault_response(&fault)
    } else {
        let mut req = Request::from_parts(parts, Body::from(bytes));
        req.extensions_mut().insert(ParsedParams(parsed));
        next.run(req).await
    };
    add_debug_id(response.headers_mut());
    entry.status = Some(response.status().as_u16());
    store.record(entry, endpoint.is_some_and(Endpoint::issues_tokens));
    response
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

/// Per-connection info: the peer and the switch that makes the connection reset.
#[derive(Debug, Clone)]
pub(crate) struct Conn {
    reset: Arc<AtomicBool>,
}

impl Connected<IncomingStream<'_, ResettableListener>> for Conn {
    fn connect_info(stream: IncomingStream<'_, ResettableListener>) -> Self {
        stream.remote_addr().clone()
    }
}

/// A TCP listener whose connections can be torn down from a handler.
pub(crate) struct ResettableListener(TcpListener);

impl Listener for ResettableListener {
    type Io = ResettableStream;
    type Addr = Conn;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            match self.0.accept().await {
                Ok((stream, _)) => {
                    // Token requests are tiny; Nagle would only add latency.
                    let _ = stream.set_nodelay(true);
                    let reset = Arc::new(AtomicBool::new(false));
                    return (
                        ResettableStream {
                            inner: stream,
                            reset: reset.clone(),
                        },
                        Conn { reset },
                    );
                }
                // Out of descriptors and the like: back off briefly instead of spinning.
                Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
            }
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        Ok(Conn {
            reset: Arc::new(AtomicBool::new(false)),
        })
    }
}

/// A TCP stream that fails every read and write once its reset switch is on, so that
/// hyper drops the connection without writing a response.
pub(crate) struct ResettableStream {
    inner: TcpStream,
    reset: Arc<AtomicBool>,
}

impl ResettableStream {
    fn check(&self) -> io::Result<()> {
        if self.reset.load(Ordering::SeqCst) {
            // Zero linger makes close send RST, the "connection reset" clients must handle;
            // with a zero timeout the deprecated option cannot block the thread.
            #[allow(deprecated)]
            let _ = self.inner.set_linger(Some(Duration::ZERO));
            return Err(io::Error::from(io::ErrorKind::ConnectionReset));
        }
        Ok(())
    }
}

impl AsyncRead for ResettableStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        self.check()?;
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for ResettableStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.check()?;
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.check()?;
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.check()?;
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

/// A running emulator: seed it, fault it, read its counters, stop it.
/// Dropping it stops the server too (without waiting).
pub struct EmulatorHandle {
    base_url: String,
    store: Arc<Store>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for EmulatorHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmulatorHandle")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl Drop for EmulatorHandle {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        // Graceful shutdown waits for open keep-alive connections; never leak the task.
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

impl EmulatorHandle {
    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn base_url(&self) -> String {
        self.base_url.clone()
    }

    /// Stops accepting, lets in-flight requests finish, and waits for the server.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            // Keep-alive connections could hold graceful shutdown open; bound the wait.
            let abort = task.abort_handle();
            if tokio::time::timeout(Duration::from_secs(5), task)
                .await
                .is_err()
            {
                abort.abort();
            }
        }
    }

    /// Creates an organisation.
    pub fn create_org(&self, name: &str) -> Result<Org, EmulatorError> {
        self.store.create_org(name)
    }

    /// Creates a project; an auto-generated one gets an `AEM-p#####-e######` name.
    pub fn create_project(
        &self,
        org_id: &str,
        name: &str,
        auto_generated: bool,
    ) -> Result<Project, EmulatorError> {
        self.store.create_project(org_id, name, auto_generated)
    }

    /// Marks a project as created by the platform (renaming it `AEM-p#####-e######`).
    pub fn mark_project_auto_generated(&self, project_id: &str) -> Result<Project, EmulatorError> {
        self.store.mark_auto_generated(project_id)
    }

    /// Adds an OAuth Server-to-Server credential with one `p8e-` secret.
    pub fn create_oauth_credential(
        &self,
        project_id: &str,
        scopes: &[&str],
    ) -> Result<OAuthCredential, EmulatorError> {
        self.store
            .create_oauth_credential(project_id, &to_strings(scopes))
    }

    /// Adds a JWT credential with a freshly generated RSA 2048 key pair (blocking: the
    /// key generation takes a fraction of a second).
    pub fn create_jwt_credential(
        &self,
        project_id: &str,
        metascopes: &[&str],
    ) -> Result<JwtCredential, EmulatorError> {
        self.store
            .create_jwt_credential(project_id, &to_strings(metascopes), None)
    }

    /// Adds a JWT credential bound to an uploaded certificate (`private_key_pem` is empty).
    pub fn create_jwt_credential_with_certificate(
        &self,
        project_id: &str,
        metascopes: &[&str],
        certificate_pem: &str,
    ) -> Result<JwtCredential, EmulatorError> {
        self.store
            .create_jwt_credential(project_id, &to_strings(metascopes), Some(certificate_pem))
    }

    /// Binds another certificate to a JWT credential.
    pub fn add_jwt_certificate(
        &self,
        client_id: &str,
        certificate_pem: &str,
    ) -> Result<(), EmulatorError> {
        self.store.add_jwt_certificate(client_id, certificate_pem)
    }

    /// Migrates a JWT credential: an OAuth one with the same client id, secret and
    /// technical account, and scopes from [`crate::scopes_for_metascopes`].
    pub fn migrate_jwt_credential(
        &self,
        client_id: &str,
    ) -> Result<OAuthCredential, EmulatorError> {
        self.store.migrate_jwt_credential(client_id)
    }

    /// Adds a second client secret; refused when there are already two.
    pub fn add_client_secret(&self, client_id: &str) -> Result<String, EmulatorError> {
        self.store.add_client_secret(client_id)
    }

    /// Removes a client secret; refused for the last one.
    pub fn remove_client_secret(&self, client_id: &str, secret: &str) -> Result<(), EmulatorError> {
        self.store.remove_client_secret(client_id, secret)
    }

    /// Deletes a JWT credential; once migrated, only 24 h after its last use and after
    /// the OAuth credential has been used.
    pub fn delete_jwt_credential(&self, client_id: &str) -> Result<(), EmulatorError> {
        self.store.delete_jwt_credential(client_id)
    }

    /// The project as the Developer Console's "Download" JSON.
    pub fn project_json(&self, project_id: &str) -> Result<serde_json::Value, EmulatorError> {
        self.store.project_json(project_id)
    }

    /// Sets a fault until cleared (replacing one of the same kind on that endpoint).
    pub fn set_fault(&self, endpoint: Endpoint, fault: Fault) -> Result<(), EmulatorError> {
        self.store
            .faults
            .lock()
            .expect("faults lock")
            .set(FaultRule {
                endpoint,
                fault,
                remaining: None,
            })
    }

    /// Sets a fault for the next `times` requests to that endpoint only.
    pub fn set_fault_times(
        &self,
        endpoint: Endpoint,
        fault: Fault,
        times: u64,
    ) -> Result<(), EmulatorError> {
        self.store
            .faults
            .lock()
            .expect("faults lock")
            .set(FaultRule {
                endpoint,
                fault,
                remaining: Some(times),
            })
    }

    /// Removes every fault.
    pub fn clear_faults(&self) {
        self.store.faults.lock().expect("faults lock").clear();
    }

    /// Requests to the token and exchange endpoints naming this client id, failed or not
    /// (faulted ones included).
    pub fn token_requests(&self, client_id: &str) -> u64 {
        self.store.token_requests(client_id)
    }

    /// Requests to an endpoint; [`Endpoint::Any`] sums all IMS endpoints.
    pub fn total_requests(&self, endpoint: Endpoint) -> u64 {
        self.store.total_requests(endpoint)
    }

    /// The IMS requests seen so far, oldest first (the last 100 000).
    pub fn request_log(&self) -> Vec<LoggedRequest> {
        self.store.request_log()
    }

    /// Moves the emulator's clock forward.
    pub fn advance_clock(&self, by: Duration) {
        self.store.clock.advance(by);
    }

    /// The emulator's current time.
    pub fn now(&self) -> DateTime<Utc> {
        self.store.clock.now()
    }

    /// Whether an access token was issued here and is neither expired nor invalidated.
    pub fn is_token_valid(&self, token: &str) -> bool {
        ims::check_access_token(&self.store, token).is_ok()
    }
}

fn to_strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}
