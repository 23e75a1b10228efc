//! What a browser test stands on: the mock (its webhooks to a receiver of
//! the test's own), a sign-up page served from another origin with Veriff's
//! unmodified SDKs (tests/fixtures), and headless Chromium driven through
//! chromedriver (WebDriver) with fantoccini.

use std::net::TcpListener as StdListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::http::header;
use axum::response::{Html, IntoResponse};
use axum::routing::get;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};
use veriff_conformance::mock::{MockConfig, MockServer};
use veriff_conformance::signing::sign;
use veriff_conformance::{Inbox, Webhook, WebhookReceiver};

/// Longest any wait of these tests lasts: a page, a frame, an event, a
/// webhook, the browser's start.
const PATIENCE: Duration = Duration::from_secs(20);

/// The flags Chromium needs here: headless, as root, and quiet on a machine
/// without network (no background requests to refuse).
const CHROMIUM_FLAGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1024,900",
];

/// The programs the tests drive.
#[derive(Clone, Debug)]
pub struct Browser {
    pub chromium: PathBuf,
    pub chromedriver: PathBuf,
}

impl Browser {
    /// Chromium and chromedriver on `PATH` (Debian's `chromium` and
    /// `chromium-driver`), or why not.
    pub fn find() -> Result<Browser, String> {
        let chromium = on_path("chromium");
        let chromedriver = on_path("chromedriver");
        match (chromium, chromedriver) {
            (Some(chromium), Some(chromedriver)) => Ok(Browser {
                chromium,
                chromedriver,
            }),
            (chromium, chromedriver) => {
                let missing: Vec<&str> = [
                    chromium.is_none().then_some("chromium"),
                    chromedriver.is_none().then_some("chromedriver"),
                ]
                .into_iter()
                .flatten()
                .collect();
                Err(format!("{} not found on PATH", missing.join(" and ")))
            }
        }
    }
}

fn on_path(program: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(program))
        .find(|path| path.is_file())
}

/// chromedriver, running until dropped, with a profile folder of its own.
struct Driver {
    child: Child,
    url: String,
    profile: PathBuf,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

impl Driver {
    async fn start(browser: &Browser) -> Driver {
        static STARTED: AtomicUsize = AtomicUsize::new(0);
        let port = {
            let listener = StdListener::bind("127.0.0.1:0").expect("a free port");
            listener.local_addr().expect("its address").port()
        };
        let profile = std::env::temp_dir().join(format!(
            "vc-browser-{}-{}",
            std::process::id(),
            STARTED.fetch_add(1, Ordering::Relaxed)
        ));
        let child = Command::new(&browser.chromedriver)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let driver = Driver {
            child,
            url: format!("http://127.0.0.1:{port}"),
            profile,
        };
        let http = reqwest::Client::new();
        let started = Instant::now();
        loop {
            let ready = http
                .get(format!("{}/status", driver.url))
                .send()
                .await
                .ok()
                .filter(|r| r.status().is_success());
            if ready.is_some() {
                return driver;
            }
            assert!(
                started.elapsed() < PATIENCE,
                "chromedriver did not answer on {}",
                driver.url
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// A new headless Chromium with a fresh profile.
    async fn session(&self, browser: &Browser) -> Client {
        let mut args: Vec<String> = CHROMIUM_FLAGS.iter().map(|f| f.to_string()).collect();
        args.push(format!("--user-data-dir={}", self.profile.display()));
        let capabilities = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": browser.chromium, "args": args},
        });
        let Value::Object(capabilities) = capabilities else {
            unreachable!("an object literal")
        };
        ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(capabilities)
            .connect(&self.url)
            .await
            .expect("Chromium starts under chromedriver")
    }
}

/// The front end under test: the sign-up page, the SDKs, and the page the
/// session's callback lands on.
async fn serve_front_end() -> String {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let read = |path: &str| {
        std::fs::read_to_string(fixtures.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
    };
    let index = read("front-end/index.html");
    let js_sdk = read("veriff-sdks/js-sdk-2.0.0/lib/veriff.js");
    let incontext = read("veriff-sdks/incontext-sdk-2.5.0/dist/index.umd.js");
    let script = |text: String| {
        move || async move { ([(header::CONTENT_TYPE, "text/javascript")], text).into_response() }
    };
    let app = Router::new()
        .route("/", get(move || async move { Html(index) }))
        .route("/sdk/veriff.js", get(script(js_sdk)))
        .route("/sdk/incontext.js", get(script(incontext)))
        .route(
            "/done",
            get(|| async {
                Html("<!doctype html><title>Done</title><h1>Back at the sign-up page</h1>")
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("address"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

/// One test's world: the mock, the receiver of its webhooks, the front end
/// (another origin: another port), and a browser.
pub struct Stack {
    pub mock: MockServer,
    pub receiver: WebhookReceiver,
    pub front_end: String,
    pub browser: Client,
    http: reqwest::Client,
    _driver: Driver,
}

impl Stack {
    pub async fn start(browser: &Browser) -> Stack {
        let receiver = WebhookReceiver::start("127.0.0.1:0", Inbox::default())
            .await
            .expect("receiver");
        let mut config = MockConfig {
            allow_http_callback: true,
            ..MockConfig::generated()
        };
        config.webhooks.decision = Some(format!("{}/decisions", receiver.url()));
        config.webhooks.event = Some(format!("{}/events", receiver.url()));
        let mock = MockServer::start(config).await.expect("the mock starts");
        let front_end = serve_front_end().await;
        let driver = Driver::start(browser).await;
        let client = driver.session(browser).await;
        Stack {
            mock,
            receiver,
            front_end,
            browser: client,
            http: reqwest::Client::new(),
            _driver: driver,
        }
    }

    /// Ends the browser session (and so Chromium), then the servers.
    pub async fn finish(self) {
        let _ = self.browser.clone().close().await;
        self.mock.shutdown().await;
        self.receiver.shutdown().await;
    }

    /// The sign-up page's url, with the mock as the SDK's `host`, `key` as
    /// its API key, and `mode` and `callback` if given.
    pub fn sign_up_url(&self, key: &str, mode: Option<&str>, callback: Option<&str>) -> String {
        let mut url = reqwest::Url::parse(&self.front_end).expect("front end url");
        {
            let mut query = url.query_pairs_mut();
            query.append_pair("host", &self.mock.base_url());
            query.append_pair("key", key);
            if let Some(mode) = mode {
                query.append_pair("mode", mode);
            }
            if let Some(callback) = callback {
                query.append_pair("callback", callback);
            }
        }
        url.to_string()
    }

    pub fn api_key(&self) -> String {
        self.mock.config().api_key.clone()
    }

    /// Opens the sign-up page and sends the SDK's form, as an end user does.
    pub async fn sign_up(&self, url: &str) {
        self.browser
            .goto(url)
            .await
            .expect("the sign-up page loads");
        self.type_into("givenName", "Ann").await;
        self.type_into("lastName", "Lee").await;
        self.browser
            .find(Locator::Css("input[name=submitBtn]"))
            .await
            .expect("the SDK's submit button")
            .click()
            .await
            .expect("click");
    }

    async fn type_into(&self, name: &str, text: &str) {
        self.browser
            .wait()
            .at_most(PATIENCE)
            .for_element(Locator::Css(&format!("input[name={name}]")))
            .await
            .unwrap_or_else(|e| panic!("the SDK's {name} field: {e}"))
            .send_keys(text)
            .await
            .expect("typing");
    }

    /// The text of the element `#id` once it is not empty.
    pub async fn text_of(&self, id: &str) -> String {
        let script = format!("return document.getElementById('{id}').textContent;");
        self.until(&format!("#{id} has text"), || async {
            let text = self.script(&script).await;
            text.as_str().filter(|t| !t.is_empty()).map(str::to_owned)
        })
        .await
    }

    /// Runs `script` in the current frame and returns its value.
    pub async fn script(&self, script: &str) -> Value {
        self.browser
            .execute(script, Vec::new())
            .await
            .unwrap_or_else(|e| panic!("script {script:?}: {e}"))
    }

    /// The InContext SDK's events, as the page lists them.
    pub async fn events(&self) -> Vec<String> {
        let events = self
            .script(
                "return Array.from(document.querySelectorAll('#events li'), li => li.textContent);",
            )
            .await;
        serde_json::from_value(events).expect("a list of strings")
    }

    /// Waits until the page has seen exactly `expected` events.
    pub async fn events_become(&self, expected: &[&str]) {
        self.until(&format!("the events {expected:?}"), || async {
            (self.events().await == expected).then_some(())
        })
        .await;
    }

    /// Whether the InContext frame is in the page.
    pub async fn has_frame(&self) -> bool {
        self.script("return document.getElementById('veriffFrame') !== null;")
            .await
            == Value::Bool(true)
    }

    /// Clicks the flow page's button named `name`, found as a user finds it:
    /// a button by its text.
    pub async fn press(&self, name: &str) {
        self.browser
            .wait()
            .at_most(PATIENCE)
            .for_element(Locator::XPath(&format!(
                "//button[normalize-space(.)='{name}']"
            )))
            .await
            .unwrap_or_else(|e| panic!("the button {name}: {e}"))
            .click()
            .await
            .expect("click");
    }

    /// Enters the InContext frame, once it is there.
    pub async fn enter_flow_frame(&self) {
        self.browser
            .wait()
            .at_most(PATIENCE)
            .for_element(Locator::Id("veriffFrame"))
            .await
            .expect("the frame #veriffFrame")
            .enter_frame()
            .await
            .expect("into the frame");
    }

    /// Polls `check` until it gives a value, for at most [`PATIENCE`].
    pub async fn until<T, F, Fut>(&self, what: &str, mut check: F) -> T
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Option<T>>,
    {
        let started = Instant::now();
        loop {
            if let Some(value) = check().await {
                return value;
            }
            assert!(started.elapsed() < PATIENCE, "waited in vain for {what}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// `GET /v1/sessions/{id}/{what}`, signed as a backend signs it.
    pub async fn api_get(&self, id: &str, what: &str) -> Value {
        let config = self.mock.config();
        let response = self
            .http
            .get(format!("{}/v1/sessions/{id}/{what}", self.mock.base_url()))
            .header("x-auth-client", &config.api_key)
            .header(
                "x-hmac-signature",
                sign(&config.shared_secret, id.as_bytes()),
            )
            .send()
            .await
            .expect("the mock answers");
        assert_eq!(response.status(), 200, "GET {what}");
        response.json().await.expect("JSON")
    }

    /// Waits until `count` webhooks have arrived, and returns them.
    pub async fn webhooks(&self, count: usize) -> Vec<Arc<Webhook>> {
        let inbox = self.receiver.inbox();
        self.until(&format!("{count} webhooks"), || async {
            let held = inbox.after(0);
            (held.len() >= count).then_some(held)
        })
        .await
    }

    /// Waits until `count` webhooks have arrived, and returns them in the
    /// order the mock made them: session `id`'s delivery log's order (up to 8
    /// deliveries run at once, so they may arrive in another). Each one must
    /// be, byte for byte, a body that log shows, and the log must show no
    /// other: for a test whose webhooks are all of session `id`.
    pub async fn webhooks_as_made(&self, id: &str, count: usize) -> Vec<Arc<Webhook>> {
        let mut arrived = self.webhooks(count).await;
        let response = self
            .http
            .get(format!(
                "{}/mock/webhooks?session={id}",
                self.mock.base_url()
            ))
            .header("x-auth-client", &self.mock.config().api_key)
            .send()
            .await
            .expect("the mock answers");
        assert_eq!(response.status(), 200, "GET /mock/webhooks");
        let log: Value = response.json().await.expect("JSON");
        let mut made = Vec::new();
        for entry in log["deliveries"].as_array().expect("deliveries") {
            let body = entry["body"].as_str().expect("the body as sent");
            let at = arrived
                .iter()
                .position(|webhook| webhook.body == body.as_bytes())
                .unwrap_or_else(|| panic!("the logged {body} did not arrive"));
            made.push(arrived.remove(at));
        }
        assert!(arrived.is_empty(), "arrived but not logged: {arrived:?}");
        made
    }
}
