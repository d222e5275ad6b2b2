//! IMS's wire conventions: the error shape and how request parameters arrive.

use std::collections::HashMap;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{FromRequest as _, Multipart};
use axum::http::{HeaderMap, HeaderValue, Request, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::ids;

/// Bodies above this size are refused with 413, as IMS refuses oversized forms.
pub(crate) const BODY_LIMIT: usize = 64 * 1024;
/// A client that stops sending its body mid-way gets a 408 rather than a hang.
pub(crate) const BODY_TIMEOUT: Duration = Duration::from_secs(10);

/// An error as IMS sends it: JSON `{"error", "error_description"}` and `x-debug-id`.
#[derive(Debug, Clone)]
pub(crate) struct ImsError {
    pub(crate) status: StatusCode,
    pub(crate) error: &'static str,
    pub(crate) description: String,
    pub(crate) retry_after: Option<u64>,
}

impl ImsError {
    pub(crate) fn new(
        status: StatusCode,
        error: &'static str,
        description: impl Into<String>,
    ) -> Self {
        Self {
            status,
            error,
            description: description.into(),
            retry_after: None,
        }
    }
    pub(crate) fn bad_request(description: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad_request", description)
    }
    pub(crate) fn invalid_client(description: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "invalid_client", description)
    }
    pub(crate) fn invalid_token(description: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_token", description)
    }
    pub(crate) fn invalid_scope(description: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_scope", description)
    }
    pub(crate) fn invalid_request(description: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_request", description)
    }
    pub(crate) fn invalid_grant(description: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_grant", description)
    }
    pub(crate) fn unauthorized_client(description: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "unauthorized_client", description)
    }
    pub(crate) fn missing(param: &str) -> Self {
        Self::bad_request(format!("missing {param} parameter"))
    }
}

impl IntoResponse for ImsError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({
            "error": self.error,
            "error_description": self.description,
        });
        let mut response = (self.status, axum::Json(body)).into_response();
        if let Some(secs) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        add_debug_id(response.headers_mut());
        response
    }
}

/// Every IMS answer carries a fresh `x-debug-id`, which support asks for.
pub(crate) fn add_debug_id(headers: &mut HeaderMap) {
    if !headers.contains_key("x-debug-id") {
        let id = HeaderValue::from_str(&ids::debug_id()).expect("a UUID is a valid header");
        headers.insert("x-debug-id", id);
    }
}

/// Request parameters merged from query string, body (form or multipart) and Basic auth.
#[derive(Debug, Clone, Default)]
pub(crate) struct Params {
    values: HashMap<String, String>,
    basic: Option<(String, String)>,
}

impl Params {
    /// A non-empty parameter.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.values
            .get(name)
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
    }

    /// A non-empty parameter exactly as sent (for values echoed back, such as `state`).
    pub(crate) fn raw(&self, name: &str) -> Option<&str> {
        self.values
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    /// `client_id` from the parameters, else from HTTP Basic.
    pub(crate) fn client_id(&self) -> Option<&str> {
        self.get("client_id")
            .or_else(|| self.basic.as_ref().map(|(id, _)| id.as_str()))
            .filter(|v| !v.is_empty())
    }

    /// `client_secret` from the parameters, else from HTTP Basic.
    pub(crate) fn client_secret(&self) -> Option<&str> {
        self.get("client_secret")
            .or_else(|| self.basic.as_ref().map(|(_, s)| s.as_str()))
            .filter(|v| !v.is_empty())
    }
}

/// The parse result the middleware hands to IMS handlers.
#[derive(Debug, Clone)]
pub(crate) struct ParsedParams(pub(crate) Result<Params, ImsError>);

/// Reads a body up to [`BODY_LIMIT`], answering 413 or 408 in IMS's shape.
pub(crate) async fn read_body(body: Body) -> Result<Bytes, ImsError> {
    match tokio::time::timeout(BODY_TIMEOUT, axum::body::to_bytes(body, BODY_LIMIT)).await {
        Err(_) => Err(ImsError::new(
            StatusCode::REQUEST_TIMEOUT,
            "request_timeout",
            "the request body did not arrive in time",
        )),
        Ok(Err(_)) => Err(ImsError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "request_too_large",
            format!("the request body exceeds {BODY_LIMIT} bytes"),
        )),
        Ok(Ok(bytes)) => Ok(bytes),
    }
}

/// Parses query, body and Basic auth into [`Params`]; body values win over the query.
pub(crate) async fn parse_params(
    headers: &HeaderMap,
    query: Option<&str>,
    body: &Bytes,
) -> Result<Params, ImsError> {
    let mut params = Params::default();
    if let Some(q) = query {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(q)
            .map_err(|_| ImsError::bad_request("the query string is not URL-encoded"))?;
        params.values.extend(pairs);
    }
    if !body.is_empty() {
        let content_type = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("application/x-www-form-urlencoded");
        let mime = content_type.split(';').next().unwrap_or("").trim();
        if mime.eq_ignore_ascii_case("multipart/form-data") {
            params
                .values
                .extend(parse_multipart(content_type, body.clone()).await?);
        } else if mime.eq_ignore_ascii_case("application/x-www-form-urlencoded") {
            let text = std::str::from_utf8(body)
                .map_err(|_| ImsError::bad_request("the request body is not UTF-8"))?;
            let pairs: Vec<(String, String)> = serde_urlencoded::from_str(text)
                .map_err(|_| ImsError::bad_request("the request body is not form-encoded"))?;
            params.values.extend(pairs);
        } else {
            return Err(ImsError::bad_request(format!(
                "unsupported content type {mime}; send application/x-www-form-urlencoded or multipart/form-data"
            )));
        }
    }
    params.basic = basic_auth(headers)?;
    Ok(params)
}

async fn parse_multipart(
    content_type: &str,
    body: Bytes,
) -> Result<Vec<(String, String)>, ImsError> {
    let bad = |_| ImsError::bad_request("the multipart body is malformed");
    let request = Request::builder()
        .header(header::CONTENT_TYPE, content_type)
        .body(Body::from(body))
        .map_err(|_| ImsError::bad_request("the multipart content type is malformed"))?;
    let mut multipart = Multipart::from_request(request, &())
        .await
        .map_err(|_| ImsError::bad_request("the multipart content type has no boundary"))?;
    let mut out = Vec::new();
    while let Some(field) = multipart.next_field().await.map_err(bad)? {
        let name = field.name().unwrap_or_default().to_owned();
        let value = field.text().await.map_err(bad)?;
        out.push((name, value));
    }
    Ok(out)
}

fn basic_auth(headers: &HeaderMap) -> Result<Option<(String, String)>, ImsError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let Some(encoded) = value.to_str().ok().and_then(|v| {
        v.strip_prefix("Basic ")
            .or_else(|| v.strip_prefix("basic "))
    }) else {
        // A Bearer header is for other endpoints; not client authentication.
        return Ok(None);
    };
    let bad = || ImsError::invalid_client("the Basic authorization header is malformed");
    let decoded = STANDARD.decode(encoded.trim()).map_err(|_| bad())?;
    let decoded = String::from_utf8(decoded).map_err(|_| bad())?;
    let (id, secret) = decoded.split_once(':').ok_or_else(bad)?;
    Ok(Some((id.to_owned(), secret.to_owned())))
}

/// The bearer token of an `Authorization` header.
pub(crate) fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
        .filter(|t| !t.is_empty())
}
