//! The body memory budget: request bodies held at once never exceed
//! `MockConfig::body_budget`; a request that finds no room waits, then gets a
//! JSON 503.

use std::time::{Duration, Instant};

use reqwest::Method;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use veriff_conformance::mock::MockConfig;

use crate::support::{Mock, parse_reply, read_until_closed};

const LIMIT: usize = 1024;

/// A valid create body of exactly `LIMIT` bytes.
fn full_body() -> Vec<u8> {
    let frame = r#"{"verification":{"vendorData":""}}"#;
    let body = format!(
        r#"{{"verification":{{"vendorData":"{}"}}}}"#,
        "v".repeat(LIMIT - frame.len())
    );
    assert_eq!(body.len(), LIMIT);
    body.into_bytes()
}

/// Room for two bodies of `LIMIT` bytes; a request waits `wait` for room.
async fn start(wait: Duration) -> Mock {
    Mock::start_with(MockConfig {
        body_limit: LIMIT,
        body_budget: 2 * LIMIT,
        body_budget_wait: wait,
        ..MockConfig::generated()
    })
    .await
}

/// An authenticated create whose body is only partly sent: it holds its
/// reservation in the budget until [`finish`] sends the rest.
struct Stalled {
    stream: TcpStream,
    rest: Vec<u8>,
}

impl Stalled {
    /// Declares `Content-Length: LIMIT` and sends 10 bytes of the body.
    async fn sized(mock: &Mock) -> Stalled {
        let body = full_body();
        let head = format!(
            "POST /v1/sessions HTTP/1.1\r\nhost: mock\r\nx-auth-client: {}\r\ncontent-type: application/json\r\ncontent-length: {LIMIT}\r\nconnection: close\r\n\r\n",
            mock.key()
        );
        Self::send(mock, head, &body[..10], body[10..].to_vec()).await
    }

    /// A chunked body (no declared length, so it reserves the whole limit),
    /// with its first chunk sent.
    async fn chunked(mock: &Mock) -> Stalled {
        let head = format!(
            "POST /v1/sessions HTTP/1.1\r\nhost: mock\r\nx-auth-client: {}\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n",
            mock.key()
        );
        Self::send(
            mock,
            head,
            b"1\r\n{\r\n",
            b"12\r\n\"verification\":{}}\r\n0\r\n\r\n".to_vec(),
        )
        .await
    }

    async fn send(mock: &Mock, head: String, first: &[u8], rest: Vec<u8>) -> Stalled {
        let mut stream = mock.connect().await;
        stream.write_all(head.as_bytes()).await.expect("head");
        stream.write_all(first).await.expect("first bytes");
        Stalled { stream, rest }
    }

    /// Sends the rest of the body and returns the reply's status.
    async fn finish(mut self) -> u16 {
        self.stream.write_all(&self.rest).await.expect("rest");
        let raw = read_until_closed(&mut self.stream).await;
        parse_reply(&raw, false).0.status
    }
}

/// Lets the mock reach the stalled requests' handlers (they reserve room as
/// soon as their heads are parsed and their API keys checked).
async fn settle() {
    tokio::time::sleep(Duration::from_millis(500)).await;
}

#[tokio::test]
async fn bodies_beyond_the_budget_wait_then_get_a_json_503() {
    let wait = Duration::from_millis(300);
    let mock = start(wait).await;
    let sized = Stalled::sized(&mock).await;
    let chunked = Stalled::chunked(&mock).await;
    settle().await;

    // The budget is full: even a small body waits, then is refused.
    let started = Instant::now();
    let reply = mock
        .send(mock.keyed(Method::POST, "/v1/sessions", b"{}"))
        .await;
    reply.assert_fail(
        503,
        "1101",
        "Too many request bodies in memory; retry later",
    );
    assert!(started.elapsed() >= wait);
    // Requests without a body need no room.
    let id = uuid::Uuid::new_v4().to_string();
    assert_eq!(mock.decision(&id).await.status, 404);

    // Finished bodies give their room back.
    assert_eq!(sized.finish().await, 201);
    mock.create_with(&full_body()).await;
    assert_eq!(chunked.finish().await, 201);
    // All the room is back: two full bodies at once.
    let body = full_body();
    tokio::join!(mock.create_with(&body), mock.create_with(&body));
}

#[tokio::test]
async fn a_waiting_body_proceeds_when_room_is_made() {
    let mock = std::sync::Arc::new(start(Duration::from_secs(5)).await);
    let first = Stalled::sized(&mock).await;
    let second = Stalled::sized(&mock).await;
    settle().await;

    let waiting = {
        let mock = std::sync::Arc::clone(&mock);
        tokio::spawn(async move {
            mock.send(mock.keyed(Method::POST, "/v1/sessions", &full_body()))
                .await
        })
    };
    settle().await;
    assert!(
        !waiting.is_finished(),
        "the third body did not wait for room"
    );
    assert_eq!(first.finish().await, 201);
    let reply = waiting.await.expect("task");
    assert_eq!(reply.status, 201, "{}", reply.text());
    assert_eq!(second.finish().await, 201);
}

#[tokio::test]
async fn abandoned_bodies_give_their_room_back() {
    let mock = start(Duration::from_secs(2)).await;
    let first = Stalled::sized(&mock).await;
    let second = Stalled::chunked(&mock).await;
    settle().await;
    // The clients go away mid-body.
    drop(first);
    drop(second);
    // Two full bodies at once need all the room.
    let body = full_body();
    let (a, b) = tokio::join!(
        mock.send(mock.keyed(Method::POST, "/v1/sessions", &body)),
        mock.send(mock.keyed(Method::POST, "/v1/sessions", &body)),
    );
    assert_eq!(
        (a.status, b.status),
        (201, 201),
        "{} {}",
        a.text(),
        b.text()
    );
}

#[tokio::test]
async fn a_stalled_body_times_out_with_a_json_408_and_gives_its_room_back() {
    let mock = Mock::start_with(MockConfig {
        body_limit: LIMIT,
        body_budget: 2 * LIMIT,
        body_budget_wait: Duration::from_millis(100),
        body_read_timeout: Duration::from_millis(300),
        ..MockConfig::generated()
    })
    .await;
    let mut first = Stalled::sized(&mock).await;
    let second = Stalled::chunked(&mock).await;
    // Never sends the rest: after the read timeout the mock answers by itself.
    let raw = read_until_closed(&mut first.stream).await;
    let (reply, _) = parse_reply(&raw, false);
    reply.assert_fail(408, "1101", "Request body was not received in time");
    drop(second);
    // Both reservations are back: two full bodies at once.
    let body = full_body();
    tokio::join!(mock.create_with(&body), mock.create_with(&body));
}
