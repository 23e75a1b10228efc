//! hyper's own error replies, turned into the mock's JSON failures.
//!
//! Some requests never become requests: hyper refuses the head itself, writes a
//! reply with an empty body and closes the connection, and no axum handler or
//! layer ever sees them. They are (hyper 1.x, HTTP/1):
//!
//! - 400 Bad Request: a head that is not HTTP/1.1 (method, target, version or
//!   header syntax, an invalid `Content-Length`, ...);
//! - 414 URI Too Long: a request target over hyper's fixed limit;
//! - 431 Request Header Fields Too Large: too many header fields, or a head
//!   larger than hyper's read buffer before it ends.
//!
//! (The values of these limits are in `MockConfig`'s docs, "Limits".)
//!
//! [`JsonErrorsListener`] wraps every accepted connection in [`JsonErrors`],
//! which follows the HTTP/1 responses written on it and replaces such a reply,
//! as it is written, by the same status line with `content-type:
//! application/json` and the mock's `{"status":"fail","code":"1101",...}` body.
//!
//! How a reply is recognised: every response of the mock's router has a
//! `content-type: application/json` header and a JSON object body (first byte
//! `{`); hyper's own error replies have no content type. So a response head with
//! status 400, 414 or 431 and no `Content-Type` is hyper's. To know where heads
//! start, bodies are skipped by their `Content-Length`; after a head announcing
//! a body, a next byte other than `{` means the request was `HEAD` (no body
//! follows) and a new head starts. Anything it cannot follow (bytes that are
//! not an HTTP/1 response, such as HTTP/2 frames, a response without
//! `Content-Length`, a head over 64 KiB) makes it step aside for the rest of
//! the connection: bytes then pass unchanged, as without the wrapper.

use std::io;
use std::mem;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use axum::serve::Listener;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

use super::errors::ApiError;

/// Longest response head the wrapper holds back while it waits for the end.
const MAX_HEAD: usize = 64 * 1024;
const HEAD_END: &[u8] = b"\r\n\r\n";
const STATUS_PREFIX: &[u8] = b"HTTP/1.";

/// A [`TcpListener`] whose connections are wrapped in [`JsonErrors`].
pub(crate) struct JsonErrorsListener(pub(crate) TcpListener);

impl Listener for JsonErrorsListener {
    type Io = JsonErrors<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        // axum's accept retries (after a pause) on errors such as EMFILE.
        let (io, addr) = Listener::accept(&mut self.0).await;
        (JsonErrors::new(io), addr)
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.0.local_addr()
    }
}

/// Where the wrapper is in the stream of responses it writes.
#[derive(Debug, PartialEq)]
enum Follow {
    /// At or inside a response head, held back (in the `Vec`) until complete.
    Head(Vec<u8>),
    /// After a head announcing this many body bytes: the body, or, if the
    /// request was `HEAD`, the next head.
    BodyOrHead(u64),
    /// Inside a body, this many bytes left.
    Body(u64),
    /// Not following any more: bytes pass unchanged.
    Off,
}

/// A connection whose hyper-written error replies get JSON bodies (see the
/// module docs). Reads pass through untouched.
pub(crate) struct JsonErrors<T> {
    inner: T,
    follow: Follow,
    /// Bytes taken from hyper but not yet written to `inner`, from `written` on.
    pending: Vec<u8>,
    written: usize,
}

impl<T> JsonErrors<T> {
    pub(crate) fn new(inner: T) -> Self {
        Self {
            inner,
            follow: Follow::Head(Vec::new()),
            pending: Vec::new(),
            written: 0,
        }
    }

    /// Takes the part of `buf` that belongs to the head collected so far (all of
    /// it, up to the end of the head); returns how many bytes it took.
    fn take_head(&mut self, mut head: Vec<u8>, buf: &[u8]) -> usize {
        let buf = &buf[..buf.len().min(MAX_HEAD + 1)];
        let start = head.len();
        // The end marker may straddle what was held and what arrives now.
        let search_from = start.saturating_sub(HEAD_END.len() - 1);
        head.extend_from_slice(buf);
        let end = find(&head[search_from..], HEAD_END).map(|at| search_from + at + HEAD_END.len());
        let taken = end.map_or(buf.len(), |end| end - start);
        head.truncate(start + taken);
        let checked = head.len().min(STATUS_PREFIX.len());
        let followable = head[..checked] == STATUS_PREFIX[..checked]
            && (end.is_some() || head.len() <= MAX_HEAD);
        if !followable {
            self.pending.extend_from_slice(&head);
            self.follow = Follow::Off;
        } else if end.is_some() {
            let (bytes, next) = classify(head);
            self.pending.extend_from_slice(&bytes);
            self.follow = next;
        } else {
            self.follow = Follow::Head(head);
        }
        taken
    }

    /// Follows `buf` through the response stream, adding the bytes to write
    /// for it to `pending` (a complete hyper reply is replaced there).
    fn feed(&mut self, mut buf: &[u8]) {
        while !buf.is_empty() {
            match &mut self.follow {
                Follow::Off => {
                    self.pending.extend_from_slice(buf);
                    return;
                }
                Follow::Body(left) => {
                    let take = usize::try_from(*left).map_or(buf.len(), |left| left.min(buf.len()));
                    self.pending.extend_from_slice(&buf[..take]);
                    *left -= take as u64;
                    if *left == 0 {
                        self.follow = Follow::Head(Vec::new());
                    }
                    buf = &buf[take..];
                }
                Follow::BodyOrHead(length) => {
                    self.follow = if buf[0] == b'{' {
                        Follow::Body(*length)
                    } else {
                        Follow::Head(Vec::new())
                    };
                }
                Follow::Head(head) => {
                    let head = mem::take(head);
                    let taken = self.take_head(head, buf);
                    buf = &buf[taken..];
                }
            }
        }
    }

    /// Gives up following and releases a partly collected head, for a flush or
    /// shutdown cannot wait for the rest of it (hyper always writes a head whole,
    /// so this is only a safety net).
    fn release_partial_head(&mut self) {
        if let Follow::Head(head) = &mut self.follow
            && !head.is_empty()
        {
            let head = mem::take(head);
            self.pending.extend_from_slice(&head);
            self.follow = Follow::Off;
        }
    }
}

impl<T: AsyncWrite + Unpin> JsonErrors<T> {
    /// Writes out the pending bytes.
    fn poll_drain(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while self.written < self.pending.len() {
            let n =
                ready!(Pin::new(&mut self.inner).poll_write(cx, &self.pending[self.written..]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            self.written += n;
        }
        self.pending.clear();
        self.written = 0;
        Poll::Ready(Ok(()))
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for JsonErrors<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        ready!(this.poll_drain(cx))?;
        if this.follow == Follow::Off {
            return Pin::new(&mut this.inner).poll_write(cx, buf);
        }
        this.feed(buf);
        // Write what was taken in one go, as hyper would have (a head and its
        // body in separate small writes would meet Nagle's algorithm and the
        // peer's delayed ACK). A later write or flush finishes it if the socket
        // is not ready now; no more is taken until then.
        if let Poll::Ready(Err(error)) = this.poll_drain(cx) {
            return Poll::Ready(Err(error));
        }
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        this.release_partial_head();
        ready!(this.poll_drain(cx))?;
        Pin::new(&mut this.inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        this.release_partial_head();
        ready!(this.poll_drain(cx))?;
        Pin::new(&mut this.inner).poll_shutdown(cx)
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for JsonErrors<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_read(cx, buf)
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

/// The JSON failure that replaces hyper's own reply with this status.
fn hyper_reply(status: u16) -> Option<ApiError> {
    match status {
        400 => Some(ApiError::malformed_http()),
        414 => Some(ApiError::uri_too_long()),
        431 => Some(ApiError::request_head_too_large()),
        _ => None,
    }
}

/// One header field of a response head.
struct Field<'a> {
    /// Lowercase.
    name: String,
    value: String,
    /// The whole line, as written.
    line: &'a [u8],
}

/// Decides what a complete response head (ending in `\r\n\r\n`) is: the bytes
/// to write for it, and what follows it.
fn classify(head: Vec<u8>) -> (Vec<u8>, Follow) {
    let text = &head[..head.len() - HEAD_END.len()];
    let mut lines = text
        .split(|&byte| byte == b'\n')
        .map(|line| line.strip_suffix(b"\r").unwrap_or(line));
    let status_line = lines.next().unwrap_or_default();
    // "HTTP/1.1 414 URI Too Long": the code is bytes 9 to 12.
    let status = status_line
        .get(9..12)
        .and_then(|code| std::str::from_utf8(code).ok())
        .and_then(|code| code.parse::<u16>().ok());
    let fields: Vec<Field<'_>> = lines
        .filter_map(|line| {
            let colon = line.iter().position(|&byte| byte == b':')?;
            Some(Field {
                name: String::from_utf8_lossy(&line[..colon])
                    .trim()
                    .to_ascii_lowercase(),
                value: String::from_utf8_lossy(&line[colon + 1..])
                    .trim()
                    .to_owned(),
                line,
            })
        })
        .collect();
    let value = |wanted: &str| {
        fields
            .iter()
            .find(|field| field.name == wanted)
            .map(|field| field.value.as_str())
    };
    let Some(status) = status else {
        return (head, Follow::Off);
    };
    if value("content-type").is_none()
        && let Some(error) = hyper_reply(status)
    {
        return (json_reply(status_line, &fields, &error), Follow::Off);
    }
    let next = match status {
        // Switching protocols: what follows is not HTTP/1 any more.
        101 => Follow::Off,
        100..=199 | 204 | 304 => Follow::Head(Vec::new()),
        _ if value("transfer-encoding").is_some() => Follow::Off,
        _ => match value("content-length").and_then(|length| length.parse::<u64>().ok()) {
            Some(0) => Follow::Head(Vec::new()),
            Some(length) => Follow::BodyOrHead(length),
            None => Follow::Off,
        },
    };
    (head, next)
}

/// hyper's reply with the JSON body of `error`: same status line and other
/// fields (`date`), the JSON content type and length, and `connection: close`
/// (hyper closes the connection after such a reply).
fn json_reply(status_line: &[u8], fields: &[Field<'_>], error: &ApiError) -> Vec<u8> {
    let body = error.body_bytes();
    let mut reply = Vec::with_capacity(256 + body.len());
    reply.extend_from_slice(status_line);
    reply.extend_from_slice(b"\r\nconnection: close\r\ncontent-type: application/json\r\n");
    reply.extend_from_slice(format!("content-length: {}\r\n", body.len()).as_bytes());
    for field in fields {
        if !matches!(
            field.name.as_str(),
            "connection" | "content-type" | "content-length"
        ) {
            reply.extend_from_slice(field.line);
            reply.extend_from_slice(b"\r\n");
        }
    }
    reply.extend_from_slice(b"\r\n");
    reply.extend_from_slice(&body);
    reply
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncWriteExt;

    const OURS: &[u8] = b"HTTP/1.1 404 Not Found\r\ncontent-type: application/json\r\ncontent-length: 62\r\ndate: Wed, 25 Nov 2026 19:07:47 GMT\r\n\r\n";
    const OUR_BODY: &[u8] = br#"{"status":"fail","code":"1101","message":"Resource not found"}"#;
    const HYPER_400: &[u8] = b"HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\ndate: Wed, 25 Nov 2026 19:07:47 GMT\r\n\r\n";
    const JSON_400: &[u8] = b"HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-type: application/json\r\ncontent-length: 66\r\ndate: Wed, 25 Nov 2026 19:07:47 GMT\r\n\r\n{\"status\":\"fail\",\"code\":\"1101\",\"message\":\"Malformed HTTP request\"}";

    /// Writes `chunks` one write at a time, then flushes; returns what came out.
    async fn through(chunks: &[&[u8]]) -> Vec<u8> {
        let mut writer = JsonErrors::new(Vec::new());
        for chunk in chunks {
            writer.write_all(chunk).await.expect("write");
        }
        writer.flush().await.expect("flush");
        writer.inner
    }

    fn concat(parts: &[&[u8]]) -> Vec<u8> {
        parts.concat()
    }

    #[tokio::test]
    async fn hyper_replies_get_json_bodies_and_the_mocks_pass_unchanged() {
        assert_eq!(through(&[HYPER_400]).await, JSON_400);
        let all = concat(&[OURS, OUR_BODY, HYPER_400]);
        assert_eq!(through(&[&all]).await, concat(&[OURS, OUR_BODY, JSON_400]));
        let ours_twice = concat(&[OURS, OUR_BODY, OURS, OUR_BODY]);
        assert_eq!(through(&[&ours_twice]).await, ours_twice);
    }

    #[tokio::test]
    async fn heads_and_bodies_split_over_many_writes_are_followed() {
        let all = concat(&[OURS, OUR_BODY, HYPER_400]);
        let bytes: Vec<&[u8]> = all.chunks(1).collect();
        assert_eq!(through(&bytes).await, concat(&[OURS, OUR_BODY, JSON_400]));
        let threes: Vec<&[u8]> = all.chunks(3).collect();
        assert_eq!(through(&threes).await, concat(&[OURS, OUR_BODY, JSON_400]));
    }

    #[tokio::test]
    async fn a_head_response_without_its_body_is_followed() {
        let all = concat(&[OURS, HYPER_400]);
        assert_eq!(through(&[&all]).await, concat(&[OURS, JSON_400]));
        assert_eq!(through(&[OURS, HYPER_400]).await, concat(&[OURS, JSON_400]));
    }

    #[tokio::test]
    async fn body_bytes_are_never_taken_for_a_head() {
        // A body holding what looks like hyper's reply, in one write and split.
        let body = concat(&[b"{", HYPER_400, b"}"]);
        let head = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
            body.len()
        );
        let all = concat(&[head.as_bytes(), &body]);
        assert_eq!(through(&[&all]).await, all);
        let split: Vec<&[u8]> = all.chunks(7).collect();
        assert_eq!(through(&split).await, all);
    }

    #[tokio::test]
    async fn interim_and_other_replies() {
        let continued = concat(&[b"HTTP/1.1 100 Continue\r\n\r\n", OURS, OUR_BODY]);
        assert_eq!(through(&[&continued]).await, continued);
        // Other statuses without a content type are left alone.
        let other =
            b"HTTP/1.1 408 Request Timeout\r\nconnection: close\r\ncontent-length: 0\r\n\r\n";
        assert_eq!(through(&[other]).await, other);
        // 414 and 431 get their own messages.
        let uri = through(&[b"HTTP/1.1 414 URI Too Long\r\ncontent-length: 0\r\n\r\n"]).await;
        assert!(uri.ends_with(br#""message":"Request URI is too long"}"#));
        let fields = through(&[
            b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\n\r\n",
        ])
        .await;
        assert!(fields.ends_with(br#""message":"Request header fields are too large"}"#));
    }

    #[tokio::test]
    async fn what_cannot_be_followed_passes_unchanged() {
        // HTTP/2 frames (a SETTINGS frame), then anything.
        let h2 = concat(&[b"\x00\x00\x00\x04\x00\x00\x00\x00\x00", HYPER_400]);
        assert_eq!(through(&[&h2]).await, h2);
        // A response without a length: the rest cannot be followed.
        let unframed = concat(&[
            b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\r\n{}",
            HYPER_400,
        ]);
        assert_eq!(through(&[&unframed]).await, unframed);
        let chunked = concat(&[
            b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
            HYPER_400,
        ]);
        assert_eq!(through(&[&chunked]).await, chunked);
        // A head that never ends is released once it is too long.
        let endless = concat(&[b"HTTP/1.1 200 OK\r\nx: ", &vec![b'a'; MAX_HEAD + 10]]);
        assert_eq!(through(&[&endless]).await, endless);
    }

    /// Records each write it gets.
    #[derive(Default)]
    struct Writes(Vec<Vec<u8>>);

    impl AsyncWrite for Writes {
        fn poll_write(
            self: Pin<&mut Self>,
            _: &mut Context<'_>,
            buf: &[u8],
        ) -> Poll<io::Result<usize>> {
            self.get_mut().0.push(buf.to_vec());
            Poll::Ready(Ok(buf.len()))
        }

        fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
            Poll::Ready(Ok(()))
        }

        fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
            Poll::Ready(Ok(()))
        }
    }

    #[tokio::test]
    async fn a_head_and_its_body_written_together_stay_together() {
        // Split, they would wait on Nagle's algorithm and the peer's delayed ACK.
        let mut writer = JsonErrors::new(Writes::default());
        let response = concat(&[OURS, OUR_BODY]);
        writer.write_all(&response).await.expect("write");
        writer.flush().await.expect("flush");
        assert_eq!(writer.inner.0, [response]);
    }

    #[tokio::test]
    async fn a_partial_head_is_released_on_flush() {
        let mut writer = JsonErrors::new(Vec::new());
        writer.write_all(b"HTTP/1.1 200").await.expect("write");
        writer.flush().await.expect("flush");
        assert_eq!(writer.inner, b"HTTP/1.1 200");
        assert_eq!(writer.follow, Follow::Off);
    }
}
