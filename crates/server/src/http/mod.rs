//! HTTP plumbing shared by every route: request ids, security headers, JSON error bodies for
//! failures that happen outside handlers, metrics, and the client address.

pub mod client_addr;
pub mod cookies;
pub mod limits;
pub mod metrics;
pub mod request_id;
pub mod same_origin;
pub mod security_headers;

use imsbridge_service::ErrorCode;
use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;

pub use request_id::RequestId;

/// The address of the connected client, as seen by this server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub Option<SocketAddr>);

impl ClientAddr {
    /// The client of a request: as [`client_addr::resolve`] found it (behind trusted
    /// proxies), or else the connection's peer.
    pub fn of(parts: &Parts) -> Self {
        parts.extensions.get::<Self>().copied().unwrap_or_else(|| {
            Self(
                parts
                    .extensions
                    .get::<ConnectInfo<SocketAddr>>()
                    .map(|c| c.0),
            )
        })
    }

    /// The IP address as text, or `unknown`.
    pub fn ip_string(&self) -> String {
        self.0
            .map_or_else(|| "unknown".to_owned(), |a| a.ip().to_string())
    }
}

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Self::of(parts))
    }
}

/// Turns error responses produced outside handlers (unknown route, wrong method, body too
/// large, timeout) into the API's JSON error shape. HTML error pages (the console's) pass.
pub async fn json_errors(req: Request, next: Next) -> Response {
    let response = next.run(req).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if content_type.starts_with("application/json") || content_type.starts_with("text/html") {
        return response;
    }
    let allow = response.headers().get(header::ALLOW).cloned();
    let retry_after = response.headers().get(header::RETRY_AFTER).cloned();
    let error = match status {
        StatusCode::NOT_FOUND => ApiError::new(
            status,
            ErrorCode::NotFound,
            "there is no such route; see /api/openapi.json for the API",
        ),
        StatusCode::METHOD_NOT_ALLOWED => ApiError::new(
            status,
            ErrorCode::MethodNotAllowed,
            "this route does not accept that method; see the Allow header",
        ),
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::new(
            status,
            ErrorCode::BodyTooLarge,
            "the request body is larger than this server accepts; send a smaller body",
        ),
        StatusCode::REQUEST_TIMEOUT | StatusCode::SERVICE_UNAVAILABLE => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::Timeout,
            "the request took too long and was abandoned; try again",
        ),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ApiError::new(
            status,
            ErrorCode::UnsupportedMediaType,
            "send the body as JSON with Content-Type: application/json",
        ),
        s if s.is_server_error() => ApiError::new(
            s,
            ErrorCode::Internal,
            "the server failed to handle this request; try again later",
        ),
        s => ApiError::new(
            s,
            ErrorCode::BadRequest,
            s.canonical_reason().unwrap_or("the request was refused"),
        ),
    };
    let mut json = error.into_response();
    if let Some(allow) = allow {
        json.headers_mut().insert(header::ALLOW, allow);
    }
    if let Some(retry_after) = retry_after {
        json.headers_mut().insert(header::RETRY_AFTER, retry_after);
    }
    json
}

/// The answer to any route that does not exist.
pub async fn fallback() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        ErrorCode::NotFound,
        "there is no such route; see /api/openapi.json for the API",
    )
}

/// `Cache-Control: no-store` unless a handler chose otherwise: API answers carry
/// configuration and identity data that no cache should keep.
pub async fn no_store_by_default(req: Request, next: Next) -> Response {
    let mut response = next.run(req).await;
    response
        .headers_mut()
        .entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    response
}
