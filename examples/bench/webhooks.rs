//! The `webhooks` phase: the mock's throughput with webhooks off and on.

use super::*;

// ---------------------------------------------------------------- webhooks

/// A webhook receiver that reads each body, answers 200 at once and counts,
/// on a one-thread runtime of its own, so that its work is not the mock's.
pub struct Receiver {
    pub runtime: tokio::runtime::Runtime,
    pub url: String,
    pub received: Arc<AtomicU64>,
    /// Connections accepted: few when the mock reuses them.
    pub connections: Arc<AtomicU64>,
    pub stop: tokio::sync::oneshot::Sender<()>,
}

impl Receiver {
    pub fn start() -> Receiver {
        async fn count(
            axum::extract::State(received): axum::extract::State<Arc<AtomicU64>>,
            _body: axum::body::Bytes,
        ) -> axum::http::StatusCode {
            received.fetch_add(1, Ordering::Relaxed);
            axum::http::StatusCode::OK
        }
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("receiver")
            .enable_all()
            .build()
            .expect("receiver runtime");
        let received = Arc::new(AtomicU64::new(0));
        let app = axum::Router::new()
            .fallback(count)
            .with_state(Arc::clone(&received));
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .expect("receiver port");
        let url = format!("http://{}", listener.local_addr().expect("its address"));
        let connections = Arc::new(AtomicU64::new(0));
        let accepted = Arc::clone(&connections);
        let listener = axum::serve::ListenerExt::tap_io(listener, move |_| {
            accepted.fetch_add(1, Ordering::Relaxed);
        });
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        runtime.spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await;
        });
        Receiver {
            runtime,
            url,
            received,
            connections,
            stop,
        }
    }

    pub fn received(&self) -> u64 {
        self.received.load(Ordering::Relaxed)
    }

    /// Waits until `want` webhooks in all have arrived, or nothing has
    /// arrived for `quiet`; how many have.
    pub fn settle(&self, want: u64, quiet: Duration) -> u64 {
        let (mut seen, mut since) = (self.received(), Instant::now());
        while seen < want && since.elapsed() < quiet {
            std::thread::sleep(Duration::from_millis(2));
            let now = self.received();
            if now != seen {
                (seen, since) = (now, Instant::now());
            }
        }
        seen
    }

    pub fn stop(self) {
        let _ = self.stop.send(());
        self.runtime.shutdown_timeout(Duration::from_secs(5));
    }
}

/// The thread the mock delivers webhooks on (docs/mock.md, "Webhooks").
const DELIVERY_THREAD: &str = "mock-webhooks";

/// The CPU time of this process's live threads named `name`.
fn named_threads_cpu(name: &str) -> Duration {
    let tids: Vec<u32> = std::fs::read_dir("/proc/self/task")
        .into_iter()
        .flatten()
        .flatten()
        .filter(|task| {
            std::fs::read_to_string(task.path().join("comm")).is_ok_and(|c| c.trim_end() == name)
        })
        .filter_map(|task| task.file_name().to_str()?.parse().ok())
        .collect();
    threads_cpu(&tids)
}

/// The mock with all three webhook URLs pointed at `receiver`, bounds wide
/// enough that `flows` flows drop nothing.
pub fn webhook_mock(receiver: &Receiver, flows: usize) -> Mock {
    let pending = flows * WEBHOOKS_PER_FLOW as usize;
    Mock::start_with(MockConfig {
        max_sessions: 1_000_000,
        webhooks: WebhookConfig {
            decision: Some(format!("{}/decision", receiver.url)),
            event: Some(format!("{}/event", receiver.url)),
            watchlist: Some(format!("{}/watchlist", receiver.url)),
            max_pending: pending,
            max_pending_bytes: pending * 16 * 1024,
            max_log: pending,
            ..WebhookConfig::default()
        },
        ..MockConfig::generated()
    })
}

/// `webhooks`: the same bare flows (create, open, submit with the decision
/// trick) against a mock without webhooks and one that sends them to a
/// local receiver, alternating, `rounds` times; requests per second of each.
pub fn phase_webhooks(flows: usize, jobs: usize, rounds: usize) {
    let requests = flows * REQUESTS_PER_WEBHOOK_FLOW;
    let per_run = flows as u64 * WEBHOOKS_PER_FLOW;
    // Every delivery arrives within milliseconds here; a wait this long
    // with none arriving means the rest will not.
    let quiet = Duration::from_secs(10);
    let receiver = Receiver::start();
    let off = Mock::start(Duration::ZERO);
    let on = webhook_mock(&receiver, flows.max(jobs));
    // Warm up both (connections, lazy statics, allocator), and the receiver.
    let mut failed = bare_workload(&off, jobs, jobs, Workload::Webhooks)
        + bare_workload(&on, jobs, jobs, Workload::Webhooks);
    let mut want = jobs as u64 * WEBHOOKS_PER_FLOW;
    let mut short: Option<String> = None;
    let got = receiver.settle(want, quiet);
    if got != want {
        short = Some(format!("{got} of {want} webhooks arrived from the warm-up"));
    }
    let (mut offs, mut ons, mut by_end) = (Vec::new(), Vec::new(), Vec::new());
    let (mut drains, mut delivery_cpu) = (Vec::new(), Vec::new());
    let connections_before = receiver.connections.load(Ordering::Relaxed);
    for round in 0..rounds {
        // Each goes first in every other round.
        for webhooks in [round % 2 == 1, round % 2 == 0] {
            let mock = if webhooks { &on } else { &off };
            let before = receiver.received();
            let delivery_before = named_threads_cpu(DELIVERY_THREAD);
            let (f, cost) = mock.measure(|| bare_workload(mock, flows, jobs, Workload::Webhooks));
            let answered = Instant::now();
            failed += f;
            if !webhooks {
                offs.push(cost);
                continue;
            }
            by_end.push(receiver.received() - before);
            ons.push(cost);
            // Deliveries settle before the next run, so that none of them
            // runs during it.
            want += per_run;
            let got = receiver.settle(want, quiet);
            drains.push(answered.elapsed());
            delivery_cpu.push(named_threads_cpu(DELIVERY_THREAD).saturating_sub(delivery_before));
            if got != want && short.is_none() {
                short = Some(format!(
                    "{} of {per_run} webhooks arrived from a run",
                    got.saturating_sub(want - per_run)
                ));
            }
        }
    }
    off.stop();
    on.stop();
    let total = receiver.received();
    let total_connections = receiver.connections.load(Ordering::Relaxed);
    let connections = total_connections - connections_before;
    receiver.stop();
    let delivered = total.saturating_sub(jobs as u64 * WEBHOOKS_PER_FLOW);
    let rps = |costs: &[Cost]| {
        let mut v: Vec<f64> = costs
            .iter()
            .map(|c| requests as f64 / c.wall.as_secs_f64())
            .collect();
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let (off_rps, on_rps) = (rps(&offs), rps(&ons));
    let (off_cost, on_cost) = (median_cost(offs), median_cost(ons));
    by_end.sort();
    let ratio = on_rps / off_rps;
    println!();
    println!(
        "webhooks: {flows} flows (create, open, submit with the decision trick; {requests} requests, {per_run} webhooks), bare loop, --jobs {jobs}, median of {rounds} rounds"
    );
    println!(
        "{:<34} {:>10} {:>10} {:>14}",
        "", "req/s", "wall", "mock CPU/req"
    );
    for (what, rps, cost) in [
        ("webhooks off", off_rps, &off_cost),
        ("webhooks on", on_rps, &on_cost),
    ] {
        println!(
            "{what:<34} {rps:>10.0} {:>8.3} s {:>11.1} µs",
            cost.wall.as_secs_f64(),
            cost.mock_cpu.as_secs_f64() * 1e6 / requests as f64,
        );
    }
    let delivery = median(delivery_cpu);
    println!(
        "  delivery thread ({DELIVERY_THREAD}), from the run's start until all arrived: {:.1} µs CPU per webhook, {:.1} µs per request (mock CPU/req with it: {:.1} µs); all arrived a median of {:.0} ms after the run's last answer; the receiver accepted {connections} new connections for the {} webhooks after the warm-up ({total_connections} in all)",
        delivery.as_secs_f64() * 1e6 / per_run as f64,
        delivery.as_secs_f64() * 1e6 / requests as f64,
        (on_cost.mock_cpu + delivery).as_secs_f64() * 1e6 / requests as f64,
        median(drains).as_secs_f64() * 1e3,
        per_run * rounds as u64,
    );
    println!(
        "  ratio on/off: {ratio:.3}; delivered in the on runs: {delivered} of {} ({} per run, a median of {} of them by the run's last answer); {failed} flows failed",
        per_run * rounds as u64,
        per_run,
        by_end[by_end.len() / 2],
    );
    let why = if flows == 0 {
        Some("no flows".to_string())
    } else if failed > 0 {
        Some("a flow failed".to_string())
    } else if short.is_some() {
        short
    } else if delivered != per_run * rounds as u64 {
        Some(format!(
            "{delivered} webhooks arrived, not {}",
            per_run * rounds as u64
        ))
    } else {
        None
    };
    target(
        "requests per second with webhooks on within 10% of off",
        match &why {
            Some(why) => Err(why.as_str()),
            None => Ok(ratio >= 0.9),
        },
        &format!("{:.1}% of off", ratio * 100.0),
    );
}
