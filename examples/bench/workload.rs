//! The work each side does: the double-submit flows as YAML and as Hurl
//! files, and the bare reqwest loop that makes the same requests and checks.

use super::*;

// ---------------------------------------------------------------- specs

/// Writes `files` × `per_file` double-submit scenarios (and the schema they
/// name) into a fresh folder.
pub fn write_flows(name: &str, files: usize, per_file: usize) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("vc-bench-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("schemas")).expect("temp dir");
    std::fs::write(dir.join("schemas/fail.json"), FAIL_SCHEMA).expect("schema");
    for f in 0..files {
        let mut text = String::from("scenarios:\n");
        for s in 0..per_file {
            text.push_str(&format!(
                r#"  - name: double submit {f:03} {s:03}
    steps:
      - name: create a session
        method: POST
        path: /v1/sessions
        body:
          verification: {{}}
        expect:
          status: 201
        capture:
          id: verification.id
      - name: submit it
        method: PATCH
        path: /v1/sessions/${{id}}
        body:
          verification:
            status: submitted
        expect:
          status: 200
      - name: submit it again
        method: PATCH
        path: /v1/sessions/${{id}}
        body:
          verification:
            status: submitted
        expect:
          status: 400
          schema: schemas/fail.json
          body:
            status: fail
            code: "1101"
            message: Session has already been submitted
"#
            ));
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
    pub fail_schema: jsonschema::Validator,
}

impl Bare {
    /// The response's body, after the checks every step makes: its status,
    /// and its signature when it has one.
    pub async fn step(
        &self,
        request: reqwest::RequestBuilder,
        status: u16,
    ) -> Result<Value, String> {
        let response = request.send().await.map_err(|e| e.to_string())?;
        if response.status().as_u16() != status {
            return Err(format!("status {} not {status}", response.status()));
        }
        let signature = response.headers().get(SIGNATURE_HEADER).cloned();
        let body = response.bytes().await.map_err(|e| e.to_string())?;
        if let Some(sig) = signature
            && !verify(&self.secret, &body, sig.to_str().unwrap_or(""))
        {
            return Err("bad response signature".into());
        }
        serde_json::from_slice(&body).map_err(|e| e.to_string())
    }

    pub async fn flow(&self) -> Result<(), String> {
        let create = serde_json::to_vec(&json!({ "verification": {} })).expect("json");
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
        let id = created
            .pointer("/verification/id")
            .and_then(Value::as_str)
            .ok_or("no verification.id")?
            .to_string();
        let submit = || {
            let body = serde_json::to_vec(&json!({ "verification": { "status": "submitted" } }))
                .expect("json");
            self.client
                .patch(format!("{}/v1/sessions/{id}", self.base))
                .header(API_KEY_HEADER, &self.key)
                .header("content-type", "application/json")
                .header(SIGNATURE_HEADER, sign(&self.secret, &body))
                .body(body)
        };
        self.step(submit(), 200).await?;
        let again = self.step(submit(), 400).await?;
        if !self.fail_schema.is_valid(&again) {
            return Err("fail.json does not hold".into());
        }
        let want = [
            ("status", "fail"),
            ("code", "1101"),
            ("message", "Session has already been submitted"),
        ];
        for (key, value) in want {
            if again.get(key).and_then(Value::as_str) != Some(value) {
                return Err(format!("{key} is not {value:?}"));
            }
        }
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

/// `flows` bare flows of `workload`, `jobs` in flight; how many failed.
pub fn bare_workload(mock: &Mock, flows: usize, jobs: usize, workload: Workload) -> usize {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let schema: Value = serde_json::from_str(FAIL_SCHEMA).expect("schema");
    let bare = Arc::new(Bare {
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client"),
        base: mock.server.base_url(),
        key: mock.server.config().api_key.clone(),
        secret: mock.server.config().shared_secret.clone(),
        fail_schema: jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .should_validate_formats(true)
            .build(&schema)
            .expect("schema"),
    });
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

/// The double-submit flow as `.hurl` files: the same requests and checks but
/// the response signatures, which Hurl cannot compute, and the `fail.json`
/// schema, which it cannot check; so Hurl does less than the harness. The
/// PATCH body is constant, so its signature is passed in as a variable.
pub fn write_hurl_flows(flows: usize) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("vc-bench-{}-hurl", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let flow = r#"POST {{base}}/v1/sessions
X-AUTH-CLIENT: {{key}}
Content-Type: application/json
{"verification":{}}
HTTP 201
[Captures]
id: jsonpath "$.verification.id"

PATCH {{base}}/v1/sessions/{{id}}
X-AUTH-CLIENT: {{key}}
X-HMAC-SIGNATURE: {{sig}}
Content-Type: application/json
{"verification":{"status":"submitted"}}
HTTP 200

PATCH {{base}}/v1/sessions/{{id}}
X-AUTH-CLIENT: {{key}}
X-HMAC-SIGNATURE: {{sig}}
Content-Type: application/json
{"verification":{"status":"submitted"}}
HTTP 400
[Asserts]
jsonpath "$.status" == "fail"
jsonpath "$.code" == "1101"
jsonpath "$.message" == "Session has already been submitted"
"#;
    for i in 0..flows {
        std::fs::write(dir.join(format!("flow_{i:04}.hurl")), flow).expect("hurl file");
    }
    dir
}
