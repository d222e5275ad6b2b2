//! A standard OpenID Connect relying party (the `openidconnect` crate, which imsbridge signs
//! in with) against the emulator: discovery, PKCE, code exchange, ID token validation
//! (signature, `iss`, `aud`, `nonce`, expiry) and userinfo.

mod common;

use common::signin::{CALLBACK, PASSWORD, app, location_query};
use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreJsonWebKeySet, CoreProviderMetadata, CoreUserInfoClaims,
};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, HttpRequest, HttpResponse, Nonce,
    OAuth2TokenResponse as _, PkceCodeChallenge, RedirectUrl, Scope, TokenResponse as _,
};
use serde_json::Value;

/// `openidconnect`'s HTTP client seam, over reqwest (never following redirects).
async fn send(http: reqwest::Client, req: HttpRequest) -> Result<HttpResponse, reqwest::Error> {
    let req = reqwest::Request::try_from(req.map(reqwest::Body::from))?;
    let res = http.execute(req).await?;
    let mut out = http::Response::builder().status(res.status());
    for (name, value) in res.headers() {
        out = out.header(name, value);
    }
    Ok(out
        .body(res.bytes().await?.to_vec())
        .expect("a response rebuilt from a valid one"))
}

#[tokio::test]
async fn the_openidconnect_crate_signs_a_user_in_and_validates_everything() {
    let mut app = app().await;
    let base = app.emulator.base_url();
    let http = app.http.clone();
    let client_http = move |req: HttpRequest| send(http.clone(), req);

    // Adobe publishes discovery under /ims; the issuer is the base URL itself.
    let doc: Value = app
        .http
        .get(format!("{base}/ims/.well-known/openid-configuration"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let jwks: CoreJsonWebKeySet = app
        .http
        .get(doc["jwks_uri"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let metadata: CoreProviderMetadata = serde_json::from_value(doc).unwrap();
    assert_eq!(metadata.issuer().as_str(), base);
    let metadata = metadata.set_jwks(jwks);
    let client = CoreClient::from_provider_metadata(
        metadata,
        ClientId::new(app.web.client_id.clone()),
        Some(ClientSecret::new(app.web.client_secret.clone())),
    )
    .set_redirect_uri(RedirectUrl::new(CALLBACK.into()).unwrap());

    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, csrf, nonce) = client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_scope(Scope::new("email".into()))
        .add_scope(Scope::new("profile".into()))
        .set_pkce_challenge(challenge)
        .url();

    // The browser: the sign-in page, then back to the callback.
    let page = app.http.get(url).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let page = page.text().await.unwrap();
    let back = app.submit(&page, "ada@example.com", PASSWORD).await;
    let (to, query) = location_query(&back);
    assert_eq!(to, CALLBACK);
    assert_eq!(&query["state"], csrf.secret());

    let tokens = client
        .exchange_code(AuthorizationCode::new(query["code"].clone()))
        .unwrap()
        .set_pkce_verifier(verifier)
        .request_async(&client_http)
        .await
        .expect("the code exchange succeeds");
    let id_token = tokens.id_token().expect("an ID token for the openid scope");
    let claims = id_token
        .claims(&client.id_token_verifier(), &nonce)
        .expect("the ID token validates: signature, iss, aud, nonce, expiry");
    assert_eq!(claims.subject().as_str(), app.user.sub);
    assert_eq!(claims.email().map(|e| e.as_str()), Some("ada@example.com"));
    // A nonce other than the one sent is refused.
    assert!(
        id_token
            .claims(&client.id_token_verifier(), &Nonce::new("other".into()))
            .is_err()
    );

    let info: CoreUserInfoClaims = client
        .user_info(tokens.access_token().to_owned(), None)
        .unwrap()
        .request_async(&client_http)
        .await
        .expect("userinfo answers for the access token");
    assert_eq!(info.subject().as_str(), app.user.sub);
    assert_eq!(
        info.name()
            .and_then(|n| n.get(None))
            .map(|n| n.as_str().to_owned()),
        Some("Ada Lovelace".into())
    );
}
