//! The facts the document states beyond the suite's schemas: per operation,
//! what it does, what it signs, its request body, its success answer, and
//! the statuses and codes of its errors. Each fact names its place in
//! docs/veriff-api.md and that place's tag ([DOC], [DOC-old], [3P]); where
//! those docs are silent ([NF]), nothing is stated.
//!
//! Operations are keyed by method and path, as in the mock's route table;
//! `super::tests` holds that the two list the same operations.

use serde_json::{Value, json};

/// A place in docs/veriff-api.md and its tag.
#[derive(Debug, Clone, Copy)]
pub(super) struct Source {
    pub(super) section: &'static str,
    pub(super) tag: &'static str,
}

const fn doc(section: &'static str) -> Source {
    Source {
        section,
        tag: "[DOC]",
    }
}

const fn doc_old(section: &'static str) -> Source {
    Source {
        section,
        tag: "[DOC-old]",
    }
}

impl Source {
    /// `docs/veriff-api.md, section 4.2 [DOC]`.
    pub(super) fn cite(&self) -> String {
        format!("docs/veriff-api.md, section {} {}", self.section, self.tag)
    }
}

/// What `X-HMAC-SIGNATURE` is computed over (section 2.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Signs {
    /// Not required (create).
    Nothing,
    /// The request body, the exact bytes sent.
    Body,
    /// The session id in the path.
    SessionId,
    /// The media id in the path.
    MediaId,
    /// The attempt id in the path.
    AttemptId,
}

impl Signs {
    /// The value of the `x-veriff-signs` extension.
    pub(super) fn name(self) -> &'static str {
        match self {
            Signs::Nothing => "nothing",
            Signs::Body => "request body",
            Signs::SessionId => "session id",
            Signs::MediaId => "media id",
            Signs::AttemptId => "attempt id",
        }
    }
}

/// An error code a status may carry, and when.
#[derive(Debug, Clone, Copy)]
pub(super) struct Code {
    pub(super) code: &'static str,
    pub(super) when: &'static str,
    pub(super) source: Source,
}

const fn code(code: &'static str, when: &'static str, source: Source) -> Code {
    Code { code, when, source }
}

/// One documented answer of an operation other than its success.
#[derive(Debug, Clone, Copy)]
pub(super) struct Answer {
    pub(super) status: u16,
    pub(super) meaning: &'static str,
    pub(super) source: Source,
    pub(super) codes: &'static [Code],
}

const fn answer(
    status: u16,
    meaning: &'static str,
    source: Source,
    codes: &'static [Code],
) -> Answer {
    Answer {
        status,
        meaning,
        source,
        codes,
    }
}

/// The body of a success answer.
#[derive(Debug, Clone, Copy)]
pub(super) enum Body {
    /// JSON, with one of the suite's schemas.
    Schema(&'static str),
    /// JSON whose shape the docs leave open.
    Object,
    /// The file itself, in one of these media types.
    File(&'static [&'static str]),
}

/// Which response headers the success answer documents (section 2.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Headers {
    /// None documented.
    None,
    /// `x-hmac-signature` when the request was signed with HMAC (the FAQ).
    SignatureIfSigned,
    /// `x-auth-client` and `x-hmac-signature`.
    Signed,
    /// Those, and their `vrf-` twins, optional.
    SignedAndVrf,
}

/// The success answer.
#[derive(Debug, Clone, Copy)]
pub(super) struct Success {
    /// The status, or a class such as `2XX` when the docs leave it open.
    pub(super) status: &'static str,
    pub(super) meaning: &'static str,
    pub(super) body: Body,
    pub(super) headers: Headers,
    pub(super) source: Source,
}

/// What the body's `status` is in error answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ErrorStatus {
    /// `"fail"` (section 3.1).
    Fail,
    /// `"fail"` or the HTTP status as a number (DELETE, sections 4.3 and 11).
    FailOrNumber,
}

/// One operation of Veriff's session API.
#[derive(Debug, Clone, Copy)]
pub(super) struct Operation {
    pub(super) method: &'static str,
    pub(super) path: &'static str,
    pub(super) id: &'static str,
    pub(super) summary: &'static str,
    pub(super) about: &'static str,
    /// The endpoint's own section.
    pub(super) source: Source,
    pub(super) signs: Signs,
    pub(super) request: Option<fn() -> Value>,
    pub(super) success: Success,
    /// Answers besides the common ones of section 3.1, and the codes of
    /// any answer (common ones included).
    pub(super) answers: &'static [Answer],
    pub(super) error_status: ErrorStatus,
}

/// The statuses section 3.1's table gives every endpoint.
pub(super) const COMMON: &[(u16, &str)] = &[
    (400, "Client error; the body's code says which"),
    (401, "Authentication problem"),
    (404, "Not found"),
    (500, "Server error"),
];

/// The section of the common status table.
pub(super) const COMMON_SOURCE: Source = doc("3.1");

/// `X-AUTH-CLIENT` missing: 401, with one of two codes.
pub(super) const MISSING_KEY: &[Code] = &[
    code(
        "1101",
        "X-AUTH-CLIENT is missing (the PATCH page's example)",
        doc("4.2"),
    ),
    code(
        "1801",
        "X-AUTH-CLIENT is missing (the credentials table)",
        doc("3.2"),
    ),
];

/// A wrong API key: codes of the credentials table, whose status is not documented.
pub(super) const WRONG_KEY: &[Code] = &[
    code("1802", "the API key is not a valid UUID", doc("3.2")),
    code("1803", "no integration has that API key", doc("3.2")),
    code("1804", "the integration is inactive", doc("3.2")),
];

/// A signature that does not verify, whatever was signed: 401.
pub(super) const BAD_SIGNATURE: &[Code] = &[
    code(
        "1812",
        "X-HMAC-SIGNATURE does not validate (the PATCH page)",
        doc("4.2"),
    ),
    code(
        "1815",
        "the request could not be authenticated (the troubleshooting table)",
        doc("3.2"),
    ),
];

/// A body signature that does not verify (the credentials table).
pub(super) const BAD_BODY_SIGNATURE: Code = code(
    "1819",
    "the HMAC-SHA256 of the request body does not match",
    doc("3.2"),
);

/// A path-id signature that does not verify (the credentials table).
pub(super) const BAD_ID_SIGNATURE: Code = code(
    "1818",
    "the HMAC-SHA256 of the id in the path does not match",
    doc("3.2"),
);

/// The signing rule, for the security scheme.
pub(super) const SIGNING_SOURCE: Source = doc("2.1");
/// What each endpoint signs.
pub(super) const SIGNED_PER_ENDPOINT: Source = doc("2.3");
/// The response headers.
pub(super) const RESPONSE_HEADERS: Source = doc("2.4");

/// The download's types (section 4.6 [DOC]), and those of the formats an
/// upload may have (section 4.4 [DOC]): a download is the uploaded file.
const MEDIA_TYPES: &[&str] = &[
    "image/jpeg",
    "image/jpg",
    "image/png",
    "video/webm",
    "application/json",
    "image/webp",
    "image/heif",
    "image/heic",
    "application/pdf",
];

/// Every operation of Veriff's session API that the suite covers.
pub(super) const OPERATIONS: &[Operation] = &[
    Operation {
        method: "POST",
        path: "/v1/sessions",
        id: "createSession",
        summary: "Create a verification session",
        about: "Creates a session; store its `verification.id`. The end user goes through the flow at `verification.url`.",
        source: doc("4.1"),
        signs: Signs::Nothing,
        request: Some(create_body),
        success: Success {
            status: "201",
            meaning: "Session created",
            body: Body::Schema("create-success"),
            headers: Headers::SignatureIfSigned,
            source: doc("4.1"),
        },
        answers: &[answer(
            400,
            "Client error; the body's code says which",
            doc("4.1"),
            &[
                code("1102", "mandatory parameters missing", doc("3.3")),
                code("1104", "the request has invalid parameters", doc("3.3")),
                code("1302", "only HTTPS callback URLs are allowed", doc("3.3")),
                code(
                    "1500",
                    "vendorData longer than 1,000 characters",
                    doc("3.3"),
                ),
                code("1501", "vendorData is not a string", doc("3.3")),
            ],
        )],
        error_status: ErrorStatus::Fail,
    },
    Operation {
        method: "PATCH",
        path: "/v1/sessions/{id}",
        id: "submitSession",
        summary: "Submit a session",
        about: "Sets the session's status to `submitted`, the only update this endpoint supports. The session must be `created` or `started`.",
        source: doc("4.2"),
        signs: Signs::Body,
        request: Some(submit_body),
        success: Success {
            status: "200",
            meaning: "Session is patched",
            body: Body::Schema("submit-success"),
            headers: Headers::Signed,
            source: doc("4.2"),
        },
        answers: &[
            answer(
                400,
                "The status value is invalid or missing, or the session was already submitted",
                doc("4.2"),
                &[
                    code(
                        "1101",
                        "an invalid or unsupported status value (Validation failed)",
                        doc("4.2"),
                    ),
                    code("1101", "the session has already been submitted", doc("4.2")),
                    code(
                        "1102",
                        "a missing status, a verification that is not an object, or an empty body: mandatory parameters missing",
                        doc("3.3"),
                    ),
                    code(
                        "1104",
                        "a missing status, a verification that is not an object, or an empty body: invalid parameters",
                        doc("3.3"),
                    ),
                    code("1303", "invalid status", doc("4.2")),
                    code("1304", "cannot transition to the status", doc("4.2")),
                ],
            ),
            answer(
                404,
                "No session with that id",
                doc("4.2"),
                &[code("1101", "Resource not found", doc("4.2"))],
            ),
            answer(
                500,
                "Unexpected error",
                doc("4.2"),
                &[code("1101", "Something went wrong", doc("4.2"))],
            ),
        ],
        error_status: ErrorStatus::Fail,
    },
    Operation {
        method: "DELETE",
        path: "/v1/sessions/{id}",
        id: "deleteSession",
        summary: "Delete a session",
        about: "Off by default: Veriff turns it on per integration. Deletable statuses: created, started, approved, declined, resubmission_requested, expired, abandoned. Rate-limited to 10 deletions a day and 5 an hour.",
        source: doc("4.3"),
        signs: Signs::SessionId,
        request: None,
        success: Success {
            status: "200",
            meaning: "Session is deleted",
            body: Body::Schema("delete-success"),
            headers: Headers::Signed,
            source: doc("4.3"),
        },
        answers: &[
            answer(
                400,
                "The session is not in a deletable status",
                doc("4.3"),
                &[
                    code("1305", "Session is not in a completed status.", doc("4.3")),
                    code(
                        "1306",
                        "a second 400 (message beginning \"Session in p...\")",
                        doc("4.3"),
                    ),
                ],
            ),
            answer(404, "Session not found", doc("4.3"), &[]),
            answer(429, "Too many requests", doc("4.3"), &[]),
        ],
        error_status: ErrorStatus::FailOrNumber,
    },
    Operation {
        method: "POST",
        path: "/v1/sessions/{id}/media",
        id: "uploadMedia",
        summary: "Upload a medium",
        about: "One file per request: .jpg .jpeg .png .heif .heic .webp (.pdf in some renderings), images at most 24 MB as base64.",
        source: doc("4.4"),
        signs: Signs::Body,
        request: Some(media_body),
        success: Success {
            status: "2XX",
            meaning: "The stored medium's metadata (200 or 201: not documented)",
            body: Body::Object,
            headers: Headers::None,
            source: doc("4.4"),
        },
        answers: &[
            answer(
                400,
                "The image is missing or invalid",
                doc("4.4"),
                &[
                    code("1400", "image data not found", doc("3.3")),
                    code("1401", "image is not valid base64", doc("3.3")),
                    code("1402", "image context not supported", doc("3.3")),
                    code("1403", "image property missing", doc("3.3")),
                ],
            ),
            answer(
                409,
                "Upload after the session was submitted",
                doc("4.4"),
                &[],
            ),
        ],
        error_status: ErrorStatus::Fail,
    },
    Operation {
        method: "GET",
        path: "/v1/sessions/{id}/media",
        id: "listSessionMedia",
        summary: "List the session's media",
        about: "The media of the most recent attempt only, images and videos ordered by quality. A test integration returns no videos.",
        source: doc("4.5"),
        signs: Signs::SessionId,
        request: None,
        success: Success {
            status: "200",
            meaning: "The media list",
            body: Body::Schema("media-list"),
            headers: Headers::Signed,
            source: doc("4.5"),
        },
        answers: &[],
        error_status: ErrorStatus::Fail,
    },
    Operation {
        method: "GET",
        path: "/v1/media/{id}",
        id: "downloadMedia",
        summary: "Download one medium",
        about: "The file itself. Media ids come from the media lists' `images[].id`, `videos[].id` and `nfcDocuments[].id`.",
        source: doc("4.6"),
        signs: Signs::MediaId,
        request: None,
        success: Success {
            status: "200",
            meaning: "The file, typed as uploaded (the upload formats: docs/veriff-api.md, section 4.4 [DOC])",
            body: Body::File(MEDIA_TYPES),
            headers: Headers::SignedAndVrf,
            source: doc("4.6"),
        },
        answers: &[answer(
            400,
            "Validation failed",
            doc("4.6"),
            &[code("1101", "Validation failed", doc("4.6"))],
        )],
        error_status: ErrorStatus::Fail,
    },
    Operation {
        method: "GET",
        path: "/v1/attempts/{id}/media",
        id: "listAttemptMedia",
        summary: "List an attempt's media",
        about: "The same shape as the session's media list, for one attempt.",
        source: doc("4.8"),
        signs: Signs::AttemptId,
        request: None,
        success: Success {
            status: "200",
            meaning: "The attempt's media list",
            body: Body::Schema("media-list"),
            headers: Headers::Signed,
            source: doc("4.8"),
        },
        answers: &[],
        error_status: ErrorStatus::Fail,
    },
    Operation {
        method: "GET",
        path: "/v1/sessions/{id}/attempts",
        id: "listAttempts",
        summary: "List the session's attempts",
        about: "An attempt is one upload-and-decide cycle of a session; newest first.",
        source: doc("4.7"),
        signs: Signs::SessionId,
        request: None,
        success: Success {
            status: "200",
            meaning: "The attempts",
            body: Body::Schema("attempts"),
            headers: Headers::Signed,
            source: doc("4.7"),
        },
        answers: &[answer(404, "Session not found", doc("4.7"), &[])],
        error_status: ErrorStatus::Fail,
    },
    Operation {
        method: "GET",
        path: "/v1/sessions/{id}/decision",
        id: "getDecision",
        summary: "Get the session's decision",
        about: "A polling fallback to the decision webhook: `verification` is null until there is a decision.",
        source: doc("4.9"),
        signs: Signs::SessionId,
        request: None,
        success: Success {
            status: "200",
            meaning: "The decision, or null",
            body: Body::Schema("decision"),
            headers: Headers::Signed,
            source: doc("4.9"),
        },
        answers: &[],
        error_status: ErrorStatus::Fail,
    },
    Operation {
        method: "GET",
        path: "/v1/sessions/{id}/person",
        id: "getPerson",
        summary: "Get the session's person data",
        about: "Person data extracted or given at creation, and `pepSanctionMatches[]`.",
        source: doc("4.10"),
        signs: Signs::SessionId,
        request: None,
        success: Success {
            status: "200",
            meaning: "The person data",
            body: Body::Schema("person"),
            headers: Headers::None,
            source: doc("4.10"),
        },
        answers: &[],
        error_status: ErrorStatus::Fail,
    },
    Operation {
        method: "GET",
        path: "/v1/sessions/{id}/watchlist-screening",
        id: "getWatchlistScreening",
        summary: "Get the session's PEP and sanctions screening",
        about: "Only for customers of Veriff's PEP & Sanctions product.",
        source: doc("4.11"),
        signs: Signs::SessionId,
        request: None,
        success: Success {
            status: "200",
            meaning: "The screening",
            body: Body::Schema("watchlist"),
            headers: Headers::Signed,
            source: doc("4.11"),
        },
        answers: &[],
        error_status: ErrorStatus::Fail,
    },
];

/// The webhooks Veriff posts (section 5), each with its schema.
pub(super) struct Webhook {
    pub(super) name: &'static str,
    pub(super) summary: &'static str,
    /// A `$ref` target inside the document.
    pub(super) schema: &'static str,
    pub(super) source: Source,
    pub(super) shape_source: Source,
}

pub(super) const WEBHOOKS: &[Webhook] = &[
    Webhook {
        name: "decision",
        summary: "A session's decision, posted right after it is made (the shape of GET /v1/sessions/{id}/decision)",
        schema: "#/components/schemas/decision",
        source: doc("5.3"),
        shape_source: doc_old("5.3"),
    },
    Webhook {
        name: "event",
        summary: "A session event: started (7001) or submitted (7002)",
        schema: "#/components/schemas/event-webhook",
        source: doc("5.4"),
        shape_source: doc("5.4"),
    },
    Webhook {
        name: "watchlist-screening",
        summary: "A PEP and sanctions screening result, sent after the screening and whenever it changes (the keys of the endpoint's `data`, not wrapped)",
        schema: "#/components/schemas/watchlist/properties/data",
        source: doc("5.5"),
        shape_source: doc("5.5"),
    },
];

/// Webhook signing: `x-hmac-signature` over the raw body.
pub(super) const WEBHOOK_SIGNING: Source = doc("5.2");
/// `x-auth-client` on every webhook.
pub(super) const WEBHOOK_API_KEY: Source = doc_old("5.2");
/// A delivery succeeds on 200.
pub(super) const WEBHOOK_ANSWER: Source = doc("5.7");

/// A date, `YYYY-MM-DD`.
fn date() -> Value {
    json!({ "type": "string", "format": "date" })
}

/// `POST /v1/sessions`'s body (section 4.1 [DOC]): `verification` is required
/// and may be empty; the fields below are optional.
fn create_body() -> Value {
    json!({
        "type": "object",
        "required": ["verification"],
        "description": "docs/veriff-api.md, section 4.1 [DOC]: `{\"verification\":{}}` is the documented minimum.",
        "properties": {
            "verification": {
                "type": "object",
                "properties": {
                    "callback": {
                        "type": "string",
                        "format": "uri",
                        "pattern": "^https://",
                        "description": "Where the end user goes after the flow; HTTPS only (1302). docs/veriff-api.md, section 4.1 [DOC]"
                    },
                    "person": {
                        "type": "object",
                        "description": "docs/veriff-api.md, section 4.1 [DOC]",
                        "properties": {
                            "firstName": { "type": "string" },
                            "lastName": { "type": "string" },
                            "idNumber": { "type": "string" },
                            "phoneNumber": { "type": "string" },
                            "dateOfBirth": date(),
                            "email": { "type": "string" },
                            "maritalStatus": { "enum": ["single", "married", "divorced", "widowed"] },
                            "isDeceased": { "type": "boolean" }
                        }
                    },
                    "document": {
                        "type": "object",
                        "description": "docs/veriff-api.md, section 4.1 [DOC]",
                        "properties": {
                            "number": { "type": "string", "pattern": "^[a-zA-Z0-9]+$" },
                            "country": { "type": "string" },
                            "firstIssue": date()
                        }
                    },
                    "vendorData": {
                        "type": "string",
                        "maxLength": 1000,
                        "description": "At most 1,000 characters (1500), a string (1501); returned unmodified. docs/veriff-api.md, sections 4.1 and 9 [DOC]"
                    },
                    "endUserId": {
                        "type": "string",
                        "format": "uuid",
                        "description": "Your UUID for the end user; returned unmodified. docs/veriff-api.md, sections 4.1 and 9 [DOC]"
                    }
                }
            }
        }
    })
}

/// `PATCH /v1/sessions/{id}`'s body (section 4.2 [DOC]).
fn submit_body() -> Value {
    json!({
        "type": "object",
        "required": ["verification"],
        "description": "docs/veriff-api.md, section 4.2 [DOC]: `submitted` is the only status update this endpoint supports.",
        "properties": {
            "verification": {
                "type": "object",
                "required": ["status"],
                "properties": { "status": { "const": "submitted" } }
            }
        }
    })
}

/// `POST /v1/sessions/{id}/media`'s body (section 4.4 [DOC]); the contexts
/// are those of section 4.5 [DOC].
fn media_body() -> Value {
    json!({
        "type": "object",
        "required": ["image"],
        "description": "docs/veriff-api.md, section 4.4 [DOC]: one file per request.",
        "properties": {
            "image": {
                "type": "object",
                "required": ["context", "content"],
                "properties": {
                    "context": {
                        "description": "docs/veriff-api.md, section 4.5 [DOC]; 1402 when not supported, 1403 when missing",
                        "enum": [
                            "document-and-face", "document-and-face-pre", "document-back",
                            "document-back-pre", "document-front", "document-front-pre",
                            "document-front-with-signature", "document-front-with-signature-pre",
                            "face", "face-pre", "face-nfc", "face-reference", "face-cropped",
                            "address-front", "document-front-face-cropped", "registry-face"
                        ]
                    },
                    "content": {
                        "type": "string",
                        "description": "Base64 with a data-URI prefix (`data:image/jpeg;base64,...`); 1401 when invalid. docs/veriff-api.md, section 4.4 [DOC]"
                    },
                    "timestamp": { "type": "string", "format": "date-time" }
                }
            }
        }
    })
}
