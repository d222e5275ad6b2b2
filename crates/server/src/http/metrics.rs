//! Prometheus metrics: one recorder per process, request counters and latencies.

use std::sync::OnceLock;
use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// Installs the Prometheus recorder once per process and returns its handle.
///
/// Tests start many applications in one process; the first installs, the rest share it. If
/// another recorder was installed first (by an embedding program), metrics are not rendered
/// here and `None` is returned.
pub fn install() -> Option<PrometheusHandle> {
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new().build_recorder();
            let handle = recorder.handle();
            if metrics::set_global_recorder(recorder).is_ok() {
                Some(handle)
            } else {
                tracing::warn!("a metrics recorder was already installed; /metrics is empty");
                None
            }
        })
        .clone()
}

/// Middleware: counts requests and records their latency by route template and status.
pub async fn track(req: Request, next: Next) -> Response {
    let start = Instant::now();
    // The route template, never the raw path: raw paths would make one series per name.
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let method = req.method().as_str().to_owned();
    let response = next.run(req).await;
    let labels = [
        ("method", method),
        ("route", route),
        ("status", response.status().as_u16().to_string()),
    ];
    metrics::counter!("imsbridge_http_requests_total", &labels).increment(1);
    metrics::histogram!("imsbridge_http_request_duration_seconds", &labels)
        .record(start.elapsed().as_secs_f64());
    response
}
