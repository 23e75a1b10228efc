//! Hostile connections: heads that never come or come a byte at a time, idle
//! connections, and more connections than the mock allows. Small limits keep
//! these fast; every wait has an outer bound, so a regression fails instead of
//! hanging.

use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use veriff_conformance::mock::{DELAY_HEADER, MockConfig, MockServer};

/// Longer than any wait in these tests is meant to take.
const GIVE_UP: Duration = Duration::from_secs(10);

async fn mock(max_connections: usize, header_read_timeout: Duration) -> MockServer {
    MockServer::start(MockConfig {
        max_connections,
        header_read_timeout,
        ..MockConfig::generated()
    })
    .await
    .expect("the mock starts")
}

async fn connect(server: &MockServer) -> TcpStream {
    let addr = server.base_url().trim_start_matches("http://").to_string();
    TcpStream::connect(addr).await.expect("connect")
}

/// Reads until the mock closes the connection; everything it sent.
async fn read_until_closed(stream: &mut TcpStream) -> Vec<u8> {
    let mut received = Vec::new();
    let read = stream.read_to_end(&mut received);
    match tokio::time::timeout(GIVE_UP, read).await {
        // A reset counts as closed too.
        Ok(_) => received,
        Err(_) => panic!(
            "the mock kept the connection open for {GIVE_UP:?}; it sent {:?}",
            String::from_utf8_lossy(&received)
        ),
    }
}

/// An unknown route answers 404 without credentials: a request any client can make.
async fn get_unknown(base_url: &str) -> reqwest::Response {
    let client = crate::support::http_client();
    let request = client.get(format!("{base_url}/no/such/route")).send();
    tokio::time::timeout(GIVE_UP, request)
        .await
        .expect("answered in time")
        .expect("a response")
}

#[tokio::test]
async fn a_connection_that_sends_nothing_is_closed_after_the_header_read_timeout() {
    let server = mock(8, Duration::from_millis(200)).await;
    let mut silent = connect(&server).await;
    let opened = Instant::now();
    let received = read_until_closed(&mut silent).await;
    assert!(received.is_empty(), "no reply is written");
    assert!(opened.elapsed() >= Duration::from_millis(150));
}

#[tokio::test]
async fn a_head_sent_one_byte_at_a_time_is_cut_off_at_the_header_read_timeout() {
    let server = mock(8, Duration::from_millis(300)).await;
    let stream = connect(&server).await;
    let (mut reader, mut writer) = stream.into_split();
    // 60-odd bytes at 40 ms each: about 2.5 s for the whole head.
    let head = b"GET /no/such/route HTTP/1.1\r\nhost: mock\r\nx-padding: aaaa\r\n\r\n";
    let trickle = tokio::spawn(async move {
        for byte in head {
            if writer.write_all(&[*byte]).await.is_err() {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(40)).await;
        }
        true
    });
    let mut received = Vec::new();
    tokio::time::timeout(GIVE_UP, reader.read_to_end(&mut received))
        .await
        .expect("the mock closes the connection")
        .ok();
    assert!(
        received.is_empty(),
        "the slow head was served: {}",
        String::from_utf8_lossy(&received)
    );
    trickle.abort();
}

#[tokio::test]
async fn a_kept_alive_connection_left_idle_is_closed_after_the_header_read_timeout() {
    let server = mock(8, Duration::from_millis(200)).await;
    let mut stream = connect(&server).await;
    stream
        .write_all(b"GET /no/such/route HTTP/1.1\r\nhost: mock\r\n\r\n")
        .await
        .expect("write");
    let received = read_until_closed(&mut stream).await;
    let text = String::from_utf8_lossy(&received);
    assert!(text.starts_with("HTTP/1.1 404"), "{text}");
    assert!(!text.contains("connection: close"), "{text}");
}

#[tokio::test]
async fn a_slow_response_is_not_cut_off_by_the_header_read_timeout() {
    let server = mock(8, Duration::from_millis(100)).await;
    let response = crate::support::http_client()
        .get(format!("{}/no/such/route", server.base_url()))
        .header(DELAY_HEADER, "400")
        .send()
        .await
        .expect("a response");
    assert_eq!(response.status(), 404);
}

#[tokio::test]
async fn at_the_connection_cap_a_new_client_waits_until_a_connection_closes() {
    // A long head timeout: only closing the idle connection frees the place.
    let server = mock(1, Duration::from_secs(60)).await;
    let idle = connect(&server).await;
    let base_url = server.base_url();
    let mut waiting = tokio::spawn(async move { get_unknown(&base_url).await.status() });
    assert!(
        tokio::time::timeout(Duration::from_millis(400), &mut waiting)
            .await
            .is_err(),
        "a second connection was served while the only place was taken"
    );
    drop(idle);
    let status = tokio::time::timeout(GIVE_UP, waiting)
        .await
        .expect("served once the idle connection closed")
        .expect("task");
    assert_eq!(status, 404);
}

#[tokio::test]
async fn a_new_client_is_served_after_many_idle_connections_time_out() {
    let server = mock(2, Duration::from_millis(250)).await;
    let mut idle = Vec::new();
    for _ in 0..8 {
        idle.push(connect(&server).await);
    }
    // Behind all eight in the queue: served once they have timed out, two at a time.
    let response = get_unknown(&server.base_url()).await;
    assert_eq!(response.status(), 404);
    for mut stream in idle {
        assert!(read_until_closed(&mut stream).await.is_empty());
    }
}
