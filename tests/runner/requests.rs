//! The runner against wiremock: what goes on the wire, as the server received
//! it. Signatures over the exact bytes sent, the signing modes, default and
//! overridden headers, raw bodies, captures and variables.

use serde_json::{Value, json as j};
use veriff_conformance::CheckKind::Capture;
use veriff_conformance::ErrorKind;
use veriff_conformance::signing::{sign, verify};
use wiremock::matchers::{any, method, path};
use wiremock::{Mock, MockServer, Request};

use crate::support::*;

const ID: &str = "1b0e9a7c-3f5d-4e2b-8a6c-9d0f1e2a3b4c";

/// A server answering every request with 200 `{}`.
async fn accept_all() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(json(200, "{}"))
        .mount(&server)
        .await;
    server
}

/// Runs `yaml`, which must pass, and returns what the server received.
async fn received(server: &MockServer, yaml: &str) -> Vec<Request> {
    let (_, result) = run(&server.uri(), yaml).await;
    assert_passed(&result);
    let requests = server.received_requests().await.expect("recording is on");
    assert_eq!(requests.len(), result.exchanges().len());
    requests
}

fn text(body: &[u8]) -> &str {
    std::str::from_utf8(body).expect("UTF-8 body")
}

#[tokio::test]
async fn post_and_patch_sign_the_exact_json_bytes_they_send() {
    let server = accept_all().await;
    let requests = received(
        &server,
        &format!(
            r#"
scenarios:
  - name: signed bodies
    steps:
      - name: upload media
        method: POST
        path: /v1/sessions/{ID}/media
        body:
          image:
            context: document-front
            content: "data:image/jpeg;base64,/9j/4AAQ"
            note: "é ü \" \\ /"
      - name: submit
        method: PATCH
        path: /v1/sessions/{ID}
        body: {{ verification: {{ status: submitted, n: 1.5, list: [1, two, null, true] }} }}
"#
        ),
    )
    .await;
    let expected = [
        (
            "POST",
            format!("/v1/sessions/{ID}/media"),
            r#"{"image":{"context":"document-front","content":"data:image/jpeg;base64,/9j/4AAQ","note":"é ü \" \\ /"}}"#,
        ),
        (
            "PATCH",
            format!("/v1/sessions/{ID}"),
            r#"{"verification":{"status":"submitted","n":1.5,"list":[1,"two",null,true]}}"#,
        ),
    ];
    for (request, (verb, at, body)) in requests.iter().zip(expected) {
        assert_eq!(request.method.as_str(), verb);
        assert_eq!(request.url.path(), at);
        assert_eq!(text(&request.body), body, "serialized once, as written");
        assert_eq!(header(request, "content-type"), Some("application/json"));
        assert_eq!(header(request, "x-auth-client"), Some(API_KEY));
        let signature = header(request, "x-hmac-signature").expect("signed");
        assert!(verify(SECRET, &request.body, signature), "{verb} {at}");
        assert_eq!(signature, sign(SECRET, body.as_bytes()), "lowercase hex");
    }
}

#[tokio::test]
async fn creating_a_session_sends_the_api_key_but_no_signature() {
    let server = accept_all().await;
    let requests = received(
        &server,
        "
scenarios:
  - name: create
    steps:
      - name: create a session
        method: POST
        path: /v1/sessions
        body: { verification: {} }
",
    )
    .await;
    let [request] = &requests[..] else {
        panic!("one request")
    };
    assert_eq!(request.url.path(), "/v1/sessions");
    assert_eq!(header(request, "x-hmac-signature"), None);
    assert_eq!(header(request, "x-auth-client"), Some(API_KEY));
    assert_eq!(header(request, "content-type"), Some("application/json"));
    assert_eq!(text(&request.body), r#"{"verification":{}}"#);
}

#[tokio::test]
async fn get_and_delete_sign_the_session_id_and_send_no_body_or_content_type() {
    let server = accept_all().await;
    let requests = received(
        &server,
        &format!(
            "
scenarios:
  - name: by id
    steps:
      - name: decision
        method: GET
        path: /v1/sessions/{ID}/decision
      - name: media with a query
        method: GET
        path: /v1/sessions/{ID}/media?limit=1
      - name: delete
        method: DELETE
        path: /v1/sessions/{ID}
"
        ),
    )
    .await;
    assert_eq!(requests.len(), 3);
    for request in &requests {
        assert_eq!(
            header(request, "x-hmac-signature"),
            Some(sign(SECRET, ID.as_bytes()).as_str()),
            "{} {}",
            request.method,
            request.url
        );
        assert_eq!(header(request, "x-auth-client"), Some(API_KEY));
        assert_eq!(header(request, "content-type"), None);
        assert!(request.body.is_empty());
    }
    assert_eq!(requests[1].url.query(), Some("limit=1"));
    assert_eq!(requests[2].method.as_str(), "DELETE");
}

#[tokio::test]
async fn signing_modes_send_no_wrong_other_or_literal_signatures() {
    let server = accept_all().await;
    let body = r#"{"verification":{"status":"submitted"}}"#;
    let other = r#"{"verification":{"status":"approved"}}"#;
    let step = |name: &str, sign: &str| {
        format!(
            "
      - name: {name}
        method: PATCH
        path: /v1/sessions/{ID}
        body: {{ verification: {{ status: submitted }} }}
        sign: {sign}"
        )
    };
    let yaml = format!(
        "
scenarios:
  - name: signing modes
    steps:{}{}{}{}{}{}
",
        step("none", "none"),
        step("wrong secret", "wrong-secret"),
        step("other payload", &format!("{{ payload: '{other}' }}")),
        step("literal value", "{ value: not-a-signature }"),
        step("session id", "session-id"),
        step("body", "body"),
    );
    let requests = received(&server, &yaml).await;
    let signatures: Vec<Option<&str>> = requests
        .iter()
        .map(|r| header(r, "x-hmac-signature"))
        .collect();
    for request in &requests {
        assert_eq!(text(&request.body), body, "the body never changes");
        assert_eq!(header(request, "x-auth-client"), Some(API_KEY));
    }
    assert_eq!(signatures[0], None);
    let wrong = signatures[1].expect("wrong-secret sends a signature");
    assert!(
        wrong.len() == 64
            && wrong
                .chars()
                .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c)),
        "well-formed: {wrong}"
    );
    assert!(!verify(SECRET, body.as_bytes(), wrong));
    assert_eq!(signatures[2], Some(sign(SECRET, other.as_bytes()).as_str()));
    assert_eq!(signatures[3], Some("not-a-signature"));
    assert_eq!(signatures[4], Some(sign(SECRET, ID.as_bytes()).as_str()));
    assert_eq!(signatures[5], Some(sign(SECRET, body.as_bytes()).as_str()));
}

#[tokio::test]
async fn omit_leaves_out_default_headers() {
    let server = accept_all().await;
    let requests = received(
        &server,
        &format!(
            "
scenarios:
  - name: omissions
    steps:
      - name: no api key
        method: PATCH
        path: /v1/sessions/{ID}
        body: {{ verification: {{ status: submitted }} }}
        omit: [X-AUTH-CLIENT]
      - name: no content type
        method: PATCH
        path: /v1/sessions/{ID}
        body: {{ verification: {{ status: submitted }} }}
        omit: [content-type]
"
        ),
    )
    .await;
    let body = br#"{"verification":{"status":"submitted"}}"#;
    assert_eq!(header(&requests[0], "x-auth-client"), None);
    assert_eq!(
        header(&requests[0], "x-hmac-signature"),
        Some(sign(SECRET, body).as_str())
    );
    assert_eq!(header(&requests[1], "x-auth-client"), Some(API_KEY));
    assert_eq!(header(&requests[1], "content-type"), None);
    assert_eq!(requests[1].body, body, "the body is still sent");
}

#[tokio::test]
async fn step_headers_replace_the_defaults_in_any_case_and_add_others() {
    let server = accept_all().await;
    let requests = received(
        &server,
        &format!(
            r#"
scenarios:
  - name: overrides
    vars:
      id: {ID}
    steps:
      - name: submit with other headers
        method: PATCH
        path: /v1/sessions/${{id}}
        headers:
          X-AUTH-CLIENT: other-key
          X-Hmac-Signature: "sig-${{id}}"
          Content-Type: application/json; charset=utf-8
          X-Extra: extra
        body: {{ verification: {{ status: submitted }} }}
"#
        ),
    )
    .await;
    let request = &requests[0];
    // `header` also asserts that each is sent once.
    assert_eq!(header(request, "x-auth-client"), Some("other-key"));
    assert_eq!(
        header(request, "x-hmac-signature"),
        Some(format!("sig-{ID}").as_str())
    );
    assert_eq!(
        header(request, "content-type"),
        Some("application/json; charset=utf-8")
    );
    assert_eq!(header(request, "x-extra"), Some("extra"));
}

#[tokio::test]
async fn a_raw_body_is_sent_byte_for_byte_and_signed_as_sent() {
    let server = accept_all().await;
    let raw = "{ \"verification\" : {\"status\":\"submitted\"} ,}\n";
    let requests = received(
        &server,
        &format!(
            r#"
scenarios:
  - name: raw bodies
    steps:
      - name: malformed JSON
        method: PATCH
        path: /v1/sessions/{ID}
        raw_body: "{{ \"verification\" : {{\"status\":\"submitted\"}} ,}}\n"
      - name: empty
        method: PATCH
        path: /v1/sessions/{ID}
        raw_body: ""
"#
        ),
    )
    .await;
    assert_eq!(text(&requests[0].body), raw);
    assert_eq!(
        header(&requests[0], "x-hmac-signature"),
        Some(sign(SECRET, raw.as_bytes()).as_str())
    );
    assert_eq!(
        header(&requests[0], "content-type"),
        Some("application/json")
    );
    assert!(requests[1].body.is_empty());
    assert_eq!(
        header(&requests[1], "x-hmac-signature"),
        Some(sign(SECRET, b"").as_str())
    );
}

#[tokio::test]
async fn body_and_header_captures_flow_into_later_paths_headers_and_bodies() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/sessions"))
        .respond_with(
            json(
                201,
                &format!(
                    r#"{{"verification":{{"id":"{ID}","sessionToken":"tok-1","attempts":3,"person":{{"firstName":"A"}}}}}}"#
                ),
            )
            .insert_header("X-Request-Id", "req-77"),
        )
        .mount(&server)
        .await;
    Mock::given(any())
        .respond_with(json(200, "{}"))
        .mount(&server)
        .await;
    let requests = received(
        &server,
        r#"
scenarios:
  - name: captures
    steps:
      - name: create
        method: POST
        path: /v1/sessions
        body: { verification: {} }
        expect: { status: 201 }
        capture:
          id: verification.id
          token: /verification/sessionToken
          attempts: verification.attempts
          person: verification.person
          request: { header: X-REQUEST-ID }
      - name: use them
        method: PATCH
        path: /v1/sessions/${id}?token=${token}
        headers:
          x-correlation: "${request}"
        body:
          id: "${id}"
          attempts: "${attempts}"
          person: "${person}"
          text: "n=${attempts} by ${request}"
"#,
    )
    .await;
    let second = &requests[1];
    assert_eq!(second.url.path(), format!("/v1/sessions/{ID}"));
    assert_eq!(second.url.query(), Some("token=tok-1"));
    assert_eq!(header(second, "x-correlation"), Some("req-77"));
    // A template that is one variable keeps the captured JSON type.
    let sent: Value = serde_json::from_slice(&second.body).expect("JSON");
    assert_eq!(
        sent,
        j!({"id": ID, "attempts": 3, "person": {"firstName": "A"}, "text": "n=3 by req-77"})
    );
    assert!(verify(
        SECRET,
        &second.body,
        header(second, "x-hmac-signature").expect("signed")
    ));
}

#[tokio::test]
async fn a_capture_of_a_missing_field_or_header_fails_the_step_and_stops_the_scenario() {
    let server = accept_all().await;
    let (scenario, result) = run(
        &server.uri(),
        "
scenarios:
  - name: nothing to capture
    steps:
      - name: create
        method: POST
        path: /v1/sessions
        body: { verification: {} }
        expect: { status: 200 }
        capture:
          id: verification.id
          request_id: { header: x-request-id }
      - name: never sent
        method: GET
        path: /v1/sessions/${id}/decision
",
    )
    .await;
    let f = failure(&result);
    assert_eq!(f.step.number, 1);
    assert_eq!(
        found(f),
        [
            m(
                Capture,
                "$.verification.id",
                "a value to capture as `id`",
                "absent"
            ),
            m(
                Capture,
                "x-request-id",
                "a value to capture as `request_id`",
                "absent"
            ),
        ]
    );
    assert_eq!(spec_text(&scenario, &f.mismatches[0]), "id");
    assert_eq!(spec_text(&scenario, &f.mismatches[1]), "request_id");
    let requests = server.received_requests().await.expect("recording is on");
    assert_eq!(requests.len(), 1, "the second step is not sent");
    let text = failure_message(&scenario, &result);
    assert!(
        text.contains(
            "  1. capture $.verification.id\n       expected: a value to capture as `id`\n       actual:   absent\n"
        ),
        "{text}"
    );
}

#[tokio::test]
async fn scenario_vars_keep_one_value_across_steps_while_gen_uuid_is_fresh_at_each_use() {
    let server = accept_all().await;
    let yaml = r#"
scenarios:
  - name: variables
    vars:
      vendor: ${gen.vendor_data}
      run_id: ${gen.uuid}
    steps:
      - name: first
        method: POST
        path: /v1/sessions
        body: { verification: { vendorData: "${vendor}" }, a: "${gen.uuid}", b: "${gen.uuid}", run: "${run_id}" }
      - name: second
        method: POST
        path: /v1/sessions/${gen.uuid}/media
        body: { vendorData: "${vendor}", c: "${gen.uuid}", run: "${run_id}" }
"#;
    let requests = received(&server, yaml).await;
    let first: Value = serde_json::from_slice(&requests[0].body).expect("JSON");
    let second: Value = serde_json::from_slice(&requests[1].body).expect("JSON");
    let vendor = first["verification"]["vendorData"]
        .as_str()
        .expect("a string");
    assert!(!vendor.is_empty() && vendor.len() <= 1000, "{vendor}");
    assert_eq!(second["vendorData"], vendor);
    assert_eq!(first["run"], second["run"]);
    let path_id = requests[1]
        .url
        .path()
        .trim_start_matches("/v1/sessions/")
        .trim_end_matches("/media")
        .to_string();
    let mut uuids: Vec<String> = [&first["a"], &first["b"], &second["c"], &first["run"]]
        .iter()
        .map(|v| v.as_str().expect("a string").to_string())
        .chain([path_id])
        .collect();
    for u in &uuids {
        let parsed = uuid::Uuid::parse_str(u).unwrap_or_else(|e| panic!("{u}: {e}"));
        assert_eq!(parsed.get_version_num(), 4, "{u}");
    }
    uuids.sort();
    uuids.dedup();
    assert_eq!(uuids.len(), 5, "every use of gen.uuid is fresh");

    // A new run of the scenario draws new values.
    server.reset().await;
    Mock::given(any())
        .respond_with(json(200, "{}"))
        .mount(&server)
        .await;
    let again = received(&server, yaml).await;
    let again: Value = serde_json::from_slice(&again[0].body).expect("JSON");
    assert_ne!(again["verification"]["vendorData"], vendor);
    assert_ne!(again["run"], first["run"]);
}

#[tokio::test]
async fn a_header_value_http_cannot_carry_is_a_spec_error_at_the_value_and_nothing_is_sent() {
    let server = accept_all().await;
    let (scenario, result) = run(
        &server.uri(),
        r#"
scenarios:
  - name: bad header
    steps:
      - name: line break
        method: GET
        path: /v1/sessions/abc
        headers:
          X-Note: "two\nlines"
"#,
    )
    .await;
    let e = run_error(&result);
    assert_eq!(e.kind, ErrorKind::Spec);
    assert_eq!(
        e.message,
        "the value of header `x-note` cannot be sent: header values are visible ASCII characters, spaces and tabs, without line breaks"
    );
    assert_eq!(e.request_line, None);
    assert_eq!(
        e.at.as_ref().map(|at| at.start),
        Some(offset_after(&scenario, "X-Note: "))
    );
    let text = error_message(&scenario, &result);
    assert!(
        text.starts_with("error (spec error) in step 1 \"line break\":\n")
            && text.contains("error: the value of header `x-note` cannot be sent"),
        "{text}"
    );

    // The same for `sign: { value: ... }`.
    let (_, result) = run(
        &server.uri(),
        r#"
scenarios:
  - name: bad signature value
    steps:
      - name: line break
        method: GET
        path: /v1/sessions/abc
        sign: { value: "a\r\nx-injected: 1" }
"#,
    )
    .await;
    let e = run_error(&result);
    assert_eq!(e.kind, ErrorKind::Spec);
    assert!(
        e.message
            .starts_with("the value of header `x-hmac-signature` cannot be sent"),
        "{}",
        e.message
    );
    assert_eq!(
        server.received_requests().await.expect("recording").len(),
        0,
        "nothing was sent"
    );
}
