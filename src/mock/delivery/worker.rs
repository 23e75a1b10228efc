//! The delivery worker: one OS thread of the mock's own, with a one-thread
//! runtime, that runs every delivery's series of attempts. It is woken once
//! per batch of webhooks made, and takes its queue in batches.
//!
//! The API comes first, by the worker's own pacing: a batch waits while the
//! mock keeps working on its session store ([`Pace`]), for a bounded time.
//! The thread itself keeps the process's scheduling priority: at a lower one
//! it would starve for as long as a busy run keeps the cores, and a scenario
//! awaiting a webhook within its time limit would fail on a busy machine.

use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};
use tokio::task::{AbortHandle, JoinSet};

/// The name of the worker thread (as `/proc/self/task/*/comm` shows it).
const THREAD_NAME: &str = "mock-webhooks";

/// Most queued deliveries taken at once.
const BATCH: usize = 256;

/// How often the worker looks whether the API went idle.
const TICK: Duration = Duration::from_millis(5);

/// When the worker takes a batch: once the API has been idle for a
/// [`TICK`], after `at_most`, or when hurried.
#[derive(Clone)]
pub(super) struct Pace {
    /// Bumped each time the session store's lock is released.
    pub(super) activity: Arc<AtomicU64>,
    pub(super) at_most: Duration,
    /// Set when enough webhooks wait that the batch should not wait longer;
    /// cleared by whoever takes them.
    pub(super) hurry: Arc<AtomicBool>,
}

impl Pace {
    /// Waits until a tick passes without API activity, `at_most` (a
    /// duration too long for the clock waits for idle only), a hurry, or
    /// `closing`. The series already running go on meanwhile.
    async fn api_idle(&self, closing: impl Fn() -> bool) {
        if self.at_most.is_zero() {
            return;
        }
        let until = tokio::time::Instant::now().checked_add(self.at_most);
        let mut seen = self.activity.load(Ordering::Relaxed);
        while until.is_none_or(|until| tokio::time::Instant::now() < until)
            && !self.hurry.load(Ordering::Acquire)
            && !closing()
        {
            tokio::time::sleep(TICK).await;
            let now = self.activity.load(Ordering::Relaxed);
            if now == seen {
                return;
            }
            seen = now;
        }
    }
}

/// Work for the worker's thread: records webhooks, starts series.
type Job = Box<dyn FnOnce(&mut Spawner<'_>) + Send>;

/// Starts series of attempts on the worker's runtime, for a [`Job`].
pub(super) struct Spawner<'a> {
    tasks: &'a mut JoinSet<()>,
    live: &'a Arc<AtomicUsize>,
}

impl Spawner<'_> {
    /// Starts `series`; its handle stops it.
    pub(super) fn spawn(
        &mut self,
        series: impl Future<Output = ()> + Send + 'static,
    ) -> AbortHandle {
        let live = Live::new(self.live);
        self.tasks.spawn(async move {
            let _live = live;
            series.await;
        })
    }
}

/// The worker thread: a queue in, and word when it has ended.
pub(super) struct Worker {
    queue: Mutex<Option<mpsc::UnboundedSender<Job>>>,
    ended: Mutex<Option<oneshot::Receiver<()>>>,
    /// Series running (for tests).
    #[cfg(test)]
    live: Arc<AtomicUsize>,
    /// Jobs taken so far (for tests).
    #[cfg(test)]
    submitted: AtomicUsize,
}

impl Worker {
    /// Starts the thread, taking batches at `pace`.
    pub(super) fn start(pace: Pace) -> Result<Self, String> {
        let (queue, jobs) = mpsc::unbounded_channel();
        let (ended_tx, ended) = oneshot::channel();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("cannot start the delivery runtime: {e}"))?;
        let live = Arc::new(AtomicUsize::new(0));
        let counted = Arc::clone(&live);
        #[cfg(not(test))]
        drop(live);
        std::thread::Builder::new()
            .name(THREAD_NAME.to_owned())
            .spawn(move || {
                runtime.block_on(run(jobs, counted, pace));
                // Closes every connection it drove; a name lookup still
                // running on a blocking thread is not waited for long.
                runtime.shutdown_timeout(std::time::Duration::from_secs(1));
                let _ = ended_tx.send(());
            })
            .map_err(|e| format!("cannot start the delivery thread: {e}"))?;
        Ok(Self {
            queue: Mutex::new(Some(queue)),
            ended: Mutex::new(Some(ended)),
            #[cfg(test)]
            live,
            #[cfg(test)]
            submitted: AtomicUsize::new(0),
        })
    }

    /// Runs `job` on the worker's thread, after the jobs given before it.
    /// `false` once the worker is stopping.
    pub(super) fn submit(&self, job: impl FnOnce(&mut Spawner<'_>) + Send + 'static) -> bool {
        let queue = self.queue.lock().unwrap_or_else(PoisonError::into_inner);
        let taken = queue
            .as_ref()
            .is_some_and(|queue| queue.send(Box::new(job)).is_ok());
        #[cfg(test)]
        self.submitted
            .fetch_add(usize::from(taken), Ordering::AcqRel);
        taken
    }

    /// Whether its thread still takes jobs.
    pub(super) fn is_running(&self) -> bool {
        self.queue
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            .is_some_and(|queue| !queue.is_closed())
    }

    /// Stops taking deliveries, ends every series still running, and waits
    /// until the thread has ended.
    pub(super) async fn stop(&self) {
        drop(
            self.queue
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .take(),
        );
        let ended = self
            .ended
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(ended) = ended {
            let _ = ended.await;
        }
    }

    /// Series queued or running.
    #[cfg(test)]
    pub(super) fn live(&self) -> usize {
        self.live.load(Ordering::Acquire)
    }

    /// Jobs taken since it started.
    #[cfg(test)]
    pub(super) fn submitted(&self) -> usize {
        self.submitted.load(Ordering::Acquire)
    }
}

/// Counts a series from when it is queued until it ends or is dropped.
struct Live(Arc<AtomicUsize>);

impl Live {
    fn new(count: &Arc<AtomicUsize>) -> Self {
        count.fetch_add(1, Ordering::AcqRel);
        Self(Arc::clone(count))
    }
}

impl Drop for Live {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Takes jobs in batches, each once the API is idle (see [`Pace`]), until
/// the queue closes; then ends every series.
async fn run(mut jobs: mpsc::UnboundedReceiver<Job>, live: Arc<AtomicUsize>, pace: Pace) {
    let mut tasks = JoinSet::new();
    let mut batch = Vec::with_capacity(BATCH);
    while jobs.recv_many(&mut batch, BATCH).await > 0 {
        pace.api_idle(|| jobs.is_closed()).await;
        while tasks.try_join_next().is_some() {}
        let mut spawner = Spawner {
            tasks: &mut tasks,
            live: &live,
        };
        for job in batch.drain(..) {
            job(&mut spawner);
        }
    }
    tasks.shutdown().await;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unpaced() -> Pace {
        Pace {
            activity: Arc::default(),
            at_most: Duration::ZERO,
            hurry: Arc::default(),
        }
    }

    #[tokio::test]
    async fn queued_series_run_in_the_order_queued_and_stop_ends_the_rest() {
        let worker = Worker::start(unpaced()).expect("worker");
        let (tx, mut rx) = mpsc::unbounded_channel();
        for n in 0..50 {
            let tx = tx.clone();
            assert!(worker.submit(move |spawner| {
                spawner.spawn(async move { tx.send(n).expect("send") });
            }));
        }
        let mut seen = Vec::new();
        while seen.len() < 50 {
            seen.push(rx.recv().await.expect("a series ran"));
        }
        assert_eq!(seen, (0..50).collect::<Vec<_>>());

        let (handle_tx, handle_rx) = oneshot::channel();
        assert!(worker.submit(move |spawner| {
            let _ = handle_tx.send(spawner.spawn(std::future::pending()));
        }));
        let handle = handle_rx.await.expect("started");
        assert!(!handle.is_finished());
        worker.stop().await;
        assert!(handle.is_finished());
        assert_eq!(worker.live(), 0);
        assert!(
            !worker.submit(|spawner| {
                spawner.spawn(async {});
            }),
            "nothing is taken after stop"
        );
        assert_eq!(worker.live(), 0);
    }
}

#[cfg(test)]
mod pace_tests {
    use super::*;
    use tokio::time::Instant;

    fn pace(at_most: Duration) -> Pace {
        Pace {
            activity: Arc::default(),
            at_most,
            hurry: Arc::default(),
        }
    }

    /// Bumps `activity` every half tick, on this (paused) runtime.
    fn busy_api(activity: &Arc<AtomicU64>) -> tokio::task::JoinHandle<()> {
        let activity = Arc::clone(activity);
        tokio::spawn(async move {
            loop {
                activity.fetch_add(1, Ordering::Relaxed);
                tokio::time::sleep(TICK / 2).await;
            }
        })
    }

    #[tokio::test(start_paused = true)]
    async fn a_batch_waits_while_the_api_is_busy_and_no_longer_than_the_bound() {
        let pace = pace(Duration::from_millis(300));
        let busy = busy_api(&pace.activity);
        let start = Instant::now();
        pace.api_idle(|| false).await;
        let waited = start.elapsed();
        busy.abort();
        assert!(
            waited >= Duration::from_millis(300) && waited < Duration::from_millis(300) + TICK * 2,
            "waited {waited:?}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_batch_is_taken_one_tick_after_the_api_goes_quiet() {
        let pace = pace(Duration::from_secs(60));
        let busy = busy_api(&pace.activity);
        let quiet_at = Duration::from_millis(40);
        tokio::spawn(async move {
            tokio::time::sleep(quiet_at).await;
            busy.abort();
        });
        let start = Instant::now();
        pace.api_idle(|| false).await;
        let waited = start.elapsed();
        assert!(
            waited >= quiet_at && waited <= quiet_at + TICK * 2,
            "waited {waited:?}"
        );
        let idle = Instant::now();
        pace.api_idle(|| false).await;
        assert_eq!(idle.elapsed(), TICK, "an idle API holds a batch one tick");
    }

    #[tokio::test(start_paused = true)]
    async fn a_hurry_or_the_worker_closing_ends_the_wait_within_a_tick() {
        let pace = pace(Duration::from_secs(60));
        let busy = busy_api(&pace.activity);
        let hurry = Arc::clone(&pace.hurry);
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(50)).await;
            hurry.store(true, Ordering::Release);
        });
        let start = Instant::now();
        pace.api_idle(|| false).await;
        let waited = start.elapsed();
        assert!(
            waited >= Duration::from_millis(50) && waited <= Duration::from_millis(50) + TICK,
            "hurried after {waited:?}"
        );

        pace.hurry.store(false, Ordering::Release);
        let closing_at = Instant::now() + Duration::from_millis(20);
        let start = Instant::now();
        pace.api_idle(|| Instant::now() >= closing_at).await;
        let waited = start.elapsed();
        busy.abort();
        assert!(
            waited >= Duration::from_millis(20) && waited <= Duration::from_millis(20) + TICK,
            "closing after {waited:?}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_bound_too_long_for_the_clock_waits_for_idle_only() {
        let pace = pace(Duration::MAX);
        let start = Instant::now();
        pace.api_idle(|| false).await;
        assert_eq!(start.elapsed(), TICK);
    }
}
