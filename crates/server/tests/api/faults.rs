//! The fault matrix: every fault the emulator injects, with and without a cached token, for
//! one caller and for fifty at once, through `POST …/{name}/token?timeout_ms=1000`.
//!
//! Each case checks what callers hear (status, `error`, `ims_error`, `debug_id`,
//! `Retry-After`) and how soon (the budget plus 2 s at most), how many requests reach IMS,
//! and recovery once the fault is cleared. The breaker and `Retry-After` run on the app's
//! manual clock, which the cases advance; latency faults are real time, so they stay short.

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use imsbridge_domain::ManualClock;
use imsbridge_emulator::{Endpoint, Fault};
use imsbridge_server::Settings;
use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::common::{Backend, TestApp, json_of};

/// The budget every caller asks for.
const TIMEOUT_MS: u64 = 1000;
/// How much longer than its budget a caller may wait.
const SLACK: Duration = Duration::from_secs(2);

/// One fault and what callers without a cached token hear while it lasts.
struct Case {
    /// Part of the configuration names (lowercase, digits, '-').
    name: &'static str,
    fault: Fault,
    status: StatusCode,
    error: &'static str,
    ims_error: &'static str,
    debug_id: bool,
    /// `Retry-After` in seconds; `None` when there is none.
    retry_after: Option<u64>,
    /// Requests reaching IMS while the fault lasts, whatever the number of callers.
    requests: u64,
    /// A 429's `Retry-After`, in seconds: the window in which IMS must see nothing more.
    throttle_window: Option<u64>,
    /// How far to move the clock after clearing the fault so a request may go out again.
    reopen_after: Duration,
    /// Requests the recovery takes (0 when the fetch already under way succeeded).
    recovery_requests: u64,
}

fn latency_beyond_the_budget() -> Case {
    Case {
        name: "latency",
        // Longer than the callers' budget, shorter than the fetch's: the detached fetch
        // succeeds after the callers gave up, and fills the cache.
        fault: Fault::Latency { ms: 2500 },
        status: StatusCode::GATEWAY_TIMEOUT,
        error: "ims_timeout",
        ims_error: "timeout",
        debug_id: false,
        retry_after: None,
        requests: 1,
        throttle_window: None,
        reopen_after: Duration::ZERO,
        recovery_requests: 0,
    }
}

fn throttled(name: &'static str, secs: u64) -> Case {
    Case {
        name,
        fault: Fault::RateLimited {
            retry_after_secs: secs,
        },
        status: StatusCode::SERVICE_UNAVAILABLE,
        error: "ims_unavailable",
        ims_error: "too_many_requests",
        debug_id: true,
        retry_after: Some(secs),
        requests: 1,
        throttle_window: Some(secs),
        reopen_after: Duration::from_secs(secs),
        recovery_requests: 1,
    }
}

/// A failure IMS answers (or not) at once: three attempts open the breaker for 250 ms.
fn failing(name: &'static str, fault: Fault, ims_error: &'static str, debug_id: bool) -> Case {
    Case {
        name,
        fault,
        status: StatusCode::SERVICE_UNAVAILABLE,
        error: "ims_unavailable",
        ims_error,
        debug_id,
        retry_after: Some(1),
        requests: 3,
        throttle_window: None,
        reopen_after: Duration::from_millis(1500),
        recovery_requests: 1,
    }
}

/// A case's configuration and the means to ask for its token.
struct Subject<'a> {
    app: &'a TestApp,
    clock: &'a ManualClock,
    name: String,
    client_id: String,
    token: String,
    /// Requests IMS had seen for the client before the case began.
    baseline: u64,
}

/// What one caller heard, and after how long.
struct Answer {
    elapsed: Duration,
    status: StatusCode,
    retry_after: Option<u64>,
    body: Value,
}

impl Subject<'_> {
    async fn ask(&self) -> Answer {
        let path = format!(
            "/api/v1/integrations/{}/token?timeout_ms={TIMEOUT_MS}",
            self.name
        );
        let started = Instant::now();
        let r = self
            .app
            .with_token(&self.token, Method::POST, &path)
            .send()
            .await
            .unwrap();
        let retry_after = r
            .headers()
            .get("retry-after")
            .map(|v| v.to_str().unwrap().parse().unwrap());
        let (status, body) = json_of(r).await;
        let elapsed = started.elapsed();
        let bound = Duration::from_millis(TIMEOUT_MS) + SLACK;
        assert!(elapsed <= bound, "answered after {elapsed:?}: {body}");
        Answer {
            elapsed,
            status,
            retry_after,
            body,
        }
    }

    async fn ask_all(&self, callers: usize) -> Vec<Answer> {
        futures::future::join_all((0..callers).map(|_| self.ask())).await
    }

    /// Requests IMS has seen for the client since the case began.
    fn requests(&self) -> u64 {
        self.app.emulator.token_requests(&self.client_id) - self.baseline
    }

    /// Waits (real time, a few seconds at most) until IMS has seen `n` requests in all,
    /// then makes sure no more arrive.
    async fn expect_requests(&self, n: u64) {
        for _ in 0..100 {
            if self.requests() >= n {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert_eq!(self.requests(), n, "requests reaching IMS");
    }

    fn advance(&self, by: Duration) {
        self.clock.advance(chrono::Duration::from_std(by).unwrap());
    }

    fn clock_now(&self) -> DateTime<Utc> {
        imsbridge_domain::Clock::now(self.clock)
    }
}

fn assert_failure(case: &Case, answer: &Answer) {
    let body = &answer.body;
    assert_eq!(answer.status, case.status, "{body}");
    assert_eq!(body["error"], case.error, "{body}");
    assert_eq!(body["ims_error"], case.ims_error, "{body}");
    assert_eq!(
        body["debug_id"].as_str().is_some_and(|d| !d.is_empty()),
        case.debug_id,
        "{body}"
    );
    assert!(body["message"].as_str().is_some_and(|m| m.len() > 10));
}

/// Runs `case` in the four variants: without and with a cached token, one and fifty callers.
async fn run(backend: Backend, case: Case) {
    for cached in [false, true] {
        for callers in [1, 50] {
            let clock = ManualClock::new(Utc::now());
            let Some(app) =
                TestApp::spawn_on_clock(backend, Settings::for_tests(), Some(clock.clone())).await
            else {
                eprintln!("TEST_POSTGRES_URL is not set; skipping the PostgreSQL leg");
                return;
            };
            let kind = if cached { "cached" } else { "cold" };
            let name = format!("{}-{kind}-{callers}", case.name);
            let cred = app.create_oauth(&name).await;
            let subject = Subject {
                app: &app,
                clock: &clock,
                token: app.api_token(&format!("token:{name}")).await,
                name,
                baseline: app.emulator.token_requests(&cred.client_id),
                client_id: cred.client_id,
            };
            if cached {
                with_a_cached_token(&subject, &case, callers).await;
            } else {
                without_a_cached_token(&subject, &case, callers).await;
            }
            app.stop().await;
        }
    }
}

async fn without_a_cached_token(s: &Subject<'_>, case: &Case, callers: usize) {
    s.app
        .emulator
        .set_fault(Endpoint::TokenV3, case.fault.clone())
        .unwrap();
    for answer in s.ask_all(callers).await {
        assert_failure(case, &answer);
        assert_eq!(answer.retry_after, case.retry_after, "{}", answer.body);
    }
    s.expect_requests(case.requests).await;

    if let Some(window) = case.throttle_window {
        // Within the window callers hear at once what is left of it, and IMS nothing.
        s.advance(Duration::from_secs(1));
        for answer in s.ask_all(callers).await {
            assert_failure(case, &answer);
            assert_eq!(answer.retry_after, Some(window - 1));
            assert!(answer.elapsed < Duration::from_millis(TIMEOUT_MS));
        }
        assert_eq!(s.requests(), case.requests);
        let until = throttled_until(s)
            .await
            .expect("the health shows the throttle");
        let expected =
            s.clock_now() + chrono::Duration::seconds(i64::try_from(window).unwrap() - 1);
        assert!(
            (until - expected).num_milliseconds().abs() < 1000,
            "{until}"
        );
        let gauge = throttle_gauge(s).await;
        assert!(
            (gauge - until.timestamp_millis() as f64 / 1000.0).abs() < 1.0,
            "{gauge}"
        );
        s.advance(case.reopen_after.saturating_sub(Duration::from_secs(1)));
    } else {
        s.advance(case.reopen_after);
    }

    // Recovery: IMS healthy again (for a 429, its Retry-After passed): the next caller is
    // served, after at most one probe.
    s.app.emulator.clear_faults();
    let mut served = s.ask().await;
    for _ in 0..60 {
        if served.status == StatusCode::OK {
            break;
        }
        // Only the latency case gets here: its fetch is still under way.
        tokio::time::sleep(Duration::from_millis(100)).await;
        served = s.ask().await;
    }
    assert_eq!(served.status, StatusCode::OK, "{}", served.body);
    assert!(
        s.app
            .emulator
            .is_token_valid(served.body["access_token"].as_str().unwrap())
    );
    s.expect_requests(case.requests + case.recovery_requests)
        .await;
    if case.throttle_window.is_some() {
        assert_eq!(throttled_until(s).await, None);
        assert!(throttle_gauge(s).await.abs() < f64::EPSILON);
    }
}

async fn with_a_cached_token(s: &Subject<'_>, case: &Case, callers: usize) {
    let first = s.ask().await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    let cached = first.body["access_token"].clone();
    // Past half its life, the token is due for refresh: the next caller starts one, which
    // the fault makes fail. Every caller is still served the cached token.
    s.advance(Duration::from_secs(14 * 3600));
    s.app
        .emulator
        .set_fault(Endpoint::TokenV3, case.fault.clone())
        .unwrap();
    for answer in s.ask_all(callers).await {
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        assert_eq!(answer.body["access_token"], cached);
    }
    s.expect_requests(1 + case.requests).await;
    for answer in s.ask_all(callers).await {
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    }

    // Recovery: once IMS is healthy, the next refresh (15 s after the failed one) succeeds.
    s.app.emulator.clear_faults();
    s.advance(case.reopen_after.max(Duration::from_secs(16)));
    let mut renewed = false;
    // Up to 5 s: longer than the latency case's slow refresh (2.5 s), started above.
    for _ in 0..250 {
        let answer = s.ask().await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        if answer.body["access_token"] != cached {
            renewed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // The latency case renewed the token while the fault lasted (its refresh was only slow).
    assert!(renewed, "the token is never renewed");
    s.expect_requests(1 + case.requests + case.recovery_requests)
        .await;
}

/// `health.throttled_until` of the configuration, as the API shows it.
async fn throttled_until(s: &Subject<'_>) -> Option<DateTime<Utc>> {
    let (status, config) = s
        .app
        .get_json(&format!("/api/v1/integrations/{}", s.name))
        .await;
    assert_eq!(status, StatusCode::OK, "{config}");
    let (_, list) = s.app.get_json("/api/v1/integrations").await;
    assert_eq!(
        list["items"][0]["health"]["throttled_until"], config["health"]["throttled_until"],
        "{list}"
    );
    config["health"]["throttled_until"]
        .as_str()
        .map(|t| t.parse().unwrap())
}

/// `imsbridge_ims_throttled_until_seconds{config}` as `/metrics` shows it.
async fn throttle_gauge(s: &Subject<'_>) -> f64 {
    let text = s
        .app
        .admin(Method::GET, "/metrics")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let series = format!(
        "imsbridge_ims_throttled_until_seconds{{config=\"{}\"}}",
        s.name
    );
    text.lines()
        .find_map(|l| l.strip_prefix(&series))
        .unwrap_or_else(|| panic!("no {series} in /metrics"))
        .trim()
        .parse()
        .unwrap()
}

/// One test per fault and backend, so that nextest runs them side by side.
macro_rules! fault_matrix {
    ($($fault:ident => $case:expr),* $(,)?) => {$(
        mod $fault {
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn on_sqlite() {
                run(Backend::Sqlite, $case).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn on_postgres() {
                run(Backend::Postgres, $case).await;
            }
        }
    )*};
}

fault_matrix! {
    latency_beyond_the_budget => latency_beyond_the_budget(),
    throttled_with_a_short_retry_after => throttled("throttled-short", 2),
    throttled_with_a_long_retry_after => throttled("throttled-long", 20),
    an_outage => failing("outage", Fault::Outage, "temporarily_unavailable", true),
    server_errors_at_a_rate => failing(
        "server-errors",
        Fault::Error { status: 500, rate: 1.0 },
        "server_error",
        true,
    ),
    connections_reset => failing("reset", Fault::ConnectionReset, "connection_failed", false),
    a_malformed_body => failing("malformed", Fault::MalformedBody, "malformed_response", true),
}
