//! Requests refused before any route sees them: a URL longer than [`MAX_URI_BYTES`], and a
//! head that carried both `Content-Length` and `Transfer-Encoding` (found by
//! [`crate::connection::framing`]), each with the API's JSON error body.

use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use imsbridge_service::ErrorCode;

use crate::error::ApiError;

/// The longest request target (path and query) accepted, in bytes.
pub const MAX_URI_BYTES: usize = 8 * 1024;

/// Marks a request whose head carried both `Content-Length` and `Transfer-Encoding`.
#[derive(Debug, Clone, Copy)]
pub struct AmbiguousLength;

/// Middleware: refuses over-long URLs (`414`) and ambiguously framed requests (`400`, and the
/// connection closes, since where the next request starts is in doubt).
pub async fn refuse_malformed(req: Request, next: Next) -> Response {
    if req.extensions().get::<AmbiguousLength>().is_some() {
        let mut response = ApiError::bad_request(
            ErrorCode::AmbiguousLength,
            "the request carries both Content-Length and Transfer-Encoding, so its length is ambiguous (RFC 9112 §6.3); send only one of them",
        )
        .into_response();
        response
            .headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
        return response;
    }
    let target = req.uri().path_and_query().map_or(0, |pq| pq.as_str().len());
    if target > MAX_URI_BYTES {
        return ApiError::new(
            StatusCode::URI_TOO_LONG,
            ErrorCode::UriTooLong,
            format!(
                "the URL is {target} bytes long; this server accepts at most {MAX_URI_BYTES}, so send long parameters in the request body"
            ),
        )
        .into_response();
    }
    next.run(req).await
}
