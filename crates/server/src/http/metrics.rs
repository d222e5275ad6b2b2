//! Prometheus metrics: one recorder per process, request counters and latencies.
//!
//! The recorder keeps every histogram sample until its upkeep folds them into summaries; a
//! thread of its own runs that upkeep every few seconds, so memory stays flat whether or not
//! anyone scrapes `/metrics`. Every label takes its value from a small fixed set (route
//! templates, known methods, statuses), so no request can add a series.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// How often the recorder's upkeep runs.
pub const UPKEEP_INTERVAL: Duration = Duration::from_secs(5);

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
                imsbridge_service::rotation::describe_metrics();
                spawn_upkeep(handle.clone(), UPKEEP_INTERVAL);
                Some(handle)
            } else {
                tracing::warn!("a metrics recorder was already installed; /metrics is empty");
                None
            }
        })
        .clone()
}

/// Runs the recorder's upkeep every `interval` on a thread of its own, for as long as the
/// process lives, and returns a count of the runs so far.
pub fn spawn_upkeep(handle: PrometheusHandle, interval: Duration) -> Arc<AtomicU64> {
    let runs = Arc::new(AtomicU64::new(0));
    let counted = Arc::clone(&runs);
    let spawned = std::thread::Builder::new()
        .name("metrics-upkeep".into())
        .spawn(move || {
            loop {
                std::thread::sleep(interval);
                handle.run_upkeep();
                counted.fetch_add(1, Ordering::Relaxed);
            }
        });
    if let Err(e) = spawned {
        tracing::error!(error = %e, "could not start the metrics upkeep; histograms will grow until /metrics is scraped");
    }
    runs
}

/// The method as a label: the standard ones by name, anything else as `other`.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// Middleware: counts requests and records their latency by route template and status.
pub async fn track(req: Request, next: Next) -> Response {
    let start = Instant::now();
    // The route template, never the raw path: raw paths would make one series per name.
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    // Method names are the client's to choose: a fixed set keeps the series bounded.
    let method = method_label(req.method());
    let response = next.run(req).await;
    let labels = [
        ("method", method.to_owned()),
        ("route", route),
        ("status", response.status().as_u16().to_string()),
    ];
    metrics::counter!("imsbridge_http_requests_total", &labels).increment(1);
    metrics::histogram!("imsbridge_http_request_duration_seconds", &labels)
        .record(start.elapsed().as_secs_f64());
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_upkeep_runs_without_anyone_scraping() {
        let recorder = PrometheusBuilder::new().build_recorder();
        let handle = recorder.handle();
        let runs = spawn_upkeep(handle, Duration::from_millis(5));
        let deadline = Instant::now() + Duration::from_secs(10);
        while runs.load(Ordering::Relaxed) < 3 {
            assert!(Instant::now() < deadline, "the upkeep thread did not run");
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    #[test]
    fn a_made_up_method_is_counted_as_other() {
        assert_eq!(method_label(&Method::GET), "GET");
        let made_up = Method::from_bytes(b"X-RANDOM-1234").unwrap();
        assert_eq!(method_label(&made_up), "other");
    }
}
