//! What was sent and what came back, recorded for the checks and the reports.

use std::time::Duration;

use serde_json::Value;

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
    /// use veriff_conformance::exec::exchange::Response;
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
