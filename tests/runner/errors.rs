//! The runner when it cannot judge the API, or must not try: oversized bodies,
//! timeouts, refused connections, clear-text credentials, mock-only scenarios;
//! and secrets kept out of every message.

use std::time::{Duration, Instant};

use veriff_conformance::CheckKind::{Body, Header, Status};
use veriff_conformance::ErrorKind;
use veriff_conformance::MAX_RESPONSE_BYTES;
use veriff_conformance::Options;
use veriff_conformance::ignores;
use wiremock::matchers::{any, path};
use wiremock::{Mock, MockServer};

use crate::support::*;

/// A one-step scenario: `GET <at>` with the given `expect:` flow map.
fn get(at: &str, expect: &str) -> String {
    format!(
        "
scenarios:
  - name: the run under test
    steps:
      - name: get it
        method: GET
        path: {at}
        expect: {expect}
"
    )
}

#[tokio::test]
async fn a_response_body_over_the_size_limit_is_a_response_error_not_a_panic() {
    let base = serve_padded_json(MAX_RESPONSE_BYTES + 1);
    let (scenario, result) = run(&base, &get("/big", "{ status: 200 }")).await;
    let e = run_error(&result);
    assert_eq!(e.kind, ErrorKind::Response);
    assert_eq!(
        e.message,
        "the response body is larger than 16 MiB; stopped reading (status 200)"
    );
    assert_eq!(e.request_line, Some(format!("GET {base}/big")));
    assert!(result.exchanges().is_empty());
    assert_eq!(
        error_message(&scenario, &result),
        format!(
            "error (response error) in step 1 \"get it\": the response body is larger than 16 MiB; stopped reading (status 200)
  request:  GET {base}/big
  --> {}",
            spec_location(&scenario, "/big", 0)
        )
    );
}

#[tokio::test]
async fn a_response_body_of_exactly_the_size_limit_is_read_whole_and_checked() {
    let base = serve_padded_json(MAX_RESPONSE_BYTES);
    let (_, result) = run(
        &base,
        &get("/big", "{ status: 200, body: { pad: { $type: string } } }"),
    )
    .await;
    assert_passed(&result);
    let response = &result.exchanges()[0].response;
    assert_eq!(response.body.len(), MAX_RESPONSE_BYTES);
    assert_eq!(
        response.json.as_ref().expect("JSON")["pad"]
            .as_str()
            .map(str::len),
        Some(MAX_RESPONSE_BYTES - r#"{"pad":""}"#.len())
    );
}

#[tokio::test]
async fn a_slow_response_is_a_timeout_error_naming_the_limit() {
    let server = MockServer::start().await;
    Mock::given(path("/slow"))
        .respond_with(json(200, "{}").set_delay(Duration::from_secs(2)))
        .mount(&server)
        .await;
    let scenario = scenario(&get("/slow", "{ status: 200 }"));
    let mut target = target(&server.uri());
    target.timeout = Duration::from_millis(300);
    let started = Instant::now();
    let result = run_on(target, &scenario).await;
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(300) && waited < Duration::from_millis(1500),
        "{waited:?}"
    );
    let e = run_error(&result);
    assert_eq!(e.kind, ErrorKind::Timeout);
    assert_eq!(e.message, "no response within 0.3 s (--timeout)");
    assert_eq!(
        error_message(&scenario, &result),
        format!(
            "error (timeout) in step 1 \"get it\": no response within 0.3 s (--timeout)
  request:  GET {}/slow
  --> {}",
            server.uri(),
            spec_location(&scenario, "/slow", 0)
        )
    );
}

#[tokio::test]
async fn a_refused_connection_is_a_network_error() {
    let base = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        format!("http://{}", listener.local_addr().expect("address"))
    }; // the listener is closed here: nothing listens on that port
    let (scenario, result) = run(&base, &get("/v1/sessions", "{ status: 201 }")).await;
    let e = run_error(&result);
    assert_eq!(e.kind, ErrorKind::Network);
    assert!(
        e.message.starts_with("cannot connect: ") && e.message.contains("refused"),
        "{}",
        e.message
    );
    assert_eq!(e.request_line, Some(format!("GET {base}/v1/sessions")));
    assert!(result.exchanges().is_empty());
    let text = error_message(&scenario, &result);
    assert!(
        text.starts_with("error (network error) in step 1 \"get it\": cannot connect: "),
        "{text}"
    );
}

#[tokio::test]
async fn plain_http_to_a_host_that_is_not_loopback_is_refused_unless_allowed() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(json(200, "{}"))
        .mount(&server)
        .await;
    // 0.0.0.0 is not a loopback address, yet connecting to it reaches this machine,
    // so the same URL shows both the refusal and what the flag lets through.
    let url = format!(
        "http://0.0.0.0:{}/v1/sessions/abc/decision",
        server.address().port()
    );
    let scenario = scenario(&get(&url, "{ status: 200 }"));
    let result = run_on(target(&server.uri()), &scenario).await;
    let e = run_error(&result);
    assert_eq!(e.kind, ErrorKind::Spec);
    assert_eq!(
        e.message,
        format!(
            "refusing to send credentials in clear text to {url}: use https://, or pass --allow-insecure-http if you mean it"
        )
    );
    assert_eq!(e.request_line, None);
    assert_eq!(
        server.received_requests().await.expect("recording").len(),
        0,
        "nothing was sent"
    );
    let text = error_message(&scenario, &result);
    assert!(
        text.starts_with("error (spec error) in step 1 \"get it\":\nerror: ")
            && text.contains(&format!(
                "error: refusing to send credentials in clear text to {url}"
            )),
        "{text}"
    );
    assert!(
        text.contains(&format!("--> {}", spec_location(&scenario, &url, 0))),
        "{text}"
    );

    let mut allowed = target(&server.uri());
    allowed.allow_insecure_http = true;
    assert_passed(&run_on(allowed, &scenario).await);
    let requests = server.received_requests().await.expect("recording");
    assert_eq!(requests.len(), 1);
    assert_eq!(header(&requests[0], "x-auth-client"), Some(API_KEY));

    // Loopback by name needs no flag.
    let local = format!(
        "http://localhost:{}/v1/sessions/abc/decision",
        server.address().port()
    );
    let (_, result) = run(&server.uri(), &get(&local, "{ status: 200 }")).await;
    assert_passed(&result);
}

#[tokio::test]
async fn a_scenario_that_requires_the_mock_is_ignored_against_another_server() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(json(200, "{}"))
        .mount(&server)
        .await;
    let yaml = "
scenarios:
  - name: needs the mock
    requires: [mock]
    steps:
      - name: start the session
        method: GET
        path: /v/token
        sign: none
        expect: { status: 200 }
";
    let scenario = scenario(yaml);
    // The planner skips it, with the reason.
    assert_eq!(
        ignores(&target(&server.uri()), false, &scenario).as_deref(),
        Some(
            "needs the mock's controls (requires: [mock]); against a served mock, give --target-is-mock"
        )
    );

    // A whole run sends nothing, even when libtest is told to run ignored tests.
    let dir = std::env::temp_dir().join(format!("vc-needs-mock-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("t.yaml");
    std::fs::write(&file, yaml).expect("write the spec");
    for include_ignored in [false, true] {
        let mut options = Options {
            paths: vec![file.clone()],
            ..Options::default()
        };
        options.target.base_url = Some(server.uri());
        options.target.api_key = Some(API_KEY.into());
        options.target.shared_secret = Some(SECRET.into());
        options.libtest.include_ignored = include_ignored;
        // The only scenario is ignored: an empty run, allowed here.
        options.no_tests = veriff_conformance::NoTests::Warn;
        options.libtest.quiet = true;
        options.libtest.logfile = Some(dir.join("log").display().to_string());
        let status = tokio::task::spawn_blocking(move || veriff_conformance::run(options))
            .await
            .expect("the run ends");
        assert_eq!(status, std::process::ExitCode::SUCCESS);
    }
    std::fs::remove_dir_all(&dir).ok();
    assert_eq!(
        server.received_requests().await.expect("recording").len(),
        0
    );

    // Against the mock it runs.
    let mut mock = target(&server.uri());
    mock.is_mock = true;
    assert_eq!(ignores(&mock, false, &scenario), None);
    assert_passed(&run_on(mock, &scenario).await);
}

#[tokio::test]
async fn secrets_echoed_by_the_server_never_appear_in_a_failure_message() {
    let body = format!(r#"{{"status":"fail","echo":{{"key":"{API_KEY}","secret":"{SECRET}"}}}}"#);
    let server = MockServer::start().await;
    Mock::given(path("/echo"))
        .respond_with(json(401, &body).insert_header("x-echo", SECRET))
        .mount(&server)
        .await;
    let (scenario, result) = run(
        &server.uri(),
        &get(
            "/echo",
            "{ status: 200, headers: { x-echo: nope }, body: { echo: { key: nope, secret: nope } } }",
        ),
    )
    .await;
    let f = failure(&result);
    assert_eq!(
        found(f),
        [
            m(Status, "", "200", "401"),
            m(Header, "x-echo", "\"nope\"", &format!("{SECRET:?}")),
            m(Body, "$.echo.key", "\"nope\"", &format!("{API_KEY:?}")),
            m(Body, "$.echo.secret", "\"nope\"", &format!("{SECRET:?}")),
        ],
        "the mismatches themselves hold the secrets"
    );
    let text = failure_message(&scenario, &result);
    assert!(
        !text.contains(API_KEY) && !text.contains(SECRET),
        "a secret leaked:\n{text}"
    );
    assert!(
        text.contains(r#"  response: 401 {"status":"fail","echo":{"key":"***","secret":"***"}}"#),
        "{text}"
    );
    assert!(
        text.contains("  2. header x-echo\n       expected: \"nope\"\n       actual:   \"***\"\n"),
        "{text}"
    );
}

#[tokio::test]
async fn secrets_echoed_by_the_server_never_appear_in_an_error_message() {
    let server = MockServer::start().await;
    Mock::given(path("/echo"))
        .respond_with(json(200, &format!(r#"{{"echo":{{"key":"{API_KEY}"}}}}"#)))
        .mount(&server)
        .await;
    let (scenario, result) = run(
        &server.uri(),
        "
scenarios:
  - name: echo
    steps:
      - name: echo the key
        method: GET
        path: /echo
        capture: { key: echo.key }
      - name: send it in the clear
        method: GET
        path: http://example.com/v1/sessions/${key}
",
    )
    .await;
    let e = run_error(&result);
    assert_eq!(e.kind, ErrorKind::Spec);
    assert!(e.message.contains(API_KEY), "the raw error holds the key");
    let text = error_message(&scenario, &result);
    assert!(
        !text.contains(API_KEY) && !text.contains(SECRET),
        "a secret leaked:\n{text}"
    );
    assert!(
        text.starts_with("error (spec error) in step 2 \"send it in the clear\":\n")
            && text.contains(
                "error: refusing to send credentials in clear text to http://example.com/v1/sessions/***: "
            ),
        "{text}"
    );
}
