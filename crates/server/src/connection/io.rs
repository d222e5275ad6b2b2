//! The bytes of one connection, watched on their way to and from hyper.
//!
//! Reading: the [`RequestScanner`] follows the requests, so that a head with both
//! `Content-Length` and `Transfer-Encoding` is known when its request reaches the router.
//!
//! Writing: when hyper cannot parse a request head (a malformed request line, a URI or head
//! too long for it) it answers on its own with an empty-bodied `400`, `414` or `431` and
//! closes the connection, without ever calling the router. Those answers are replaced here
//! by the same statuses with the API's JSON error body. One is recognised by what only hyper
//! writes: a response head while no request is in the router, with `content-length: 0`; every
//! error the router answers carries a JSON or HTML body.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use super::ConnState;
use super::framing::RequestScanner;

/// A connection's stream, watched.
pub(crate) struct WatchedIo<S> {
    inner: S,
    scanner: RequestScanner,
    state: Arc<ConnState>,
    /// A replacement answer still to be written, and how much of it has been.
    replacement: Option<(Vec<u8>, usize)>,
}

impl<S> WatchedIo<S> {
    pub(crate) fn new(inner: S, state: Arc<ConnState>) -> Self {
        Self {
            inner,
            scanner: RequestScanner::default(),
            state,
            replacement: None,
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for WatchedIo<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        ready!(Pin::new(&mut this.inner).poll_read(cx, buf))?;
        if let Some(index) = this.scanner.feed(&buf.filled()[before..]) {
            this.state.mark_ambiguous(index);
        }
        Poll::Ready(Ok(()))
    }
}

impl<S: AsyncWrite + Unpin> WatchedIo<S> {
    /// Writes what is left of a replacement answer.
    fn drive_replacement(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while let Some((bytes, written)) = &mut self.replacement {
            if *written == bytes.len() {
                self.replacement = None;
                break;
            }
            let n = ready!(Pin::new(&mut self.inner).poll_write(cx, &bytes[*written..]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            *written += n;
        }
        Poll::Ready(Ok(()))
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for WatchedIo<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        ready!(this.drive_replacement(cx))?;
        if this.state.in_router() == 0
            && let Some(json) = replacement_for(buf)
        {
            this.replacement = Some((json, 0));
            // hyper's bytes count as written: the replacement takes their place.
            let _ = this.drive_replacement(cx)?;
            return Poll::Ready(Ok(buf.len()));
        }
        Pin::new(&mut this.inner).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.drive_replacement(cx))?;
        Pin::new(&mut this.inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.drive_replacement(cx))?;
        Pin::new(&mut this.inner).poll_shutdown(cx)
    }

    fn is_write_vectored(&self) -> bool {
        // One buffer per write, so that a response head is always seen whole.
        false
    }
}

/// The JSON answer replacing hyper's own empty-bodied refusal in `buf`, if `buf` is one.
fn replacement_for(buf: &[u8]) -> Option<Vec<u8>> {
    let head_end = buf.windows(4).position(|w| w == b"\r\n\r\n")?;
    // hyper's refusal is a head and nothing else.
    if head_end + 4 != buf.len() {
        return None;
    }
    let head = std::str::from_utf8(&buf[..head_end]).ok()?;
    let mut lines = head.split("\r\n");
    let status = lines.next()?.strip_prefix("HTTP/1.1 ")?.get(..3)?;
    if !lines.any(|l| l.eq_ignore_ascii_case("content-length: 0")) {
        return None;
    }
    let (code, message) = match status {
        "400" => (
            "malformed_request",
            "the request could not be read as HTTP/1.1; check the request line (METHOD /path HTTP/1.1) and that every header is \"Name: value\"",
        ),
        "414" => (
            "uri_too_long",
            "the URL is longer than this server accepts; send long parameters in the request body",
        ),
        "431" => (
            "headers_too_large",
            "the request's headers are larger than this server accepts; send fewer or smaller headers (cookies included)",
        ),
        _ => return None,
    };
    let reason = match status {
        "400" => "Bad Request",
        "414" => "URI Too Long",
        _ => "Request Header Fields Too Large",
    };
    let body = serde_json::json!({ "error": code, "message": message }).to_string();
    Some(
        format!(
            "HTTP/1.1 {status} {reason}\r\ncontent-type: application/json\r\ncontent-length: {}\r\ncache-control: no-store\r\nx-content-type-options: nosniff\r\nconnection: close\r\n\r\n{body}",
            body.len()
        )
        .into_bytes(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_hyper_s_own_empty_refusals_are_replaced() {
        let hyper_400 = b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\ndate: Thu, 01 Jan 2026 00:00:00 GMT\r\n\r\n";
        let json = String::from_utf8(replacement_for(hyper_400).unwrap()).unwrap();
        assert!(json.starts_with("HTTP/1.1 400 Bad Request\r\n"), "{json}");
        let body: serde_json::Value =
            serde_json::from_str(json.split("\r\n\r\n").nth(1).unwrap()).unwrap();
        assert_eq!(body["error"], "malformed_request");
        for (status, code) in [
            ("414 URI Too Long", "uri_too_long"),
            ("431 Request Header Fields Too Large", "headers_too_large"),
        ] {
            let head = format!("HTTP/1.1 {status}\r\ncontent-length: 0\r\n\r\n");
            let json = String::from_utf8(replacement_for(head.as_bytes()).unwrap()).unwrap();
            assert!(json.contains(code), "{json}");
        }
        // Anything the router answered has a body, and successes are never touched.
        assert!(
            replacement_for(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 2\r\n\r\n{}").is_none()
        );
        assert!(
            replacement_for(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n{}").is_none()
        );
        assert!(replacement_for(b"HTTP/1.1 204 No Content\r\ncontent-length: 0\r\n\r\n").is_none());
        assert!(replacement_for(b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n").is_none());
    }
}
