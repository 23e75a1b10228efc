//! Test receivers: a small axum app that handles Veriff's webhooks the way
//! docs/receiver.md asks, or with one flaw; and the binary run against it.

use std::collections::{BTreeMap, HashSet};
use std::net::SocketAddr;
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use serde_json::Value;
use veriff_conformance::signing::{sign, verify};

/// Distinctive credentials: any of them in an output is a leak.
pub const API_KEY: &str = "c0ffee00-api-key-9d1f-4b7e2a6c5e81";
pub const SECRET: &str = "shh-shared-secret-7f3a91be42d06c55";

/// What a test receiver gets wrong, if anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flaw {
    /// Nothing: it follows every rule.
    None,
    /// Verifies the signature over the parsed JSON written again, not the raw bytes.
    ReSerialises,
    /// Takes a delivery without X-HMAC-SIGNATURE as genuine.
    AcceptsMissingSignature,
    /// Never looks at X-AUTH-CLIENT.
    IgnoresAuthClient,
    /// Answers 500 to a body that is not JSON.
    CrashesOnBadJson,
    /// Answers 204 where 200 is due.
    Answers204,
    /// Refuses properties, event actions and codes it does not know.
    RejectsUnknown,
    /// Answers 500 when the person's first name is null.
    ChokesOnNull,
    /// Answers 409 to a delivery it has already had.
    RefusesDuplicates,
    /// Answers 409 to a submitted event of a session that already has a decision.
    RefusesLateEvents,
    /// Takes this long to answer, and is otherwise correct.
    Slow(Duration),
    /// Answers 500 with the request's headers in its body.
    EchoesHeaders,
}

#[derive(Default)]
struct Seen {
    bodies: HashSet<Vec<u8>>,
    decided: HashSet<String>,
    session_ids: Vec<String>,
    /// Requests other than a POST to one of the routes: `METHOD /path`.
    strays: Vec<String>,
}

#[derive(Clone)]
struct App {
    flaw: Flaw,
    seen: Arc<Mutex<Seen>>,
}

/// A running test receiver: `/decision`, `/event` and `/watchlist`.
pub struct Receiver {
    addr: SocketAddr,
    seen: Arc<Mutex<Seen>>,
    _task: tokio::task::JoinHandle<()>,
}

impl Receiver {
    /// Starts a receiver with `flaw` on a free loopback port.
    pub async fn start(flaw: Flaw) -> Receiver {
        let seen = Arc::new(Mutex::new(Seen::default()));
        let app = Router::new()
            .route("/{kind}", post(handle))
            .fallback(stray)
            .with_state(App {
                flaw,
                seen: Arc::clone(&seen),
            });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Receiver {
            addr,
            seen,
            _task: task,
        }
    }

    /// The URL of one of its routes.
    pub fn url(&self, kind: &str) -> String {
        format!("http://{}/{kind}", self.addr)
    }

    /// The session ids of the deliveries it accepted as genuine, in order.
    pub fn session_ids(&self) -> Vec<String> {
        self.seen.lock().unwrap().session_ids.clone()
    }

    /// The requests it got that were not a POST to one of its routes.
    pub fn strays(&self) -> Vec<String> {
        self.seen.lock().unwrap().strays.clone()
    }

    /// `veriff-conformance receiver` against every route, with `extra` arguments.
    pub fn run(&self, extra: &[&str]) -> Run {
        let mut cmd = bin();
        cmd.args(["receiver", "--decision-url", &self.url("decision")])
            .args(["--event-url", &self.url("event")])
            .args(["--watchlist-url", &self.url("watchlist")])
            .args(extra)
            .env("VERIFF_API_KEY", API_KEY)
            .env("VERIFF_SHARED_SECRET", SECRET);
        Run::of(cmd.output().unwrap())
    }
}

/// The binary, without the user's Veriff variables and without colour.
pub fn bin() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_veriff-conformance"));
    for var in ["VERIFF_BASE_URL", "VERIFF_API_KEY", "VERIFF_SHARED_SECRET"] {
        cmd.env_remove(var);
    }
    cmd.env("NO_COLOR", "1");
    cmd
}

/// What a run printed, and each trial's result as libtest printed it.
pub struct Run {
    pub status: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    /// Trial name -> `ok`, `FAILED` or `ignored`.
    pub trials: BTreeMap<String, String>,
}

impl Run {
    pub fn of(out: Output) -> Run {
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let trials = stdout
            .lines()
            .filter_map(|l| l.strip_prefix("test "))
            .filter_map(|l| l.split_once(" ... "))
            .map(|(name, result)| {
                let result = result.split([',', ' ']).next().unwrap_or(result);
                (name.trim_end().to_string(), result.to_string())
            })
            .collect();
        Run {
            status: out.status.code(),
            stdout,
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            trials,
        }
    }

    /// Both outputs, for assertion messages.
    pub fn text(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }

    /// The trials with this result.
    pub fn with(&self, result: &str) -> Vec<&str> {
        self.trials
            .iter()
            .filter(|(_, r)| *r == result)
            .map(|(n, _)| n.as_str())
            .collect()
    }
}

/// Property names a flawed strict receiver knows: those of Veriff's samples.
const KNOWN: &[&str] = &[
    "status",
    "verification",
    "technicalData",
    "id",
    "attemptId",
    "vendorData",
    "endUserId",
    "code",
    "reason",
    "reasonCode",
    "decisionTime",
    "acceptanceTime",
    "person",
    "firstName",
    "lastName",
    "fullName",
    "dateOfBirth",
    "yearOfBirth",
    "placeOfBirth",
    "gender",
    "idNumber",
    "nationality",
    "citizenship",
    "pepSanctionMatch",
    "addresses",
    "fullAddress",
    "parsedAddress",
    "city",
    "unit",
    "state",
    "street",
    "country",
    "postcode",
    "houseNumber",
    "document",
    "type",
    "number",
    "validFrom",
    "validUntil",
    "placeOfIssue",
    "firstIssue",
    "issueNumber",
    "issuedBy",
    "comments",
    "additionalVerifiedData",
    "driversLicenseCategory",
    "B",
    "driversLicenseCategoryFrom",
    "driversLicenseCategoryUntil",
    "estimatedAge",
    "estimatedGender",
    "riskLabels",
    "label",
    "category",
    "sessionIds",
    "ip",
    "feature",
    "action",
    "checkType",
    "sessionId",
    "matchStatus",
    "searchTerm",
    "name",
    "year",
    "totalHits",
    "createdAt",
    "hits",
    "matchedName",
    "countries",
    "dateOfDeath",
    "matchTypes",
    "aka",
    "associates",
    "listingsRelatedToMatch",
    "warnings",
    "sourceName",
    "sourceUrl",
    "date",
    "sanctions",
    "fitnessProbity",
    "pep",
    "adverseMedia",
];

fn all_known(value: &Value) -> bool {
    match value {
        Value::Object(map) => map
            .iter()
            .all(|(k, v)| KNOWN.contains(&k.as_str()) && all_known(v)),
        Value::Array(items) => items.iter().all(all_known),
        _ => true,
    }
}

fn session_of(kind: &str, value: &Value) -> Option<String> {
    let id = match kind {
        "decision" => value.pointer("/verification/id"),
        "event" => value.get("id"),
        _ => value.get("sessionId"),
    };
    id.and_then(Value::as_str).map(str::to_string)
}

async fn stray(State(app): State<App>, request: axum::extract::Request) -> StatusCode {
    let line = format!("{} {}", request.method(), request.uri());
    app.seen.lock().unwrap().strays.push(line);
    StatusCode::NOT_FOUND
}

async fn handle(
    State(app): State<App>,
    Path(kind): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, String) {
    let flaw = app.flaw;
    if let Flaw::Slow(delay) = flaw {
        tokio::time::sleep(delay).await;
    }
    if flaw == Flaw::EchoesHeaders {
        return (StatusCode::INTERNAL_SERVER_ERROR, format!("{headers:?}"));
    }
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let refused = (StatusCode::UNAUTHORIZED, String::new());
    if flaw != Flaw::IgnoresAuthClient && header("x-auth-client") != Some(API_KEY) {
        return refused;
    }
    let parsed = serde_json::from_slice::<Value>(&body);
    match header("x-hmac-signature") {
        None if flaw == Flaw::AcceptsMissingSignature => {}
        None => return refused,
        Some(sig) => {
            let signed = if flaw == Flaw::ReSerialises {
                match &parsed {
                    Ok(v) => serde_json::to_vec(v).unwrap(),
                    Err(_) => return (StatusCode::BAD_REQUEST, String::new()),
                }
            } else {
                body.to_vec()
            };
            if !verify(SECRET, &signed, sig) {
                return refused;
            }
        }
    }
    let Ok(value) = parsed else {
        return if flaw == Flaw::CrashesOnBadJson {
            (StatusCode::INTERNAL_SERVER_ERROR, "panicked".into())
        } else {
            (StatusCode::BAD_REQUEST, String::new())
        };
    };
    if flaw == Flaw::RejectsUnknown {
        let known_action = kind != "event"
            || (matches!(
                value.get("action").and_then(Value::as_str),
                Some("started" | "submitted")
            ) && matches!(value.get("code").and_then(Value::as_u64), Some(7001 | 7002)));
        if !all_known(&value) || !known_action {
            return (StatusCode::BAD_REQUEST, "unknown".into());
        }
    }
    if flaw == Flaw::ChokesOnNull
        && value.pointer("/verification/person/firstName") == Some(&Value::Null)
    {
        return (StatusCode::INTERNAL_SERVER_ERROR, "null".into());
    }
    let session = session_of(&kind, &value);
    {
        let mut seen = app.seen.lock().unwrap();
        if !seen.bodies.insert(body.to_vec()) && flaw == Flaw::RefusesDuplicates {
            return (StatusCode::CONFLICT, "duplicate".into());
        }
        if let Some(id) = &session {
            let late = kind == "event"
                && value.get("action").and_then(Value::as_str) == Some("submitted")
                && seen.decided.contains(id);
            if late && flaw == Flaw::RefusesLateEvents {
                return (StatusCode::CONFLICT, "already decided".into());
            }
            if kind == "decision" {
                seen.decided.insert(id.clone());
            }
            seen.session_ids.push(id.clone());
        }
    }
    if flaw == Flaw::Answers204 {
        (StatusCode::NO_CONTENT, String::new())
    } else {
        (StatusCode::OK, String::new())
    }
}

/// A delivery signed as Veriff signs it, for the verify-webhook tests.
pub fn signed(body: &str) -> String {
    sign(SECRET, body.as_bytes())
}
