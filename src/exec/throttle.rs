//! The run's request rate cap (`--rate`), shared by every scenario task.
//!
//! Each request takes the next free slot on one timeline, slots `1/rate`
//! apart, and waits for it: the first request goes at once, and over any
//! stretch of the run no more than `rate` requests a second start. A group
//! sent at the same moment (`repeat:` with `concurrently: true`) takes as many
//! slots as it has requests, all at one instant, and the request after it
//! waits for the slots the group used.

use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

/// The rate used against any host that is not loopback, unless `--rate` says otherwise.
pub const DEFAULT_REMOTE_RATE: f64 = 10.0;

/// A requests-per-second cap.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Rate {
    /// No cap.
    Unlimited,
    /// At most this many requests a second (more than zero).
    PerSecond(f64),
}

impl Rate {
    /// The default for a run against `base_url`: unlimited on loopback (the
    /// embedded mock, a local server), [`DEFAULT_REMOTE_RATE`] anywhere else.
    ///
    /// ```
    /// use veriff_conformance::Rate;
    /// assert_eq!(Rate::default_for("http://127.0.0.1:8080"), Rate::Unlimited);
    /// assert_eq!(Rate::default_for("http://localhost:8080"), Rate::Unlimited);
    /// assert_eq!(Rate::default_for("https://stationapi.veriff.com"), Rate::PerSecond(10.0));
    /// ```
    pub fn default_for(base_url: &str) -> Rate {
        let loopback = reqwest::Url::parse(base_url).ok().is_some_and(|url| {
            let host = url.host_str().unwrap_or("");
            host.eq_ignore_ascii_case("localhost")
                || host
                    .trim_start_matches('[')
                    .trim_end_matches(']')
                    .parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback())
        });
        if loopback {
            Rate::Unlimited
        } else {
            Rate::PerSecond(DEFAULT_REMOTE_RATE)
        }
    }

    /// Parses `--rate`: a positive number of requests a second, or `unlimited`.
    ///
    /// ```
    /// use veriff_conformance::Rate;
    /// assert_eq!(Rate::parse("2.5"), Ok(Rate::PerSecond(2.5)));
    /// assert_eq!(Rate::parse("unlimited"), Ok(Rate::Unlimited));
    /// assert!(Rate::parse("0").is_err());
    /// assert!(Rate::parse("1e-300").is_err());
    /// assert!(Rate::parse("fast").is_err());
    /// ```
    pub fn parse(text: &str) -> Result<Rate, String> {
        if text.eq_ignore_ascii_case("unlimited") {
            return Ok(Rate::Unlimited);
        }
        match text.parse::<f64>() {
            // At least one request in 1,000 s: the interval stays a Duration
            // that adds to an Instant without overflow.
            Ok(n) if n.is_finite() && (0.001..=1_000_000.0).contains(&n) => Ok(Rate::PerSecond(n)),
            _ => Err(format!(
                "--rate takes a number of requests per second from 0.001 to 1000000, or `unlimited`; not `{text}`"
            )),
        }
    }
}

impl std::fmt::Display for Rate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Rate::Unlimited => f.write_str("unlimited"),
            Rate::PerSecond(n) => write!(f, "{n}/s"),
        }
    }
}

/// Hands out send times so that the run stays under its [`Rate`].
#[derive(Debug)]
pub struct Throttle {
    rate: Rate,
    interval: Option<Duration>,
    next: Mutex<Option<Instant>>,
}

impl Throttle {
    /// A throttle for `rate`.
    pub fn new(rate: Rate) -> Throttle {
        let interval = match rate {
            Rate::Unlimited => None,
            Rate::PerSecond(n) => Some(Duration::from_secs_f64(1.0 / n)),
        };
        Throttle {
            rate,
            interval,
            next: Mutex::new(None),
        }
    }

    /// The cap.
    pub fn rate(&self) -> Rate {
        self.rate
    }

    /// Waits until `requests` requests may start together.
    pub async fn acquire(&self, requests: u32) {
        let Some(interval) = self.interval else {
            return;
        };
        let slot = {
            let mut next = self.next.lock().unwrap_or_else(|e| e.into_inner());
            let now = Instant::now();
            let slot = next.map_or(now, |n| n.max(now));
            *next = Some(slot + interval * requests.max(1));
            slot
        };
        tokio::time::sleep_until(slot).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn requests_from_many_tasks_share_one_timeline() {
        let throttle = std::sync::Arc::new(Throttle::new(Rate::PerSecond(10.0)));
        let start = Instant::now();
        let tasks: Vec<_> = (0..5)
            .map(|_| {
                let throttle = throttle.clone();
                tokio::spawn(async move {
                    throttle.acquire(1).await;
                    start.elapsed()
                })
            })
            .collect();
        let mut times = Vec::new();
        for t in tasks {
            times.push(t.await.unwrap());
        }
        times.sort();
        let ms: Vec<u128> = times.iter().map(Duration::as_millis).collect();
        assert_eq!(ms, [0, 100, 200, 300, 400]);
    }

    #[tokio::test(start_paused = true)]
    async fn a_group_goes_at_once_and_the_next_request_waits_for_its_slots() {
        let throttle = Throttle::new(Rate::PerSecond(10.0));
        let start = Instant::now();
        throttle.acquire(3).await;
        assert_eq!(start.elapsed().as_millis(), 0);
        throttle.acquire(1).await;
        assert_eq!(start.elapsed().as_millis(), 300);
    }

    #[tokio::test(start_paused = true)]
    async fn an_idle_throttle_does_not_save_up_a_burst() {
        let throttle = Throttle::new(Rate::PerSecond(10.0));
        throttle.acquire(1).await;
        tokio::time::sleep(Duration::from_secs(5)).await;
        let start = Instant::now();
        throttle.acquire(1).await;
        throttle.acquire(1).await;
        assert_eq!(start.elapsed().as_millis(), 100);
    }

    #[tokio::test(start_paused = true)]
    async fn unlimited_never_waits() {
        let throttle = Throttle::new(Rate::Unlimited);
        let start = Instant::now();
        for _ in 0..1000 {
            throttle.acquire(1).await;
        }
        assert_eq!(start.elapsed(), Duration::ZERO);
    }

    #[tokio::test]
    async fn the_first_request_goes_at_once_and_the_others_wait_their_interval() {
        let throttle = Throttle::new(Rate::PerSecond(100.0));
        let start = tokio::time::Instant::now();
        for _ in 0..3 {
            throttle.acquire(1).await;
        }
        // The first goes at once; the two others wait 10 ms each.
        assert!(start.elapsed() >= std::time::Duration::from_millis(20));
    }
}
