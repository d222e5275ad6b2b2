//! The provider's discovery document and keys, fetched over an HTTP client that never
//! follows redirects and always times out, and kept for a few minutes.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};
use imsbridge_domain::Clock;
use openidconnect::core::{CoreClient, CoreJsonWebKeySet, CoreProviderMetadata};
use openidconnect::{EndpointMaybeSet, EndpointNotSet, EndpointSet, HttpRequest, HttpResponse};
use tokio::sync::Mutex;
use url::Url;

use super::{SsoConfig, SsoError};

/// A client made from discovery: authorization endpoint set, token and userinfo endpoints as
/// discovery says.
pub type Client = CoreClient<
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// How long discovery and keys are kept before they are fetched again (key rotation).
const METADATA_TTL: Duration = Duration::minutes(10);
/// The longest any request to the provider may take.
const REQUEST_TIMEOUT: StdDuration = StdDuration::from_secs(10);

/// A boxed future of an HTTP exchange with the provider.
pub type HttpFuture = Pin<Box<dyn Future<Output = Result<HttpResponse, reqwest::Error>> + Send>>;

/// The provider's metadata, fetched when first needed.
pub struct Provider {
    issuer: String,
    discovery_urls: Vec<Url>,
    http: reqwest::Client,
    clock: Arc<dyn Clock>,
    cached: Mutex<Option<(DateTime<Utc>, CoreProviderMetadata)>>,
}

async fn send(http: reqwest::Client, req: HttpRequest) -> Result<HttpResponse, reqwest::Error> {
    let req = reqwest::Request::try_from(req.map(reqwest::Body::from))?;
    let res = http.execute(req).await?;
    let mut out = http::Response::builder().status(res.status());
    for (name, value) in res.headers() {
        out = out.header(name, value);
    }
    let status = res.status();
    let body = res.bytes().await?.to_vec();
    Ok(out.body(body).unwrap_or_else(|_| {
        let mut r = http::Response::new(Vec::new());
        *r.status_mut() = status;
        r
    }))
}

impl Provider {
    /// The provider of `config`; nothing is fetched yet.
    pub fn new(config: &SsoConfig, clock: Arc<dyn Clock>) -> Result<Self, String> {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(StdDuration::from_secs(5))
            .timeout(REQUEST_TIMEOUT)
            .user_agent(concat!("imsbridge/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| format!("the HTTP client for single sign-on cannot be built: {e}"))?;
        Ok(Self {
            issuer: config.issuer.clone(),
            discovery_urls: config.discovery_urls.clone(),
            http,
            clock,
            cached: Mutex::new(None),
        })
    }

    /// The HTTP client `openidconnect` sends requests with.
    pub fn http(&self) -> impl Fn(HttpRequest) -> HttpFuture + use<> {
        let http = self.http.clone();
        move |req| Box::pin(send(http.clone(), req))
    }

    /// Discovery with its keys, from the cache or fetched.
    pub async fn metadata(&self) -> Result<CoreProviderMetadata, SsoError> {
        let now = self.clock.now();
        let mut cached = self.cached.lock().await;
        if let Some((at, m)) = cached.as_ref()
            && now - *at < METADATA_TTL
        {
            return Ok(m.clone());
        }
        let fresh = self.fetch().await?;
        *cached = Some((now, fresh.clone()));
        Ok(fresh)
    }

    /// Forgets the cached discovery and keys, so that the next sign-in fetches them again
    /// (a signature that fails may mean the provider rotated its keys).
    pub async fn forget(&self) {
        *self.cached.lock().await = None;
    }

    async fn fetch(&self) -> Result<CoreProviderMetadata, SsoError> {
        let unavailable = SsoError::Unavailable;
        let mut tried = Vec::new();
        let mut found = None;
        for url in &self.discovery_urls {
            let res = self
                .http
                .get(url.clone())
                .header(http::header::ACCEPT, "application/json")
                .send()
                .await
                .map_err(|e| unavailable(format!("discovery at {url}: {e}")))?;
            if res.status() == reqwest::StatusCode::NOT_FOUND {
                tried.push(url.to_string());
                continue;
            }
            if !res.status().is_success() {
                return Err(unavailable(format!(
                    "discovery at {url} answered {}",
                    res.status()
                )));
            }
            let body = res
                .bytes()
                .await
                .map_err(|e| unavailable(format!("discovery at {url}: {e}")))?;
            let metadata: CoreProviderMetadata = serde_json::from_slice(&body).map_err(|e| {
                unavailable(format!(
                    "discovery at {url} is not a discovery document: {e}"
                ))
            })?;
            found = Some(metadata);
            break;
        }
        let metadata = found.ok_or_else(|| {
            unavailable(format!(
                "no discovery document at {}; set sso.discovery_url",
                tried.join(" or ")
            ))
        })?;
        if metadata.issuer().as_str() != self.issuer {
            return Err(unavailable(format!(
                "the discovery document names issuer {}, but sso.issuer_url is {}; set sso.issuer_url to the provider's issuer",
                metadata.issuer().as_str(),
                self.issuer
            )));
        }
        let http = self.http();
        let jwks = CoreJsonWebKeySet::fetch_async(metadata.jwks_uri(), &http)
            .await
            .map_err(|e| unavailable(format!("the provider's keys: {e}")))?;
        Ok(metadata.set_jwks(jwks))
    }
}
