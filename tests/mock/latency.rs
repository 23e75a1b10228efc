//! The mock's fixed latency (`MockConfig::latency`, `mock --latency-ms`),
//! over HTTP. Only lower bounds on elapsed time are asserted.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use veriff_conformance::mock::{MockConfig, MockServer};

const LATENCY: Duration = Duration::from_millis(150);

#[tokio::test]
async fn every_response_waits_for_the_configured_latency() {
    let server = MockServer::start(MockConfig {
        latency: LATENCY,
        ..MockConfig::generated()
    })
    .await
    .expect("the mock starts");
    let client = crate::support::http_client();
    let requests = [
        // Unknown route, unauthenticated, and a created session.
        client.get(format!("{}/no/such/route", server.base_url())),
        client.post(format!("{}/v1/sessions", server.base_url())),
        client
            .post(format!("{}/v1/sessions", server.base_url()))
            .header("x-auth-client", &server.config().api_key)
            .header("content-type", "application/json")
            .body(r#"{"verification":{}}"#),
    ];
    for (request, status) in requests.into_iter().zip([404, 401, 201]) {
        let started = Instant::now();
        let response = request.send().await.expect("a response");
        assert_eq!(response.status(), status);
        assert!(
            started.elapsed() >= LATENCY,
            "answered after {:?}",
            started.elapsed()
        );
    }
}

struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn the_mock_command_delays_every_response_by_latency_ms() {
    let mut mock = KillOnDrop(
        Command::new(env!("CARGO_BIN_EXE_veriff-conformance"))
            .args(["mock", "--listen", "127.0.0.1:0", "--latency-ms", "150"])
            .stdout(Stdio::piped())
            .spawn()
            .expect("the mock starts"),
    );
    let stdout = mock.0.stdout.take().expect("piped");
    let banner: Vec<String> = BufReader::new(stdout)
        .lines()
        .map_while(Result::ok)
        .take_while(|line| !line.starts_with("Press Ctrl-C"))
        .collect();
    let base_url = banner[0].rsplit(' ').next().unwrap_or_default().to_string();
    assert!(
        banner
            .iter()
            .any(|line| line.contains("every response delayed by 150 ms")),
        "{banner:?}"
    );
    let started = Instant::now();
    let response = crate::support::http_client()
        .get(format!("{base_url}/no/such/route"))
        .send()
        .await
        .expect("a response");
    assert_eq!(response.status(), 404);
    assert!(started.elapsed() >= LATENCY, "{:?}", started.elapsed());
}

#[test]
fn a_latency_over_a_minute_is_refused() {
    let mut mock = KillOnDrop(
        Command::new(env!("CARGO_BIN_EXE_veriff-conformance"))
            .args(["mock", "--listen", "127.0.0.1:0", "--latency-ms", "60001"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("runs"),
    );
    // A mock that accepted the value would serve until killed.
    let started = Instant::now();
    let status = loop {
        if let Some(status) = mock.0.try_wait().expect("wait") {
            break status;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the mock started with a latency over a minute"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(2));
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut mock.0.stderr.take().expect("piped"), &mut stderr)
        .expect("read");
    assert!(stderr.contains("--latency-ms"), "{stderr}");
    assert!(stderr.contains("0..=60000"), "{stderr}");
}
