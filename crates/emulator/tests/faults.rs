//! Fault injection, counters and the request log, through the handle and the admin API.

mod common;

use std::time::{Duration, Instant};

use common::{ims_error, token_form, with_oauth};
use imsbridge_emulator::{Endpoint, Fault};
use serde_json::{Value, json};

#[tokio::test]
async fn a_status_fault_with_rate_one_fails_every_request_and_clearing_restores_service() {
    let s = with_oauth().await;
    let url = format!("{}/ims/token/v3", s.emulator.base_url());
    s.emulator
        .set_fault(
            Endpoint::TokenV3,
            Fault::Error {
                status: 500,
                rate: 1.0,
            },
        )
        .unwrap();
    for _ in 0..3 {
        let r = s
            .http
            .post(&url)
            .form(&token_form(&s.oauth, "openid"))
            .send()
            .await
            .unwrap();
        assert_eq!(ims_error(r, 500).await.0, "server_error");
    }
    s.emulator.clear_faults();
    let r = s
        .http
        .post(&url)
        .form(&token_form(&s.oauth, "openid"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(s.emulator.token_requests(&s.oauth.client_id), 4);
    assert_eq!(s.emulator.total_requests(Endpoint::TokenV3), 4);
}

#[tokio::test]
async fn a_status_fault_with_rate_zero_never_fires() {
    let s = with_oauth().await;
    s.emulator
        .set_fault(
            Endpoint::Any,
            Fault::Error {
                status: 502,
                rate: 0.0,
            },
        )
        .unwrap();
    let r = s
        .http
        .post(format!("{}/ims/token/v3", s.emulator.base_url()))
        .form(&token_form(&s.oauth, "openid"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        s.emulator
            .set_fault(
                Endpoint::Any,
                Fault::Error {
                    status: 200,
                    rate: 0.5
                }
            )
            .is_err()
    );
    assert!(
        s.emulator
            .set_fault(
                Endpoint::Any,
                Fault::Error {
                    status: 500,
                    rate: 1.5
                }
            )
            .is_err()
    );
}

#[tokio::test]
async fn rate_limiting_answers_429_with_retry_after_for_the_given_number_of_requests() {
    let s = with_oauth().await;
    let url = format!("{}/ims/token/v2", s.emulator.base_url());
    s.emulator
        .set_fault_times(
            Endpoint::TokenV2,
            Fault::RateLimited {
                retry_after_secs: 7,
            },
            2,
        )
        .unwrap();
    for _ in 0..2 {
        let r = s
            .http
            .post(&url)
            .form(&token_form(&s.oauth, "openid"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.headers()["retry-after"], "7");
        assert_eq!(ims_error(r, 429).await.0, "too_many_requests");
    }
    let r = s
        .http
        .post(&url)
        .form(&token_form(&s.oauth, "openid"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(s.emulator.token_requests(&s.oauth.client_id), 3);
}

#[tokio::test]
async fn an_outage_on_any_answers_503_everywhere_but_the_admin_api() {
    let s = with_oauth().await;
    let base = s.emulator.base_url();
    s.emulator.set_fault(Endpoint::Any, Fault::Outage).unwrap();
    let r = s.http.get(format!("{base}/ims/keys")).send().await.unwrap();
    assert_eq!(ims_error(r, 503).await.0, "temporarily_unavailable");
    let r = s
        .http
        .post(format!("{base}/ims/exchange/jwt"))
        .form(&[("client_id", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(ims_error(r, 503).await.0, "temporarily_unavailable");
    let r = s
        .http
        .delete(format!("{base}/console/admin/faults"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let r = s.http.get(format!("{base}/ims/keys")).send().await.unwrap();
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn a_connection_reset_closes_the_socket_without_a_response() {
    let s = with_oauth().await;
    s.emulator
        .set_fault_times(Endpoint::TokenV3, Fault::ConnectionReset, 1)
        .unwrap();
    let url = format!("{}/ims/token/v3", s.emulator.base_url());
    let err = s
        .http
        .post(&url)
        .form(&token_form(&s.oauth, "openid"))
        .send()
        .await
        .expect_err("no response arrives");
    assert!(!err.is_status(), "{err}");
    // The next request, on a fresh connection, is served normally.
    let r = s
        .http
        .post(&url)
        .form(&token_form(&s.oauth, "openid"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let log = s.emulator.request_log();
    assert_eq!(log[0].status, None);
    assert_eq!(log[0].fault.as_deref(), Some("connection_reset"));
    assert_eq!(s.emulator.token_requests(&s.oauth.client_id), 2);
}

#[tokio::test]
async fn a_malformed_body_fault_answers_200_with_unparseable_json() {
    let s = with_oauth().await;
    s.emulator
        .set_fault(Endpoint::TokenV3, Fault::MalformedBody)
        .unwrap();
    let r = s
        .http
        .post(format!("{}/ims/token/v3", s.emulator.base_url()))
        .form(&token_form(&s.oauth, "openid"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let text = r.text().await.unwrap();
    assert!(serde_json::from_str::<Value>(&text).is_err(), "{text}");
}

#[tokio::test]
async fn latency_delays_the_answer_by_real_time() {
    let s = with_oauth().await;
    // Kept tiny: this is the one place a test waits on real time.
    s.emulator
        .set_fault(Endpoint::ValidateToken, Fault::Latency { ms: 50 })
        .unwrap();
    let started = Instant::now();
    let r = s
        .http
        .post(format!("{}/ims/validate_token/v1", s.emulator.base_url()))
        .form(&[("type", "access_token"), ("token", "x.y.z")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(started.elapsed() >= Duration::from_millis(50));
}

#[tokio::test]
async fn a_request_held_by_latency_is_counted_on_arrival_and_logged_when_abandoned() {
    let s = with_oauth().await;
    s.emulator
        .set_fault(Endpoint::TokenV3, Fault::Latency { ms: 60_000 })
        .unwrap();
    let request = s
        .http
        .post(format!("{}/ims/token/v3", s.emulator.base_url()))
        .form(&token_form(&s.oauth, "openid"))
        .send();
    // The client gives up long before the answer; the request was counted all the same.
    let gave_up = tokio::time::timeout(Duration::from_millis(300), request).await;
    assert!(gave_up.is_err());
    assert_eq!(s.emulator.token_requests(&s.oauth.client_id), 1);
    assert_eq!(s.emulator.total_requests(Endpoint::TokenV3), 1);
    // Hyper notices the closed connection and drops the handler: the log says so.
    for _ in 0..200 {
        if !s.emulator.request_log().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let log = s.emulator.request_log();
    assert_eq!(log.len(), 1, "{log:?}");
    assert_eq!(log[0].status, None);
    assert_eq!(
        log[0].client_id.as_deref(),
        Some(s.oauth.client_id.as_str())
    );
}

#[tokio::test]
async fn faults_counters_log_and_clock_work_over_the_admin_api() {
    let s = with_oauth().await;
    let base = s.emulator.base_url();
    let r = s
        .http
        .put(format!("{base}/console/admin/faults"))
        .json(&json!({"endpoint": "token_v3", "fault": {"kind": "error", "status": 503, "rate": 1.0}, "remaining": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let faults: Value = s
        .http
        .get(format!("{base}/console/admin/faults"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(faults[0]["endpoint"], json!("token_v3"));
    let r = s
        .http
        .post(format!("{base}/ims/token/v3"))
        .form(&token_form(&s.oauth, "openid"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 503);
    let r = s
        .http
        .post(format!("{base}/ims/token/v3"))
        .form(&token_form(&s.oauth, "openid"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);

    let counters: Value = s
        .http
        .get(format!("{base}/console/admin/counters"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(counters["token_requests"][&s.oauth.client_id], json!(2));
    assert_eq!(counters["total_requests"]["token_v3"], json!(2));
    assert_eq!(counters["total_requests"]["any"], json!(2));

    let log: Value = s
        .http
        .get(format!("{base}/console/admin/requests"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(log.as_array().unwrap().len(), 2);
    assert_eq!(log[0]["status"], json!(503));
    assert_eq!(log[1]["status"], json!(200));
    assert_eq!(log[1]["client_id"], json!(s.oauth.client_id));
    let text = log.to_string();
    assert!(
        !text.contains(&s.oauth.client_secrets[0]),
        "the log never holds secrets"
    );

    let before = s.emulator.now();
    let after: Value = s
        .http
        .post(format!("{base}/console/admin/clock/advance"))
        .json(&json!({"seconds": 3600}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let after: chrono::DateTime<chrono::Utc> =
        serde_json::from_value(after["now"].clone()).unwrap();
    assert_eq!(after - before, chrono::TimeDelta::hours(1));

    let r = s
        .http
        .put(format!("{base}/console/admin/faults"))
        .json(&json!({"endpoint": "nowhere", "fault": {"kind": "outage"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(ims_error(r, 400).await.0, "bad_request");
}
