//! The delivery worker: one OS thread of the mock's own, with a one-thread
//! runtime, that runs every delivery's series of attempts. An API request
//! only queues the delivery's id; the worker takes the queue in batches.
//!
//! On Linux the thread runs at a lower scheduling priority ([`NICENESS`]),
//! so that when the CPU is saturated the mock's answers are served first and
//! deliveries lag behind them, within the pending bounds of the log.

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::{mpsc, oneshot};
use tokio::task::{AbortHandle, JoinSet};

/// The nice value of the worker thread (Linux), the lowest: when it and a
/// thread at 0 both want a core it gets about 1.5% of it, and all of an
/// idle one.
pub(super) const NICENESS: i32 = 19;

/// The name of the worker thread (as `/proc/self/task/*/comm` shows it).
const THREAD_NAME: &str = "mock-webhooks";

/// Most queued deliveries taken at once.
const BATCH: usize = 256;

/// Starts the series of one delivery on the worker's runtime.
type Job = Box<dyn FnOnce(&mut JoinSet<()>) + Send>;

/// The worker thread: a queue in, and word when it has ended.
pub(super) struct Worker {
    queue: Mutex<Option<mpsc::UnboundedSender<Job>>>,
    ended: Mutex<Option<oneshot::Receiver<()>>>,
    live: Arc<AtomicUsize>,
}

impl Worker {
    /// Starts the thread.
    pub(super) fn start() -> Result<Self, String> {
        let (queue, jobs) = mpsc::unbounded_channel();
        let (ended_tx, ended) = oneshot::channel();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("cannot start the delivery runtime: {e}"))?;
        std::thread::Builder::new()
            .name(THREAD_NAME.to_owned())
            .spawn(move || {
                lower_priority();
                runtime.block_on(run(jobs));
                // Dropping the runtime closes every connection it drove.
                drop(runtime);
                let _ = ended_tx.send(());
            })
            .map_err(|e| format!("cannot start the delivery thread: {e}"))?;
        Ok(Self {
            queue: Mutex::new(Some(queue)),
            ended: Mutex::new(Some(ended)),
            live: Arc::new(AtomicUsize::new(0)),
        })
    }

    /// Queues `series`; `started` is given its handle when it starts.
    /// `false` once the worker is stopping.
    pub(super) fn queue(
        &self,
        series: impl Future<Output = ()> + Send + 'static,
        started: impl FnOnce(AbortHandle) + Send + 'static,
    ) -> bool {
        let live = Live::new(&self.live);
        let job: Job = Box::new(move |tasks: &mut JoinSet<()>| {
            started(tasks.spawn(async move {
                let _live = live;
                series.await;
            }));
        });
        let queue = self.queue.lock().unwrap_or_else(PoisonError::into_inner);
        queue.as_ref().is_some_and(|queue| queue.send(job).is_ok())
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

/// Takes jobs in batches until the queue closes, then ends every series.
async fn run(mut jobs: mpsc::UnboundedReceiver<Job>) {
    let mut tasks = JoinSet::new();
    let mut batch = Vec::with_capacity(BATCH);
    while jobs.recv_many(&mut batch, BATCH).await > 0 {
        while tasks.try_join_next().is_some() {}
        for job in batch.drain(..) {
            job(&mut tasks);
        }
    }
    tasks.shutdown().await;
}

/// Lowers the calling thread's scheduling priority to [`NICENESS`]; where it
/// cannot, the thread keeps its priority.
fn lower_priority() {
    #[cfg(target_os = "linux")]
    {
        let tid = rustix::thread::gettid();
        let _ = rustix::process::setpriority_process(Some(tid), NICENESS);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn queued_series_run_in_the_order_queued_and_stop_ends_the_rest() {
        let worker = Worker::start().expect("worker");
        let (tx, mut rx) = mpsc::unbounded_channel();
        for n in 0..50 {
            let tx = tx.clone();
            assert!(worker.queue(async move { tx.send(n).expect("send") }, |_| ()));
        }
        let mut seen = Vec::new();
        while seen.len() < 50 {
            seen.push(rx.recv().await.expect("a series ran"));
        }
        assert_eq!(seen, (0..50).collect::<Vec<_>>());

        let (handle_tx, handle_rx) = oneshot::channel();
        assert!(worker.queue(std::future::pending(), move |handle| {
            let _ = handle_tx.send(handle);
        }));
        let handle = handle_rx.await.expect("started");
        assert!(!handle.is_finished());
        worker.stop().await;
        assert!(handle.is_finished());
        assert_eq!(worker.live(), 0);
        assert!(
            !worker.queue(async {}, |_| ()),
            "nothing is taken after stop"
        );
        assert_eq!(worker.live(), 0);
    }

    #[cfg(target_os = "linux")]
    #[tokio::test]
    async fn the_worker_thread_runs_at_a_lower_priority() {
        let worker = Worker::start().expect("worker");
        let (tx, rx) = oneshot::channel();
        worker.queue(
            async move {
                let tid = rustix::thread::gettid();
                let _ = tx.send(rustix::process::getpriority_process(Some(tid)));
            },
            |_| (),
        );
        let niceness = rx.await.expect("ran").expect("getpriority");
        // An unprivileged thread cannot go below what it started with.
        let own = rustix::process::getpriority_process(None).expect("getpriority");
        assert_eq!(niceness, NICENESS.max(own));
        worker.stop().await;
    }
}
