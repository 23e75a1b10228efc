//! The mock a phase runs against: embedded on a runtime of its own, or in a
//! child process (this program, re-run with `--serve-mock`).

use super::*;

pub struct Mock {
    pub runtime: tokio::runtime::Runtime,
    pub server: MockServer,
    pub tids: Arc<Mutex<Vec<u32>>>,
}

impl Mock {
    /// The embedded mock on its own two-thread runtime, whose threads are
    /// known so that their CPU can be told apart from the client's.
    pub fn start(latency: Duration) -> Mock {
        Mock::start_with(MockConfig {
            max_sessions: 1_000_000,
            latency,
            ..MockConfig::generated()
        })
    }

    /// The same, with another configuration.
    pub fn start_with(config: MockConfig) -> Mock {
        let tids = Arc::new(Mutex::new(Vec::new()));
        let record = Arc::clone(&tids);
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("mock")
            .on_thread_start(move || {
                if let Some(tid) = current_tid() {
                    record.lock().expect("tids").push(tid);
                }
            })
            .enable_all()
            .build()
            .expect("mock runtime");
        let server = runtime
            .block_on(MockServer::builder().config(config).start())
            .expect("mock");
        Mock {
            runtime,
            server,
            tids,
        }
    }

    pub fn cpu(&self) -> Duration {
        threads_cpu(&self.tids.lock().expect("tids"))
    }

    pub fn target(&self) -> TargetOptions {
        TargetOptions {
            base_url: Some(self.server.base_url()),
            api_key: Some(self.server.config().api_key.clone()),
            shared_secret: Some(self.server.config().shared_secret.clone()),
            timeout: Duration::from_secs(30),
            allow_insecure_http: false,
            target_is_mock: true,
            features: Vec::new(),
        }
    }

    /// Runs `work` and measures it.
    pub fn measure<T>(&self, work: impl FnOnce() -> T) -> (T, Cost) {
        reset_peak_rss();
        let rss_before = status_mb("VmRSS");
        let (cpu0, mock0, started) = (process_cpu(), self.cpu(), Instant::now());
        let out = work();
        let wall = started.elapsed();
        let (cpu1, mock1) = (process_cpu(), self.cpu());
        let mock_cpu = mock1.saturating_sub(mock0);
        let cost = Cost {
            wall,
            cpu: cpu1.saturating_sub(cpu0).saturating_sub(mock_cpu),
            mock_cpu,
            rss_before,
            peak_rss: status_mb("VmHWM"),
        };
        (out, cost)
    }

    pub fn stop(self) {
        self.runtime.block_on(self.server.shutdown());
    }
}

/// The mock in a child process (this program, re-run with `--serve-mock`),
/// so that the harness's peak RSS is its own, as when a CI job runs
/// `veriff-conformance mock` beside it.
pub struct ChildMock {
    pub child: std::process::Child,
    pub target: TargetOptions,
}

impl ChildMock {
    pub fn start() -> ChildMock {
        use std::io::BufRead;
        let config = MockConfig::generated();
        let mut child = std::process::Command::new(std::env::current_exe().expect("this program"))
            .arg("--serve-mock")
            .env("VC_BENCH_MOCK_KEY", &config.api_key)
            .env("VC_BENCH_MOCK_SECRET", &config.shared_secret)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("the mock's process");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().expect("its stdout"))
            .read_line(&mut line)
            .expect("its base URL");
        let target = TargetOptions {
            base_url: Some(line.trim().to_string()),
            api_key: Some(config.api_key),
            shared_secret: Some(config.shared_secret),
            timeout: Duration::from_secs(30),
            allow_insecure_http: false,
            target_is_mock: true,
            features: Vec::new(),
        };
        ChildMock { child, target }
    }

    pub fn stop(mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.wait();
    }
}

/// `--serve-mock`: serves the mock on loopback with the credentials the parent
/// chose, prints its base URL, and ends when standard input closes.
pub fn serve_mock() {
    use std::io::{Read, Write};
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("mock runtime");
    let config = MockConfig {
        api_key: std::env::var("VC_BENCH_MOCK_KEY").expect("VC_BENCH_MOCK_KEY"),
        shared_secret: std::env::var("VC_BENCH_MOCK_SECRET").expect("VC_BENCH_MOCK_SECRET"),
        max_sessions: 1_000_000,
        ..MockConfig::generated()
    };
    let server = runtime
        .block_on(MockServer::builder().config(config).start())
        .expect("mock");
    println!("{}", server.base_url());
    std::io::stdout().flush().expect("stdout");
    let _ = std::io::stdin().read_to_end(&mut Vec::new());
    runtime.block_on(server.shutdown());
}
