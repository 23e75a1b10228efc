//! What was sent and what came back, recorded for the checks and the reports,
//! and which step of a scenario it belongs to.

use std::ops::Range;
use std::time::Duration;

use serde_json::Value;

use crate::mask::Masker;

/// One request as it went on the wire.
#[derive(Debug, Clone)]
pub struct SentRequest {
    /// HTTP method.
    pub method: reqwest::Method,
    /// Full URL.
    pub url: String,
    /// Headers in the order they were added; names in lower case.
    pub headers: Vec<(String, String)>,
    /// The exact body bytes (the bytes that were signed, unless a negative mode said otherwise).
    pub body: Vec<u8>,
}

/// One response as it came back.
#[derive(Debug, Clone)]
pub struct Response {
    /// Status code.
    pub status: u16,
    /// Headers; names in lower case; a repeated header appears once per value.
    pub headers: Vec<(String, String)>,
    /// The exact body bytes.
    pub body: Vec<u8>,
    /// The body parsed as JSON, or why it is not JSON.
    pub json: Result<Value, String>,
}

impl Response {
    /// A response from its parts; the body is parsed as JSON once, here.
    ///
    /// ```
    /// use veriff_conformance::Response;
    /// let r = Response::new(200, vec![("Content-Type".into(), "application/json".into())], br#"{"a":1}"#.to_vec());
    /// assert_eq!(r.header("content-type"), Some("application/json".to_string()));
    /// assert_eq!(r.json.unwrap()["a"], 1);
    /// let r = Response::new(502, vec![], b"<html>bad gateway</html>".to_vec());
    /// assert!(r.json.unwrap_err().contains("not JSON"));
    /// ```
    pub fn new(status: u16, headers: Vec<(String, String)>, body: Vec<u8>) -> Self {
        let json = if body.is_empty() {
            Err("the body is empty, not JSON".to_string())
        } else {
            serde_json::from_slice(&body).map_err(|e| format!("the body is not JSON ({e})"))
        };
        let headers = headers
            .into_iter()
            .map(|(k, v)| (k.to_ascii_lowercase(), v))
            .collect();
        Response {
            status,
            headers,
            body,
            json,
        }
    }

    /// All values of a header (name in any case), joined with `, ` as HTTP allows.
    pub fn header(&self, name: &str) -> Option<String> {
        let values: Vec<&str> = self
            .headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect();
        (!values.is_empty()).then(|| values.join(", "))
    }
}

/// A request and its response.
#[derive(Debug, Clone)]
pub struct Exchange {
    /// What was sent.
    pub request: SentRequest,
    /// What came back.
    pub response: Response,
    /// How long it took.
    pub elapsed: Duration,
}

impl Exchange {
    /// This exchange with every secret `masker` knows replaced, in the URL,
    /// the headers and the bodies (the form results and reports keep). What
    /// holds no secret is moved, not copied (the parsed body too), so that
    /// recording a step costs nothing when there is nothing to hide.
    ///
    /// ```
    /// use std::time::Duration;
    /// use veriff_conformance::Masker;
    /// use veriff_conformance::{Exchange, Response, SentRequest};
    ///
    /// let exchange = Exchange {
    ///     request: SentRequest {
    ///         method: reqwest::Method::GET,
    ///         url: "http://h/v1/sessions/my-api-key".into(),
    ///         headers: vec![("x-auth-client".into(), "my-api-key".into())],
    ///         body: b"{}".to_vec(),
    ///     },
    ///     response: Response::new(
    ///         200,
    ///         vec![("x-auth-client".into(), "my-api-key".into())],
    ///         br#"{"echo":"my-api-key","ok":1}"#.to_vec(),
    ///     ),
    ///     elapsed: Duration::ZERO,
    /// };
    /// let masked = exchange.into_masked(&Masker::new(["my-api-key"]));
    /// assert_eq!(masked.request.url, "http://h/v1/sessions/***");
    /// assert_eq!(masked.request.headers[0].1, "***");
    /// assert_eq!(masked.request.body, b"{}");
    /// assert_eq!(masked.response.header("x-auth-client").unwrap(), "***");
    /// let json = masked.response.json.unwrap();
    /// assert_eq!((&json["echo"], &json["ok"]), (&"***".into(), &1.into()));
    /// ```
    pub fn into_masked(self, masker: &Masker) -> Exchange {
        // Secrets are whole UTF-8 strings, so masking UTF-8 text leaves UTF-8.
        let text = |value: String| match masker.mask_bytes(value.as_bytes()) {
            std::borrow::Cow::Borrowed(_) => value,
            std::borrow::Cow::Owned(masked) => {
                String::from_utf8(masked).unwrap_or_else(|_| masker.mask(&value))
            }
        };
        let headers = |headers: Vec<(String, String)>| {
            // One search over the whole list first: most hold no secret.
            if !masker.may_hold_any(headers.iter().map(|(_, v)| v.as_bytes())) {
                return headers;
            }
            headers
                .into_iter()
                .map(|(k, v)| (k, text(v)))
                .collect::<Vec<_>>()
        };
        let bytes = |body: &[u8]| match masker.mask_bytes(body) {
            std::borrow::Cow::Borrowed(_) => None,
            std::borrow::Cow::Owned(masked) => Some(masked),
        };
        let Exchange {
            request,
            response,
            elapsed,
        } = self;
        let request = SentRequest {
            method: request.method,
            url: text(request.url),
            headers: headers(request.headers),
            body: match bytes(&request.body) {
                Some(masked) => masked,
                None => request.body,
            },
        };
        let response = match bytes(&response.body) {
            // Unchanged: keep the parsed body instead of parsing it again.
            None => Response {
                headers: headers(response.headers),
                ..response
            },
            Some(body) => Response::new(response.status, headers(response.headers), body),
        };
        Exchange {
            request,
            response,
            elapsed,
        }
    }
}

/// A step of a scenario: its place, its name, where it is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepInfo {
    /// 1-based position in the scenario.
    pub number: usize,
    /// The step's name.
    pub name: String,
    /// Where the step is written (byte range in the scenario's file).
    pub at: Range<usize>,
}
