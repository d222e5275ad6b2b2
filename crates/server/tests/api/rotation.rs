//! Client-secret rotation end to end, against the emulator's I/O Management API: each
//! `delete_old` mode, an old secret another client still uses, a rotation stopped between
//! any two steps and run again, the two-secret refusal, tokens served throughout, the
//! background pass and the metrics.

// Tests read as one story each; a long one is clearer whole than split.
#![allow(clippy::too_many_lines)]

use std::ops::ControlFlow;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use imsbridge_emulator::OAuthCredential;
use imsbridge_service::rotation::{RotateSecret, RotationStep, StepHook};
use imsbridge_service::{Caller, Principal};
use imsbridge_store::{AuditContext, AuditFilter, PageRequest, Role};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::{TestApp, assert_error, json_of};
use crate::on_both_backends;

on_both_backends!(
    each_delete_old_mode_retires_the_old_secret_as_asked,
    an_old_secret_another_client_still_uses_is_kept_and_reported,
    a_rotation_stopped_between_any_two_steps_resumes_without_losing_a_secret,
    a_credential_with_two_secrets_is_refused_naming_both,
    tokens_are_served_without_a_failure_during_a_rotation_under_load,
    the_background_pass_rotates_what_is_due_and_the_metrics_show_it,
);

/// An OAuth configuration whose project has the I/O Management API, made through the API
/// with its Developer Console ids.
async fn rotatable(app: &TestApp, name: &str) -> OAuthCredential {
    app.emulator
        .add_api(&app.project_id, "AdobeIOManagementAPISDK")
        .unwrap();
    let cred = app.oauth_credential();
    let mut body = app.oauth_body(name, &cred);
    body["console_org_id"] = json!(cred.console_org_id);
    body["credential_id"] = json!(cred.id);
    let r = app
        .admin(Method::POST, "/api/v1/integrations")
        .json(&body)
        .send()
        .await
        .unwrap();
    let (status, created) = json_of(r).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(
        created["oauth"]["console_org_id"],
        json!(cred.console_org_id)
    );
    assert_eq!(created["oauth"]["credential_id"], json!(cred.id));
    cred
}

async fn rotate(app: &TestApp, name: &str, body: Value) -> (StatusCode, Value) {
    let r = app
        .admin(
            Method::POST,
            &format!("/api/v1/integrations/{name}/rotate-secret"),
        )
        .json(&body)
        .send()
        .await
        .unwrap();
    json_of(r).await
}

async fn secrets(app: &TestApp, name: &str) -> Value {
    let (status, body) = app
        .get_json(&format!("/api/v1/integrations/{name}/secrets"))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

/// The uuids listed, and the one imsbridge holds.
fn listed(view: &Value) -> (Vec<String>, Option<String>) {
    let items = view["secrets"].as_array().unwrap();
    let uuids = items
        .iter()
        .map(|s| s["uuid"].as_str().unwrap().to_owned())
        .collect();
    let held = items
        .iter()
        .find(|s| s["held"] == json!(true))
        .map(|s| s["uuid"].as_str().unwrap().to_owned());
    (uuids, held)
}

/// A token through imsbridge, fetched anew (so with the secret held now).
async fn fresh_token(app: &TestApp, name: &str) -> StatusCode {
    app.admin(Method::POST, &format!("/api/v1/integrations/{name}/token"))
        .json(&json!({"force_refresh": true}))
        .send()
        .await
        .unwrap()
        .status()
}

/// Asks the emulator's IMS for a token with `secret`, as another consumer would.
async fn ims_accepts(app: &TestApp, cred: &OAuthCredential, secret: &str) -> bool {
    reqwest::Client::new()
        .post(format!("{}/ims/token/v3", app.emulator.base_url()))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", cred.client_id.as_str()),
            ("client_secret", secret),
            ("scope", "openid"),
        ])
        .send()
        .await
        .unwrap()
        .status()
        .is_success()
}

async fn audit_actions(app: &TestApp, name: &str) -> Vec<String> {
    let filter = AuditFilter {
        target_name: Some(name.to_owned()),
        ..AuditFilter::default()
    };
    let page = app
        .store
        .list_audit(&filter, PageRequest::first(500))
        .await
        .unwrap();
    page.items.iter().map(|e| e.action.clone()).collect()
}

fn admin_caller() -> Caller {
    Caller::new(Principal::User {
        id: uuid::Uuid::nil(),
        username: "admin".into(),
        role: Role::Admin,
    })
}

async fn each_delete_old_mode_retires_the_old_secret_as_asked(app: &TestApp) {
    // (name, body, state, old secrets left at Adobe, reason says)
    let cases = [
        (
            "rot-now",
            json!({"delete_old": "now"}),
            "completed",
            0,
            None,
        ),
        (
            "rot-never",
            json!({"delete_old": "never"}),
            "completed",
            1,
            Some("kept"),
        ),
        (
            "rot-later",
            json!({"delete_old": "after_unused", "grace_hours": 24}),
            "pending_delete",
            1,
            Some("deleted after"),
        ),
        // Nothing used the old secret since the switch, and there is no grace period.
        (
            "rot-unused",
            json!({"delete_old": "after_unused", "grace_hours": 0}),
            "completed",
            0,
            None,
        ),
        (
            "rot-default",
            json!({}),
            "pending_delete",
            1,
            Some("deleted after"),
        ),
    ];
    for (name, body, state, old_left, reason) in cases {
        let cred = rotatable(app, name).await;
        let before = secrets(app, name).await;
        let (uuids, held) = listed(&before);
        assert_eq!(uuids.len(), 1, "{before}");
        assert_eq!(held.as_deref(), Some(uuids[0].as_str()), "{before}");
        let (_, config) = app.get_json(&format!("/api/v1/integrations/{name}")).await;
        let revision = config["revision"].as_u64().unwrap();

        let (status, rotation) = rotate(app, name, body).await;
        assert_eq!(status, StatusCode::OK, "{name}: {rotation}");
        assert_eq!(rotation["state"], state, "{name}: {rotation}");
        assert_eq!(rotation["old_secret_uuid"], json!(uuids[0]), "{name}");
        let new = rotation["new_secret_uuid"].as_str().unwrap().to_owned();
        assert_ne!(new, uuids[0]);
        match reason {
            Some(words) => assert!(
                rotation["reason"].as_str().unwrap().contains(words),
                "{name}: {rotation}"
            ),
            None => assert!(rotation.get("reason").is_none(), "{name}: {rotation}"),
        }
        // No value of any secret in the answer.
        assert!(!rotation.to_string().contains("p8e-"), "{rotation}");

        let after = secrets(app, name).await;
        let (uuids_after, held_after) = listed(&after);
        assert_eq!(held_after.as_deref(), Some(new.as_str()), "{name}: {after}");
        assert_eq!(uuids_after.len(), 1 + old_left, "{name}: {after}");
        assert!(!after.to_string().contains("p8e-"), "{after}");
        assert_eq!(after["rotation"]["state"], state, "{name}");

        // The switch is a new revision, and the next token comes with the new secret.
        let (_, config) = app.get_json(&format!("/api/v1/integrations/{name}")).await;
        assert_eq!(config["revision"].as_u64().unwrap(), revision + 1, "{name}");
        assert_eq!(config["oauth"]["secret_uuid"], json!(new), "{name}");
        assert_eq!(fresh_token(app, name).await, StatusCode::OK, "{name}");
        let old_works = ims_accepts(app, &cred, &cred.client_secrets[0]).await;
        assert_eq!(old_works, old_left == 1, "{name}");

        let actions = audit_actions(app, name).await;
        for step in [
            "secret.rotate.start",
            "secret.rotate.add",
            "secret.rotate.verify",
        ] {
            assert!(actions.iter().any(|a| a == step), "{name}: {actions:?}");
        }
        assert!(
            actions.iter().any(|a| a == "secret.rotate.switch"),
            "{actions:?}"
        );
    }
}

async fn an_old_secret_another_client_still_uses_is_kept_and_reported(app: &TestApp) {
    let cred = rotatable(app, "shared-cred").await;
    let old_secret = cred.client_secrets[0].clone();
    // Right after the switch, another consumer of the credential (AEM itself, say) fetches
    // a token with the old secret, a little later than imsbridge's clock says it is.
    let base = app.emulator.base_url();
    let client_id = cred.client_id.clone();
    let hook: StepHook = Arc::new(move |step| {
        let (base, client_id, old) = (base.clone(), client_id.clone(), old_secret.clone());
        Box::pin(async move {
            if step == RotationStep::Switched {
                let http = reqwest::Client::new();
                let r = http
                    .post(format!("{base}/console/admin/clock/advance"))
                    .json(&json!({"seconds": 600}))
                    .send()
                    .await
                    .unwrap();
                assert!(r.status().is_success());
                let r = http
                    .post(format!("{base}/ims/token/v3"))
                    .form(&[
                        ("grant_type", "client_credentials"),
                        ("client_id", client_id.as_str()),
                        ("client_secret", old.as_str()),
                        ("scope", "openid"),
                    ])
                    .send()
                    .await
                    .unwrap();
                assert!(r.status().is_success());
            }
            ControlFlow::Continue(())
        })
    });
    let body = RotateSecret {
        delete_old: Some("after_unused".into()),
        grace_hours: Some(0),
    };
    let view = app
        .state
        .services
        .rotate_secret_with(&admin_caller(), "shared-cred", &body, Some(&hook))
        .await
        .unwrap();
    assert_eq!(view.state, "pending_delete", "{view:?}");
    let reason = view.reason.clone().unwrap();
    assert!(reason.starts_with("still in use (last used "), "{reason}");

    // The old secret is kept, and the consumer still gets tokens with it.
    let after = secrets(app, "shared-cred").await;
    assert_eq!(listed(&after).0.len(), 2, "{after}");
    assert!(ims_accepts(app, &cred, &cred.client_secrets[0]).await);

    // The background pass looks again, and keeps it again without a new audit entry.
    let before = audit_actions(app, "shared-cred").await.len();
    app.state
        .services
        .run_rotation_pass(&AuditContext::actor("test"))
        .await;
    let after_pass = secrets(app, "shared-cred").await;
    assert_eq!(after_pass["rotation"]["state"], "pending_delete");
    assert_eq!(after_pass["rotation"]["reason"], json!(reason));
    assert_eq!(audit_actions(app, "shared-cred").await.len(), before);
    assert_eq!(listed(&after_pass).0.len(), 2);
}

async fn a_rotation_stopped_between_any_two_steps_resumes_without_losing_a_secret(app: &TestApp) {
    let points = [
        RotationStep::Recorded,
        RotationStep::AdobeAdded,
        RotationStep::Added,
        RotationStep::Verified,
        RotationStep::ConfigSwitched,
        RotationStep::Switched,
    ];
    for (i, point) in points.into_iter().enumerate() {
        let name = format!("crash-{i}");
        rotatable(app, &name).await;
        let (original, _) = listed(&secrets(app, &name).await);
        let stop = Arc::new(AtomicBool::new(true));
        let armed = Arc::clone(&stop);
        let hook: StepHook = Arc::new(move |step| {
            let stop_here = step == point && armed.swap(false, Ordering::SeqCst);
            Box::pin(async move {
                if stop_here {
                    ControlFlow::Break(())
                } else {
                    ControlFlow::Continue(())
                }
            })
        });
        let body = RotateSecret {
            delete_old: Some("now".into()),
            grace_hours: None,
        };
        let stopped = app
            .state
            .services
            .rotate_secret_with(&admin_caller(), &name, &body, Some(&hook))
            .await;
        assert!(stopped.is_err(), "{point:?}: {stopped:?}");

        // Whatever the point, the configuration still gets tokens.
        assert_eq!(fresh_token(app, &name).await, StatusCode::OK, "{point:?}");

        // Run again (through the API, as an admin would): it resumes the stopped job.
        let (status, rotation) = rotate(app, &name, json!({"delete_old": "now"})).await;
        assert_eq!(status, StatusCode::OK, "{point:?}: {rotation}");
        assert_eq!(rotation["state"], "completed", "{point:?}: {rotation}");
        let (left, held) = listed(&secrets(app, &name).await);
        assert_eq!(left.len(), 1, "{point:?}: {left:?}");
        assert_eq!(held.as_deref(), Some(left[0].as_str()), "{point:?}");
        assert_ne!(
            left[0], original[0],
            "{point:?}: the old secret was retired"
        );
        assert_eq!(rotation["new_secret_uuid"], json!(left[0]), "{point:?}");
        assert_eq!(fresh_token(app, &name).await, StatusCode::OK, "{point:?}");

        let actions = audit_actions(app, &name).await;
        let strays = actions
            .iter()
            .filter(|a| *a == "secret.rotate.stray_deleted")
            .count();
        // Only a stop between Adobe's answer and the job's record loses a secret's value.
        let lost_value = usize::from(point == RotationStep::AdobeAdded);
        assert_eq!(strays, lost_value, "{point:?}: {actions:?}");
        let starts = actions
            .iter()
            .filter(|a| *a == "secret.rotate.start")
            .count();
        assert_eq!(starts, 1, "{point:?}: one job, resumed: {actions:?}");
    }
}

async fn a_credential_with_two_secrets_is_refused_naming_both(app: &TestApp) {
    let cred = rotatable(app, "two-secrets").await;
    app.emulator.add_client_secret(&cred.client_id).unwrap();
    let (uuids, _) = listed(&secrets(app, "two-secrets").await);
    assert_eq!(uuids.len(), 2);
    let r = app
        .admin(
            Method::POST,
            "/api/v1/integrations/two-secrets/rotate-secret",
        )
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    let body = assert_error(r, StatusCode::CONFLICT, "two_secrets").await;
    let message = body["message"].as_str().unwrap();
    for uuid in &uuids {
        assert!(message.contains(uuid.as_str()), "{message}");
    }
    assert!(
        message.contains("last used") && message.contains("never used"),
        "{message}"
    );
    assert!(!message.contains("p8e-"), "{message}");
    // Nothing changed.
    assert_eq!(listed(&secrets(app, "two-secrets").await).0.len(), 2);
    let actions = audit_actions(app, "two-secrets").await;
    assert!(
        actions.iter().any(|a| a == "secret.rotate.refused"),
        "{actions:?}"
    );

    // Bad choices are refused by field.
    let (status, body) = rotate(app, "two-secrets", json!({"delete_old": "later"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, body) = rotate(app, "two-secrets", json!({"grace_hours": -1})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
}

async fn tokens_are_served_without_a_failure_during_a_rotation_under_load(app: &TestApp) {
    rotatable(app, "busy").await;
    let done = Arc::new(AtomicBool::new(false));
    let served = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    let mut workers = Vec::new();
    for _ in 0..8 {
        let (done, served, failed) = (done.clone(), served.clone(), failed.clone());
        let request = app.admin(Method::POST, "/api/v1/integrations/busy/token");
        workers.push(tokio::spawn(async move {
            while !done.load(Ordering::Relaxed) {
                let ok = request
                    .try_clone()
                    .unwrap()
                    .send()
                    .await
                    .is_ok_and(|r| r.status() == StatusCode::OK);
                let counter = if ok { &served } else { &failed };
                counter.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let (status, rotation) = rotate(app, "busy", json!({"delete_old": "after_unused"})).await;
    assert_eq!(status, StatusCode::OK, "{rotation}");
    assert_eq!(rotation["state"], "pending_delete", "{rotation}");
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    done.store(true, Ordering::Relaxed);
    for w in workers {
        w.await.unwrap();
    }
    assert_eq!(failed.load(Ordering::Relaxed), 0);
    assert!(served.load(Ordering::Relaxed) > 0);
}

async fn the_background_pass_rotates_what_is_due_and_the_metrics_show_it(app: &TestApp) {
    rotatable(app, "scheduled").await;
    let r = app
        .admin(Method::PATCH, "/api/v1/integrations/scheduled")
        .header("if-match", "1")
        .json(&json!({"rotate_every_days": 90}))
        .send()
        .await
        .unwrap();
    let (status, config) = json_of(r).await;
    assert_eq!(status, StatusCode::OK, "{config}");
    assert_eq!(config["oauth"]["rotate_every_days"], 90);
    assert!(config["oauth"]["next_rotation_at"].is_string(), "{config}");

    // Not due yet: the pass leaves it alone.
    let report = app
        .state
        .services
        .run_rotation_pass(&AuditContext::actor("test"))
        .await;
    assert!(
        report.rotations.iter().all(|r| r.name != "scheduled"),
        "{report:?}"
    );

    // Due now: the pass rotates it.
    let r = app
        .admin(Method::PATCH, "/api/v1/integrations/scheduled")
        .header("if-match", "2")
        .json(&json!({"rotate_every_days": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let stale = chrono::Utc::now() - chrono::Duration::days(2);
    let mut cfg = app
        .store
        .get_config(&imsbridge_domain::Name::parse("scheduled").unwrap())
        .await
        .unwrap()
        .unwrap();
    let expected = cfg.revision;
    cfg.secret_since = stale;
    app.store
        .update_config(expected, &cfg, &AuditContext::actor("test"), "test.age")
        .await
        .unwrap();
    let r = app
        .admin(Method::POST, "/api/v1/rotations/run-due")
        .send()
        .await
        .unwrap();
    let (status, report) = json_of(r).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    let mine = report["rotations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "scheduled")
        .unwrap_or_else(|| panic!("{report}"));
    assert_eq!(mine["rotation"]["state"], "pending_delete", "{report}");

    let text = app
        .admin(Method::GET, "/metrics")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        text.lines()
            .any(|l| l.starts_with("imsbridge_secret_age_seconds{config=\"scheduled\"}")),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.starts_with("imsbridge_secret_rotation_due_seconds{config=\"scheduled\"}")),
        "{text}"
    );
}
