//! One request before the first scenario, to tell a set-up problem from an
//! API problem: `GET /v1/sessions/<random id>/decision`, signed over that id
//! as Veriff's docs say (docs/veriff-api.md, sections 2.3 and 4.9). It
//! changes no state: the session does not exist.
//!
//! - No answer (connection refused, DNS, TLS, timeout): one error, exit
//!   status 2, naming the base URL, instead of every scenario erroring.
//! - An answer with one of Veriff's authentication codes (section 3.2):
//!   one error naming the credential and its flag and variable.
//! - Any other answer (a 404, since the session does not exist, or a 401
//!   from a server that checks existence before the signature): the run
//!   goes on. The notes after libtest's summary still point at the
//!   credentials when every failure is the same authentication code.
//!
//! It is not sent to the embedded mock, which this process started with
//! the credentials it uses.

use crate::exec::http::describe;
use crate::exec::target::Target;
use crate::record::exchange::Response;
use crate::report::auth_hint::{Credential, code_of, meaning};
use crate::signing::{API_KEY_HEADER, SIGNATURE_HEADER, sign};

/// The path asked for, with a fresh random session id.
fn path(id: &str) -> String {
    format!("/v1/sessions/{id}/decision")
}

/// What the preflight's answer says of the set-up: `Err` with the message
/// when it is an authentication code.
pub fn judge(base_url: &str, response: &Response) -> Result<(), String> {
    let Some(code) = code_of(response) else {
        return Ok(());
    };
    let Some(credential) = Credential::of_code(&code) else {
        return Ok(());
    };
    let which = match credential {
        Credential::ApiKey => "the API key",
        Credential::SharedSecret => "the request signature",
    };
    Err(format!(
        "{base_url} rejected {which} before any scenario ran: HTTP {} with code {code} ({}).\n  \
         This is a set-up problem, not the API's: {}.\n  \
         (checked with one request that changes nothing: GET /v1/sessions/<random id>/decision)",
        response.status,
        meaning(&code),
        Credential::what_to_check(credential)
    ))
}

/// Sends the preflight request to `target` with `client`; `Err` with a
/// message of a few lines when the set-up is wrong (nothing else runs).
pub async fn check(client: &reqwest::Client, target: &Target) -> Result<(), String> {
    let id = uuid::Uuid::new_v4().to_string();
    let url = format!("{}{}", target.base_url, path(&id));
    let sent = client
        .get(&url)
        .timeout(target.timeout)
        .header(API_KEY_HEADER, &target.api_key)
        .header(SIGNATURE_HEADER, sign(&target.shared_secret, id.as_bytes()))
        .send()
        .await;
    let response = match sent {
        Ok(r) => r,
        Err(e) => {
            let why = if e.is_timeout() {
                format!(
                    "no answer within {} s (--timeout)",
                    target.timeout.as_secs_f64()
                )
            } else {
                describe(&e)
            };
            return Err(format!(
                "cannot reach the base URL {}: {why}.\n  \
                 This is a set-up problem, not the API's: check --base-url (or \
                 VERIFF_BASE_URL), the network, DNS and TLS; nothing was run.\n  \
                 (checked with one request that changes nothing: GET /v1/sessions/<random id>/decision)",
                target.base_url
            ));
        }
    };
    let status = response.status().as_u16();
    let body = envelope(response).await;
    judge(&target.base_url, &Response::new(status, Vec::new(), body))
}

/// The most bytes of the preflight's answer read: an error envelope is small.
const MAX_ENVELOPE_BYTES: usize = 64 * 1024;

/// The answer's body when it is small enough to be one of Veriff's error
/// envelopes; empty when it is larger (reading stops at the bound) or breaks.
async fn envelope(mut response: reqwest::Response) -> Vec<u8> {
    let mut body = Vec::new();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) if body.len() + chunk.len() <= MAX_ENVELOPE_BYTES => {
                body.extend_from_slice(&chunk);
            }
            Ok(None) => return body,
            Ok(Some(_)) | Err(_) => return Vec::new(),
        }
    }
}

/// For the receiver suite: whether a TCP connection to each URL's host and
/// port can be made within `timeout`, all at once. Nothing is sent: the
/// receiver sees only the suite's deliveries. `Err` names every URL that
/// cannot be reached, with the flag that gave it.
pub async fn all_reachable(
    urls: &[(String, String)],
    timeout: std::time::Duration,
) -> Result<(), String> {
    // Side by side: a URL that never answers costs the timeout once.
    let checks: Vec<_> = urls
        .iter()
        .map(|(flag, url)| {
            let (flag, url) = (flag.clone(), url.clone());
            tokio::spawn(async move { reachable(&flag, &url, timeout).await })
        })
        .collect();
    let mut unreachable = Vec::new();
    for check in checks {
        match check.await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => unreachable.push(e),
            Err(e) => unreachable.push(format!("the reachability check broke: {e}")),
        }
    }
    if unreachable.is_empty() {
        Ok(())
    } else {
        Err(unreachable.join("\n"))
    }
}

/// Whether a TCP connection to `url`'s host and port can be made within
/// `timeout`; `Err` names the URL and `flag`, the flag that gave it.
pub async fn reachable(flag: &str, url: &str, timeout: std::time::Duration) -> Result<(), String> {
    let unreachable = |why: String| {
        format!(
            "cannot reach the receiver at {url} ({flag}): {why}.\n  \
             This is a set-up problem: check {flag} and that the receiver is running \
             (nothing was sent to it)."
        )
    };
    let parsed = reqwest::Url::parse(url).map_err(|e| unreachable(e.to_string()))?;
    let (Some(host), Some(port)) = (parsed.host_str(), parsed.port_or_known_default()) else {
        return Err(unreachable("no host or port".into()));
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    match tokio::time::timeout(timeout, tokio::net::TcpStream::connect((host, port))).await {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(e)) => Err(unreachable(e.to_string())),
        Err(_) => Err(unreachable(format!("no connection within {timeout:?}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

    #[tokio::test]
    async fn an_endless_answer_is_read_only_up_to_the_envelope_bound() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (done, finished) = tokio::sync::oneshot::channel::<()>();
        // Answers with more than the bound and then neither ends the body
        // nor closes the connection until the test is over.
        tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await.unwrap();
            let mut request = [0u8; 4096];
            let _ = socket.read(&mut request).await;
            let head = "HTTP/1.1 404 Not Found\r\ncontent-type: text/plain\r\n\r\n";
            socket.write_all(head.as_bytes()).await.unwrap();
            socket
                .write_all(&vec![b'x'; MAX_ENVELOPE_BYTES + 1])
                .await
                .unwrap();
            let _ = finished.await;
        });
        let target = Target {
            base_url: format!("http://{addr}"),
            api_key: "key".into(),
            shared_secret: "secret".into(),
            // Longer than any test run: only the bound can end the read.
            timeout: Duration::from_secs(24 * 3600),
            is_mock: false,
            allow_insecure_http: false,
            features: Vec::new(),
        };
        let client = crate::exec::http::client().unwrap();
        assert_eq!(check(&client, &target).await, Ok(()));
        let _ = done.send(());
    }

    #[test]
    fn an_authentication_code_names_its_credential_and_any_other_answer_goes_on() {
        let base = "https://example.test";
        let key = Response::new(401, vec![], br#"{"status":"fail","code":"1803"}"#.to_vec());
        let e = judge(base, &key).unwrap_err();
        assert!(
            e.starts_with("https://example.test rejected the API key"),
            "{e}"
        );
        assert!(e.contains("--api-key (or VERIFF_API_KEY)"), "{e}");
        let sig = Response::new(401, vec![], br#"{"status":"fail","code":"1818"}"#.to_vec());
        let e = judge(base, &sig).unwrap_err();
        assert!(
            e.contains("--shared-secret (or VERIFF_SHARED_SECRET)"),
            "{e}"
        );
        let not_found = Response::new(404, vec![], br#"{"status":"fail","code":"1102"}"#.to_vec());
        assert_eq!(judge(base, &not_found), Ok(()));
        assert_eq!(
            judge(base, &Response::new(404, vec![], b"<html>".to_vec())),
            Ok(())
        );
        assert_eq!(path("x"), "/v1/sessions/x/decision");
    }
}
