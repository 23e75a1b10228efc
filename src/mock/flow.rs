//! The flow page: what a browser sees at a session `url` (`GET /v/{token}`
//! with an `Accept` that includes `text/html`), and the controls on it.
//!
//! The page is one self-contained HTML file (`flow/page.html`: no external
//! asset, so it works offline) that shows the session and offers buttons
//! standing in for the end user: Approve, Decline and Request resubmission
//! (each submits the attempt and decides it), Submit (submitted, no decision
//! yet) and Cancel (the end user leaves; nothing changes). A button posts to
//! `POST /v/{token}/{action}` on the mock's own origin, which changes the
//! session exactly as the API and the mock's decision trigger do, webhooks
//! included. In a frame the page speaks Veriff's InContext protocol to its
//! parent; at the top level it sends the end user to the session's
//! `callback`. There is no camera and no document capture.

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::app::Shared;
use super::errors::ApiError;
use super::response::json_response;
use super::state::{Refusal, Session, Status};

/// The page, with `{{name}}` placeholders filled in by [`page`].
const TEMPLATE: &str = include_str!("flow/page.html");

/// What the page's scripts and styles may do: inline code of its own, calls
/// to its own origin, nothing else.
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'unsafe-inline'; \
     style-src 'unsafe-inline'; connect-src 'self'; base-uri 'none'; form-action 'none'";

/// Whether a request asks for a page: its `Accept` names `text/html`, as a
/// browser's navigation (top level or frame) does.
pub(crate) fn wants_html(headers: &HeaderMap) -> bool {
    headers.get_all(header::ACCEPT).iter().any(|value| {
        value
            .as_bytes()
            .windows(b"text/html".len())
            .any(|window| window.eq_ignore_ascii_case(b"text/html"))
    })
}

/// The page for `session`. `query` is the request's query string, whose
/// `lang` (the InContext SDK adds it) becomes the page's language when it is
/// a plausible language tag.
pub(crate) fn page(session: &Session, query: Option<&str>) -> Response {
    let name = [
        session.init.first_name.as_deref(),
        session.init.last_name.as_deref(),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" ");
    let fills = [
        ("lang", lang(query).unwrap_or("en")),
        ("session_id", session.id.as_str()),
        (
            "name",
            if name.is_empty() {
                "(not given)"
            } else {
                &name
            },
        ),
        (
            "vendor_data",
            session.vendor_data.as_deref().unwrap_or("(not given)"),
        ),
        ("status", session.status.as_str()),
    ];
    let mut html = TEMPLATE.to_owned();
    for (key, value) in fills {
        html = html.replace(&format!("{{{{{key}}}}}"), &escape(value));
    }
    let mut response = (StatusCode::OK, html).into_response();
    let headers = response.headers_mut();
    for (name, value) in [
        (header::CONTENT_TYPE, "text/html; charset=utf-8"),
        (header::CACHE_CONTROL, "no-store"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    response
}

/// What a button of the page asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Action {
    /// Submit the attempt and decide it so.
    Decide(Status),
    /// Submit the attempt; a later trigger decides it.
    Submit,
    /// The end user leaves the flow: nothing changes.
    Cancel,
}

impl Action {
    fn from_path(name: &str) -> Option<Action> {
        Some(match name {
            "approve" => Action::Decide(Status::Approved),
            "decline" => Action::Decide(Status::Declined),
            "resubmit" => Action::Decide(Status::ResubmissionRequested),
            "submit" => Action::Submit,
            "cancel" => Action::Cancel,
            _ => return None,
        })
    }

    /// The button's name, as the page shows it.
    fn label(self) -> &'static str {
        match self {
            Action::Decide(Status::Approved) => "Approve",
            Action::Decide(Status::Declined) => "Decline",
            Action::Decide(_) => "Request resubmission",
            Action::Submit => "Submit",
            Action::Cancel => "Cancel",
        }
    }
}

/// `POST /v/{token}/{action}`, the page's buttons (`approve`, `decline`,
/// `resubmit`, `submit`, `cancel`). No credentials: like the session `url`,
/// the token is the end user's only key. Answers JSON for the page:
/// 200 `{"status", "message", "callback"}` when done, 409
/// `{"status", "message"}` (the session unchanged) when the session cannot
/// take the action, and the usual JSON 404 for an unknown token or action.
pub(crate) async fn act(
    State(app): Shared,
    path: Result<Path<(String, String)>, PathRejection>,
) -> Result<Response, ApiError> {
    let Ok(Path((token, name))) = path else {
        return Err(ApiError::not_found());
    };
    let action = Action::from_path(&name).ok_or(ApiError::not_found())?;
    let session = app.store.open(&token, false).ok_or(ApiError::not_found())?;
    let done = match action {
        Action::Decide(outcome) => app.store.submit_and_decide(&session.id, outcome),
        Action::Submit => app.store.submit(&session.id),
        Action::Cancel if session.status.open_for_input() => Ok(session.clone()),
        Action::Cancel => Err(Refusal::CannotTransition(session.status)),
    };
    match done {
        Ok(after) => Ok(json_response(
            StatusCode::OK,
            &json!({
                "status": after.status.as_str(),
                "message": done_message(action, &after),
                "callback": after.callback,
            }),
        )),
        Err(Refusal::NotFound) => Err(ApiError::not_found()),
        Err(_) => {
            let now = app.store.get(&session.id).ok_or(ApiError::not_found())?;
            Ok(json_response(
                StatusCode::CONFLICT,
                &json!({
                    "status": now.status.as_str(),
                    "message": format!(
                        "The session is {}, so {} changes nothing.",
                        where_it_is(now.status),
                        action.label()
                    ),
                }),
            ))
        }
    }
}

/// What the page says after an action went through.
fn done_message(action: Action, after: &Session) -> String {
    match action {
        Action::Cancel => "You left the flow. The session is unchanged.".to_owned(),
        Action::Submit => format!("Submitted. The session is {}.", after.status.as_str()),
        Action::Decide(_) => format!("Done. The session is {}.", after.status.as_str()),
    }
}

/// A session's status, in words that follow "The session is".
fn where_it_is(status: Status) -> &'static str {
    match status {
        Status::Created | Status::Started => "open",
        Status::Submitted => "already submitted",
        Status::Approved => "already approved",
        Status::Declined => "already declined",
        Status::ResubmissionRequested => "sent back for resubmission",
        Status::Review => "in review",
        Status::Expired => "expired",
        Status::Abandoned => "abandoned",
    }
}

/// The `lang` query parameter, if it looks like a language tag (letters,
/// digits and `-`, at most 35 characters, BCP 47's longest common form).
fn lang(query: Option<&str>) -> Option<&str> {
    query?
        .split('&')
        .find_map(|pair| pair.strip_prefix("lang="))
        .filter(|tag| {
            (1..=35).contains(&tag.len())
                && tag.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

/// `text` safe in HTML text and in a quoted attribute.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_browser_accept_header_asks_for_the_page_and_a_client_default_does_not() {
        let mut headers = HeaderMap::new();
        assert!(!wants_html(&headers));
        headers.insert(header::ACCEPT, HeaderValue::from_static("*/*"));
        assert!(!wants_html(&headers));
        headers.insert(
            header::ACCEPT,
            HeaderValue::from_static("Text/HTML,application/xhtml+xml;q=0.9"),
        );
        assert!(wants_html(&headers));
    }

    #[test]
    fn lang_is_taken_only_when_it_looks_like_a_language_tag() {
        assert_eq!(lang(Some("a=1&lang=et")), Some("et"));
        assert_eq!(lang(Some("lang=pt-BR")), Some("pt-BR"));
        assert_eq!(lang(Some("lang=%22%3E")), None);
        assert_eq!(lang(Some("lang=")), None);
        assert_eq!(lang(None), None);
    }

    #[test]
    fn markup_in_session_data_is_escaped() {
        assert_eq!(
            escape(r#"<script>"a" & 'b'</script>"#),
            "&lt;script&gt;&quot;a&quot; &amp; &#39;b&#39;&lt;/script&gt;"
        );
    }

    #[test]
    fn each_button_has_a_path_and_the_name_the_page_shows() {
        for (path, label) in [
            ("approve", "Approve"),
            ("decline", "Decline"),
            ("resubmit", "Request resubmission"),
            ("submit", "Submit"),
            ("cancel", "Cancel"),
        ] {
            let action = Action::from_path(path).expect(path);
            assert_eq!(action.label(), label);
            assert!(
                TEMPLATE.contains(&format!(r#"data-action="{path}">{label}</button>"#)),
                "{path}"
            );
        }
        assert_eq!(Action::from_path("approved"), None);
    }
}
