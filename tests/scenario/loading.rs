//! Loading spec files: good specs load into the model, and every bad spec gets
//! an error with file:line:col, a caret and a hint (rendered errors are
//! snapshot-tested in `snapshots/`).

use std::path::PathBuf;

use veriff_conformance::Loader;
use veriff_conformance::SpecError;
use veriff_conformance::{
    CaptureFrom, HeaderRule, JsonTemplate, RequestBody, SignMode, StatusExpect,
};
use veriff_conformance::{Files, SourceFile};

/// Relative to the crate root, where cargo runs integration tests, so that
/// messages (and snapshots) show the same paths on every machine.
fn fixtures() -> PathBuf {
    PathBuf::from("tests/fixtures")
}

/// Loads `text` as if it were `tests/fixtures/<name>.yaml` (so schema paths resolve there).
pub(crate) fn load(name: &str, text: &str) -> (Vec<veriff_conformance::Scenario>, Vec<SpecError>) {
    let path = fixtures().join(format!("{name}.yaml"));
    let file = SourceFile::new(format!("specs/{name}.yaml"), path, text);
    Loader::new(Files::Disk).load(&file, name)
}

pub(crate) fn rendered(errors: &[SpecError]) -> String {
    errors
        .iter()
        .map(SpecError::render_plain)
        .collect::<Vec<_>>()
        .join("\n")
}

/// Loads a bad spec, checks where the first error points, and snapshots the rendering.
pub(crate) fn assert_bad(name: &str, text: &str, line: usize, col: usize) {
    let (scenarios, errors) = load(name, text);
    assert!(
        scenarios.is_empty(),
        "{name}: a scenario with errors must not be runnable"
    );
    assert!(!errors.is_empty(), "{name}: no error reported");
    assert_eq!(
        errors[0].location(),
        Some((format!("specs/{name}.yaml"), line, col)),
        "{name}: {}",
        rendered(&errors)
    );
    insta::with_settings!({ snapshot_path => "../../snapshots", prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!(format!("spec_error__{name}"), rendered(&errors));
    });
}

const GOOD: &str = r#"
scenarios:
  - name: Valid submit of a created session
    description: every feature once
    tags: [submit]
    vars:
      vendor: ${gen.vendor_data}
    steps:
      - name: create
        method: post
        path: /v1/sessions
        body:
          verification:
            vendorData: ${vendor}
            count: 3
        expect:
          status: 201
          schema: schemas/ok.json
        capture:
          id: verification.id
          token: /verification/sessionToken
          signature: { header: X-HMAC-Signature }
      - name: submit
        method: PATCH
        path: /v1/sessions/${id}
        headers:
          X-Trace: ${token}
        omit: [X-AUTH-CLIENT]
        body: { verification: { status: submitted } }
        sign: { payload: "${id}" }
        expect:
          status: [200, 201]
          headers:
            Content-Type: { matches: "^application/json" }
            x-gone: { absent: true }
            x-auth-client: { present: true }
            x-exact: "v-${id}"
          body:
            verification:
              id: ${id}
              url: { $regex: "^${response.verification.host}" }
              vendorData: { $type: string }
          body_match: exact
          signature: required
      - name: raw
        method: DELETE
        path: /v1/sessions/${id}
        raw_body: "not json"
        sign: wrong-secret
        expect:
          status: 4xx
"#;

#[test]
fn a_good_spec_loads_with_every_feature() {
    let (scenarios, errors) = load("good", GOOD);
    assert!(errors.is_empty(), "{}", rendered(&errors));
    let s = &scenarios[0];
    assert_eq!(s.trial_name, "good::valid_submit_of_a_created_session");
    assert_eq!(s.tags, ["submit"]);
    assert_eq!(s.vars.len(), 1);
    assert_eq!(s.steps.len(), 3);

    let create = &s.steps[0];
    assert_eq!(create.method, reqwest::Method::POST);
    assert!(matches!(create.sign.value, SignMode::Auto));
    assert!(matches!(create.body, RequestBody::Json(_)));
    assert_eq!(
        create.expect.status.as_ref().unwrap().value,
        StatusExpect::AnyOf(vec![201])
    );
    assert!(create.expect.schema.is_some());
    let captures: Vec<_> = create
        .captures
        .iter()
        .map(|c| (c.name.as_str(), c.from.clone()))
        .collect();
    assert_eq!(
        captures,
        [
            ("id", CaptureFrom::Body("/verification/id".into())),
            (
                "token",
                CaptureFrom::Body("/verification/sessionToken".into())
            ),
            ("signature", CaptureFrom::Header("x-hmac-signature".into())),
        ]
    );

    let submit = &s.steps[1];
    assert_eq!(submit.headers[0].0, "x-trace");
    assert_eq!(submit.omit, ["x-auth-client"]);
    assert!(matches!(submit.sign.value, SignMode::Payload(_)));
    let rules: Vec<_> = submit
        .expect
        .headers
        .iter()
        .map(|h| h.value.name.as_str())
        .collect();
    assert_eq!(
        rules,
        ["content-type", "x-gone", "x-auth-client", "x-exact"]
    );
    assert!(matches!(
        submit.expect.headers[1].value.rule,
        HeaderRule::Absent
    ));
    assert!(submit.expect.body_exact);
    let Some(JsonTemplate::Object(fields)) = submit.expect.body.as_ref().map(|b| &*b.value) else {
        panic!("expected body is an object")
    };
    assert_eq!(fields[0].key, "verification");

    let raw = &s.steps[2];
    assert!(matches!(raw.body, RequestBody::Raw(_)));
    assert!(matches!(raw.sign.value, SignMode::WrongSecret));
    assert_eq!(
        raw.expect.status.as_ref().unwrap().value,
        StatusExpect::Class(4)
    );
}

#[test]
fn a_bad_scenario_does_not_stop_the_good_one_in_the_same_file() {
    let text = r#"
scenarios:
  - name: good
    steps:
      - { name: s, method: GET, path: /v1/sessions/x/decision }
  - name: bad
    steps:
      - { name: s, method: GET, path: "/v1/sessions/${nope}" }
"#;
    let (scenarios, errors) = load("mixed", text);
    assert_eq!(scenarios.len(), 1);
    assert_eq!(scenarios[0].name, "good");
    assert_eq!(errors.len(), 1);
    assert_eq!(
        errors[0].location(),
        Some(("specs/mixed.yaml".into(), 8, 53))
    );
}

#[test]
fn every_error_in_a_scenario_is_reported_not_only_the_first() {
    let text = r#"
scenarios:
  - name: many
    steps:
      - name: s
        method: FETCH
        path: /v1/sessions/${a}
        expect: { status: 42, body_match: fuzzy }
"#;
    let (_, errors) = load("many", text);
    let messages: Vec<_> = errors.iter().map(|e| e.to_string()).collect();
    assert_eq!(
        messages,
        [
            "specs/many.yaml:6:17: unknown HTTP method `FETCH`",
            "specs/many.yaml:7:28: undefined variable `a`",
            "specs/many.yaml:8:27: not a status expectation",
            "specs/many.yaml:8:43: unknown body_match `fuzzy`",
        ]
    );
}

#[test]
fn yaml_syntax_error_points_at_the_bracket() {
    assert_bad(
        "syntax",
        "scenarios:\n  - name: a\n    steps: [ {name: x\n",
        3,
        14,
    );
}

#[test]
fn misspelt_key_is_named_with_the_keys_that_exist() {
    let text = "scenarios:\n  - name: a\n    steps:\n      - name: s\n        methd: GET\n        path: /x\n";
    assert_bad("misspelt_key", text, 5, 9);
}

#[test]
fn unknown_method_is_rejected() {
    let text = "scenarios:\n  - name: a\n    steps:\n      - name: s\n        method: FETCH\n        path: /x\n";
    assert_bad("unknown_method", text, 5, 17);
}

#[test]
fn undefined_variable_in_a_path_names_the_variables_that_exist() {
    let text = r#"scenarios:
  - name: a
    vars: { vendor: "${gen.vendor_data}" }
    steps:
      - name: s
        method: PATCH
        path: /v1/sessions/${sesion_id}
"#;
    assert_bad("undefined_in_path", text, 7, 28);
}

#[test]
fn undefined_variable_deep_in_a_body_is_located() {
    let text = r#"scenarios:
  - name: a
    steps:
      - name: s
        method: POST
        path: /v1/sessions
        body:
          verification:
            person:
              firstName: "${first_name}"
"#;
    assert_bad("undefined_in_body", text, 10, 27);
}

#[test]
fn a_capture_is_not_visible_in_its_own_step() {
    let text = r#"scenarios:
  - name: a
    steps:
      - name: s
        method: POST
        path: /v1/sessions/${id}
        capture: { id: verification.id }
"#;
    assert_bad("capture_too_early", text, 6, 28);
}

#[test]
fn response_fields_are_only_usable_in_expectations() {
    let text = r#"scenarios:
  - name: a
    steps:
      - name: s
        method: GET
        path: /v1/sessions/${response.verification.id}
"#;
    assert_bad("response_in_request", text, 6, 28);
}

#[test]
fn unknown_run_variable_is_rejected() {
    let text = "scenarios:\n  - name: a\n    steps:\n      - name: s\n        method: GET\n        path: ${run.api_key}/x\n";
    assert_bad("unknown_run_variable", text, 6, 15);
}

#[test]
fn unclosed_variable_is_rejected() {
    let text = "scenarios:\n  - name: a\n    steps:\n      - name: s\n        method: GET\n        path: /v1/sessions/${id\n";
    assert_bad("unclosed_variable", text, 6, 28);
}

#[test]
fn status_out_of_range_is_rejected() {
    let text = "scenarios:\n  - name: a\n    steps:\n      - name: s\n        method: GET\n        path: /x\n        expect: { status: 99 }\n";
    assert_bad("bad_status", text, 7, 27);
}

#[test]
fn unknown_signing_mode_lists_the_modes() {
    let text = "scenarios:\n  - name: a\n    steps:\n      - name: s\n        method: GET\n        path: /x\n        sign: maybe\n";
    assert_bad("unknown_sign_mode", text, 7, 15);
}

#[test]
fn missing_schema_file_is_reported_at_its_reference() {
    let text = "scenarios:\n  - name: a\n    steps:\n      - name: s\n        method: GET\n        path: /x\n        expect:\n          schema: schemas/nowhere.json\n";
    assert_bad("missing_schema", text, 8, 19);
}

#[test]
fn schema_that_does_not_compile_is_reported() {
    let text = "scenarios:\n  - name: a\n    steps:\n      - name: s\n        method: GET\n        path: /x\n        expect:\n          schema: schemas/broken.json\n";
    assert_bad("broken_schema", text, 8, 19);
}

#[test]
fn invalid_header_regex_is_rejected() {
    let text = "scenarios:\n  - name: a\n    steps:\n      - name: s\n        method: GET\n        path: /x\n        expect:\n          headers:\n            content-type: { matches: \"(\" }\n";
    assert_bad("bad_header_regex", text, 9, 27);
}

#[test]
fn unknown_matcher_is_rejected() {
    let text = "scenarios:\n  - name: a\n    steps:\n      - name: s\n        method: GET\n        path: /x\n        expect:\n          body: { id: { $regx: \"^a\" } }\n";
    assert_bad("unknown_matcher", text, 8, 25);
}

#[test]
fn one_of_without_a_list_is_rejected() {
    let text = "scenarios:\n  - name: a\n    steps:\n      - name: s\n        method: GET\n        path: /x\n        expect:\n          body: { code: { $one_of: \"1101\" } }\n";
    assert_bad("one_of_without_a_list", text, 8, 27);
}

#[test]
fn an_empty_one_of_is_rejected() {
    let text = "scenarios:\n  - name: a\n    steps:\n      - name: s\n        method: GET\n        path: /x\n        expect:\n          body: { code: { $one_of: [] } }\n";
    assert_bad("empty_one_of", text, 8, 27);
}

#[test]
fn a_one_of_in_a_request_body_is_rejected_like_any_matcher() {
    let text = "scenarios:\n  - name: a\n    steps:\n      - name: s\n        method: POST\n        path: /x\n        body: { code: { $one_of: [a, b] } }\n";
    assert_bad("one_of_in_a_request", text, 7, 25);
}

#[test]
fn the_alternatives_of_a_one_of_are_checked_as_expected_values() {
    // An alternative is an expected value like any other: an undefined
    // variable in one is an error at load time, where it is written.
    let text = "scenarios:\n  - name: a\n    steps:\n      - name: s\n        method: GET\n        path: /x\n        expect:\n          body: { code: { $one_of: [\"1101\", \"${nope}\"] } }\n";
    let (_, errors) = load("one_of_undefined", text);
    assert!(rendered(&errors).contains("nope"), "{}", rendered(&errors));
}

#[test]
fn a_warn_block_inside_a_warn_block_is_rejected() {
    let text = "scenarios:\n  - name: a\n    steps:\n      - name: s\n        method: GET\n        path: /x\n        expect:\n          warn:\n            status: 200\n            warn: { status: 201 }\n";
    assert_bad("nested_warn", text, 10, 19);
}

#[test]
fn a_warn_block_in_retry_until_is_rejected() {
    let text = "scenarios:\n  - name: a\n    steps:\n      - name: s\n        method: GET\n        path: /x\n        retry:\n          until: { status: 200, warn: { status: 201 } }\n        expect: { status: 200 }\n";
    assert_bad("warn_in_until", text, 8, 39);
}

#[test]
fn a_warn_block_in_an_expect_group_entry_is_rejected() {
    let text = "scenarios:\n  - name: a\n    steps:\n      - name: s\n        method: GET\n        path: /x\n        repeat: 2\n        expect_group:\n          - count: rest\n            expect: { status: 200, warn: { status: 201 } }\n";
    assert_bad("warn_in_group", text, 10, 42);
}

#[test]
fn a_warn_block_loads_with_its_signature_rule_ignore_unless_written() {
    let text = "scenarios:\n  - name: a\n    steps:\n      - name: s\n        method: GET\n        path: /x\n        expect:\n          status: 200\n          warn: { headers: { x-a: { present: true } } }\n      - name: t\n        method: GET\n        path: /x\n        expect:\n          warn: { signature: required }\n";
    let (scenarios, errors) = load("warn_signature", text);
    assert!(errors.is_empty(), "{}", rendered(&errors));
    let warn = |i: usize| {
        scenarios[0].steps[i]
            .expect
            .warn
            .as_deref()
            .expect("a warn block")
    };
    assert_eq!(
        warn(0).signature.value,
        veriff_conformance::SignatureExpect::Ignore
    );
    assert_eq!(warn(0).headers.len(), 1);
    assert_eq!(
        warn(1).signature.value,
        veriff_conformance::SignatureExpect::Required
    );
    // The step's own rule is untouched.
    assert_eq!(
        scenarios[0].steps[0].expect.signature.value,
        veriff_conformance::SignatureExpect::IfPresent
    );
}

#[test]
fn unknown_json_type_is_rejected() {
    let text = "scenarios:\n  - name: a\n    steps:\n      - name: s\n        method: GET\n        path: /x\n        expect:\n          body: { id: { $type: float } }\n";
    assert_bad("unknown_json_type", text, 8, 25);
}

#[test]
fn matchers_are_refused_in_request_bodies() {
    let text = "scenarios:\n  - name: a\n    steps:\n      - name: s\n        method: POST\n        path: /x\n        body: { id: { $type: string } }\n";
    assert_bad("matcher_in_request", text, 7, 23);
}

#[test]
fn mock_control_without_requires_mock_is_rejected() {
    let text = "scenarios:\n  - name: a\n    steps:\n      - name: s\n        method: GET\n        path: /x\n        headers: { X-Mock-Fault: \"500\" }\n";
    assert_bad("mock_control_unmarked", text, 7, 20);
}

#[test]
fn duplicate_scenario_names_are_rejected() {
    let text = "scenarios:\n  - name: Same name\n    steps: [ { name: s, method: GET, path: /x } ]\n  - name: same-name\n    steps: [ { name: s, method: GET, path: /x } ]\n";
    let (scenarios, errors) = load("duplicate_names", text);
    assert_eq!(scenarios.len(), 1, "the first of the two still runs");
    assert_eq!(
        errors[0].location(),
        Some(("specs/duplicate_names.yaml".into(), 4, 11))
    );
    insta::with_settings!({ snapshot_path => "../../snapshots", prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!("spec_error__duplicate_names", rendered(&errors));
    });
}

#[test]
fn a_file_without_scenarios_is_an_error() {
    assert_bad("no_scenarios", "scenarios: []\n", 1, 12);
}

#[test]
fn a_scenario_without_steps_is_an_error() {
    assert_bad(
        "no_steps",
        "scenarios:\n  - name: a\n    steps: []\n",
        3,
        12,
    );
}

#[test]
fn body_and_raw_body_together_are_rejected() {
    let text = "scenarios:\n  - name: a\n    steps:\n      - name: s\n        method: POST\n        path: /x\n        body: {}\n        raw_body: \"{}\"\n";
    assert_bad("two_bodies", text, 8, 19);
}

#[test]
fn omitting_a_header_that_is_not_a_default_is_rejected() {
    let text = "scenarios:\n  - name: a\n    steps:\n      - name: s\n        method: GET\n        path: /x\n        omit: [x-custom]\n";
    assert_bad("bad_omit", text, 7, 16);
}

#[test]
fn a_capture_without_a_source_is_rejected() {
    let text = "scenarios:\n  - name: a\n    steps:\n      - name: s\n        method: GET\n        path: /x\n        capture: { id: 12 }\n";
    assert_bad("bad_capture", text, 7, 24);
}

#[test]
fn unknown_requirement_is_rejected() {
    let text = "scenarios:\n  - name: a\n    requires: [sandbox]\n    steps: [ { name: s, method: GET, path: /x } ]\n";
    assert_bad("unknown_requirement", text, 3, 16);
}

#[test]
fn a_path_that_is_neither_a_path_nor_a_url_is_rejected() {
    let text =
        "scenarios:\n  - name: a\n    steps: [ { name: s, method: GET, path: v1/sessions } ]\n";
    assert_bad("relative_path", text, 3, 44);
}

#[test]
fn the_embedded_suite_loads_without_errors() {
    let loaded = veriff_conformance::load_embedded();
    assert!(loaded.errors.is_empty(), "{}", rendered(&loaded.errors));
    assert!(loaded.files >= 1);
    let mut names: Vec<_> = loaded
        .scenarios
        .iter()
        .map(|s| s.trial_name.clone())
        .collect();
    let count = names.len();
    names.dedup();
    assert_eq!(names.len(), count, "trial names are unique");
    assert!(names.contains(&"submit::double_submit_is_rejected".to_string()));
}

#[test]
fn a_folder_with_no_spec_files_is_an_error_not_an_empty_run() {
    let dir = std::env::temp_dir().join(format!("vc-empty-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let loaded = veriff_conformance::load_paths(std::slice::from_ref(&dir));
    assert!(loaded.scenarios.is_empty());
    assert!(
        loaded.errors[0].to_string().contains("no scenario files"),
        "{}",
        loaded.errors[0]
    );
    std::fs::remove_dir(&dir).unwrap();
}

#[test]
fn each_expected_field_points_at_its_own_key_even_when_a_value_contains_it() {
    let text = "scenarios:\n  - name: a\n    steps:\n      - name: s\n        method: GET\n        path: /x\n        expect:\n          body: { status: invalid, id: x, \"code\": \"1\", 'message': m }\n";
    let (scenarios, errors) = load("keys", text);
    assert!(errors.is_empty(), "{}", rendered(&errors));
    let file = &scenarios[0].file;
    let body = scenarios[0].steps[0].expect.body.as_ref().unwrap();
    let JsonTemplate::Object(fields) = &*body.value else {
        panic!("expected body is an object")
    };
    // A field is located from the start of its body.
    let columns: Vec<(&str, (usize, usize))> = fields
        .iter()
        .map(|f| (f.key.as_str(), file.line_col(body.at.start + f.at.start)))
        .collect();
    assert_eq!(
        columns,
        [
            ("status", (8, 19)),
            ("id", (8, 36)),
            ("code", (8, 44)),
            ("message", (8, 57))
        ]
    );
}

#[test]
fn signing_the_session_id_of_a_path_without_one_is_rejected() {
    let text = "scenarios:\n  - name: a\n    steps:\n      - name: s\n        method: GET\n        path: /v1/other\n        sign: session-id\n";
    assert_bad("session_id_without_session", text, 7, 15);
}

#[test]
fn the_same_trial_name_from_two_files_is_an_error_and_the_first_still_runs() {
    let root = std::env::temp_dir().join(format!("vc-dup-{}", std::process::id()));
    let spec = "scenarios:\n  - name: same\n    steps: [ { name: s, method: GET, path: /x } ]\n";
    for dir in ["a", "b"] {
        std::fs::create_dir_all(root.join(dir)).unwrap();
        std::fs::write(root.join(dir).join("x.yaml"), spec).unwrap();
    }
    let loaded = veriff_conformance::load_paths(&[root.join("a/x.yaml"), root.join("b/x.yaml")]);
    let names: Vec<_> = loaded
        .scenarios
        .iter()
        .map(|s| (s.trial_name.as_str(), s.file.name.as_str()))
        .collect();
    assert_eq!(
        names,
        [("x::same", root.join("a/x.yaml").to_str().unwrap())]
    );
    assert_eq!(loaded.errors.len(), 1);
    let (file, line, col) = loaded.errors[0].location().unwrap();
    assert_eq!(
        (file.as_str(), line, col),
        (root.join("b/x.yaml").to_str().unwrap(), 2, 11)
    );
    assert!(
        loaded.errors[0]
            .to_string()
            .contains("trial name `x::same` is taken"),
        "{}",
        loaded.errors[0]
    );
    // From their common folder, the names differ and both run.
    let loaded = veriff_conformance::load_paths(std::slice::from_ref(&root));
    assert!(loaded.errors.is_empty(), "{}", rendered(&loaded.errors));
    let names: Vec<_> = loaded
        .scenarios
        .iter()
        .map(|s| s.trial_name.as_str())
        .collect();
    assert_eq!(names, ["a/x::same", "b/x::same"]);
    std::fs::remove_dir_all(&root).unwrap();
}

#[test]
fn request_headers_that_differ_only_in_case_are_rejected_showing_both() {
    let text = "scenarios:\n  - name: a\n    steps:\n      - name: s\n        method: GET\n        path: /x\n        headers: { X-A: a, x-a: b }\n";
    assert_bad("header_case_twice", text, 7, 28);
    let (_, errors) = load("header_case_twice", text);
    assert!(
        errors[0].to_string().contains("`X-A` (line 7, column 20)"),
        "the first place is named in the one-line form too: {}",
        errors[0]
    );
}

#[test]
fn expected_headers_that_differ_only_in_case_are_separate_rules_all_kept() {
    // Unlike request headers, nothing is lost: each rule is checked.
    let text = "scenarios:\n  - name: a\n    steps:\n      - name: s\n        method: GET\n        path: /x\n        expect:\n          headers:\n            Content-Type: { present: true }\n            content-type: { matches: \"^text/\" }\n";
    let (scenarios, errors) = load("expect_header_rules", text);
    assert!(errors.is_empty(), "{}", rendered(&errors));
    let rules = &scenarios[0].steps[0].expect.headers;
    assert_eq!(rules.len(), 2);
    assert!(matches!(rules[0].value.rule, HeaderRule::Present));
    assert!(matches!(rules[1].value.rule, HeaderRule::Matches(_)));
}

#[test]
fn exactly_repeated_header_keys_stay_a_yaml_error() {
    let text = "scenarios:\n  - name: a\n    steps:\n      - name: s\n        method: GET\n        path: /x\n        headers: { X-A: a, X-A: b }\n";
    let (scenarios, errors) = load("header_twice", text);
    assert!(scenarios.is_empty());
    assert_eq!(errors.len(), 1, "{}", rendered(&errors));
    assert!(
        errors[0].message.contains("duplicate mapping key"),
        "{}",
        errors[0]
    );
}

#[test]
fn capturing_a_header_with_an_invalid_name_is_a_load_error_at_the_name() {
    let text = "scenarios:\n  - name: a\n    steps:\n      - name: s\n        method: GET\n        path: /x\n        capture: { a: { header: \"bad name\" } }\n";
    assert_bad("capture_bad_header", text, 7, 34);
}

#[test]
fn a_scenario_can_require_the_mock_and_opt_in_features() {
    use veriff_conformance::Requirement;
    let text = "scenarios:\n  - name: a\n    requires: [mock, feature:delete, feature:watchlist]\n    steps: [ { name: s, method: GET, path: /x } ]\n  - name: b\n    requires: [feature:delete]\n    steps: [ { name: s, method: GET, path: /x } ]\n  - name: c\n    steps: [ { name: s, method: GET, path: /x } ]\n";
    let (scenarios, errors) = load("features", text);
    assert!(errors.is_empty(), "{}", rendered(&errors));
    assert_eq!(
        scenarios[0].requires,
        [
            Requirement::Mock,
            Requirement::Feature("delete".into()),
            Requirement::Feature("watchlist".into())
        ]
    );
    assert!(scenarios[0].requires_mock());
    assert!(!scenarios[1].requires_mock());
    assert_eq!(
        scenarios[1].required_features().collect::<Vec<_>>(),
        ["delete"]
    );
    assert!(scenarios[2].requires.is_empty());
    assert_eq!(scenarios[1].requires[0].to_string(), "feature:delete");
}

#[test]
fn an_unknown_feature_is_rejected_with_the_known_ones() {
    let text = "scenarios:\n  - name: a\n    requires: [feature:teleport]\n    steps: [ { name: s, method: GET, path: /x } ]\n";
    assert_bad("unknown_feature", text, 3, 16);
}

#[test]
fn an_error_about_a_value_with_multibyte_characters_renders() {
    // Found by tests/spec_fuzz.rs: the span of this mapping ends inside `¡`.
    let text = "scenarios:\n- name: a\n  steps:\n  - name: s\n    method: POST\n    path: /x\n    sign:\n      ¡𚿰!: 100\n";
    let (scenarios, errors) = load("multibyte", text);
    assert!(scenarios.is_empty());
    let text = rendered(&errors);
    assert!(text.contains("unknown signing mode"), "{text}");
}

#[test]
fn the_session_page_without_requires_mock_is_rejected_at_the_step() {
    let text = "scenarios:\n  - name: open it\n    steps:\n      - name: create\n        method: POST\n        path: /v1/sessions\n        capture: { token: verification.sessionToken }\n      - name: open the page\n        method: GET\n        path: /v/${token}\n";
    assert_bad("mock_only_path_unmarked", text, 10, 15);
}

#[test]
fn a_mock_control_path_without_requires_mock_is_rejected() {
    for path in ["/mock/webhooks", "/mock/sessions/x/decision", "/mock"] {
        let text = format!(
            "scenarios:\n  - name: a\n    steps: [ {{ name: s, method: GET, path: {path} }} ]\n"
        );
        let (scenarios, errors) = load("mock_path", &text);
        assert!(scenarios.is_empty(), "{path}");
        assert!(
            rendered(&errors).contains("a path only the embedded mock serves"),
            "{path}: {}",
            rendered(&errors)
        );
    }
}

#[test]
fn mock_only_paths_load_when_the_scenario_requires_the_mock_and_lookalikes_always() {
    let text = "scenarios:\n  - name: a\n    requires: [mock]\n    steps: [ { name: s, method: GET, path: /v/abc }, { name: t, method: GET, path: /mock/webhooks } ]\n  - name: b\n    steps: [ { name: s, method: GET, path: /v1/sessions }, { name: t, method: GET, path: /mockery }, { name: u, method: GET, path: /video } ]\n";
    let (scenarios, errors) = load("mock_only_marked", text);
    assert!(errors.is_empty(), "{}", rendered(&errors));
    assert_eq!(scenarios.len(), 2);
}
