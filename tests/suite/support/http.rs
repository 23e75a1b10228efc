//! Requests and responses read whole, so that a breakage can look at and
//! change them, and [`call`] to pass one through the rest of the stack.

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use serde_json::{Value, json};
use veriff_conformance::signing::{API_KEY_HEADER, SIGNATURE_HEADER, sign, verify};

/// A request, read completely.
#[derive(Clone)]
pub(super) struct Req {
    pub(super) method: Method,
    pub(super) path: String,
    pub(super) parts: axum::http::request::Parts,
    pub(super) body: Bytes,
}

impl Req {
    pub(super) async fn read(request: Request) -> Req {
        let (parts, body) = request.into_parts();
        let body = axum::body::to_bytes(body, usize::MAX)
            .await
            .unwrap_or_default();
        Req {
            method: parts.method.clone(),
            path: parts.uri.path().to_string(),
            parts,
            body,
        }
    }

    pub(super) fn header(&self, name: &str) -> Option<&str> {
        self.parts.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub(super) fn set_header(&mut self, name: &'static str, value: &str) {
        self.parts
            .headers
            .insert(name, HeaderValue::from_str(value).expect("header value"));
    }

    /// The session id when this is `PATCH /v1/sessions/{id}`.
    pub(super) fn submit_id(&self) -> Option<String> {
        let id = self.path.strip_prefix("/v1/sessions/")?;
        (self.method == Method::PATCH && !id.is_empty() && !id.contains('/'))
            .then(|| id.to_string())
    }

    pub(super) fn is_media(&self) -> bool {
        self.method == Method::POST
            && self.path.starts_with("/v1/sessions/")
            && self.path.ends_with("/media")
    }

    pub(super) fn json(&self) -> Option<Value> {
        serde_json::from_slice(&self.body).ok()
    }

    pub(super) fn signature_verifies(&self, secret: &str) -> bool {
        self.header(SIGNATURE_HEADER)
            .is_some_and(|sig| verify(secret, &self.body, sig))
    }

    /// Replaces the body and signs it correctly.
    pub(super) fn set_signed_body(&mut self, secret: &str, body: Vec<u8>) {
        self.body = Bytes::from(body);
        self.sign(secret);
    }

    /// Signs the body correctly, as if the sender had.
    pub(super) fn sign(&mut self, secret: &str) {
        let signature = sign(secret, &self.body);
        self.set_header(SIGNATURE_HEADER, &signature);
    }

    pub(super) fn into_request(mut self) -> Request {
        self.parts.headers.remove(header::CONTENT_LENGTH);
        if !self.body.is_empty() {
            self.parts
                .headers
                .insert(header::CONTENT_LENGTH, HeaderValue::from(self.body.len()));
        }
        Request::from_parts(self.parts, Body::from(self.body))
    }
}

/// A response, read completely.
#[derive(Clone)]
pub(super) struct Res {
    pub(super) status: StatusCode,
    pub(super) headers: HeaderMap,
    pub(super) body: Bytes,
}

impl Res {
    pub(super) async fn read(response: Response) -> Res {
        let (parts, body) = response.into_parts();
        let body = axum::body::to_bytes(body, usize::MAX)
            .await
            .unwrap_or_default();
        Res {
            status: parts.status,
            headers: parts.headers,
            body,
        }
    }

    /// An unsigned JSON fail body, as the mock sends its errors.
    pub(super) fn fail(status: StatusCode, code: &str, message: &str) -> Res {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        let body = json!({"status": "fail", "code": code, "message": message});
        Res {
            status,
            headers,
            body: Bytes::from(body.to_string()),
        }
    }

    pub(super) fn json(&self) -> Option<Value> {
        serde_json::from_slice(&self.body).ok()
    }

    /// The fail body's message, if this is one.
    pub(super) fn fail_message(&self) -> Option<String> {
        let body = self.json()?;
        (body["status"] == "fail")
            .then(|| body["message"].as_str().map(str::to_string))
            .flatten()
    }

    /// Rewrites the JSON body; a signed response is signed again over the new bytes.
    pub(super) fn edit_json(&mut self, secret: &str, edit: impl FnOnce(&mut Value)) {
        let Some(mut body) = self.json() else { return };
        edit(&mut body);
        self.body = Bytes::from(serde_json::to_vec(&body).expect("serialize"));
        if self.headers.contains_key(SIGNATURE_HEADER) {
            let signature = sign(secret, &self.body);
            self.headers.insert(
                SIGNATURE_HEADER,
                HeaderValue::from_str(&signature).expect("hex"),
            );
        }
    }

    /// Replaces the body with `body`, signed with `secret` like the mock's successes.
    pub(super) fn signed_json(
        status: StatusCode,
        body: &Value,
        api_key: &str,
        secret: &str,
    ) -> Res {
        let bytes = serde_json::to_vec(body).expect("serialize");
        let mut headers = HeaderMap::new();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        headers.insert(API_KEY_HEADER, HeaderValue::from_str(api_key).expect("key"));
        headers.insert(
            SIGNATURE_HEADER,
            HeaderValue::from_str(&sign(secret, &bytes)).expect("hex"),
        );
        Res {
            status,
            headers,
            body: Bytes::from(bytes),
        }
    }

    pub(super) fn into_response(mut self) -> Response {
        self.headers.remove(header::CONTENT_LENGTH);
        let mut response = Response::new(Body::from(self.body));
        *response.status_mut() = self.status;
        *response.headers_mut() = self.headers;
        response
    }
}

pub(super) async fn call(next: Next, req: Req) -> Res {
    Res::read(next.run(req.into_request()).await).await
}
