//! Shared helpers for the mock tests: a served mock plus a
//! reqwest client that signs requests the way Veriff's API expects.

use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, RequestBuilder};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use veriff_conformance::mock::{MockConfig, MockServer};
use veriff_conformance::signing::{sign, verify};

/// The documented submit body (endpoint page).
pub const SUBMIT: &[u8] = br#"{"verification":{"status":"submitted"}}"#;
/// A tiny JPEG (SOI, APP0 marker start), as a data URI and as its bytes.
pub const JPEG_URI: &str = "data:image/jpeg;base64,/9j/4AAQ";
pub const JPEG_BYTES: &[u8] = &[0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10];

/// Hex SHA-256 of `payload` followed by `secret`: Veriff's legacy
/// `X-SIGNATURE`, as its public js-integration-demo computes it.
pub fn legacy_signature(payload: &[u8], secret: &str) -> String {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    hasher.update(payload);
    hasher.update(secret.as_bytes());
    hex::encode(hasher.finalize())
}

/// A small, valid media upload body.
pub const MEDIA: &[u8] =
    br#"{"image":{"context":"document-front","content":"data:image/jpeg;base64,/9j/4AAQ"}}"#;

pub struct Mock {
    pub server: MockServer,
    pub http: reqwest::Client,
}

/// A finished response, read completely.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("response is not JSON ({e}): {}", self.text()))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Asserts a JSON failure with exactly this status and body.
    #[track_caller]
    pub fn assert_fail(&self, status: u16, code: &str, message: &str) {
        let expected = format!(r#"{{"status":"fail","code":"{code}","message":"{message}"}}"#);
        assert_eq!(
            (self.status, self.text()),
            (status, expected),
            "unexpected failure response"
        );
        assert_eq!(self.header("content-type"), Some("application/json"));
    }
}

/// Longest a raw exchange waits for the mock to answer and close.
const RAW_TIMEOUT: Duration = Duration::from_secs(5);

/// Parses one HTTP/1 response from the start of `raw`: status, headers and,
/// unless `bodiless` (a reply to HEAD), a `Content-Length` body. Returns the
/// reply and the bytes after it.
pub fn parse_reply(raw: &[u8], bodiless: bool) -> (Reply, &[u8]) {
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no complete head in {:?}", String::from_utf8_lossy(raw)));
    let head = std::str::from_utf8(&raw[..end]).expect("head is text");
    let mut lines = head.split("\r\n");
    let status_line = lines.next().expect("status line");
    let status = status_line
        .get(9..12)
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("bad status line {status_line:?}"));
    let mut headers = HeaderMap::new();
    for line in lines {
        let (name, value) = line.split_once(':').expect("header line");
        headers.append(
            HeaderName::from_bytes(name.trim().as_bytes()).expect("header name"),
            HeaderValue::from_str(value.trim()).expect("header value"),
        );
    }
    let length: usize = if bodiless {
        0
    } else {
        headers
            .get("content-length")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok())
            .expect("content-length")
    };
    let body_start = end + 4;
    let body = raw[body_start..body_start + length].to_vec();
    let reply = Reply {
        status,
        headers,
        body,
    };
    (reply, &raw[body_start + length..])
}

/// A session as returned by create.
#[derive(Debug, Clone)]
pub struct Created {
    pub id: String,
    pub token: String,
    pub body: Value,
}

impl Mock {
    pub async fn start() -> Self {
        Self::start_with(MockConfig::generated()).await
    }

    pub async fn start_with(config: MockConfig) -> Self {
        let server = MockServer::start(config).await.expect("mock starts");
        Mock {
            server,
            http: http_client(),
        }
    }

    pub fn key(&self) -> &str {
        &self.server.config().api_key
    }

    pub fn secret(&self) -> &str {
        &self.server.config().shared_secret
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.server.base_url())
    }

    /// A request with no credentials at all.
    pub fn bare(&self, method: Method, path: &str) -> RequestBuilder {
        self.http.request(method, self.url(path))
    }

    /// A JSON body request carrying the API key but no signature.
    pub fn keyed(&self, method: Method, path: &str, body: &[u8]) -> RequestBuilder {
        self.bare(method, path)
            .header("x-auth-client", self.key())
            .header("content-type", "application/json")
            .body(body.to_vec())
    }

    /// A JSON body request with the API key and a signature over the body.
    pub fn signed(&self, method: Method, path: &str, body: &[u8]) -> RequestBuilder {
        self.keyed(method, path, body)
            .header("x-hmac-signature", sign(self.secret(), body))
    }

    /// A GET with the API key, signed over `id`.
    pub fn signed_get(&self, path: &str, id: &str) -> RequestBuilder {
        self.bare(Method::GET, path)
            .header("x-auth-client", self.key())
            .header("x-hmac-signature", sign(self.secret(), id.as_bytes()))
    }

    pub async fn send(&self, request: RequestBuilder) -> Reply {
        let response = request.send().await.expect("request reaches the mock");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.bytes().await.expect("body").to_vec();
        Reply {
            status,
            headers,
            body,
        }
    }

    pub async fn create_with(&self, body: &[u8]) -> Created {
        let reply = self
            .send(self.keyed(Method::POST, "/v1/sessions", body))
            .await;
        assert_eq!(reply.status, 201, "create failed: {}", reply.text());
        let body = reply.json();
        let field = |name: &str| {
            body["verification"][name]
                .as_str()
                .unwrap_or_else(|| panic!("create response lacks {name}"))
                .to_owned()
        };
        Created {
            id: field("id"),
            token: field("sessionToken"),
            body,
        }
    }

    pub async fn create(&self) -> Created {
        self.create_with(br#"{"verification":{}}"#).await
    }

    pub async fn submit(&self, id: &str) -> Reply {
        self.send(self.signed(Method::PATCH, &format!("/v1/sessions/{id}"), SUBMIT))
            .await
    }

    pub async fn upload(&self, id: &str) -> Reply {
        self.send(self.signed(Method::POST, &format!("/v1/sessions/{id}/media"), MEDIA))
            .await
    }

    pub async fn decision(&self, id: &str) -> Reply {
        self.send(self.signed_get(&format!("/v1/sessions/{id}/decision"), id))
            .await
    }

    /// A signed GET of `path`, signed over `id` (the id the route signs).
    pub async fn get_signed(&self, path: &str, id: &str) -> Reply {
        self.send(self.signed_get(path, id)).await
    }

    /// `DELETE /v1/sessions/{id}`, signed over the session id.
    pub async fn delete(&self, id: &str) -> Reply {
        let request = self
            .bare(Method::DELETE, &format!("/v1/sessions/{id}"))
            .header("x-auth-client", self.key())
            .header("x-hmac-signature", sign(self.secret(), id.as_bytes()));
        self.send(request).await
    }

    /// Uploads `content` (a data URI or bare base64) with `context`.
    pub async fn upload_content(&self, id: &str, context: &str, content: &str) -> Reply {
        let body = serde_json::json!({"image": {"context": context, "content": content}});
        self.send(self.signed(
            Method::POST,
            &format!("/v1/sessions/{id}/media"),
            body.to_string().as_bytes(),
        ))
        .await
    }

    /// Uploads and returns the new medium's id.
    pub async fn upload_ok(&self, id: &str, context: &str, content: &str) -> String {
        let reply = self.upload_content(id, context, content).await;
        assert_eq!(reply.status, 201, "upload failed: {}", reply.text());
        reply.json()["image"]["id"]
            .as_str()
            .expect("image id")
            .to_owned()
    }

    pub async fn session_media(&self, id: &str) -> Reply {
        self.get_signed(&format!("/v1/sessions/{id}/media"), id)
            .await
    }

    pub async fn attempt_media(&self, attempt_id: &str) -> Reply {
        self.get_signed(&format!("/v1/attempts/{attempt_id}/media"), attempt_id)
            .await
    }

    pub async fn attempts(&self, id: &str) -> Reply {
        self.get_signed(&format!("/v1/sessions/{id}/attempts"), id)
            .await
    }

    pub async fn download(&self, media_id: &str) -> Reply {
        self.get_signed(&format!("/v1/media/{media_id}"), media_id)
            .await
    }

    /// Creates a session whose `person.firstName` is `first_name`.
    pub async fn create_named(&self, first_name: &str) -> Created {
        let body = serde_json::json!({"verification": {"person": {"firstName": first_name}}});
        self.create_with(body.to_string().as_bytes()).await
    }

    pub async fn open(&self, token: &str) -> Reply {
        self.send(self.bare(Method::GET, &format!("/v/{token}")))
            .await
    }

    /// Sends `request` as raw bytes on a new connection and returns everything
    /// the mock writes until it closes the connection.
    pub async fn raw(&self, request: &[u8]) -> Vec<u8> {
        let mut stream = self.connect().await;
        stream.write_all(request).await.expect("raw request sent");
        read_until_closed(&mut stream).await
    }

    /// A new TCP connection to the mock.
    pub async fn connect(&self) -> TcpStream {
        let addr = self
            .server
            .base_url()
            .trim_start_matches("http://")
            .to_owned();
        TcpStream::connect(addr)
            .await
            .expect("connects to the mock")
    }

    /// Asserts the reply carries the API key and a valid signature of its exact body.
    #[track_caller]
    pub fn assert_signed(&self, reply: &Reply) {
        assert_eq!(reply.header("content-type"), Some("application/json"));
        self.assert_signed_bytes(reply);
    }

    /// Like [`Mock::assert_signed`], for a body of any content type: the
    /// signature covers the raw bytes.
    #[track_caller]
    pub fn assert_signed_bytes(&self, reply: &Reply) {
        assert_eq!(reply.header("x-auth-client"), Some(self.key()));
        let signature = reply.header("x-hmac-signature").expect("signature header");
        assert!(
            verify(self.secret(), &reply.body, signature),
            "response signature does not verify"
        );
    }
}

/// Reads until the peer closes the connection (at most [`RAW_TIMEOUT`]).
pub async fn read_until_closed(stream: &mut TcpStream) -> Vec<u8> {
    let mut out = Vec::new();
    tokio::time::timeout(RAW_TIMEOUT, stream.read_to_end(&mut out))
        .await
        .expect("the mock closes the connection in time")
        .expect("raw response read");
    out
}

/// A plain HTTP client, with the crypto provider reqwest needs installed.
pub fn http_client() -> reqwest::Client {
    veriff_conformance::install_crypto_provider();
    reqwest::Client::new()
}
