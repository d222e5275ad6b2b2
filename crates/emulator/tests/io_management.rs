//! Adobe's I/O Management API for a credential's client secrets.

mod common;

use std::time::Duration;

use common::{IO_SCOPES, gateway_error, secrets_url, token, token_form};
use imsbridge_emulator::{Endpoint, Fault, IO_MANAGEMENT_SCOPES};
use serde_json::Value;

#[tokio::test]
async fn adding_the_io_management_api_grants_the_scopes_of_adobes_rotation_guide() {
    let s = common::with_io_management().await;
    let scopes = s.emulator.project_json(&s.oauth.project_id).unwrap()["project"]["workspace"]
        ["details"]["credentials"][0]["oauth_server_to_server"]["scopes"]
        .clone();
    for scope in IO_MANAGEMENT_SCOPES {
        assert!(
            scopes.as_array().unwrap().iter().any(|s| s == scope),
            "{scope} in {scopes}"
        );
    }
    let token = token(&s, &s.oauth, IO_SCOPES).await;
    assert!(s.emulator.is_token_valid(&token));
    // A credential created after the API was added gets the scopes too.
    let later = s
        .emulator
        .create_oauth_credential(&s.oauth.project_id, &["openid"])
        .unwrap();
    assert!(later.scopes.iter().any(|x| x == "manage_client_secrets"));
    let download = s.emulator.project_json(&s.oauth.project_id).unwrap();
    assert_eq!(
        download["project"]["workspace"]["details"]["services"][0]["code"],
        "AdobeIOManagementAPISDK"
    );
    let unknown = s.emulator.add_api(&s.oauth.project_id, "NoSuchAPI");
    assert!(matches!(
        unknown,
        Err(imsbridge_emulator::EmulatorError::InvalidInput(_))
    ));
}

#[tokio::test]
async fn orgs_have_numeric_developer_console_ids_where_adobe_puts_them() {
    let s = common::with_io_management().await;
    let console_id = &s.oauth.console_org_id;
    assert!(
        !console_id.is_empty() && console_id.chars().all(|c| c.is_ascii_digit()),
        "{console_id}"
    );
    let download = s.emulator.project_json(&s.oauth.project_id).unwrap();
    let org = &download["project"]["org"];
    assert_eq!(org["id"], console_id.as_str());
    assert_eq!(org["ims_org_id"], s.oauth.org_id.as_str());
    assert_eq!(
        download["project"]["workspace"]["details"]["credentials"][0]["id"],
        s.oauth.id.as_str()
    );
    let orgs: Value = s
        .http
        .get(format!("{}/console/orgs", s.emulator.base_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(orgs[0]["console_org_id"], console_id.as_str());
    assert_eq!(orgs[0]["id"], s.oauth.org_id.as_str());
    let projects: Value = s
        .http
        .get(format!("{}/console/projects", s.emulator.base_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(projects[0]["console_org_id"], console_id.as_str());
}

#[tokio::test]
async fn listing_needs_read_client_secret_and_changes_need_manage_client_secrets() {
    let s = common::with_io_management().await;
    let url = secrets_url(&s, &s.oauth);
    let call = |method: reqwest::Method, url: String, token: String| {
        s.http
            .request(method, url)
            .bearer_auth(token)
            .header("x-api-key", &s.oauth.client_id)
            .send()
    };
    let plain = token(&s, &s.oauth, "openid,AdobeID").await;
    let r = call(reqwest::Method::GET, url.clone(), plain.clone())
        .await
        .unwrap();
    assert_eq!(gateway_error(r, 403).await, "403011");
    let read_only = token(&s, &s.oauth, "openid,read_client_secret").await;
    let r = call(reqwest::Method::GET, url.clone(), read_only.clone())
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = call(reqwest::Method::POST, url.clone(), read_only.clone())
        .await
        .unwrap();
    assert_eq!(gateway_error(r, 403).await, "403011");
    let uuid = s.emulator.client_secrets(&s.oauth.client_id).unwrap()[0]
        .uuid
        .clone();
    let r = call(reqwest::Method::DELETE, format!("{url}/{uuid}"), read_only)
        .await
        .unwrap();
    assert_eq!(gateway_error(r, 403).await, "403011");
    let manage = token(&s, &s.oauth, "openid,manage_client_secrets").await;
    let r = call(reqwest::Method::POST, url.clone(), manage.clone())
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let r = call(reqwest::Method::GET, url, manage).await.unwrap();
    assert_eq!(
        gateway_error(r, 403).await,
        "403011",
        "manage does not imply read"
    );
}

#[tokio::test]
async fn the_api_key_and_the_token_must_both_be_the_credentials_own() {
    let s = common::with_io_management().await;
    let url = secrets_url(&s, &s.oauth);
    let own = token(&s, &s.oauth, IO_SCOPES).await;
    let other = s
        .emulator
        .create_oauth_credential(&s.oauth.project_id, &[])
        .unwrap();
    let others_token = token(&s, &other, IO_SCOPES).await;

    let r = s.http.get(&url).bearer_auth(&own).send().await.unwrap();
    assert_eq!(gateway_error(r, 403).await, "403000", "no x-api-key");
    let r = s
        .http
        .get(&url)
        .bearer_auth(&own)
        .header("x-api-key", "0123456789abcdef0123456789abcdef")
        .send()
        .await
        .unwrap();
    assert_eq!(gateway_error(r, 403).await, "403003", "unknown x-api-key");
    let r = s
        .http
        .get(&url)
        .header("x-api-key", &s.oauth.client_id)
        .send()
        .await
        .unwrap();
    assert_eq!(gateway_error(r, 403).await, "403010", "no token");
    let r = s
        .http
        .get(&url)
        .bearer_auth("not-a-token")
        .header("x-api-key", &s.oauth.client_id)
        .send()
        .await
        .unwrap();
    assert_eq!(gateway_error(r, 401).await, "401013", "garbage token");
    let r = s
        .http
        .get(&url)
        .bearer_auth(&others_token)
        .header("x-api-key", &s.oauth.client_id)
        .send()
        .await
        .unwrap();
    assert_eq!(
        gateway_error(r, 401).await,
        "401013",
        "token of another client"
    );
    // Another credential of the same org, with its own key and token, cannot touch ours.
    let r = s
        .http
        .get(&url)
        .bearer_auth(&others_token)
        .header("x-api-key", &other.client_id)
        .send()
        .await
        .unwrap();
    assert_eq!(gateway_error(r, 403).await, "403001");
    // The org in the path must be the credential's.
    let wrong_org = url.replace(
        &format!("/organizations/{}/", s.oauth.console_org_id),
        "/organizations/1/",
    );
    let r = s
        .http
        .get(&wrong_org)
        .bearer_auth(&own)
        .header("x-api-key", &s.oauth.client_id)
        .send()
        .await
        .unwrap();
    assert_eq!(gateway_error(r, 404).await, "404001");
    // An expired token is refused.
    s.emulator.advance_clock(Duration::from_secs(24 * 3600));
    let r = s
        .http
        .get(&url)
        .bearer_auth(&own)
        .header("x-api-key", &s.oauth.client_id)
        .send()
        .await
        .unwrap();
    assert_eq!(gateway_error(r, 401).await, "401013");
}

#[tokio::test]
async fn a_rotation_adds_a_second_secret_lists_no_values_and_deletes_the_old_one() {
    let s = common::with_io_management().await;
    let url = secrets_url(&s, &s.oauth);
    let old_secret = s.oauth.client_secrets[0].clone();
    let bearer = token(&s, &s.oauth, IO_SCOPES).await;
    let send = |method: reqwest::Method, url: String| {
        s.http
            .request(method, url)
            .bearer_auth(&bearer)
            .header("x-api-key", &s.oauth.client_id)
            .send()
    };

    let listing: Value = send(reqwest::Method::GET, url.clone())
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listing["client_id"], s.oauth.client_id.as_str());
    let first = &listing["client_secrets"][0];
    let old_uuid = first["uuid"].as_str().unwrap().to_owned();
    assert_eq!(old_uuid.len(), 32);
    assert_eq!(first["expires_at"], "PERMANENT");
    assert_eq!(
        first["created_at"],
        s.emulator.now().timestamp_millis().to_string()
    );
    assert_eq!(
        first["secret_usages"][0]["grant_type"], "client_credentials",
        "the token request above used it: {first}"
    );

    s.emulator.advance_clock(Duration::from_secs(60));
    let r = send(reqwest::Method::POST, url.clone()).await.unwrap();
    assert_eq!(r.status(), 201);
    let added: Value = r.json().await.unwrap();
    let new_secret = added["client_secret"].as_str().unwrap().to_owned();
    let new_uuid = added["uuid"].as_str().unwrap().to_owned();
    assert!(new_secret.starts_with("p8e-"));
    assert_eq!(added["secret_usages"], Value::Null);

    // At most two.
    let r = send(reqwest::Method::POST, url.clone()).await.unwrap();
    assert_eq!(r.status(), 409);
    let refusal: Value = r.json().await.unwrap();
    let message = refusal["message"].as_str().unwrap();
    assert!(
        message.contains(&old_uuid) && message.contains(&new_uuid),
        "names both: {message}"
    );

    // The new secret works, and its last use shows.
    let mut with_new = s.oauth.clone();
    with_new.client_secrets = vec![new_secret.clone()];
    s.emulator.advance_clock(Duration::from_secs(60));
    let _ = token(&s, &with_new, "openid").await;
    let listing = send(reqwest::Method::GET, url.clone()).await.unwrap();
    let text = listing.text().await.unwrap();
    assert!(
        !text.contains(&old_secret) && !text.contains(&new_secret),
        "no secret value in a listing: {text}"
    );
    let listing: Value = serde_json::from_str(&text).unwrap();
    let used = |uuid: &str| -> Option<String> {
        listing["client_secrets"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["uuid"] == uuid)
            .and_then(|x| x["secret_usages"][0]["last_used_at"].as_str())
            .map(str::to_owned)
    };
    assert_eq!(
        used(&new_uuid),
        Some(s.emulator.now().timestamp_millis().to_string())
    );
    assert!(used(&old_uuid) < used(&new_uuid));
    let infos = s.emulator.client_secrets(&s.oauth.client_id).unwrap();
    assert_eq!(infos[1].last_used, Some(s.emulator.now()));

    // Delete the old one: it stops working; the last one can never go.
    let r = send(reqwest::Method::DELETE, format!("{url}/{old_uuid}"))
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let r = s
        .http
        .post(format!("{}/ims/token/v3", s.emulator.base_url()))
        .form(&token_form(&s.oauth, "openid"))
        .send()
        .await
        .unwrap();
    assert_eq!(common::ims_error(r, 401).await.0, "invalid_client");
    let r = send(reqwest::Method::DELETE, format!("{url}/{old_uuid}"))
        .await
        .unwrap();
    assert_eq!(gateway_error(r, 404).await, "404001");
    let r = send(reqwest::Method::DELETE, format!("{url}/{new_uuid}"))
        .await
        .unwrap();
    assert_eq!(gateway_error(r, 409).await, "409001");
    assert_eq!(
        s.emulator.client_secrets(&s.oauth.client_id).unwrap().len(),
        1
    );
}

#[tokio::test]
async fn io_management_requests_are_counted_logged_and_faultable() {
    let s = common::with_io_management().await;
    let url = secrets_url(&s, &s.oauth);
    let bearer = token(&s, &s.oauth, IO_SCOPES).await;
    s.emulator
        .set_fault_times(
            Endpoint::IoManagement,
            Fault::RateLimited {
                retry_after_secs: 7,
            },
            1,
        )
        .unwrap();
    let get = || {
        s.http
            .get(&url)
            .bearer_auth(&bearer)
            .header("x-api-key", &s.oauth.client_id)
            .send()
    };
    let r = get().await.unwrap();
    assert_eq!(r.headers()["retry-after"], "7");
    assert_eq!(gateway_error(r, 429).await, "429050");
    assert_eq!(get().await.unwrap().status(), 200);
    s.emulator
        .set_fault(Endpoint::IoManagement, Fault::Outage)
        .unwrap();
    assert_eq!(gateway_error(get().await.unwrap(), 503).await, "503000");
    // The token endpoint is not affected by a fault on io_management.
    let _ = token(&s, &s.oauth, "openid").await;
    s.emulator.clear_faults();

    assert_eq!(s.emulator.total_requests(Endpoint::IoManagement), 3);
    let log = s.emulator.request_log();
    let last = log
        .iter()
        .rev()
        .find(|e| e.endpoint == Some(Endpoint::IoManagement))
        .unwrap();
    assert!(last.path.ends_with("/secrets"), "{}", last.path);
    assert_eq!(last.client_id.as_deref(), Some(s.oauth.client_id.as_str()));
    assert_eq!(last.status, Some(503));
    assert_eq!(last.fault.as_deref(), Some("outage"));
    let counters: Value = s
        .http
        .get(format!("{}/console/admin/counters", s.emulator.base_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(counters["total_requests"]["io_management"], 3);
    // Admin routes under /console are still neither counted nor faulted.
    s.emulator.set_fault(Endpoint::Any, Fault::Outage).unwrap();
    let r = s
        .http
        .get(format!("{}/console/orgs", s.emulator.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn the_admin_secret_routes_name_secrets_by_value_or_uuid_in_the_same_model() {
    let s = common::with_io_management().await;
    let base = s.emulator.base_url();
    let r = s
        .http
        .post(format!(
            "{base}/console/credentials/{}/secrets",
            s.oauth.client_id
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let added: Value = r.json().await.unwrap();
    let uuid = added["uuid"].as_str().unwrap();
    let infos = s.emulator.client_secrets(&s.oauth.client_id).unwrap();
    assert_eq!(
        infos[1].uuid, uuid,
        "the admin route adds to the listed secrets"
    );
    let r = s
        .http
        .delete(format!(
            "{base}/console/credentials/{}/secrets",
            s.oauth.client_id
        ))
        .json(&serde_json::json!({"uuid": uuid}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let r = s
        .http
        .delete(format!(
            "{base}/console/credentials/{}/secrets",
            s.oauth.client_id
        ))
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(common::ims_error(r, 400).await.0, "bad_request");
    let details: Value = s
        .http
        .get(format!("{base}/console/credentials/{}", s.oauth.client_id))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(details["oauth"]["secrets"].as_array().unwrap().len(), 1);
    assert_eq!(
        details["oauth"]["credential"]["console_org_id"],
        s.oauth.console_org_id.as_str()
    );
}
