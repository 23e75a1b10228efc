//! An OpenAPI 3.1 document of Veriff's session API, for tools other than
//! this one: client generators, Postman, contract testers.
//!
//! It is built, never written by hand, from three things in the binary:
//! the mock's route table (which operations exist: its routes on Veriff's
//! surface, none of the mock-only ones), the suite's own JSON Schemas
//! (`specs/schemas/*.json`, the response and webhook bodies), and the table
//! of facts in `openapi/facts.rs` (what each operation signs, its request
//! body, its statuses and codes), each fact citing docs/veriff-api.md with
//! its tag.

mod facts;
mod schemas;

use serde_json::{Map, Value, json};

use crate::mock::{ROUTES, Surface};
use facts::{
    Answer, BAD_BODY_SIGNATURE, BAD_ID_SIGNATURE, BAD_SIGNATURE, Body, COMMON, COMMON_SOURCE, Code,
    ErrorStatus, Headers, MISSING_KEY, OPERATIONS, Operation, RESPONSE_HEADERS,
    SIGNED_PER_ENDPOINT, SIGNING_SOURCE, Signs, Source, WEBHOOK_ANSWER, WEBHOOK_API_KEY,
    WEBHOOK_SIGNING, WEBHOOKS, WRONG_KEY,
};

/// How the document is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OpenApiFormat {
    /// YAML (the default).
    #[default]
    Yaml,
    /// JSON, pretty-printed.
    Json,
}

/// The document, written out.
///
/// ```
/// use veriff_conformance::{OpenApiFormat, openapi_document};
/// let json = openapi_document(OpenApiFormat::Json).unwrap();
/// let document: serde_json::Value = serde_json::from_str(&json).unwrap();
/// assert_eq!(document["openapi"], "3.1.0");
/// assert!(document["paths"]["/v1/sessions"]["post"].is_object());
/// assert!(document["paths"].get("/v/{token}").is_none()); // mock-only
/// ```
pub fn openapi_document(format: OpenApiFormat) -> Result<String, String> {
    let document = document()?;
    match format {
        OpenApiFormat::Json => serde_json::to_string_pretty(&document)
            .map(|mut text| {
                text.push('\n');
                text
            })
            .map_err(|e| format!("cannot write the document as JSON: {e}")),
        OpenApiFormat::Yaml => serde_saphyr::to_string(&document)
            .map_err(|e| format!("cannot write the document as YAML: {e}")),
    }
}

/// The document as JSON.
fn document() -> Result<Value, String> {
    let mut paths = Map::new();
    for route in ROUTES.iter().filter(|r| r.surface == Surface::Veriff) {
        let method = route.method.as_str();
        let operation = OPERATIONS
            .iter()
            .find(|o| o.method == method && o.path == route.path)
            .ok_or_else(|| format!("no facts for the route {method} {}", route.path))?;
        let item = paths
            .entry(route.path)
            .or_insert_with(|| Value::Object(Map::new()));
        item[method.to_ascii_lowercase()] = path_operation(operation);
    }
    let mut webhooks = Map::new();
    for webhook in WEBHOOKS {
        webhooks.insert(
            webhook.name.into(),
            json!({ "post": webhook_operation(webhook) }),
        );
    }
    Ok(json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Veriff session API (Public API v1), as veriff-conformance knows it",
            "version": env!("CARGO_PKG_VERSION"),
            "description": INFO,
        },
        "paths": paths,
        "webhooks": webhooks,
        "components": {
            "schemas": schemas::components()?,
            "securitySchemes": security_schemes(),
        },
    }))
}

const INFO: &str = "Veriff publishes no machine-readable description of its session API; this one is written by veriff-conformance from its own record of Veriff's documentation (docs/veriff-api.md in its repository, which links every page it rests on). Each operation, answer and code cites its place there with a tag: [DOC] Veriff's current docs, [DOC-old] an older rendering or Veriff's legacy docs, [3P] third-party material. Where the docs are silent, the document says nothing. Each integration has its own base URL, shown in Veriff's Customer Portal (docs/veriff-api.md, section 1 [DOC]), so the document names no server. Request signing: `X-HMAC-SIGNATURE` is the lowercase hex HMAC-SHA256, keyed with the shared secret, of the exact request body bytes (POST, PATCH) or of the id in the path (GET, DELETE); each operation's `x-veriff-signs` says which (docs/veriff-api.md, sections 2.1 and 2.3 [DOC]).";

fn security_schemes() -> Value {
    let wrong_key: Vec<Value> = WRONG_KEY.iter().map(code_json).collect();
    json!({
        "apiKey": {
            "type": "apiKey",
            "in": "header",
            "name": "X-AUTH-CLIENT",
            "description": format!(
                "The integration's API key, on every request ({}). A missing key is 401; the codes of a wrong key ({}) are documented without a status.",
                SIGNING_SOURCE.cite(),
                WRONG_KEY.iter().map(|c| c.code).collect::<Vec<_>>().join(", "),
            ),
            "x-veriff-codes-without-status": wrong_key,
        },
        "hmacSignature": {
            "type": "apiKey",
            "in": "header",
            "name": "X-HMAC-SIGNATURE",
            "description": format!(
                "Lowercase hex HMAC-SHA256, keyed with the shared secret, of what the operation's `x-veriff-signs` names: the exact request body bytes, or the session, media or attempt id in the path ({}; {}).",
                SIGNING_SOURCE.cite(),
                SIGNED_PER_ENDPOINT.cite(),
            ),
        },
    })
}

fn code_json(code: &Code) -> Value {
    json!({ "code": code.code, "when": code.when, "source": code.source.cite() })
}

/// One operation under `paths`.
fn path_operation(op: &Operation) -> Value {
    let signed_what = match op.signs {
        Signs::Nothing => "No `X-HMAC-SIGNATURE` is required.".to_string(),
        Signs::Body => "Signed: `X-HMAC-SIGNATURE` over the exact request body bytes.".into(),
        other => format!(
            "Signed: `X-HMAC-SIGNATURE` over the {} in the path.",
            other.name()
        ),
    };
    let mut operation = json!({
        "operationId": op.id,
        "summary": op.summary,
        "description": format!(
            "{} {signed_what} Sources: {}; signing, {}.",
            op.about,
            op.source.cite(),
            SIGNED_PER_ENDPOINT.cite()
        ),
        "security": match op.signs {
            Signs::Nothing => json!([{ "apiKey": [] }]),
            _ => json!([{ "apiKey": [], "hmacSignature": [] }]),
        },
        "x-veriff-signs": op.signs.name(),
        "x-veriff-source": op.source.cite(),
        "responses": responses(op),
    });
    if op.path.contains("{id}") {
        let what = match op.signs {
            Signs::MediaId => "The media id",
            Signs::AttemptId => "The attempt id",
            _ => "The session id",
        };
        operation["parameters"] = json!([{
            "name": "id",
            "in": "path",
            "required": true,
            "description": what,
            "schema": { "type": "string", "format": "uuid" },
        }]);
    }
    if let Some(body) = op.request {
        operation["requestBody"] = json!({
            "required": true,
            "content": { "application/json": { "schema": body() } },
        });
    }
    if op.id == "createSession" {
        operation["responses"]["201"]["links"] = session_links();
    }
    for link in LINKS.iter().filter(|l| l.from == op.id) {
        operation["responses"]["200"]["links"][link.to] = json!({
            "operationId": link.to,
            "parameters": { "id": link.id },
            "description": link.source,
        });
    }
    operation
}

/// An id one operation's 200 answer gives another operation.
struct Link {
    from: &'static str,
    to: &'static str,
    /// The runtime expression of the id.
    id: &'static str,
    /// Where the docs say the id comes from.
    source: &'static str,
}

/// Besides a created session's id: the ids the lists hand on.
const LINKS: &[Link] = &[
    Link {
        from: "listAttempts",
        to: "listAttemptMedia",
        id: "$response.body#/verifications/0/id",
        source: "The newest attempt's id, `verifications[].id` (docs/veriff-api.md, sections 4.7 and 4.8 [DOC])",
    },
    Link {
        from: "listSessionMedia",
        to: "downloadMedia",
        id: "$response.body#/images/0/id",
        source: "A medium's id, `images[].id` (docs/veriff-api.md, sections 4.5 and 4.6 [DOC])",
    },
    Link {
        from: "listAttemptMedia",
        to: "downloadMedia",
        id: "$response.body#/images/0/id",
        source: "A medium's id, `images[].id` (docs/veriff-api.md, sections 4.8 and 4.6 [DOC])",
    },
];

/// From a created session to every operation on it, by its id.
fn session_links() -> Value {
    let mut links = Map::new();
    for op in OPERATIONS
        .iter()
        .filter(|o| o.path.starts_with("/v1/sessions/{id}"))
    {
        links.insert(
            op.id.into(),
            json!({
                "operationId": op.id,
                "parameters": { "id": "$response.body#/verification/id" },
                "description": "The created session's id (docs/veriff-api.md, section 4.1 [DOC])",
            }),
        );
    }
    Value::Object(links)
}

/// The success answer and every documented error answer.
fn responses(op: &Operation) -> Value {
    let mut out = Map::new();
    out.insert(op.success.status.into(), success(op));
    let mut statuses: Vec<u16> = COMMON.iter().map(|(s, _)| *s).collect();
    statuses.extend(op.answers.iter().map(|a| a.status));
    statuses.sort_unstable();
    statuses.dedup();
    for status in statuses {
        out.insert(status.to_string(), error_answer(op, status));
    }
    Value::Object(out)
}

fn success(op: &Operation) -> Value {
    let s = &op.success;
    let content = match s.body {
        Body::Schema(name) => json!({ "application/json": { "schema": schemas::reference(name) } }),
        Body::Object => json!({ "application/json": { "schema": { "type": "object" } } }),
        Body::File(types) => Value::Object(
            types
                .iter()
                .map(|t| {
                    (
                        t.to_string(),
                        json!({ "schema": { "type": "string", "contentMediaType": t } }),
                    )
                })
                .collect(),
        ),
    };
    let mut answer = json!({
        "description": format!("{} ({})", s.meaning, s.source.cite()),
        "content": content,
        "x-veriff-source": s.source.cite(),
    });
    let headers = response_headers(s.headers);
    if !headers.is_empty() {
        answer["headers"] = Value::Object(headers);
    }
    answer
}

fn response_headers(headers: Headers) -> Map<String, Value> {
    let header = |description: &str, required: bool| {
        json!({
            "description": format!("{description} ({})", RESPONSE_HEADERS.cite()),
            "required": required,
            "schema": { "type": "string" },
        })
    };
    let mut out = Map::new();
    match headers {
        Headers::None => {}
        Headers::SignatureIfSigned => {
            out.insert(
                "x-hmac-signature".into(),
                header("The response body signed with the shared secret, when the request was signed with HMAC (the FAQ)", false),
            );
        }
        Headers::Signed | Headers::SignedAndVrf => {
            out.insert(
                "x-auth-client".into(),
                header("The integration's API key, naming the sender", true),
            );
            out.insert(
                "x-hmac-signature".into(),
                header("Lowercase hex HMAC-SHA256 of the raw response body, keyed with the shared secret", true),
            );
            if headers == Headers::SignedAndVrf {
                out.insert(
                    "vrf-auth-client".into(),
                    header("The same as x-auth-client; only in an older rendering of the page, so optional", false),
                );
                out.insert(
                    "vrf-hmac-signature".into(),
                    header("The same as x-hmac-signature; only in an older rendering of the page, so optional", false),
                );
            }
        }
    }
    out
}

/// One error status of an operation: the envelope and the codes it may carry.
fn error_answer(op: &Operation, status: u16) -> Value {
    let own: Vec<&Answer> = op.answers.iter().filter(|a| a.status == status).collect();
    let common = COMMON.iter().find(|(s, _)| *s == status);
    let mut codes: Vec<Code> = own.iter().flat_map(|a| a.codes.iter().copied()).collect();
    if status == 401 {
        codes.extend(MISSING_KEY.iter().copied());
        match op.signs {
            Signs::Nothing => {}
            Signs::Body => codes.push(BAD_BODY_SIGNATURE),
            _ => codes.push(BAD_ID_SIGNATURE),
        }
        if op.signs != Signs::Nothing {
            codes.extend(BAD_SIGNATURE.iter().copied());
        }
    }
    let mut sources: Vec<Source> = own.iter().map(|a| a.source).collect();
    if common.is_some() {
        sources.push(COMMON_SOURCE);
    }
    let meaning = own
        .first()
        .map(|a| a.meaning)
        .or(common.map(|(_, m)| *m))
        .unwrap_or("");
    let cited: Vec<String> = sources.iter().map(Source::cite).collect();
    let mut description = format!("{meaning} ({})", cited.join("; "));
    if !codes.is_empty() {
        let listed: Vec<String> = codes
            .iter()
            .map(|c| format!("\"{}\" {} ({})", c.code, c.when, c.source.cite()))
            .collect();
        description.push_str(&format!(". Codes: {}", listed.join("; ")));
    }
    let schema = match op.error_status {
        ErrorStatus::Fail => schemas::reference("fail"),
        ErrorStatus::FailOrNumber => json!({
            "description": "DELETE's error bodies: `status` is \"fail\" (docs/veriff-api.md, section 3.1 [DOC]) or the HTTP status as a number (section 4.3 [DOC], and section 11)",
            "anyOf": [schemas::reference("fail"), schemas::reference("delete-error")],
        }),
    };
    let mut answer = json!({
        "description": description,
        "content": { "application/json": { "schema": schema } },
        "x-veriff-source": cited,
    });
    if !codes.is_empty() {
        answer["x-veriff-codes"] = codes.iter().map(code_json).collect();
    }
    answer
}

/// One webhook under `webhooks`.
fn webhook_operation(webhook: &facts::Webhook) -> Value {
    json!({
        "operationId": format!("{}Webhook", webhook.name.replace('-', "_")),
        "summary": webhook.summary,
        "description": format!(
            "Posted by Veriff to the integration's {} webhook URL ({}; its body, {}). Signed: `x-hmac-signature` over the raw body bytes ({}). A delivery succeeds when the receiver answers 200; otherwise Veriff retries ({}).",
            webhook.name,
            webhook.source.cite(),
            webhook.shape_source.cite(),
            WEBHOOK_SIGNING.cite(),
            WEBHOOK_ANSWER.cite(),
        ),
        "x-veriff-signs": "request body",
        "x-veriff-source": webhook.source.cite(),
        "parameters": [
            {
                "name": "x-hmac-signature",
                "in": "header",
                "required": true,
                "description": format!("Lowercase hex HMAC-SHA256 of the raw body, keyed with the shared secret ({})", WEBHOOK_SIGNING.cite()),
                "schema": { "type": "string" },
            },
            {
                "name": "x-auth-client",
                "in": "header",
                "required": false,
                "description": format!("The integration's API key ({})", WEBHOOK_API_KEY.cite()),
                "schema": { "type": "string" },
            },
        ],
        "requestBody": {
            "required": true,
            "content": { "application/json": { "schema": { "$ref": webhook.schema } } },
        },
        "responses": {
            "200": { "description": format!("The delivery succeeded ({})", WEBHOOK_ANSWER.cite()) },
        },
    })
}

#[cfg(test)]
mod tests;
