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
/// enough that `flows` flows drop nothing: the webhooks of a run fill at
/// most a quarter of `max_pending`, so that its webhooks wait for the API to
/// be idle as long as the mock lets them (docs/mock.md, "Webhooks").
pub fn webhook_mock(receiver: &Receiver, flows: usize) -> Mock {
    let pending = 4 * flows * WEBHOOKS_PER_FLOW as usize;
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

/// How many times the flows of a sustained run: long enough that its
/// webhooks stop waiting for the API to be idle during it.
const SUSTAINED: usize = 10;

/// The receiver and both mocks, and the webhooks expected so far.
struct Bench<'a> {
    receiver: &'a Receiver,
    off: &'a Mock,
    on: &'a Mock,
    jobs: usize,
    /// Webhooks the receiver should have had by now.
    want: u64,
}

/// What alternating runs measured.
#[derive(Default)]
struct Rounds {
    offs: Vec<Cost>,
    ons: Vec<Cost>,
    /// Webhooks arrived by each on run's last answer.
    by_end: Vec<u64>,
    /// From each on run's last answer until all its webhooks arrived.
    drains: Vec<Duration>,
    delivery_cpu: Vec<Duration>,
    failed: usize,
    /// Why fewer webhooks arrived than were made, if they did.
    short: Option<String>,
}

impl Rounds {
    /// Median requests per second of `costs`, runs of `requests` requests.
    fn rps(costs: &[Cost], requests: usize) -> f64 {
        let mut v: Vec<f64> = costs
            .iter()
            .map(|c| requests as f64 / c.wall.as_secs_f64())
            .collect();
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    }
}

/// `rounds` runs of `flows` flows on each mock, alternating which goes
/// first; the deliveries of each on run settle before the next run.
fn alternate(bench: &mut Bench<'_>, flows: usize, rounds: usize) -> Rounds {
    // Every delivery arrives within milliseconds here; a wait this long
    // with none arriving means the rest will not.
    let quiet = Duration::from_secs(10);
    let per_run = flows as u64 * WEBHOOKS_PER_FLOW;
    let mut out = Rounds::default();
    for round in 0..rounds {
        for webhooks in [round % 2 == 1, round % 2 == 0] {
            let mock = if webhooks { bench.on } else { bench.off };
            let before = bench.receiver.received();
            let delivery_before = named_threads_cpu(DELIVERY_THREAD);
            let (f, cost) =
                mock.measure(|| bare_workload(mock, flows, bench.jobs, Workload::Webhooks));
            let answered = Instant::now();
            out.failed += f;
            if !webhooks {
                out.offs.push(cost);
                continue;
            }
            out.by_end.push(bench.receiver.received() - before);
            out.ons.push(cost);
            bench.want += per_run;
            let got = bench.receiver.settle(bench.want, quiet);
            out.drains.push(answered.elapsed());
            out.delivery_cpu
                .push(named_threads_cpu(DELIVERY_THREAD).saturating_sub(delivery_before));
            if got != bench.want && out.short.is_none() {
                out.short = Some(format!(
                    "{} of {per_run} webhooks arrived from a run of {flows} flows",
                    got.saturating_sub(bench.want - per_run)
                ));
            }
        }
    }
    out
}

/// `webhooks`: the same bare flows (create, open, submit with the decision
/// trick) against a mock without webhooks and one that sends them to a
/// local receiver, alternating, `rounds` times; requests per second of each.
/// Then a few runs `SUSTAINED` times as long, in which the webhooks no
/// longer wait for the API to be idle.
pub fn phase_webhooks(flows: usize, jobs: usize, rounds: usize) {
    let requests = flows * REQUESTS_PER_WEBHOOK_FLOW;
    let per_run = flows as u64 * WEBHOOKS_PER_FLOW;
    let receiver = Receiver::start();
    let off = Mock::start(Duration::ZERO);
    let on = webhook_mock(&receiver, SUSTAINED * flows.max(jobs));
    // Warm up both (connections, lazy statics, allocator), and the receiver.
    let warm_up = bare_workload(&off, jobs, jobs, Workload::Webhooks)
        + bare_workload(&on, jobs, jobs, Workload::Webhooks);
    let mut bench = Bench {
        receiver: &receiver,
        off: &off,
        on: &on,
        jobs,
        want: jobs as u64 * WEBHOOKS_PER_FLOW,
    };
    let got = receiver.settle(bench.want, Duration::from_secs(10));
    let warm_short = (got != bench.want)
        .then(|| format!("{got} of {} webhooks arrived from the warm-up", bench.want));
    let connections_before = receiver.connections.load(Ordering::Relaxed);
    let burst = alternate(&mut bench, flows, rounds);
    let sustained_rounds = 3;
    let sustained = alternate(&mut bench, SUSTAINED * flows, sustained_rounds);
    let api_first_for = on.server.config().webhooks.api_first_for;
    off.stop();
    on.stop();
    let total_connections = receiver.connections.load(Ordering::Relaxed);
    let connections = total_connections - connections_before;
    let delivered = receiver.received() - jobs as u64 * WEBHOOKS_PER_FLOW;
    receiver.stop();
    let expected = per_run * (rounds + SUSTAINED * sustained_rounds) as u64;

    let (off_rps, on_rps) = (
        Rounds::rps(&burst.offs, requests),
        Rounds::rps(&burst.ons, requests),
    );
    let ratio = on_rps / off_rps;
    let sustained_ratio = Rounds::rps(&sustained.ons, SUSTAINED * requests)
        / Rounds::rps(&sustained.offs, SUSTAINED * requests);
    let sustained_off_wall = median_cost(sustained.offs).wall;
    let (off_cost, on_cost) = (median_cost(burst.offs), median_cost(burst.ons));
    let mut by_end = burst.by_end;
    by_end.sort();
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
    let delivery = median(burst.delivery_cpu);
    println!(
        "  delivery thread ({DELIVERY_THREAD}), from the run's start until all arrived: {:.1} µs CPU per webhook, {:.1} µs per request (mock CPU/req with it: {:.1} µs); all arrived a median of {:.0} ms after the run's last answer, {} of them by it",
        delivery.as_secs_f64() * 1e6 / per_run as f64,
        delivery.as_secs_f64() * 1e6 / requests as f64,
        (on_cost.mock_cpu + delivery).as_secs_f64() * 1e6 / requests as f64,
        median(burst.drains).as_secs_f64() * 1e3,
        by_end[by_end.len() / 2],
    );
    println!(
        "  ratio on/off: {ratio:.3}; the mock's webhooks wait for the API to be idle for at most {} ms, and a run with them took {:.3} s",
        api_first_for.as_millis(),
        on_cost.wall.as_secs_f64(),
    );
    println!(
        "  sustained, {} flows a run ({:.2} s with webhooks off), median of {sustained_rounds} rounds: ratio on/off {sustained_ratio:.3}; past the wait, deliveries share the two cores with the API",
        SUSTAINED * flows,
        sustained_off_wall.as_secs_f64(),
    );
    let failed = warm_up + burst.failed + sustained.failed;
    println!(
        "  delivered in all: {delivered} of {expected}; the receiver accepted {connections} new connections for them ({total_connections} in all); {failed} flows failed"
    );
    let why = if flows == 0 {
        Some("no flows".to_string())
    } else if failed > 0 {
        Some("a flow failed".to_string())
    } else if let Some(short) = warm_short.or(burst.short).or(sustained.short) {
        Some(short)
    } else if delivered != expected {
        Some(format!("{delivered} webhooks arrived, not {expected}"))
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
