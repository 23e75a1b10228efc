//! The runner against wiremock: each kind of expectation catches a wrong
//! response, with the JSON path, expected and actual value it reports, and
//! what a conforming response may do freely (reorder fields, add fields).

use veriff_conformance::CheckKind::{self, Body, Capture, Header, Schema, Signature, Status};
use veriff_conformance::signing::sign;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::*;

/// A server answering `GET <at>` with `response`.
async fn serve(at: &str, response: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(at))
        .respond_with(response)
        .mount(&server)
        .await;
    server
}

/// A one-step scenario: `GET <at>` with the given `expect:` block (indented by 10).
fn get_expecting(at: &str, expect: &str) -> String {
    format!(
        "
scenarios:
  - name: the check under test
    steps:
      - name: get it
        method: GET
        path: {at}
        expect:
{expect}"
    )
}

#[tokio::test]
async fn a_wrong_status_is_reported_with_the_request_response_and_spec_lines() {
    let body = r#"{"status":"fail","code":"1101","message":"Resource not found"}"#;
    let server = serve("/v1/sessions/abc/decision", json(404, body)).await;
    let (scenario, result) = run(
        &server.uri(),
        &get_expecting("/v1/sessions/abc/decision", "          status: 200\n"),
    )
    .await;
    let f = failure(&result);
    assert_eq!(found(f), [m(Status, "", "200", "404")]);
    assert_eq!(spec_text(&scenario, &f.mismatches[0]), "200");
    assert_eq!(f.step.number, 1);
    assert_eq!(result.exchanges().len(), 1);
    assert_eq!(
        failure_message(&scenario, &result),
        format!(
            "failure: 1 unmet expectation in step 1 \"get it\"
  --> t.yaml:5:15
  request:  GET {}/v1/sessions/abc/decision
  response: 404 {body}
  1. status
       expected: 200
       actual:   404
       at t.yaml:9:19",
            server.uri()
        )
    );
}

#[tokio::test]
async fn a_status_class_or_list_accepts_any_of_its_codes_and_reports_itself_otherwise() {
    let server = serve("/x", json(503, "{}")).await;
    let (_, result) = run(
        &server.uri(),
        &get_expecting("/x", "          status: 5xx\n"),
    )
    .await;
    assert_passed(&result);
    let (_, result) = run(
        &server.uri(),
        &get_expecting("/x", "          status: [200, 201]\n"),
    )
    .await;
    assert_eq!(
        found(failure(&result)),
        [m(Status, "", "200 or 201", "503")]
    );
}

#[tokio::test]
async fn a_missing_field_is_reported_absent_at_its_json_path() {
    let server = serve(
        "/s",
        json(
            200,
            r#"{"status":"success","verification":{"status":"created","url":"https://h/v/t"}}"#,
        ),
    )
    .await;
    let (scenario, result) = run(
        &server.uri(),
        &get_expecting(
            "/s",
            "          body:
            status: success
            verification:
              status: created
              id: 0c6f3a43-6b1e-4c55-9d2a-3f1b8c2e7a10
",
        ),
    )
    .await;
    let f = failure(&result);
    assert_eq!(
        found(f),
        [m(
            Body,
            "$.verification.id",
            "\"0c6f3a43-6b1e-4c55-9d2a-3f1b8c2e7a10\"",
            "absent"
        )]
    );
    // The mismatch points at the key that names the missing field.
    assert_eq!(
        f.mismatches[0].at.start,
        scenario.file.text.find("id: 0c6f").unwrap()
    );
    assert!(
        failure_message(&scenario, &result).contains(
            "  1. body $.verification.id
       expected: \"0c6f3a43-6b1e-4c55-9d2a-3f1b8c2e7a10\"
       actual:   absent"
        ),
        "{}",
        failure_message(&scenario, &result)
    );
}

#[tokio::test]
async fn a_number_where_a_string_is_expected_and_a_wrong_type_matcher_are_both_caught() {
    let server = serve(
        "/fail",
        json(
            401,
            r#"{"status":"fail","code":1812,"message":"Invalid HMAC signature","retry":3}"#,
        ),
    )
    .await;
    let (_, result) = run(
        &server.uri(),
        &get_expecting(
            "/fail",
            "          body:
            status: { $type: string }
            code: \"1812\"
            message: { $type: integer }
            retry: { $type: number }
",
        ),
    )
    .await;
    assert_eq!(
        found(failure(&result)),
        [
            m(Body, "$.code", "\"1812\"", "1812"),
            m(
                Body,
                "$.message",
                "a value of type integer",
                "\"Invalid HMAC signature\" (string)"
            ),
        ]
    );

    // And the other way round: the string "1812" where the number 1812 is expected.
    let server = serve("/fail", json(401, r#"{"code":"1812"}"#)).await;
    let (_, result) = run(
        &server.uri(),
        &get_expecting("/fail", "          body: { code: 1812 }\n"),
    )
    .await;
    assert_eq!(
        found(failure(&result)),
        [m(Body, "$.code", "1812", "\"1812\"")]
    );
}

#[tokio::test]
async fn a_wrong_value_is_reported_with_both_values() {
    let server = serve(
        "/s",
        json(
            200,
            r#"{"verification":{"status":"created","attempts":2,"vendorData":null}}"#,
        ),
    )
    .await;
    let (_, result) = run(
        &server.uri(),
        &get_expecting(
            "/s",
            "          body:
            verification:
              status: submitted
              attempts: 2.0
              vendorData: vc-1
",
        ),
    )
    .await;
    assert_eq!(
        found(failure(&result)),
        [
            m(
                Body,
                "$.verification.status",
                "\"submitted\"",
                "\"created\""
            ),
            m(Body, "$.verification.vendorData", "\"vc-1\"", "null"),
        ]
    );
}

#[tokio::test]
async fn integers_too_large_for_a_float_are_compared_exactly() {
    // 2^53 + 1 and 2^53 are the same f64; as JSON integers they differ.
    let server = serve("/n", json(200, r#"{"n":9007199254740993}"#)).await;
    let (_, result) = run(
        &server.uri(),
        &get_expecting("/n", "          body: { n: 9007199254740992 }\n"),
    )
    .await;
    assert_eq!(
        found(failure(&result)),
        [m(Body, "$.n", "9007199254740992", "9007199254740993")]
    );
    let (_, result) = run(
        &server.uri(),
        &get_expecting("/n", "          body: { n: 9007199254740993 }\n"),
    )
    .await;
    assert_passed(&result);
}

#[tokio::test]
async fn header_rules_present_absent_equals_and_matches_use_case_insensitive_names() {
    let response = ResponseTemplate::new(200)
        .set_body_raw(b"{}".to_vec(), "application/json; charset=utf-8")
        .insert_header("X-Request-Id", "abc")
        .insert_header("X-Debug", "1");
    let server = serve("/h", response).await;
    // Every rule below that passes names the header in another case than the server.
    let (scenario, result) = run(
        &server.uri(),
        &get_expecting(
            "/h",
            "          headers:
            CONTENT-TYPE: { matches: \"^application/json\" }
            x-request-ID: { present: true }
            X-Request-Id: abc
            X-Missing: { absent: true }
            X-DEBUG: { absent: true }
            x-trace: { present: true }
            x-request-id: { equals: xyz }
            Content-type: { matches: \"^text/\" }
",
        ),
    )
    .await;
    let f = failure(&result);
    assert_eq!(
        found(f),
        [
            m(Header, "x-debug", "absent", "\"1\""),
            m(Header, "x-trace", "present", "absent"),
            m(Header, "x-request-id", "\"xyz\"", "\"abc\""),
            m(
                Header,
                "content-type",
                "a value matching /^text//",
                "\"application/json; charset=utf-8\""
            ),
        ]
    );
    // Each mismatch points at its rule.
    let pointed: Vec<usize> = f.mismatches.iter().map(|m| m.at.start).collect();
    let rules = ["X-DEBUG: ", "x-trace: ", "x-request-id: ", "Content-type: "];
    assert_eq!(pointed, rules.map(|r| offset_after(&scenario, r)));
}

#[tokio::test]
async fn a_schema_with_a_local_ref_checks_formats_and_reports_each_violation() {
    let dir = TempDir::new();
    dir.write(
        "schemas/session.json",
        r#"{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "type": "object",
  "required": ["status", "verification"],
  "properties": {
    "status": { "const": "success" },
    "verification": { "$ref": "parts/verification.json" }
  }
}"#,
    );
    dir.write(
        "schemas/parts/verification.json",
        r#"{
  "type": "object",
  "required": ["id", "status"],
  "properties": {
    "id": { "type": "string", "format": "uuid" },
    "status": { "enum": ["created", "submitted"] }
  }
}"#,
    );
    let server = MockServer::start().await;
    Mock::given(path("/good"))
        .respond_with(json(
            200,
            r#"{"status":"success","verification":{"id":"0c6f3a43-6b1e-4c55-9d2a-3f1b8c2e7a10","status":"created","new":1}}"#,
        ))
        .mount(&server)
        .await;
    Mock::given(path("/bad"))
        .respond_with(json(
            200,
            r#"{"status":"success","verification":{"id":"not-a-uuid","status":"weird"}}"#,
        ))
        .mount(&server)
        .await;
    let yaml = "
scenarios:
  - name: schema
    steps:
      - name: a conforming body passes
        method: GET
        path: /good
        expect: { schema: schemas/session.json }
      - name: a body breaking rules of the referenced schema fails
        method: GET
        path: /bad
        expect: { schema: schemas/session.json }
";
    let scenario = scenarios_in(dir.path(), yaml).remove(0);
    let result = run_on(target(&server.uri()), &scenario).await;
    let f = failure(&result);
    assert_eq!(f.step.number, 2, "the first step passes");
    let name = dir.path().join("schemas/session.json");
    let name = name.to_string_lossy();
    assert_eq!(
        found(f),
        [
            m(
                Schema,
                "$.verification.id",
                &format!(
                    "value is not a \"uuid\" (schema {name}#/properties/verification/$ref/properties/id/format)"
                ),
                "\"not-a-uuid\""
            ),
            m(
                Schema,
                "$.verification.status",
                &format!(
                    "value is not one of \"created\" or \"submitted\" (schema {name}#/properties/verification/$ref/properties/status/enum)"
                ),
                "\"weird\""
            ),
        ]
    );
    assert_eq!(
        spec_text(&scenario, &f.mismatches[0]),
        "schemas/session.json"
    );
}

#[tokio::test]
async fn an_exact_body_match_reports_every_extra_field_that_a_subset_match_allows() {
    let body = r#"{"status":"success","verification":{"id":"1","status":"created","extra":true},"debug":{"trace":"x"}}"#;
    let server = serve("/e", json(200, body)).await;
    let expected = "          body:
            status: success
            verification: { id: \"1\", status: created }
";
    let (_, result) = run(
        &server.uri(),
        &get_expecting("/e", &format!("{expected}          body_match: exact\n")),
    )
    .await;
    assert_eq!(
        found(failure(&result)),
        [
            m(
                Body,
                "$.verification.extra",
                "no such field (exact match)",
                "true"
            ),
            m(
                Body,
                "$.debug",
                "no such field (exact match)",
                "{\"trace\":\"x\"}"
            ),
        ]
    );
    // The default, `subset`, lets new fields appear (backwards-compatible changes).
    let (_, result) = run(&server.uri(), &get_expecting("/e", expected)).await;
    assert_passed(&result);
    let (_, result) = run(
        &server.uri(),
        &get_expecting("/e", &format!("{expected}          body_match: subset\n")),
    )
    .await;
    assert_passed(&result);
}

#[tokio::test]
async fn a_regex_may_refer_to_other_fields_of_the_same_response_which_match_literally() {
    let server = MockServer::start().await;
    Mock::given(path("/good"))
        .respond_with(json(
            200,
            r#"{"verification":{"url":"https://magic.veriff.me/v/tok.en+1","host":"https://magic.veriff.me","sessionToken":"tok.en+1"}}"#,
        ))
        .mount(&server)
        .await;
    // Would match if the host and token were taken as patterns rather than text.
    Mock::given(path("/bad"))
        .respond_with(json(
            200,
            r#"{"verification":{"url":"https://magicXveriff.me/v/tokXennn1","host":"https://magic.veriff.me","sessionToken":"tok.en+1"}}"#,
        ))
        .mount(&server)
        .await;
    let expect = "          body:
            verification:
              url: { $regex: \"^${response.verification.host}/v/${response.verification.sessionToken}$\" }
";
    let (_, result) = run(&server.uri(), &get_expecting("/good", expect)).await;
    assert_passed(&result);
    let (_, result) = run(&server.uri(), &get_expecting("/bad", expect)).await;
    assert_eq!(
        found(failure(&result)),
        [m(
            Body,
            "$.verification.url",
            r"a string matching /^https://magic\.veriff\.me/v/tok\.en\+1$/",
            "\"https://magicXveriff.me/v/tokXennn1\""
        )]
    );
}

#[tokio::test]
async fn fields_in_another_order_and_extra_fields_pass() {
    let server = serve(
        "/o",
        json(
            200,
            r#"{"verification":{"vendorData":null,"new":[1],"status":"created","id":"1"},"added":"x","status":"success"}"#,
        ),
    )
    .await;
    let (_, result) = run(
        &server.uri(),
        &get_expecting(
            "/o",
            "          body:
            status: success
            verification:
              id: \"1\"
              status: created
              vendorData: null
",
        ),
    )
    .await;
    assert_passed(&result);
}

#[tokio::test]
async fn array_order_matters_and_a_length_difference_is_reported() {
    let server = serve("/a", json(200, r#"{"contexts":["face","document-front"]}"#)).await;
    let (_, result) = run(
        &server.uri(),
        &get_expecting(
            "/a",
            "          body: { contexts: [document-front, face] }\n",
        ),
    )
    .await;
    assert_eq!(
        found(failure(&result)),
        [
            m(Body, "$.contexts[0]", "\"document-front\"", "\"face\""),
            m(Body, "$.contexts[1]", "\"face\"", "\"document-front\""),
        ]
    );
    let (_, result) = run(
        &server.uri(),
        &get_expecting("/a", "          body: { contexts: [face] }\n"),
    )
    .await;
    assert_eq!(
        found(failure(&result)),
        [m(
            Body,
            "$.contexts",
            "an array of 1 item",
            "2 items: [\"face\",\"document-front\"]"
        )]
    );
}

#[tokio::test]
async fn every_unmet_expectation_of_a_step_is_reported_together() {
    let dir = TempDir::new();
    dir.write(
        "s.json",
        r#"{"type":"object","properties":{"status":{"const":"success"}}}"#,
    );
    let body = r#"{"status":"fail","code":1101}"#;
    let server = MockServer::start().await;
    Mock::given(path("/all"))
        .respond_with(
            json(500, body).insert_header("x-hmac-signature", sign(SECRET, b"other").as_str()),
        )
        .mount(&server)
        .await;
    let yaml = get_expecting(
        "/all",
        "          status: 200
          headers: { x-request-id: { present: true } }
          schema: s.json
          body: { status: success, code: \"1101\" }
",
    );
    let scenario = scenarios_in(dir.path(), &yaml).remove(0);
    let result = run_on(target(&server.uri()), &scenario).await;
    let kinds: Vec<(CheckKind, String)> = found(failure(&result))
        .into_iter()
        .map(|(kind, path, _, _)| (kind, path))
        .collect();
    assert_eq!(
        kinds,
        [
            (Status, String::new()),
            (Header, "x-request-id".into()),
            (Schema, "$.status".into()),
            (Body, "$.status".into()),
            (Body, "$.code".into()),
            (Signature, "x-hmac-signature".into()),
        ]
    );
    let text = failure_message(&scenario, &result);
    assert!(
        text.starts_with("failure: 6 unmet expectations in step 1 \"get it\""),
        "{text}"
    );
    for line in [
        "  1. status\n",
        "  2. header x-request-id\n",
        "  3. schema $.status\n",
        "  4. body $.status\n",
        "  5. body $.code\n",
        "  6. signature x-hmac-signature\n",
    ] {
        assert!(text.contains(line), "{line:?} missing from\n{text}");
    }
}

#[tokio::test]
async fn a_correctly_signed_response_passes_a_required_signature() {
    let body = r#"{"status":"success","verification":{"status":"submitted"}}"#;
    let server = serve("/sig", signed_json(200, body)).await;
    let (_, result) = run(
        &server.uri(),
        &get_expecting("/sig", "          signature: required\n"),
    )
    .await;
    assert_passed(&result);
}

#[tokio::test]
async fn a_wrong_response_signature_fails_even_when_a_signature_is_not_required() {
    let body = r#"{"status":"success"}"#;
    let wrong = sign(SECRET, br#"{"status": "success"}"#);
    let server = serve(
        "/sig",
        json(200, body).insert_header("X-HMAC-Signature", wrong.as_str()),
    )
    .await;
    let (scenario, result) = run(
        &server.uri(),
        &get_expecting("/sig", "          status: 200\n"),
    )
    .await;
    let f = failure(&result);
    assert_eq!(
        found(f),
        [m(
            Signature,
            "x-hmac-signature",
            "the lowercase hex HMAC-SHA256 of the response body bytes under the shared secret",
            &format!("\"{wrong}\", which does not verify over the 20 body bytes received"),
        )]
    );
    // Nothing in the spec asks for it, so it points at the step.
    assert_eq!(spec_text(&scenario, &f.mismatches[0]), "get it");
    // Signed with another secret: fails too.
    let server = serve(
        "/sig",
        json(200, body).insert_header("x-hmac-signature", sign("other", body.as_bytes()).as_str()),
    )
    .await;
    let (_, result) = run(
        &server.uri(),
        &get_expecting("/sig", "          status: 200\n"),
    )
    .await;
    assert_eq!(failure(&result).mismatches[0].check, Signature);
    // `signature: ignore` does not look at it.
    let (_, result) = run(
        &server.uri(),
        &get_expecting("/sig", "          signature: ignore\n"),
    )
    .await;
    assert_passed(&result);
}

#[tokio::test]
async fn a_missing_response_signature_fails_only_when_required() {
    let server = serve("/unsigned", json(200, r#"{"status":"success"}"#)).await;
    let (_, result) = run(
        &server.uri(),
        &get_expecting("/unsigned", "          status: 200\n"),
    )
    .await;
    assert_passed(&result);
    let (scenario, result) = run(
        &server.uri(),
        &get_expecting("/unsigned", "          signature: required\n"),
    )
    .await;
    let f = failure(&result);
    assert_eq!(
        found(f),
        [m(
            Signature,
            "x-hmac-signature",
            "the lowercase hex HMAC-SHA256 of the response body bytes under the shared secret",
            "no x-hmac-signature header",
        )]
    );
    assert_eq!(spec_text(&scenario, &f.mismatches[0]), "required");
}

#[tokio::test]
async fn a_non_json_body_fails_the_body_check_saying_it_is_not_json() {
    let html = "<html><body><h1>502 Bad Gateway</h1></body></html>";
    let server = serve(
        "/gw",
        ResponseTemplate::new(502).set_body_raw(html.as_bytes().to_vec(), "text/html"),
    )
    .await;
    let (scenario, result) = run(
        &server.uri(),
        &get_expecting(
            "/gw",
            "          status: 200\n          body: { status: success }\n",
        ),
    )
    .await;
    let f = failure(&result);
    assert_eq!(
        found(f),
        [
            m(Status, "", "200", "502"),
            m(
                Body,
                "$",
                "a JSON body",
                "the body is not JSON (expected value at line 1 column 1)"
            ),
        ]
    );
    let text = failure_message(&scenario, &result);
    assert!(
        text.contains(&format!("  response: 502 {html}\n")),
        "{text}"
    );
    assert!(text.contains("not JSON"), "{text}");

    // A capture from a body that is not JSON says so too.
    let (_, result) = run(
        &server.uri(),
        "
scenarios:
  - name: capture from html
    steps:
      - name: get it
        method: GET
        path: /gw
        capture: { id: verification.id }
",
    )
    .await;
    assert_eq!(
        found(failure(&result)),
        [m(
            Capture,
            "$.verification.id",
            "a value to capture as `id`",
            "the body is not JSON (expected value at line 1 column 1)"
        )]
    );
}
