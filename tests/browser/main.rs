//! Veriff's unmodified browser SDKs against the mock, in headless Chromium:
//! a sign-up page on another origin creates a session with the JS SDK, and
//! shows the mock's flow page in the InContext frame or by redirect.
//!
//! They need Debian's `chromium` and `chromium-driver` (`.ci/run` installs
//! them). Without them the tests print one line saying so and pass, except
//! with `CI=true`, where a missing browser fails.

mod incontext;
mod redirect;
mod sdk;
mod support;

use std::future::Future;
use std::pin::Pin;
use std::process::ExitCode;
use std::sync::Arc;

use libtest_mimic::{Arguments, Failed, Trial};

use support::{Browser, Stack};

type Test = fn(Arc<Stack>) -> Pin<Box<dyn Future<Output = ()> + Send>>;

macro_rules! tests {
    ($($module:ident :: $name:ident),* $(,)?) => {
        [$((
            concat!(stringify!($module), "::", stringify!($name)),
            (|stack| Box::pin($module::$name(stack))) as Test,
        )),*]
    };
}

fn main() -> ExitCode {
    let mut args = Arguments::from_args();
    let tests = tests![
        sdk::the_js_sdk_creates_a_session_from_another_origin,
        sdk::a_wrong_api_key_reaches_on_session_as_401,
        incontext::approve_in_the_frame_reports_started_submitted_finished_closes_it_and_decides,
        incontext::cancel_in_the_frame_reports_canceled_and_closes_it,
        redirect::decline_after_a_redirect_lands_on_the_callback_and_decides,
    ];
    let browser = match Browser::find() {
        Ok(browser) => browser,
        Err(why) => {
            let names: Vec<&str> = tests.iter().map(|(name, _)| *name).collect();
            if std::env::var("CI").as_deref() == Ok("true") {
                eprintln!(
                    "error: CI=true, and the browser tests cannot run: {why} (.ci/run installs Debian's chromium and chromium-driver)"
                );
                return ExitCode::FAILURE;
            }
            println!(
                "browser tests skipped ({}): {why}; install Debian's chromium and chromium-driver (as .ci/run does) to run them",
                names.join(", ")
            );
            return ExitCode::SUCCESS;
        }
    };
    // One browser at a time: each is heavy, and the machine is shared.
    args.test_threads.get_or_insert(1);
    let trials = tests
        .into_iter()
        .map(|(name, test)| {
            let browser = browser.clone();
            Trial::test(name, move || run(&browser, test))
        })
        .collect();
    libtest_mimic::run(&args, trials).exit_code()
}

/// Runs one test on a stack of its own, which is taken down whatever the
/// test's outcome.
fn run(browser: &Browser, test: Test) -> Result<(), Failed> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start a runtime: {e}"))?;
    runtime.block_on(async {
        let stack = Arc::new(Stack::start(browser).await);
        let outcome = tokio::spawn(test(Arc::clone(&stack))).await;
        if let Ok(stack) = Arc::try_unwrap(stack) {
            stack.finish().await;
        }
        outcome.map_err(|e| Failed::from(format!("the test failed: {e}")))
    })
}
