//! The work each side does: the double-submit flows as YAML and as Hurl
//! files, and the bare reqwest loop that makes the same requests and checks.

use super::*;

// ---------------------------------------------------------------- specs

/// The pattern every created session's id must match (a version 4 UUID).
pub const UUID_V4: &str = "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$";

/// One double-submit scenario, as the performance figures are defined on:
/// create, submit, submit again, with these expectations.
pub fn flow_yaml(number: usize) -> String {
    format!(
        r#"  - name: double submit {number}
    steps:
      - name: create
        method: POST
        path: /v1/sessions
        body: {{verification: {{vendorData: perf-1}}}}
        expect:
          status: 201
          body:
            status: success
            verification: {{status: created, id: {{$regex: "{UUID_V4}"}}}}
        capture: {{id: verification.id}}
      - name: submit
        method: PATCH
        path: /v1/sessions/${{id}}
        body: {{verification: {{status: submitted}}}}
        expect:
          status: 200
          headers: {{content-type: {{matches: application/json}}}}
          body:
            status: success
            verification: {{status: submitted, id: "${{id}}", vendorData: perf-1, sessionToken: {{$type: string}}, host: {{$type: string}}}}
      - name: submit again
        method: PATCH
        path: /v1/sessions/${{id}}
        body: {{verification: {{status: submitted}}}}
        expect:
          status: 400
          body: {{status: fail, code: "1101", message: Session has already been submitted}}
"#
    )
}

/// Writes `files` × `per_file` double-submit scenarios ([`flow_yaml`]) into
/// a fresh folder.
pub fn write_flows(name: &str, files: usize, per_file: usize) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("vc-bench-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    for f in 0..files {
        let mut text = String::from("scenarios:\n");
        for s in 0..per_file {
            text.push_str(&flow_yaml(f * per_file + s));
        }
        std::fs::write(dir.join(format!("flows_{f:03}.yaml")), text).expect("spec");
    }
    dir
}

// ---------------------------------------------------------------- bare loop

pub struct Bare {
    pub client: reqwest::Client,
    pub base: String,
    pub key: String,
    pub secret: String,
    pub id_pattern: regex::Regex,
}

/// Whether `value` at `pointer` is the string `want`.
fn is(value: &Value, pointer: &str, want: &str) -> Result<(), String> {
    match value.pointer(pointer) {
        Some(Value::String(s)) if s == want => Ok(()),
        other => Err(format!("{pointer} is {other:?}, not {want:?}")),
    }
}

/// Whether `value` at `pointer` is a string.
fn is_string(value: &Value, pointer: &str) -> Result<(), String> {
    match value.pointer(pointer) {
        Some(Value::String(_)) => Ok(()),
        other => Err(format!("{pointer} is {other:?}, not a string")),
    }
}

impl Bare {
    /// A bare client of the mock at `base`.
    pub fn new(base: String, key: String, secret: String) -> Bare {
        veriff_conformance::install_crypto_provider();
        Bare {
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
            base,
            key,
            secret,
            id_pattern: regex::Regex::new(UUID_V4).expect("pattern"),
        }
    }

    /// The response's body, after the checks every step makes: its status,
    /// and its signature when it has one.
    pub async fn step(
        &self,
        request: reqwest::RequestBuilder,
        status: u16,
    ) -> Result<Value, String> {
        Ok(self.step_with_type(request, status).await?.0)
    }

    /// [`Bare::step`], and the response's `content-type`.
    pub async fn step_with_type(
        &self,
        request: reqwest::RequestBuilder,
        status: u16,
    ) -> Result<(Value, String), String> {
        let response = request.send().await.map_err(|e| e.to_string())?;
        if response.status().as_u16() != status {
            return Err(format!("status {} not {status}", response.status()));
        }
        let signature = response.headers().get(SIGNATURE_HEADER).cloned();
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let body = response.bytes().await.map_err(|e| e.to_string())?;
        if let Some(sig) = signature
            && !verify(&self.secret, &body, sig.to_str().unwrap_or(""))
        {
            return Err("bad response signature".into());
        }
        let value = serde_json::from_slice(&body).map_err(|e| e.to_string())?;
        Ok((value, content_type))
    }

    /// A signed JSON request of `body`.
    fn signed(&self, request: reqwest::RequestBuilder, body: &Value) -> reqwest::RequestBuilder {
        let bytes = serde_json::to_vec(body).expect("json");
        request
            .header(API_KEY_HEADER, &self.key)
            .header("content-type", "application/json")
            .header(SIGNATURE_HEADER, sign(&self.secret, &bytes))
            .body(bytes)
    }

    /// The double-submit flow of [`flow_yaml`], with the same requests and checks.
    pub async fn flow(&self) -> Result<(), String> {
        let create = json!({ "verification": { "vendorData": "perf-1" } });
        let created = self
            .step(
                self.signed(
                    self.client.post(format!("{}/v1/sessions", self.base)),
                    &create,
                ),
                201,
            )
            .await?;
        is(&created, "/status", "success")?;
        is(&created, "/verification/status", "created")?;
        let id = created
            .pointer("/verification/id")
            .and_then(Value::as_str)
            .filter(|id| self.id_pattern.is_match(id))
            .ok_or("verification.id is not a UUID")?
            .to_string();
        let submit = || {
            let body = json!({ "verification": { "status": "submitted" } });
            self.signed(
                self.client.patch(format!("{}/v1/sessions/{id}", self.base)),
                &body,
            )
        };
        let (submitted, content_type) = self.step_with_type(submit(), 200).await?;
        if !content_type.contains("application/json") {
            return Err(format!("content-type {content_type}"));
        }
        is(&submitted, "/status", "success")?;
        is(&submitted, "/verification/status", "submitted")?;
        is(&submitted, "/verification/id", &id)?;
        is(&submitted, "/verification/vendorData", "perf-1")?;
        is_string(&submitted, "/verification/sessionToken")?;
        is_string(&submitted, "/verification/host")?;
        let again = self.step(submit(), 400).await?;
        is(&again, "/status", "fail")?;
        is(&again, "/code", "1101")?;
        is(&again, "/message", "Session has already been submitted")?;
        Ok(())
    }

    /// Create (with the decision trick's first name), open the session URL
    /// (`started`), submit (`submitted`, then the decision and a watchlist
    /// screening): [`WEBHOOKS_PER_FLOW`] webhooks when the mock sends them.
    pub async fn webhook_flow(&self) -> Result<(), String> {
        let create = serde_json::to_vec(
            &json!({ "verification": { "person": { "firstName": "Approve" } } }),
        )
        .expect("json");
        let created = self
            .step(
                self.client
                    .post(format!("{}/v1/sessions", self.base))
                    .header(API_KEY_HEADER, &self.key)
                    .header("content-type", "application/json")
                    .body(create),
                201,
            )
            .await?;
        let field = |name: &str| {
            created
                .pointer(&format!("/verification/{name}"))
                .and_then(Value::as_str)
                .map(str::to_string)
                .ok_or(format!("no verification.{name}"))
        };
        let (id, url) = (field("id")?, field("url")?);
        let opened = self.step(self.client.get(url), 200).await?;
        if opened.pointer("/verification/status") != Some(&json!("started")) {
            return Err(format!("opening it answered {opened}"));
        }
        let body = serde_json::to_vec(&json!({ "verification": { "status": "submitted" } }))
            .expect("json");
        self.step(
            self.client
                .patch(format!("{}/v1/sessions/{id}", self.base))
                .header(API_KEY_HEADER, &self.key)
                .header("content-type", "application/json")
                .header(SIGNATURE_HEADER, sign(&self.secret, &body))
                .body(body),
            200,
        )
        .await?;
        Ok(())
    }
}

/// What each flow of a bare loop does.
#[derive(Clone, Copy)]
pub enum Workload {
    /// [`Bare::flow`]: [`STEPS_PER_FLOW`] requests.
    DoubleSubmit,
    /// [`Bare::webhook_flow`]: [`REQUESTS_PER_WEBHOOK_FLOW`] requests.
    Webhooks,
}

/// `flows` bare double-submit flows, `jobs` in flight, on a runtime like the harness's.
pub fn bare_loop(mock: &Mock, flows: usize, jobs: usize) -> usize {
    bare_workload(mock, flows, jobs, Workload::DoubleSubmit)
}

/// `flows` bare flows of `workload` against `mock`, `jobs` in flight; how many failed.
pub fn bare_workload(mock: &Mock, flows: usize, jobs: usize, workload: Workload) -> usize {
    let bare = Bare::new(
        mock.server.base_url(),
        mock.server.config().api_key.clone(),
        mock.server.config().shared_secret.clone(),
    );
    bare_run(bare, flows, jobs, workload)
}

/// `flows` flows of `workload` by `bare`, `jobs` in flight, on a runtime like
/// the harness's; how many failed.
pub fn bare_run(bare: Bare, flows: usize, jobs: usize, workload: Workload) -> usize {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let bare = Arc::new(bare);
    runtime.block_on(async {
        let permits = Arc::new(Semaphore::new(jobs));
        let tasks: Vec<_> = (0..flows)
            .map(|_| {
                let (bare, permits) = (Arc::clone(&bare), Arc::clone(&permits));
                tokio::spawn(async move {
                    let _permit = permits.acquire().await.expect("permit");
                    match workload {
                        Workload::DoubleSubmit => bare.flow().await,
                        Workload::Webhooks => bare.webhook_flow().await,
                    }
                })
            })
            .collect();
        let mut failed = 0;
        for task in tasks {
            if let Err(e) = task.await.expect("task") {
                failed += 1;
                if failed == 1 {
                    eprintln!("bare flow failed: {e}");
                }
            }
        }
        failed
    })
}

/// The double-submit flow of [`flow_yaml`] as `.hurl` files: the same
/// requests and checks but the response signatures, which Hurl cannot
/// compute; so Hurl does less than the harness. The request bodies are
/// constant, so their signatures are passed in as variables
/// (`create_sig`, `submit_sig`).
pub fn write_hurl_flows(flows: usize) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("vc-bench-{}-hurl", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let flow = format!(
        r#"POST {{{{base}}}}/v1/sessions
X-AUTH-CLIENT: {{{{key}}}}
X-HMAC-SIGNATURE: {{{{create_sig}}}}
Content-Type: application/json
{CREATE_BODY}
HTTP 201
[Captures]
id: jsonpath "$.verification.id"
[Asserts]
jsonpath "$.status" == "success"
jsonpath "$.verification.status" == "created"
jsonpath "$.verification.id" matches /{UUID_V4}/

PATCH {{{{base}}}}/v1/sessions/{{{{id}}}}
X-AUTH-CLIENT: {{{{key}}}}
X-HMAC-SIGNATURE: {{{{submit_sig}}}}
Content-Type: application/json
{SUBMIT_BODY}
HTTP 200
[Asserts]
header "Content-Type" contains "application/json"
jsonpath "$.status" == "success"
jsonpath "$.verification.status" == "submitted"
jsonpath "$.verification.id" == "{{{{id}}}}"
jsonpath "$.verification.vendorData" == "perf-1"
jsonpath "$.verification.sessionToken" isString
jsonpath "$.verification.host" isString

PATCH {{{{base}}}}/v1/sessions/{{{{id}}}}
X-AUTH-CLIENT: {{{{key}}}}
X-HMAC-SIGNATURE: {{{{submit_sig}}}}
Content-Type: application/json
{SUBMIT_BODY}
HTTP 400
[Asserts]
jsonpath "$.status" == "fail"
jsonpath "$.code" == "1101"
jsonpath "$.message" == "Session has already been submitted"
"#
    );
    for i in 0..flows {
        std::fs::write(dir.join(format!("flow_{i:04}.hurl")), &flow).expect("hurl file");
    }
    dir
}

/// The body of the flow's create request, as Hurl sends it.
pub const CREATE_BODY: &str = r#"{"verification":{"vendorData":"perf-1"}}"#;
/// The body of the flow's submit requests, as Hurl sends it.
pub const SUBMIT_BODY: &str = r#"{"verification":{"status":"submitted"}}"#;
