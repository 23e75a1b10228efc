//! The loader against arbitrary input: generated scenario-shaped YAML (known
//! keys with plausible or random values, random extra keys, random nesting),
//! the same text mutated at random, and random bytes. Whatever it is given,
//! it returns scenarios or spec errors, and every error renders; it never
//! panics. Also a few hand-written hostile inputs the YAML reader must bound.
//!
//! Bounded to run in seconds: 256 cases per property, small sizes. Schemas
//! are looked up in the embedded suite, so no generated path touches the disk.

use std::sync::mpsc;
use std::time::Duration;

use proptest::prelude::*;
use serde_json::{Map, Value};
use veriff_conformance::Loader;
use veriff_conformance::{Files, SourceFile};

/// Loads `text` and checks the outcome; panics (failing the property) if the
/// loader panics, returns nothing at all, or gives an error that cannot render.
fn load_any(text: &str) {
    let file = SourceFile::new("specs/fuzz.yaml", "specs/fuzz.yaml", text);
    let (scenarios, errors) = Loader::new(Files::Embedded).load(&file, "fuzz");
    assert!(
        !scenarios.is_empty() || !errors.is_empty(),
        "neither scenarios nor errors for:\n{text}"
    );
    for err in &errors {
        let rendered = err.render_plain();
        assert!(rendered.starts_with("error: "), "{rendered}");
        let _ = err.to_string();
    }
}

/// Words the loader gives meaning to, and ones that are close.
const VOCAB: &[&str] = &[
    "",
    " ",
    "GET",
    "post",
    "PATCH",
    "FETCH",
    "/v1/sessions",
    "/v1/sessions/${id}",
    "/v1/sessions/${gen.uuid}/decision",
    "v1/x",
    "https://example.com/${run.base_url}",
    "${id}",
    "${gen.uuid}",
    "${gen.vendor_data}",
    "${gen.other}",
    "${run.api_key}",
    "${response}",
    "${response.verification.id}",
    "${",
    "${a b}",
    "$${x}",
    "${}",
    "$",
    "$$",
    "auto",
    "body",
    "session-id",
    "none",
    "wrong-secret",
    "payload",
    "value",
    "4xx",
    "6xx",
    "200",
    "subset",
    "exact",
    "if-present",
    "required",
    "ignore",
    "mock",
    "feature:delete",
    "feature:watchlist",
    "feature:",
    "feature:teleport",
    "X-A",
    "x-a",
    "x-mock-fault",
    "X-AUTH-CLIENT",
    "content-type",
    "bad name",
    "present",
    "absent",
    "equals",
    "matches",
    "header",
    "$regex",
    "$type",
    "string",
    "float",
    "(",
    "^a.*$",
    "verification.id",
    "/verification/id",
    "schemas/none.json",
    "specs/schemas/../x.json",
    "é",
    "日本",
    "\u{1F600}",
    "a\tb",
    "line\nbreak",
    "\r\n",
    "~",
    "null",
    "true",
    "-",
    "#",
    "&a",
    "*a",
];

/// Plausible header names, two of them the same but for case.
const HEADERS: &[&str] = &["X-A", "x-a", "content-type", "X-Request-Id", "x-mock-fault"];
/// Plausible variable names (and step or scenario names).
const NAMES: &[&str] = &["id", "token", "vendor", "x-1", "_y", "create", "Submit it!"];

fn word() -> BoxedStrategy<String> {
    prop_oneof![
        4 => prop::sample::select(VOCAB).prop_map(String::from),
        2 => "[ -~]{0,12}",
        1 => "\\PC{0,8}",
    ]
    .boxed()
}

fn scalar() -> BoxedStrategy<Value> {
    prop_oneof![
        1 => Just(Value::Null),
        1 => any::<bool>().prop_map(Value::from),
        1 => any::<i64>().prop_map(Value::from),
        1 => (0u64..1000).prop_map(Value::from),
        1 => any::<f64>().prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        4 => word().prop_map(Value::from),
    ]
    .boxed()
}

fn object(entries: Vec<(String, Value)>) -> Value {
    Value::Object(entries.into_iter().collect::<Map<_, _>>())
}

/// Any JSON value, matchers included, nested a few levels.
fn value() -> BoxedStrategy<Value> {
    scalar()
        .prop_recursive(4, 24, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::vec((word(), inner.clone()), 0..4).prop_map(object),
                (
                    prop::sample::select(&["$regex", "$type", "$other"][..]),
                    inner
                )
                    .prop_map(|(k, v)| object(vec![(k.to_string(), v)])),
            ]
        })
        .boxed()
}

/// Either a plausible value or any value.
fn either(plausible: BoxedStrategy<Value>) -> BoxedStrategy<Value> {
    prop_oneof![50 => plausible, 1 => value()].boxed()
}

fn word_value() -> BoxedStrategy<Value> {
    word().prop_map(Value::from).boxed()
}

fn words(max: usize) -> BoxedStrategy<Value> {
    prop::collection::vec(word_value(), 0..max)
        .prop_map(Value::Array)
        .boxed()
}

/// A map from mostly plausible `keys` to `values`.
fn word_map(keys: &'static [&'static str], values: BoxedStrategy<Value>) -> BoxedStrategy<Value> {
    let key = prop_oneof![6 => prop::sample::select(keys).prop_map(String::from), 1 => word()];
    prop::collection::vec((key, values), 0..4)
        .prop_map(object)
        .boxed()
}

/// Builds a mapping from the keys whose value is present, plus rarely one
/// random key. Keys marked `!` are required by the format, and nearly always there.
fn fields(
    keys: &'static [&'static str],
    values: Vec<BoxedStrategy<Value>>,
) -> BoxedStrategy<Value> {
    let present: Vec<BoxedStrategy<Option<Value>>> = keys
        .iter()
        .zip(values)
        .map(|(k, v)| {
            prop::option::weighted(if k.starts_with('!') { 0.995 } else { 0.4 }, v).boxed()
        })
        .collect();
    (present, prop::option::weighted(0.03, (word(), value())))
        .prop_map(move |(values, extra)| {
            let mut entries: Vec<(String, Value)> = keys
                .iter()
                .zip(values)
                .filter_map(|(k, v)| v.map(|v| (k.trim_start_matches('!').to_string(), v)))
                .collect();
            entries.extend(extra);
            object(entries)
        })
        .boxed()
}

/// Mostly one of `choices`, sometimes any word.
fn one_of(choices: &'static [&'static str]) -> BoxedStrategy<Value> {
    prop_oneof![
        6 => prop::sample::select(choices).prop_map(Value::from),
        1 => word_value(),
    ]
    .boxed()
}

fn expect() -> BoxedStrategy<Value> {
    let status = prop_oneof![
        (0u64..700).prop_map(Value::from),
        prop::collection::vec((90u64..610).prop_map(Value::from), 0..3).prop_map(Value::Array),
        word_value(),
    ]
    .boxed();
    let rule = prop_oneof![
        word_value(),
        (
            prop::sample::select(&["present", "absent"][..]),
            any::<bool>()
        )
            .prop_map(|(k, b)| object(vec![(k.into(), b.into())])),
        (prop::sample::select(&["equals", "matches"][..]), word())
            .prop_map(|(k, w)| object(vec![(k.into(), w.into())])),
    ]
    .boxed();
    fields(
        &[
            "status",
            "headers",
            "schema",
            "body",
            "body_match",
            "signature",
        ],
        vec![
            either(status),
            either(word_map(HEADERS, rule)),
            one_of(&["schemas/none.json", "/dev/zero", "../x.json"]),
            value(),
            one_of(&["subset", "exact"]),
            one_of(&["if-present", "required", "ignore"]),
        ],
    )
}

fn step() -> BoxedStrategy<Value> {
    let capture_from = prop_oneof![
        word_value(),
        word().prop_map(|w| object(vec![("header".into(), w.into())])),
    ]
    .boxed();
    let sign = prop_oneof![
        word_value(),
        (prop::sample::select(&["payload", "value"][..]), word())
            .prop_map(|(k, w)| object(vec![(k.into(), w.into())])),
    ]
    .boxed();
    fields(
        &[
            "!name", "!method", "!path", "headers", "omit", "body", "raw_body", "sign", "expect",
            "capture",
        ],
        vec![
            one_of(NAMES),
            one_of(&["GET", "POST", "patch", "DELETE", "PUT", "HEAD", "OPTIONS"]),
            one_of(&[
                "/v1/sessions",
                "/v1/sessions/${id}",
                "/v1/sessions/${gen.uuid}/decision",
                "/v1/sessions/abc/media",
                "https://example.com/x",
                "${run.base_url}/x",
            ]),
            either(word_map(HEADERS, word_value())),
            either(words(3)),
            value(),
            word_value(),
            either(prop_oneof![3 => one_of(&["auto", "body", "session-id", "none", "wrong-secret"]), 1 => sign].boxed()),
            either(expect()),
            either(word_map(NAMES, capture_from)),
        ],
    )
}

fn scenario() -> BoxedStrategy<Value> {
    fields(
        &["!name", "description", "tags", "requires", "vars", "!steps"],
        vec![
            one_of(NAMES),
            word_value(),
            either(words(3)),
            either(
                prop::collection::vec(
                    one_of(&["mock", "feature:delete", "feature:watchlist"]),
                    0..3,
                )
                .prop_map(Value::Array)
                .boxed(),
            ),
            either(word_map(NAMES, word_value())),
            either(
                prop::collection::vec(step(), 1..4)
                    .prop_map(Value::Array)
                    .boxed(),
            ),
        ],
    )
}

fn spec_file() -> BoxedStrategy<Value> {
    prop_oneof![
        15 => prop::collection::vec(scenario(), 1..3)
            .prop_map(|s| object(vec![("scenarios".into(), Value::Array(s))])),
        1 => value(),
    ]
    .boxed()
}

/// The value as YAML (block style, as people write it) or as JSON (flow style).
fn render(value: &Value, as_json: bool) -> String {
    if as_json {
        serde_json::to_string(value).unwrap()
    } else {
        serde_saphyr::to_string(value).unwrap()
    }
}

/// Overwrites, inserts or deletes a few bytes at `at` (modulo the length),
/// keeping the text UTF-8 by replacing what breaks.
fn mutate(text: &str, at: usize, cut: usize, insert: &[u8]) -> String {
    let mut bytes = text.as_bytes().to_vec();
    let at = if bytes.is_empty() {
        0
    } else {
        at % bytes.len()
    };
    let end = (at + cut).min(bytes.len());
    bytes.splice(at..end, insert.iter().copied());
    String::from_utf8_lossy(&bytes).into_owned()
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 256,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn generated_scenario_yaml_gives_scenarios_or_errors_never_a_panic(
        file in spec_file(),
        as_json in prop::bool::weighted(0.2),
    ) {
        load_any(&render(&file, as_json));
    }

    #[test]
    fn generated_yaml_with_random_edits_gives_scenarios_or_errors_never_a_panic(
        file in spec_file(),
        as_json in prop::bool::weighted(0.2),
        at in any::<usize>(),
        cut in 0usize..8,
        insert in prop::collection::vec(
            prop_oneof![
                prop::sample::select(&b":-[]{}\"'\n #&*!|>%@`\\"[..]),
                any::<u8>(),
            ],
            0..6,
        ),
    ) {
        load_any(&mutate(&render(&file, as_json), at, cut, &insert));
    }

    #[test]
    fn random_bytes_give_errors_never_a_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        load_any(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn random_text_after_a_scenario_key_gives_errors_never_a_panic(text in "\\PC{0,200}") {
        load_any(&format!("scenarios:\n  - name: a\n    steps:\n      - {text}"));
    }
}

/// Runs `f` on another thread and fails if it takes over 20 seconds.
fn within_time(f: impl FnOnce() + Send + 'static) {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        f();
        let _ = tx.send(());
    });
    rx.recv_timeout(Duration::from_secs(20))
        .expect("the loader did not finish within 20 s (or panicked)");
}

#[test]
fn exponential_aliases_are_refused_not_expanded() {
    // "Billion laughs": each level repeats the previous one ten times.
    let mut text = String::from(
        "scenarios:\n  - name: a\n    steps:\n      - name: s\n        method: POST\n        path: /x\n        body:\n          l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n",
    );
    for level in 1..10 {
        let prev = format!("*l{}", level - 1);
        let items = [prev.as_str(); 10].join(", ");
        text.push_str(&format!("          l{level}: &l{level} [{items}]\n"));
    }
    within_time(move || {
        let file = SourceFile::new("specs/laughs.yaml", "specs/laughs.yaml", text);
        let (scenarios, errors) = Loader::new(Files::Embedded).load(&file, "laughs");
        assert!(scenarios.is_empty());
        assert_eq!(errors.len(), 1);
    });
}

#[test]
fn nesting_deeper_than_the_yaml_reader_allows_is_an_error() {
    for deep in [
        format!("scenarios: {}", "[".repeat(100_000)),
        format!(
            "scenarios:\n  - name: a\n    steps:\n      - name: s\n        method: POST\n        path: /x\n        body: {}1{}\n",
            "{a: ".repeat(5_000),
            "}".repeat(5_000)
        ),
    ] {
        within_time(move || {
            let file = SourceFile::new("specs/deep.yaml", "specs/deep.yaml", deep);
            let (scenarios, errors) = Loader::new(Files::Embedded).load(&file, "deep");
            assert!(scenarios.is_empty());
            assert_eq!(errors.len(), 1, "{errors:?}");
        });
    }
}

#[test]
fn a_body_nested_as_deep_as_allowed_loads() {
    let depth = 40;
    let text = format!(
        "scenarios:\n  - name: a\n    steps:\n      - name: s\n        method: POST\n        path: /x\n        body: {}1{}\n",
        "{a: ".repeat(depth),
        "}".repeat(depth)
    );
    let file = SourceFile::new("specs/nested.yaml", "specs/nested.yaml", text);
    let (scenarios, errors) = Loader::new(Files::Embedded).load(&file, "nested");
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(scenarios.len(), 1);
}
