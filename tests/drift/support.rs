//! Shared helpers for the drift tests: the embedded mock changed in one
//! way ([`Change`], a layer around its router that rewrites a response and
//! signs it again), a proxy that re-frames the mock's responses on the wire
//! (other key order, whitespace, `\u` escapes, header-name case, chunked
//! framing) without changing what they say, and the binary.

use std::process::{Command, Output};
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use veriff_conformance::mock::{MockConfig, MockServer};
use veriff_conformance::signing::{SIGNATURE_HEADER, sign};

/// The scenario every change is seen through: it asserts only the status
/// class and the fail body's shape of the wrong-key rejection, and only the
/// status of the session creation, so none of the changes fails it.
pub const SCENARIO: &str = "authentication::a_wrong_api_key_is_rejected";

/// One way the mock's responses differ from the embedded mock's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// Nothing changes.
    Nothing,
    /// The create response has a new field `verification.newField`.
    AddedField,
    /// The create response has a new header `x-new-header`.
    AddedHeader,
    /// The create response has two new headers: `x-request-id` (a fresh
    /// UUID) and `x-echo-key` (the API key).
    AddedHeadersWithValues,
    /// The create response has no `verification.host`.
    RemovedField,
    /// The create response's `verification.sessionToken` is a number.
    ChangedType,
    /// A wrong API key is answered 403 instead of 401.
    ChangedStatus,
    /// A wrong API key gets another error code.
    ChangedCode,
    /// A wrong API key gets another message.
    RewordedMessage,
    /// The create response is signed in uppercase hex (it still verifies).
    UppercaseSignature,
    /// The create response echoes the API key and the shared secret in a new field.
    EchoesSecrets,
}

struct Changer {
    change: Change,
    config: MockConfig,
}

/// The embedded mock with `change` applied, on a free port, fresh credentials.
pub async fn mock(change: Change) -> MockServer {
    mock_with(change, MockConfig::generated()).await
}

/// The embedded mock with `change` applied, with `config`.
pub async fn mock_with(change: Change, config: MockConfig) -> MockServer {
    let changer = Arc::new(Changer {
        change,
        config: config.clone(),
    });
    MockServer::builder()
        .config(config)
        .layer(middleware::from_fn_with_state(changer, changing))
        .start()
        .await
        .expect("start the mock")
}

async fn changing(State(c): State<Arc<Changer>>, request: Request, next: Next) -> Response {
    let is_create = request.method() == Method::POST && request.uri().path() == "/v1/sessions";
    let is_submit = request.method() == Method::PATCH;
    let response = next.run(request).await;
    let rejected = is_submit && response.status() == StatusCode::UNAUTHORIZED;
    if !(is_create || rejected) || c.change == Change::Nothing {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let Ok(mut json) = serde_json::from_slice::<Value>(&bytes) else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    let mut upper = false;
    match (c.change, is_create) {
        (Change::AddedField, true) => json["verification"]["newField"] = "new".into(),
        (Change::AddedHeader, true) => {
            parts
                .headers
                .insert("x-new-header", HeaderValue::from_static("1"));
        }
        (Change::AddedHeadersWithValues, true) => {
            let id = uuid::Uuid::new_v4().to_string();
            for (name, value) in [
                ("x-request-id", id.as_str()),
                ("x-echo-key", &c.config.api_key),
            ] {
                parts
                    .headers
                    .insert(name, HeaderValue::from_str(value).expect("a header value"));
            }
        }
        (Change::RemovedField, true) => {
            // `get_mut`, not indexing: a rejected create has no `verification` to add.
            if let Some(v) = json.get_mut("verification").and_then(Value::as_object_mut) {
                v.remove("host");
            }
        }
        (Change::ChangedType, true) => json["verification"]["sessionToken"] = 12345678.into(),
        (Change::ChangedStatus, false) => parts.status = StatusCode::FORBIDDEN,
        (Change::ChangedCode, false) => json["code"] = "1818".into(),
        (Change::RewordedMessage, false) => json["message"] = "Unknown integration".into(),
        (Change::UppercaseSignature, true) => upper = true,
        (Change::EchoesSecrets, true) => {
            json["echo"] = format!("{} {}", c.config.api_key, c.config.shared_secret).into()
        }
        _ => {}
    }
    let body = serde_json::to_vec(&json).expect("json");
    if parts.headers.contains_key(SIGNATURE_HEADER) {
        let mut signature = sign(&c.config.shared_secret, &body);
        if upper {
            signature = signature.to_uppercase();
        }
        parts.headers.insert(
            HeaderName::from_static(SIGNATURE_HEADER),
            HeaderValue::from_str(&signature).expect("hex"),
        );
    }
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(body))
}

/// A proxy on 127.0.0.1 in front of a plain mock that says the same as the
/// mock in another form: JSON keys in reverse order, pretty-printed with
/// extra whitespace, every non-digit character of a string `\u`-escaped,
/// header names in Title-Case, and the body in chunked framing, several
/// chunks. It signs the new bytes with the mock's secret. One request per
/// connection. Returns its base URL and the mock's config.
pub async fn reframing_proxy() -> (String, MockConfig, MockServer) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base_url = format!("http://{}", listener.local_addr().expect("addr"));
    let config = MockConfig {
        host: Some(base_url.clone()),
        ..MockConfig::generated()
    };
    let server = MockServer::builder()
        .config(config.clone())
        .start()
        .await
        .expect("start the mock");
    let upstream = server.base_url();
    let secret = config.shared_secret.clone();
    tokio::spawn(async move {
        let client = http_client();
        while let Ok((stream, _)) = listener.accept().await {
            let (client, upstream, secret) = (client.clone(), upstream.clone(), secret.clone());
            tokio::spawn(async move {
                let _ = serve_one(stream, &client, &upstream, &secret).await;
            });
        }
    });
    (base_url, config, server)
}

async fn serve_one(
    mut stream: TcpStream,
    client: &reqwest::Client,
    upstream: &str,
    secret: &str,
) -> std::io::Result<()> {
    // The request head, then a body of content-length bytes.
    let mut buf = Vec::new();
    let head_end = loop {
        let mut chunk = [0u8; 4096];
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Ok(());
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let mut lines = head.split("\r\n");
    let request_line = lines.next().unwrap_or_default().to_string();
    let mut parts = request_line.split(' ');
    let method = parts.next().unwrap_or("GET").to_string();
    let target = parts.next().unwrap_or("/").to_string();
    let headers: Vec<(String, String)> = lines
        .filter(|l| !l.is_empty())
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    while buf.len() < head_end + length {
        let mut chunk = [0u8; 4096];
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let body = buf[head_end..].to_vec();
    let mut forward = client.request(
        reqwest::Method::from_bytes(method.as_bytes()).expect("method"),
        format!("{upstream}{target}"),
    );
    for (k, v) in &headers {
        if !matches!(k.as_str(), "host" | "content-length" | "connection") {
            forward = forward.header(k, v);
        }
    }
    let response = forward.body(body).send().await.expect("the mock answers");
    let status = response.status();
    let headers: Vec<(String, String)> = response
        .headers()
        .iter()
        .map(|(k, v)| (k.as_str().to_string(), v.to_str().unwrap_or("").to_string()))
        .collect();
    let bytes = response.bytes().await.expect("body");
    let body = match serde_json::from_slice::<Value>(&bytes) {
        Ok(json) => reframed(&json, 0).into_bytes(),
        Err(_) => bytes.to_vec(),
    };
    let mut out = format!(
        "HTTP/1.1 {} {}\r\n",
        status.as_u16(),
        status.canonical_reason().unwrap_or("")
    );
    for (k, v) in &headers {
        if matches!(
            k.as_str(),
            "content-length" | "transfer-encoding" | "connection"
        ) {
            continue;
        }
        let v = if k == SIGNATURE_HEADER {
            sign(secret, &body)
        } else {
            v.clone()
        };
        out.push_str(&format!("{}: {v}\r\n", title_case(k)));
    }
    out.push_str("Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
    stream.write_all(out.as_bytes()).await?;
    for chunk in body.chunks(7) {
        stream
            .write_all(format!("{:x}\r\n", chunk.len()).as_bytes())
            .await?;
        stream.write_all(chunk).await?;
        stream.write_all(b"\r\n").await?;
        stream.flush().await?;
    }
    stream.write_all(b"0\r\n\r\n").await?;
    stream.shutdown().await
}

fn title_case(name: &str) -> String {
    name.split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// `value` as JSON text with keys reversed, extra whitespace and `\u` escapes.
fn reframed(value: &Value, depth: usize) -> String {
    let pad = "   ".repeat(depth + 1);
    match value {
        Value::Object(map) => {
            let fields: Vec<String> = map
                .iter()
                .rev()
                .map(|(k, v)| format!("\n{pad}{} :  {}", escaped(k), reframed(v, depth + 1)))
                .collect();
            format!("{{ {}\n}}", fields.join(" ,"))
        }
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(|v| reframed(v, depth + 1)).collect();
            format!("[ {} ]", items.join(" , "))
        }
        Value::String(s) => escaped(s),
        other => other.to_string(),
    }
}

fn escaped(s: &str) -> String {
    let mut out = String::from("\"");
    for unit in s.encode_utf16() {
        if (b'0' as u16..=b'9' as u16).contains(&unit) {
            out.push(unit as u8 as char);
        } else {
            out.push_str(&format!("\\u{unit:04X}"));
        }
    }
    out.push('"');
    out
}

/// The binary, without the user's Veriff variables.
pub fn bin() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_veriff-conformance"));
    for var in ["VERIFF_BASE_URL", "VERIFF_API_KEY", "VERIFF_SHARED_SECRET"] {
        cmd.env_remove(var);
    }
    cmd.env("NO_COLOR", "1");
    cmd
}

/// `run` against `base_url` with `config`'s credentials, as the mock
/// (its controls work), plus `args`.
pub fn run_against(base_url: &str, config: &MockConfig, args: &[&str]) -> Output {
    bin()
        .arg("run")
        .args(["--base-url", base_url, "--target-is-mock"])
        .args(["--api-key", &config.api_key])
        .args(["--shared-secret", &config.shared_secret])
        .args(args)
        .output()
        .expect("the binary runs")
}

/// [`run_against`] off the async runtime, so that a mock served by the
/// test's own runtime keeps answering while the binary runs.
pub async fn run_async(base_url: &str, config: &MockConfig, args: &[&str]) -> Output {
    let (base_url, config) = (base_url.to_string(), config.clone());
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        run_against(&base_url, &config, &args)
    })
    .await
    .expect("the binary ran")
}

/// Standard output and standard error, together.
pub fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// A fresh folder for one test's files.
pub fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("vc-drift-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch folder");
    dir
}

/// Every file under `dir`, relative path and bytes, sorted.
pub fn files(dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("read dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path
                    .strip_prefix(dir)
                    .expect("under dir")
                    .display()
                    .to_string();
                out.push((rel, std::fs::read(&path).expect("read")));
            }
        }
    }
    out.sort();
    out
}

/// A plain HTTP client, with the crypto provider reqwest needs installed.
pub fn http_client() -> reqwest::Client {
    veriff_conformance::install_crypto_provider();
    reqwest::Client::new()
}
