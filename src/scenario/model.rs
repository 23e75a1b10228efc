//! The checked, ready-to-run form of a spec: every template parsed, every
//! regex and schema compiled, every name resolved. Ranges are byte ranges in
//! the scenario's [`SourceFile`].

use std::ops::Range;
use std::sync::Arc;

use serde_json::Value;

use super::source::SourceFile;
use super::template::Template;
use crate::inbox::kind::WebhookKind;

/// A value and the byte range of the spec text it came from.
#[derive(Debug, Clone, Default)]
pub struct Located<T> {
    /// The value.
    pub value: T,
    /// Where it was written.
    pub at: Range<usize>,
}

/// One scenario: ordered steps sharing variables.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// The file it was written in.
    pub file: Arc<SourceFile>,
    /// The name as written.
    pub name: String,
    /// The libtest trial name: `<file path without extension>::<name in snake case>`.
    pub trial_name: String,
    /// Free text.
    pub description: Option<String>,
    /// Free labels.
    pub tags: Vec<String>,
    /// What the scenario needs from the run (`requires:`), each once, in the
    /// order written.
    pub requires: Vec<Requirement>,
    /// Where the scenario's name was written.
    pub at: Range<usize>,
    /// Scenario variables, evaluated once, in order, when the scenario starts.
    pub vars: Vec<(String, Located<Template>)>,
    /// The steps, in order.
    pub steps: Vec<Step>,
}

impl Scenario {
    /// Whether the scenario needs the embedded mock's controls; it is
    /// reported as ignored against any other server.
    pub fn requires_mock(&self) -> bool {
        self.requires.contains(&Requirement::Mock)
    }

    /// Whether a step of the scenario awaits a webhook, so that the run needs
    /// a webhook receiver; it is reported as ignored in a run without one.
    pub fn awaits_webhooks(&self) -> bool {
        self.steps.iter().any(|s| s.webhook.is_some())
    }

    /// The opt-in API features the scenario needs (names from [`FEATURES`]).
    pub fn required_features(&self) -> impl Iterator<Item = &str> {
        self.requires.iter().filter_map(|r| match r {
            Requirement::Feature(name) => Some(name.as_str()),
            Requirement::Mock | Requirement::Value(_) => None,
        })
    }

    /// The run values the scenario needs (`requires: [run.NAME]`), by name.
    pub fn required_values(&self) -> impl Iterator<Item = &str> {
        self.requires.iter().filter_map(|r| match r {
            Requirement::Value(name) => Some(name.as_str()),
            Requirement::Mock | Requirement::Feature(_) => None,
        })
    }
}

/// The opt-in API features a scenario can require with
/// `requires: [feature:<name>]`: DELETE is off by default and rate-limited on
/// Veriff's side, and watchlist screening exists only for PEP & Sanctions customers.
pub const FEATURES: &[&str] = &["delete", "watchlist"];

/// Something a scenario needs from the run, written under `requires:`.
///
/// ```
/// use veriff_conformance::Requirement;
/// assert_eq!(Requirement::parse("feature:delete"), Some(Requirement::Feature("delete".into())));
/// assert_eq!(Requirement::parse("feature:teleport"), None);
/// assert_eq!(Requirement::parse("run.event_url"), Some(Requirement::Value("event_url".into())));
/// assert_eq!(Requirement::Mock.to_string(), "mock");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Requirement {
    /// `mock`: the scenario uses the embedded mock's controls.
    Mock,
    /// `feature:<name>`: an opt-in API feature, one of [`FEATURES`].
    Feature(String),
    /// `run.<name>`: a value the caller of the run gives (`${run.<name>}`);
    /// without it the scenario is ignored. Which names exist is the loader's
    /// to check.
    Value(String),
}

impl Requirement {
    /// Parses `mock`, `feature:<known feature>` or `run.<name>`.
    pub fn parse(text: &str) -> Option<Requirement> {
        if let Some(name) = text.strip_prefix("run.") {
            let valid = !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
            return valid.then(|| Requirement::Value(name.to_string()));
        }
        match text.strip_prefix("feature:") {
            Some(name) if FEATURES.contains(&name) => Some(Requirement::Feature(name.to_string())),
            Some(_) => None,
            None if text == "mock" => Some(Requirement::Mock),
            None => None,
        }
    }
}

impl std::fmt::Display for Requirement {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Requirement::Mock => f.write_str("mock"),
            Requirement::Feature(name) => write!(f, "feature:{name}"),
            Requirement::Value(name) => write!(f, "run.{name}"),
        }
    }
}

/// One request and what its response must look like; or, with `webhook`,
/// a webhook to await and what it must look like.
///
/// A webhook step sends nothing. Its request fields stand for it in
/// reports and baselines: `method` is `WEBHOOK`, `path` is the type
/// (`decision`), so that its "request line" reads `WEBHOOK decision`; the
/// other request fields are empty. Its `expect` always requires the
/// signature ([`SignatureExpect::Required`]).
#[derive(Debug, Clone)]
pub struct Step {
    /// The step's name.
    pub name: String,
    /// Where the step's name was written.
    pub at: Range<usize>,
    /// HTTP method.
    pub method: reqwest::Method,
    /// Path (joined to the base URL) or absolute URL.
    pub path: Located<Template>,
    /// Extra or overriding request headers; names in lower case.
    pub headers: Vec<(String, Located<Template>)>,
    /// Default headers to leave out (lower case): `x-auth-client`, `x-hmac-signature`, `content-type`.
    pub omit: Vec<String>,
    /// The request body.
    pub body: RequestBody,
    /// How the request is signed.
    pub sign: Located<SignMode>,
    /// What the response must look like.
    pub expect: Expect,
    /// Values to keep from the response for later steps.
    pub captures: Vec<Capture>,
    /// `retry:`: send again until these expectations hold (boxed: rare, and
    /// as large as a step's own `expect`).
    pub retry: Option<Box<Poll>>,
    /// `repeat:`: the request is sent several times, as a group (boxed: rare).
    pub group: Option<Box<Group>>,
    /// `webhook:`: the step awaits a webhook instead of sending a request (boxed: rare).
    pub webhook: Option<Box<AwaitWebhook>>,
}

/// The method that stands for a webhook step in reports and baselines.
pub const WEBHOOK_METHOD: &str = "WEBHOOK";

/// `webhook: { type, session, within }`: the step waits for a webhook of
/// that type for that session, which may have arrived already, and checks
/// it with the step's `expect` (as a response with status 200, its headers
/// and its body). Its `X-AUTH-CLIENT` must be the API key and its
/// signature must verify, whatever `expect` says.
///
/// ```
/// use std::time::Duration;
/// use veriff_conformance::{Files, Loader, SourceFile, WebhookKind};
///
/// let file = SourceFile::new("w.yaml", "w.yaml", r#"
/// scenarios:
///   - name: the event arrives
///     vars: { id: s-1 }
///     steps:
///       - name: started
///         webhook: { type: event, session: "${id}", within: 5s }
///         expect: { body: { action: started } }
/// "#);
/// let (scenarios, errors) = Loader::new(Files::Disk).load(&file, "w");
/// assert!(errors.is_empty(), "{errors:?}");
/// let step = &scenarios[0].steps[0];
/// let awaited = step.webhook.as_ref().unwrap();
/// assert_eq!(awaited.kind.value, WebhookKind::Event);
/// assert_eq!(awaited.within.value, Duration::from_secs(5));
/// assert_eq!(format!("{} {}", step.method, step.path.value.as_literal().unwrap()), "WEBHOOK event");
/// ```
#[derive(Debug, Clone)]
pub struct AwaitWebhook {
    /// The type awaited (never [`WebhookKind::Unknown`]).
    pub kind: Located<WebhookKind>,
    /// The session id it must be for.
    pub session: Located<Template>,
    /// How long to wait, from the moment the step starts (located at the
    /// key `webhook` when not written).
    pub within: Located<std::time::Duration>,
    /// Where the key `webhook` is written.
    pub at: Range<usize>,
}

/// `repeat: N` (with `concurrently: true`, at the same moment) and
/// `expect_group:`. The step's `expect` applies to every answer; the group's
/// buckets say how many answers of each status there must be, and what each
/// of them must meet.
#[derive(Debug, Clone)]
pub struct Group {
    /// How many requests (`repeat`).
    pub size: Located<usize>,
    /// Sent at the same moment rather than one after another.
    pub concurrently: bool,
    /// `expect_group`, in order; an answer belongs to the first bucket whose
    /// `status` accepts it.
    pub buckets: Vec<Bucket>,
}

/// One entry of `expect_group`.
#[derive(Debug, Clone)]
pub struct Bucket {
    /// How many answers it must hold.
    pub count: Located<Count>,
    /// What each of its answers must meet; `status` (always given) sorts answers into buckets.
    pub expect: Expect,
    /// Where the entry is written.
    pub at: Range<usize>,
}

/// How many answers a bucket must hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Count {
    /// Exactly this many.
    Exactly(usize),
    /// Every answer the other buckets' counts leave.
    Rest,
}

/// `retry: { until, every, for }`: the step is sent again, `every` apart,
/// until its answer meets `until` or `for` has passed. The step's `expect`
/// and `capture` then apply to the answer that met `until`; when none did, the
/// step fails with the last answer and what of `until` it did not meet.
#[derive(Debug, Clone)]
pub struct Poll {
    /// What an answer must meet to stop polling (signatures are left to `expect`).
    pub until: Expect,
    /// The wait between one answer and the next request.
    pub every: Located<std::time::Duration>,
    /// How long to keep polling, from the first request.
    pub within: Located<std::time::Duration>,
    /// Where `retry:` is written.
    pub at: Range<usize>,
}

/// A request body.
#[derive(Debug, Clone)]
pub enum RequestBody {
    /// No body.
    None,
    /// JSON written as YAML; serialized once, and those bytes are signed and sent.
    /// Identical bodies of a file share one tree (see [`Field::at`]).
    Json(Located<Arc<JsonTemplate>>),
    /// Exact text, sent as written (for malformed or empty bodies).
    Raw(Located<Template>),
}

/// A JSON value whose strings may hold variables and, in expectations, matchers.
#[derive(Debug, Clone, PartialEq)]
pub enum JsonTemplate {
    /// null, a boolean or a number (boxed: an inline `Value` would make
    /// every node of every template as large as a JSON object).
    Scalar(Box<Value>),
    /// A string; a string that is exactly one `${var}` takes the variable's JSON value.
    String(Template),
    /// An array; order matters.
    Array(Vec<JsonTemplate>),
    /// An object; key order never matters. Each field keeps where its key is written.
    Object(Vec<Field>),
    /// A matcher (expectations only): `{$regex: ...}`, `{$type: ...}` or `{$one_of: [...]}`.
    Matcher(Matcher),
}

/// One field of a [`JsonTemplate::Object`].
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// The key.
    pub key: String,
    /// Where the key is written: a byte range from the start of the body it
    /// belongs to (the `at` of its [`Located`] body), so that a body's tree
    /// does not depend on where it is written and identical bodies share one.
    pub at: Range<usize>,
    /// The value.
    pub value: JsonTemplate,
}

/// A rule for one value in an expected body.
#[derive(Debug, Clone, PartialEq)]
pub enum Matcher {
    /// The value is a string that matches; variables inside are matched literally.
    Regex(Template),
    /// The value has this JSON type.
    Type(JsonType),
    /// The value meets at least one of these (`{$one_of: [...]}`): each is an
    /// expected value, matched as the body is (objects as a subset).
    OneOf(Vec<JsonTemplate>),
}

/// JSON types for `$type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonType {
    /// `null`.
    Null,
    /// `true` or `false`.
    Boolean,
    /// Any number.
    Number,
    /// A number without a fractional part.
    Integer,
    /// A string.
    String,
    /// An array.
    Array,
    /// An object.
    Object,
}

impl JsonType {
    /// The names accepted by `$type`.
    pub const NAMES: &'static [&'static str] = &[
        "null", "boolean", "number", "integer", "string", "array", "object",
    ];

    /// Parses a `$type` name.
    pub fn parse(name: &str) -> Option<JsonType> {
        Some(match name {
            "null" => JsonType::Null,
            "boolean" => JsonType::Boolean,
            "number" => JsonType::Number,
            "integer" => JsonType::Integer,
            "string" => JsonType::String,
            "array" => JsonType::Array,
            "object" => JsonType::Object,
            _ => return None,
        })
    }

    /// The JSON type of `value` (integers report as `integer`).
    pub fn of(value: &Value) -> JsonType {
        match value {
            Value::Null => JsonType::Null,
            Value::Bool(_) => JsonType::Boolean,
            Value::Number(n) if n.is_i64() || n.is_u64() => JsonType::Integer,
            Value::Number(_) => JsonType::Number,
            Value::String(_) => JsonType::String,
            Value::Array(_) => JsonType::Array,
            Value::Object(_) => JsonType::Object,
        }
    }

    /// Whether `value` has this type (an integer is also a number).
    pub fn matches(self, value: &Value) -> bool {
        let actual = JsonType::of(value);
        actual == self || (self == JsonType::Number && actual == JsonType::Integer)
    }

    /// The name as written in specs.
    pub fn name(self) -> &'static str {
        match self {
            JsonType::Null => "null",
            JsonType::Boolean => "boolean",
            JsonType::Number => "number",
            JsonType::Integer => "integer",
            JsonType::String => "string",
            JsonType::Array => "array",
            JsonType::Object => "object",
        }
    }
}

/// How a request is signed (`sign:`).
#[derive(Debug, Clone)]
pub enum SignMode {
    /// Veriff's rule per method: POST and PATCH sign the body bytes, GET and
    /// DELETE the id in the path (session, attempt or media id), `POST
    /// /v1/sessions` is unsigned.
    Auto,
    /// Sign the exact body bytes (empty when there is no body).
    Body,
    /// Sign the session id taken from the path (`/sessions/{id}`).
    SessionId,
    /// Sign the id Veriff signs for GET and DELETE: the session, attempt or
    /// media id in the path (see [`crate::signing::path_id_in`]).
    PathId,
    /// Sign these bytes instead of what is sent: "a signature over other bytes".
    Payload(Template),
    /// Send no signature header.
    None,
    /// Sign the right bytes with a secret that is not the shared secret.
    WrongSecret,
    /// Send this header value as it is (garbage, say).
    Value(Template),
}

/// Everything a response must satisfy; every part is optional.
#[derive(Debug, Clone, Default)]
pub struct Expect {
    /// The status code.
    pub status: Option<Located<StatusExpect>>,
    /// Header rules; names in lower case.
    pub headers: Vec<Located<HeaderExpect>>,
    /// A compiled JSON Schema the body must satisfy.
    pub schema: Option<Located<Arc<CompiledSchema>>>,
    /// The expected body; identical bodies of a file share one tree (see
    /// [`Field::at`]).
    pub body: Option<Located<Arc<JsonTemplate>>>,
    /// Whether the body must match exactly rather than as a subset.
    pub body_exact: bool,
    /// The exact bytes the body must be (`body_base64`), for binary bodies
    /// such as a downloaded medium (boxed: rare).
    pub body_bytes: Option<Box<Located<Vec<u8>>>>,
    /// What to require of the response signature.
    pub signature: Located<SignatureExpect>,
    /// `warn:`: expectations whose unmet parts are warnings, not failures
    /// (what Veriff's docs leave open or state only in older pages). Boxed: rare.
    pub warn: Option<Box<Expect>>,
}

/// Expected status codes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StatusExpect {
    /// One of these codes.
    AnyOf(Vec<u16>),
    /// A class: `4xx` is `Class(4)`.
    Class(u16),
    /// Anything the inner expectation refuses: `{ not: 2xx }`.
    Not(Box<StatusExpect>),
}

impl StatusExpect {
    /// Whether `status` satisfies the expectation.
    ///
    /// ```
    /// use veriff_conformance::StatusExpect;
    /// assert!(StatusExpect::Class(4).accepts(404));
    /// assert!(!StatusExpect::AnyOf(vec![200]).accepts(201));
    /// assert!(StatusExpect::Not(Box::new(StatusExpect::Class(2))).accepts(401));
    /// ```
    pub fn accepts(&self, status: u16) -> bool {
        match self {
            StatusExpect::AnyOf(codes) => codes.contains(&status),
            StatusExpect::Class(class) => status / 100 == *class,
            StatusExpect::Not(inner) => !inner.accepts(status),
        }
    }
}

impl std::fmt::Display for StatusExpect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StatusExpect::AnyOf(codes) => {
                let codes: Vec<String> = codes.iter().map(u16::to_string).collect();
                f.write_str(&codes.join(" or "))
            }
            StatusExpect::Class(class) => write!(f, "{class}xx"),
            StatusExpect::Not(inner) => write!(f, "not {inner}"),
        }
    }
}

/// A rule for one response header.
#[derive(Debug, Clone)]
pub struct HeaderExpect {
    /// Header name, lower case.
    pub name: String,
    /// The rule.
    pub rule: HeaderRule,
}

/// What a header must be.
#[derive(Debug, Clone)]
pub enum HeaderRule {
    /// Present with any value.
    Present,
    /// Not present.
    Absent,
    /// Present and equal to this.
    Equals(Template),
    /// Present and matching this regular expression.
    Matches(std::sync::Arc<regex::Regex>),
}

/// What the response signature must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SignatureExpect {
    /// If the response has `x-hmac-signature`, it must verify (the default).
    #[default]
    IfPresent,
    /// The response must have `x-hmac-signature`, and it must verify.
    Required,
    /// Do not look at it.
    Ignore,
}

/// A JSON Schema compiled once per run.
pub struct CompiledSchema {
    /// The path as shown in messages.
    pub name: String,
    /// The validator.
    pub validator: jsonschema::Validator,
}

impl std::fmt::Debug for CompiledSchema {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CompiledSchema")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// A value to keep for later steps.
#[derive(Debug, Clone)]
pub struct Capture {
    /// The variable it defines.
    pub name: String,
    /// Where it comes from.
    pub from: CaptureFrom,
    /// Where it was written.
    pub at: Range<usize>,
}

/// Where a capture reads its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaptureFrom {
    /// A JSON pointer into the response body (dotted paths are converted).
    Body(String),
    /// A response header (lower case).
    Header(String),
}
