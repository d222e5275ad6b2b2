//! The accept loop: plain TCP or TLS (rustls with ring), HTTP/1.1 through hyper, the client
//! address put into each request, a bound on connections (see [`crate::connection`]), and
//! graceful shutdown.
//!
//! axum's own `serve` has no TLS, and one loop for both keeps them from drifting apart.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tower::ServiceExt as _;
use tower::service_fn;

use crate::connection::io::WatchedIo;
use crate::connection::{AcceptWarnings, Connections};
use crate::error::ServerError;
use crate::http::limits::AmbiguousLength;
use crate::settings::TlsSettings;

/// Slow clients get this long to send their request head, and to finish a TLS handshake.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// The largest request head read; a longer one is refused with `431` (hyper's own limit is
/// about 400 KiB).
const MAX_HEAD_BYTES: usize = 64 * 1024;

/// Loads the certificate chain and key into a TLS acceptor (HTTP/1.1 only).
pub fn tls_acceptor(tls: &TlsSettings) -> Result<TlsAcceptor, ServerError> {
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(&tls.cert_path)
        .and_then(Iterator::collect)
        .map_err(|e| ServerError::Tls {
            what: "certificate",
            path: tls.cert_path.clone(),
            problem: e.to_string(),
        })?;
    if certs.is_empty() {
        return Err(ServerError::Tls {
            what: "certificate",
            path: tls.cert_path.clone(),
            problem: "the file holds no CERTIFICATE block".into(),
        });
    }
    let key = PrivateKeyDer::from_pem_file(&tls.key_path).map_err(|e| ServerError::Tls {
        what: "key",
        path: tls.key_path.clone(),
        problem: e.to_string(),
    })?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .and_then(|b| b.with_no_client_auth().with_single_cert(certs, key))
        .map_err(|e| ServerError::Tls {
            what: "key",
            path: tls.key_path.clone(),
            problem: e.to_string(),
        })?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(config)))
}

/// Serves `router` on `listener` until `shutdown` completes, then lets in-flight requests
/// finish for up to `grace`. At most `connections.max()` connections are served at once.
pub(crate) async fn serve(
    listener: TcpListener,
    router: Router,
    tls: Option<TlsAcceptor>,
    connections: Arc<Connections>,
    shutdown: impl Future<Output = ()> + Send,
    grace: Duration,
) -> Result<(), ServerError> {
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    let mut accept_warnings = AcceptWarnings::default();
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    // Out of file descriptors, most likely: free one by closing the longest-idle
                    // connection, and back off instead of spinning.
                    let freed = connections.shed_one();
                    if let Some(suppressed) = accept_warnings.failed(std::time::Instant::now()) {
                        tracing::warn!(error = %e, suppressed, freed, "accept failed");
                    }
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Some(registration) = connections.register() else {
            tracing::debug!(%peer, "every connection is busy: turned a new one away");
            continue;
        };
        let _ = stream.set_nodelay(true);
        let watcher = graceful.watcher();
        let tls = tls.clone();
        let router = router.clone();
        tokio::spawn(async move {
            let mut registration = registration;
            let state = Arc::clone(&registration.state);
            let conn_state = Arc::clone(&state);
            let service = service_fn(move |req: axum::http::Request<Incoming>| {
                let router = router.clone();
                let (ambiguous, in_router) = conn_state.begin();
                let mut req = req.map(axum::body::Body::new);
                req.extensions_mut().insert(ConnectInfo::<SocketAddr>(peer));
                if ambiguous {
                    req.extensions_mut().insert(AmbiguousLength);
                }
                async move {
                    let response = router.oneshot(req).await;
                    drop(in_router);
                    response
                }
            });
            let service = TowerToHyperService::new(service);
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder
                .timer(TokioTimer::new())
                .header_read_timeout(HEADER_READ_TIMEOUT)
                .max_header_size(MAX_HEAD_BYTES);
            let served = async {
                match tls {
                    None => {
                        let io = TokioIo::new(WatchedIo::new(stream, Arc::clone(&state)));
                        watcher.watch(builder.serve_connection(io, service)).await
                    }
                    Some(acceptor) => {
                        let Ok(Ok(stream)) =
                            tokio::time::timeout(HEADER_READ_TIMEOUT, acceptor.accept(stream))
                                .await
                        else {
                            tracing::debug!(%peer, "TLS handshake failed or timed out");
                            return Ok(());
                        };
                        let io = TokioIo::new(WatchedIo::new(stream, state));
                        watcher.watch(builder.serve_connection(io, service)).await
                    }
                }
            };
            tokio::select! {
                result = served => {
                    if let Err(e) = result {
                        tracing::debug!(%peer, error = %e, "connection ended with an error");
                    }
                }
                _ = &mut registration.close => {
                    tracing::debug!(%peer, "closed an idle connection to make room for a new one");
                }
            }
            drop(registration);
        });
    }
    drop(listener);
    tracing::info!("shutting down: waiting for requests in flight");
    connections.close_idle();
    tokio::select! {
        () = graceful.shutdown() => {},
        () = tokio::time::sleep(grace) => {
            tracing::warn!("requests still running after the grace period were abandoned");
        }
    }
    Ok(())
}

/// Ctrl-C and, on Unix, SIGTERM, listened for from the moment this is made.
///
/// Make it before announcing that the server is up: a signal that arrives between the
/// announcement and the first poll of a lazily installed handler would otherwise take the
/// default action and end the process at once, skipping the graceful shutdown.
#[derive(Debug)]
pub struct StopSignal {
    #[cfg(unix)]
    interrupt: Option<tokio::signal::unix::Signal>,
    #[cfg(unix)]
    terminate: Option<tokio::signal::unix::Signal>,
}

impl StopSignal {
    /// Installs the handlers now. Must be called inside the Tokio runtime.
    pub fn listen() -> Self {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Self {
                interrupt: signal(SignalKind::interrupt()).ok(),
                terminate: signal(SignalKind::terminate()).ok(),
            }
        }
        #[cfg(not(unix))]
        {
            Self {}
        }
    }

    /// Completes at the first Ctrl-C or SIGTERM received since [`StopSignal::listen`].
    pub async fn recv(self) {
        #[cfg(unix)]
        {
            async fn next(signal: Option<tokio::signal::unix::Signal>) {
                match signal {
                    Some(mut s) => {
                        s.recv().await;
                    }
                    None => std::future::pending::<()>().await,
                }
            }
            tokio::select! {
                () = next(self.interrupt) => {},
                () = next(self.terminate) => {},
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}
