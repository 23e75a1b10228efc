//! Executing the planned scenarios as tasks on one async runtime, at most
//! `jobs` in flight, each delivering its result to whoever waits for it.

use std::sync::mpsc;
use std::sync::{Arc, Mutex};

use tokio::sync::Semaphore;

use crate::exec::runner::Runner;
use crate::results::{Outcome, ScenarioResult};
use crate::spec::model::Scenario;

/// What a task does with its scenario's result before delivering it
/// (comparing it with a baseline, say); runs on the task.
pub type Finish = Arc<dyn Fn(&Scenario, &mut ScenarioResult) + Send + Sync>;

/// Where one scenario's result arrives.
pub type Delivery = mpsc::Receiver<Arc<ScenarioResult>>;

/// Every result delivered so far, in the order they were taken.
#[derive(Debug, Clone, Default)]
pub struct Collected(Arc<Mutex<Vec<Arc<ScenarioResult>>>>);

impl Collected {
    /// Keeps a result.
    pub fn push(&self, result: Arc<ScenarioResult>) {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(result);
    }

    /// Every result kept, taken out.
    pub fn take(&self) -> Vec<Arc<ScenarioResult>> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

/// Starts every scenario of `scenarios` on `runtime`, in order, at most `jobs`
/// at a time; returns one delivery per scenario, in the same order. Each task
/// passes its result through `finish` before delivering it.
///
/// Unless `keep_exchanges`, a scenario that passed is delivered without its
/// steps' exchanges: no report reads them, and at 10,000 scenarios they would
/// be most of the run's memory. A failure keeps the exchange it shows.
///
/// A scenario whose task ends without a result (a panic in the harness)
/// drops its sender, so that its receiver reports that instead of waiting forever.
pub fn start(
    runtime: &tokio::runtime::Handle,
    runner: Arc<Runner>,
    scenarios: Vec<Arc<Scenario>>,
    jobs: usize,
    finish: Finish,
    keep_exchanges: bool,
) -> Vec<Delivery> {
    let permits = Arc::new(Semaphore::new(jobs.max(1)));
    scenarios
        .into_iter()
        .map(|scenario| {
            let (tx, rx) = mpsc::sync_channel(1);
            let runner = Arc::clone(&runner);
            let permits = Arc::clone(&permits);
            let finish = Arc::clone(&finish);
            runtime.spawn(async move {
                // The semaphore is fair: scenarios start in the order given.
                let Ok(_permit) = permits.acquire().await else {
                    return;
                };
                let mut result = runner.run(&scenario).await;
                finish(&scenario, &mut result);
                if !keep_exchanges && matches!(result.outcome, Outcome::Passed) {
                    // Nothing reads a passed step again unless it has a
                    // warning or a retry to show.
                    result
                        .steps
                        .retain(|s| !s.warnings.is_empty() || !s.attempts.is_plain());
                    result.steps.shrink_to_fit();
                }
                let _ = tx.send(Arc::new(result));
            });
            rx
        })
        .collect()
}
