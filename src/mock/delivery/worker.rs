//! The delivery worker: one OS thread of the mock's own, with a one-thread
//! runtime, that runs every delivery's series of attempts. It is woken once
//! per batch of webhooks made, and takes its queue in batches.
//!
//! The thread keeps the process's scheduling priority. At a lower one it
//! would starve while a busy run keeps the cores, and a scenario awaiting a
//! webhook within its time limit would fail on a busy machine.

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::{mpsc, oneshot};
use tokio::task::{AbortHandle, JoinSet};

/// The name of the worker thread (as `/proc/self/task/*/comm` shows it).
const THREAD_NAME: &str = "mock-webhooks";

/// Most queued deliveries taken at once.
const BATCH: usize = 256;

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
        let live = Arc::new(AtomicUsize::new(0));
        let counted = Arc::clone(&live);
        #[cfg(not(test))]
        drop(live);
        std::thread::Builder::new()
            .name(THREAD_NAME.to_owned())
            .spawn(move || {
                runtime.block_on(run(jobs, counted));
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
        })
    }

    /// Runs `job` on the worker's thread, after the jobs given before it.
    /// `false` once the worker is stopping.
    pub(super) fn submit(&self, job: impl FnOnce(&mut Spawner<'_>) + Send + 'static) -> bool {
        let queue = self.queue.lock().unwrap_or_else(PoisonError::into_inner);
        queue
            .as_ref()
            .is_some_and(|queue| queue.send(Box::new(job)).is_ok())
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
async fn run(mut jobs: mpsc::UnboundedReceiver<Job>, live: Arc<AtomicUsize>) {
    let mut tasks = JoinSet::new();
    let mut batch = Vec::with_capacity(BATCH);
    while jobs.recv_many(&mut batch, BATCH).await > 0 {
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

    #[tokio::test]
    async fn queued_series_run_in_the_order_queued_and_stop_ends_the_rest() {
        let worker = Worker::start().expect("worker");
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
