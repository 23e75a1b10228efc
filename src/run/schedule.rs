//! Executing the planned scenarios as tasks on one async runtime, at most
//! `jobs` in flight, each delivering its result to whoever waits for it.
//!
//! Tasks are spawned as permits free up, not all at once, and results are
//! delivered through one shared board rather than a channel per scenario:
//! at 10,000 scenarios, memory holds `jobs` tasks, not 10,000.

use std::sync::{Arc, Condvar, Mutex, MutexGuard};

use tokio::sync::Semaphore;

use crate::exec::executor::Executor;
use crate::results::ScenarioResult;
use crate::scenario::model::Scenario;

/// What a task does with its scenario's result before delivering it
/// (comparing it with a baseline, say); runs on the task.
pub type Finish = Arc<dyn Fn(&Scenario, &mut ScenarioResult) + Send + Sync>;

/// The state of one scenario's result on the board.
#[derive(Debug)]
enum Slot {
    /// Not delivered yet.
    Waiting,
    /// Delivered, not taken yet.
    Ready(Arc<ScenarioResult>),
    /// Taken by its [`Delivery`].
    Taken,
    /// Its task ended without a result (a panic in the harness).
    Lost,
}

/// Where every scenario's result is put, and waited for.
#[derive(Debug)]
struct Board {
    slots: Mutex<Vec<Slot>>,
    changed: Condvar,
}

impl Board {
    fn slots(&self) -> MutexGuard<'_, Vec<Slot>> {
        self.slots.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn put(&self, index: usize, slot: Slot) {
        self.slots()[index] = slot;
        self.changed.notify_all();
    }
}

/// Why a [`Delivery`] has no result: its task ended without one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lost;

impl std::fmt::Display for Lost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the scenario's task ended without a result")
    }
}

/// Where one scenario's result arrives.
#[derive(Debug)]
pub struct Delivery {
    board: Arc<Board>,
    index: usize,
}

impl Drop for Delivery {
    /// A result nobody will take is not kept until the run ends.
    fn drop(&mut self) {
        let mut slots = self.board.slots();
        if matches!(slots[self.index], Slot::Ready(_)) {
            slots[self.index] = Slot::Taken;
        }
    }
}

impl Delivery {
    /// Waits for the result (blocking the calling thread, which is not one
    /// of the runtime's); [`Lost`] when its task ended without one.
    pub fn recv(self) -> Result<Arc<ScenarioResult>, Lost> {
        let mut slots = self.board.slots();
        loop {
            match std::mem::replace(&mut slots[self.index], Slot::Taken) {
                Slot::Waiting => {
                    slots[self.index] = Slot::Waiting;
                    slots = self
                        .board
                        .changed
                        .wait(slots)
                        .unwrap_or_else(|e| e.into_inner());
                }
                Slot::Ready(result) => return Ok(result),
                Slot::Taken | Slot::Lost => return Err(Lost),
            }
        }
    }
}

/// Marks its slot lost unless its task delivered: dropped by a panic's unwinding.
struct Pledge {
    /// `None` once kept.
    board: Option<Arc<Board>>,
    index: usize,
}

impl Pledge {
    fn keep(mut self, result: ScenarioResult) {
        if let Some(board) = self.board.take() {
            board.put(self.index, Slot::Ready(Arc::new(result)));
        }
    }
}

impl Drop for Pledge {
    fn drop(&mut self) {
        if let Some(board) = self.board.take() {
            board.put(self.index, Slot::Lost);
        }
    }
}

/// Marks lost every slot from `from` on that is still waiting, when the
/// task that starts scenarios ends early (the runtime shut down under it).
struct Unstarted {
    board: Arc<Board>,
    from: usize,
}

impl Drop for Unstarted {
    fn drop(&mut self) {
        let mut slots = self.board.slots();
        for slot in slots.iter_mut().skip(self.from) {
            if matches!(slot, Slot::Waiting) {
                *slot = Slot::Lost;
            }
        }
        drop(slots);
        self.board.changed.notify_all();
    }
}

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
/// A scenario whose task ends without a result (a panic in the harness) is
/// marked [`Lost`], so that its delivery reports that instead of waiting forever.
pub fn start(
    runtime: &tokio::runtime::Handle,
    runner: Arc<Executor>,
    scenarios: Vec<Arc<Scenario>>,
    jobs: usize,
    finish: Finish,
    keep_exchanges: bool,
) -> Vec<Delivery> {
    let board = Arc::new(Board {
        slots: Mutex::new(scenarios.iter().map(|_| Slot::Waiting).collect()),
        changed: Condvar::new(),
    });
    let deliveries = (0..scenarios.len())
        .map(|index| Delivery {
            board: Arc::clone(&board),
            index,
        })
        .collect();
    let permits = Arc::new(Semaphore::new(jobs.max(1)));
    let spawner = runtime.clone();
    // One task hands out the scenarios in order, spawning each as a permit frees up.
    runtime.spawn(async move {
        let mut unstarted = Unstarted {
            board: Arc::clone(&board),
            from: 0,
        };
        for (index, scenario) in scenarios.into_iter().enumerate() {
            let pledge = Pledge {
                board: Some(Arc::clone(&board)),
                index,
            };
            let Ok(permit) = Arc::clone(&permits).acquire_owned().await else {
                return;
            };
            unstarted.from = index + 1;
            let (runner, finish) = (Arc::clone(&runner), Arc::clone(&finish));
            spawner.spawn(async move {
                let _permit = permit;
                let mut result = runner.run(&scenario).await;
                finish(&scenario, &mut result);
                if !keep_exchanges {
                    result.drop_plain_passed_steps();
                }
                pledge.keep(result);
            });
        }
    });
    deliveries
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use super::*;
    use crate::exec::target::Target;
    use crate::scenario::discover::load_embedded;

    /// A runner whose every request is refused at once (nothing listens on port 1).
    fn refused() -> Arc<Executor> {
        Arc::new(
            Executor::new(Target {
                base_url: "http://127.0.0.1:1".into(),
                api_key: "test-api-key".into(),
                shared_secret: "test-shared-secret".into(),
                timeout: Duration::from_secs(5),
                is_mock: true,
                allow_insecure_http: false,
                features: Vec::new(),
            })
            .expect("runner"),
        )
    }

    fn suite(n: usize) -> Vec<Arc<Scenario>> {
        let all = load_embedded().scenarios;
        all.into_iter().cycle().take(n).map(Arc::new).collect()
    }

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime")
    }

    #[test]
    fn every_scenario_delivers_its_own_result_in_the_order_given() {
        let rt = runtime();
        let scenarios = suite(40);
        let deliveries = start(
            rt.handle(),
            refused(),
            scenarios.clone(),
            3,
            Arc::new(|_, _| {}),
            false,
        );
        assert_eq!(deliveries.len(), scenarios.len());
        for (delivery, scenario) in deliveries.into_iter().zip(&scenarios) {
            let result = delivery.recv().expect("a result");
            assert_eq!(result.name, scenario.trial_name);
        }
    }

    #[test]
    fn a_panic_in_one_scenario_s_task_loses_that_result_only() {
        let rt = runtime();
        let scenarios = suite(6);
        let doomed = scenarios[2].trial_name.clone();
        let finish: Finish = Arc::new(move |s, _| {
            assert_ne!(s.trial_name, doomed, "a harness bug");
        });
        let deliveries = start(rt.handle(), refused(), scenarios, 2, finish, false);
        let got: Vec<bool> = deliveries.into_iter().map(|d| d.recv().is_ok()).collect();
        assert_eq!(got, [true, true, false, true, true, true]);
    }

    #[test]
    fn no_more_than_jobs_scenarios_are_in_flight() {
        let rt = runtime();
        let (active, most) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let (a, m) = (Arc::clone(&active), Arc::clone(&most));
        let finish: Finish = Arc::new(move |_, _| {
            let now = a.fetch_add(1, Ordering::SeqCst) + 1;
            m.fetch_max(now, Ordering::SeqCst);
            std::thread::sleep(Duration::from_millis(2));
            a.fetch_sub(1, Ordering::SeqCst);
        });
        let deliveries = start(rt.handle(), refused(), suite(50), 1, finish, false);
        for d in deliveries {
            d.recv().expect("a result");
        }
        assert_eq!(most.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn tasks_are_spawned_as_permits_free_up_not_all_at_the_start() {
        let rt = runtime();
        let handle = rt.handle().clone();
        let alive = Arc::new(AtomicUsize::new(0));
        let seen = Arc::clone(&alive);
        // Sampled while scenarios run: one task hands them out and `jobs` run
        // (a finished task may still be counted while its successor starts,
        // and the HTTP client may have a task of its own): never 50.
        let finish: Finish = Arc::new(move |_, _| {
            seen.fetch_max(handle.metrics().num_alive_tasks(), Ordering::SeqCst);
        });
        let deliveries = start(rt.handle(), refused(), suite(50), 2, finish, false);
        for d in deliveries {
            d.recv().expect("a result");
        }
        let most = alive.load(Ordering::SeqCst);
        assert!((1..=8).contains(&most), "{most} tasks alive at once");
    }

    #[test]
    fn a_runtime_shut_down_with_scenarios_queued_loses_them_instead_of_hanging() {
        let rt = runtime();
        let finish: Finish = Arc::new(|_, _| std::thread::sleep(Duration::from_millis(20)));
        let deliveries = start(rt.handle(), refused(), suite(30), 1, finish, false);
        std::thread::sleep(Duration::from_millis(50));
        rt.shutdown_background();
        let got: Vec<Result<_, Lost>> = deliveries.into_iter().map(Delivery::recv).collect();
        assert!(got.iter().any(Result::is_err), "some were still queued");
        assert!(got.last().is_some_and(Result::is_err));
    }
}
