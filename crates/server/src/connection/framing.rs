//! Follows the requests of one HTTP/1.1 connection through its bytes, to find a request head
//! that carries both `Content-Length` and `Transfer-Encoding`.
//!
//! hyper accepts such a request: it drops `Content-Length`, reads the body as chunked and
//! closes the connection afterwards, so the handlers never see that the head was ambiguous.
//! RFC 9112 §6.3 lets a server refuse it instead, and a proxy in front that disagrees about
//! the framing is how requests get smuggled, so imsbridge refuses it with `400`. This scanner
//! reads the same bytes hyper reads, head by head, skipping bodies by their framing, and says
//! which request (counted from 0 on the connection) was ambiguous.
//!
//! It never refuses anything itself: on anything it does not follow (an upgrade, a malformed
//! head, a head longer than hyper accepts) it stops, and hyper answers as it always does.

/// Longest head followed; hyper refuses longer ones itself.
const MAX_HEAD: usize = 64 * 1024;

#[derive(Debug)]
enum State {
    /// Reading a head (`line` holds the current line, without CRLF).
    Head,
    /// Skipping `n` more body bytes.
    Body(u64),
    /// Chunked body: reading a chunk-size line.
    ChunkSize,
    /// Chunked body: skipping `n` data bytes, then its CRLF.
    ChunkData(u64),
    /// Chunked body: the CRLF after a chunk's data (`true` once its CR was seen).
    ChunkEnd(bool),
    /// Chunked body: trailer lines, until an empty one.
    Trailers,
    /// Nothing more to follow on this connection.
    Done,
}

/// The scanner of one connection.
#[derive(Debug)]
pub(crate) struct RequestScanner {
    state: State,
    line: Vec<u8>,
    head_len: usize,
    /// Requests whose head has been read.
    heads: u64,
    /// Whether the request line of the current head was seen.
    started: bool,
    content_length: Option<u64>,
    transfer_encoding: Option<bool>,
}

impl Default for RequestScanner {
    fn default() -> Self {
        Self {
            state: State::Head,
            line: Vec::new(),
            head_len: 0,
            heads: 0,
            started: false,
            content_length: None,
            transfer_encoding: None,
        }
    }
}

/// What a head says about its body.
enum Framing {
    None,
    Length(u64),
    Chunked,
    Ambiguous,
    Unfollowable,
}

impl RequestScanner {
    /// Reads the next bytes of the connection; returns the index of a request whose head
    /// carried both `Content-Length` and `Transfer-Encoding`, when these bytes completed one.
    pub(crate) fn feed(&mut self, mut bytes: &[u8]) -> Option<u64> {
        while !bytes.is_empty() {
            match self.state {
                State::Done => return None,
                State::Body(n) => {
                    let take = usize::try_from(n).unwrap_or(usize::MAX).min(bytes.len());
                    bytes = &bytes[take..];
                    let left = n - take as u64;
                    self.state = if left == 0 {
                        State::Head
                    } else {
                        State::Body(left)
                    };
                }
                State::ChunkData(n) => {
                    let take = usize::try_from(n).unwrap_or(usize::MAX).min(bytes.len());
                    bytes = &bytes[take..];
                    let left = n - take as u64;
                    self.state = if left == 0 {
                        State::ChunkEnd(false)
                    } else {
                        State::ChunkData(left)
                    };
                }
                State::ChunkEnd(seen_cr) => {
                    let b = bytes[0];
                    bytes = &bytes[1..];
                    self.state = match (seen_cr, b) {
                        (false, b'\r') => State::ChunkEnd(true),
                        (true, b'\n') => State::ChunkSize,
                        _ => State::Done,
                    };
                }
                State::Head | State::ChunkSize | State::Trailers => {
                    let Some(i) = bytes.iter().position(|b| *b == b'\n') else {
                        self.push(bytes);
                        return None;
                    };
                    self.push(&bytes[..i]);
                    bytes = &bytes[i + 1..];
                    if matches!(self.state, State::Done) {
                        return None;
                    }
                    let mut line = std::mem::take(&mut self.line);
                    if line.last() == Some(&b'\r') {
                        line.pop();
                    }
                    if let Some(ambiguous) = self.line_done(&line) {
                        self.state = State::Done;
                        return Some(ambiguous);
                    }
                }
            }
        }
        None
    }

    fn push(&mut self, bytes: &[u8]) {
        self.head_len += bytes.len() + 1;
        if self.head_len > MAX_HEAD {
            self.state = State::Done;
            self.line.clear();
        } else {
            self.line.extend_from_slice(bytes);
        }
    }

    /// Handles one complete line; returns the index of an ambiguous request.
    fn line_done(&mut self, line: &[u8]) -> Option<u64> {
        match self.state {
            State::Head => {
                if !self.started {
                    // Empty lines before a request line are allowed and ignored.
                    self.started = !line.is_empty();
                    return None;
                }
                if !line.is_empty() {
                    self.header(line);
                    return None;
                }
                let index = self.heads;
                self.heads += 1;
                let framing = self.framing();
                self.started = false;
                self.head_len = 0;
                self.content_length = None;
                self.transfer_encoding = None;
                self.state = match framing {
                    Framing::Ambiguous => return Some(index),
                    Framing::None | Framing::Length(0) => State::Head,
                    Framing::Length(n) => State::Body(n),
                    Framing::Chunked => State::ChunkSize,
                    Framing::Unfollowable => State::Done,
                };
                None
            }
            State::ChunkSize => {
                let digits = line.split(|b| *b == b';').next().unwrap_or_default();
                let size = std::str::from_utf8(digits)
                    .ok()
                    .and_then(|d| u64::from_str_radix(d.trim(), 16).ok());
                // A long body has many size lines; only a single line's length matters.
                self.head_len = 0;
                self.state = match size {
                    Some(0) => State::Trailers,
                    Some(n) => State::ChunkData(n),
                    None => State::Done,
                };
                None
            }
            State::Trailers => {
                if line.is_empty() {
                    self.state = State::Head;
                    self.head_len = 0;
                }
                None
            }
            _ => None,
        }
    }

    fn header(&mut self, line: &[u8]) {
        let Some(colon) = line.iter().position(|b| *b == b':') else {
            self.state = State::Done;
            return;
        };
        let name = &line[..colon];
        let value = String::from_utf8_lossy(&line[colon + 1..]);
        let value = value.trim();
        if name.eq_ignore_ascii_case(b"content-length") {
            match value.parse::<u64>() {
                Ok(n) if self.content_length.is_none_or(|m| m == n) => {
                    self.content_length = Some(n);
                }
                // Unreadable or conflicting: hyper refuses the head itself.
                _ => self.state = State::Done,
            }
        } else if name.eq_ignore_ascii_case(b"transfer-encoding") {
            let chunked = value
                .rsplit(',')
                .next()
                .is_some_and(|last| last.trim().eq_ignore_ascii_case("chunked"));
            self.transfer_encoding = Some(chunked);
        } else if name.eq_ignore_ascii_case(b"upgrade") {
            // The connection may stop being HTTP/1.1 after this request.
            self.state = State::Done;
        }
    }

    fn framing(&self) -> Framing {
        match (self.content_length, self.transfer_encoding) {
            (Some(_), Some(_)) => Framing::Ambiguous,
            (None, Some(true)) => Framing::Chunked,
            (None, Some(false)) => Framing::Unfollowable,
            (Some(n), None) => Framing::Length(n),
            (None, None) => Framing::None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan_in_pieces(bytes: &[u8], piece: usize) -> Option<u64> {
        let mut scanner = RequestScanner::default();
        bytes.chunks(piece).find_map(|c| scanner.feed(c))
    }

    #[test]
    fn a_head_with_both_lengths_is_found_after_any_number_of_well_framed_requests() {
        let stream = b"GET / HTTP/1.1\r\nHost: a\r\n\r\n\
            POST /x HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello\
            POST /y HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n0\r\nTrailer: t\r\n\r\n\
            POST /z HTTP/1.1\r\ncontent-length: 3\r\nTRANSFER-ENCODING: chunked\r\n\r\n0\r\n\r\n";
        for piece in [1, 2, 7, stream.len()] {
            assert_eq!(
                scan_in_pieces(stream, piece),
                Some(3),
                "in pieces of {piece}"
            );
        }
    }

    #[test]
    fn well_framed_requests_are_never_flagged_even_when_bodies_look_like_heads() {
        let body = b"Content-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n";
        let mut stream =
            format!("POST / HTTP/1.1\r\nContent-Length: {}\r\n\r\n", body.len()).into_bytes();
        stream.extend_from_slice(body);
        stream.extend_from_slice(b"GET / HTTP/1.1\r\n\r\n");
        for piece in [1, 3, stream.len()] {
            assert_eq!(scan_in_pieces(&stream, piece), None);
        }
    }

    #[test]
    fn the_order_of_the_two_headers_does_not_matter() {
        let stream = b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n";
        assert_eq!(scan_in_pieces(stream, 5), Some(0));
    }

    #[test]
    fn what_it_cannot_follow_ends_the_scan_quietly() {
        let upgrade = b"GET / HTTP/1.1\r\nUpgrade: websocket\r\n\r\n\
            POST / HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n";
        assert_eq!(scan_in_pieces(upgrade, 4), None);
        let huge = vec![b'a'; MAX_HEAD + 10];
        assert_eq!(scan_in_pieces(&huge, 1000), None);
    }
}
