//! The flags `run` and `receiver` share, in one place, so that both take,
//! check and document them alike: credentials, limits, scheduling, the JUnit
//! report, what an empty run does, and the libtest options that do something
//! here ([`LibtestArgs`]; `--bench`, `-Z`, `--nocapture` and `--show-output`
//! are not accepted by either).

use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use super::libtest_args::LibtestArgs;
use crate::exec::throttle::Rate;
use crate::run::{DEFAULT_JOBS, MAX_JOBS, NoTests, Options, Partition};

/// The integration's credentials, from the flags or the environment.
#[derive(Debug, Default, Args)]
pub struct CredentialArgs {
    /// The integration's API key, sent as X-AUTH-CLIENT.
    #[arg(long, env = "VERIFF_API_KEY", hide_env_values = true)]
    pub api_key: Option<String>,
    /// The integration's shared secret, for HMAC signatures.
    #[arg(long, env = "VERIFF_SHARED_SECRET", hide_env_values = true)]
    pub shared_secret: Option<String>,
}

/// How a run sends, schedules and reports, whatever it runs.
#[derive(Debug, Args)]
pub struct SharedRunArgs {
    /// Per-request timeout in seconds.
    #[arg(long, default_value_t = 30.0, value_name = "SECONDS")]
    timeout: f64,
    /// Allow plain http:// to hosts other than loopback (credentials travel in clear text).
    #[arg(long)]
    pub allow_insecure_http: bool,
    /// Scenarios in flight at once (independent of --test-threads).
    #[arg(long, default_value_t = DEFAULT_JOBS, value_name = "N")]
    jobs: usize,
    /// Requests per second at most, across the run, or `unlimited` (default: unlimited
    /// against loopback, 10 against any other host).
    #[arg(long, value_name = "N", value_parser = Rate::parse)]
    rate: Option<Rate>,
    /// Run one shard of the trials, as cargo-nextest spells it: `count:K/N`
    /// (round robin over the sorted trial names) or `hash:K/N` (by a hash of
    /// each name); K from 1 to N.
    #[arg(long, value_name = "KIND:K/N")]
    partition: Option<String>,
    /// When the filters select no scenario: fail (exit status 2), warn, or pass. An empty
    /// shard of --partition is not an error.
    #[arg(long, value_name = "fail|warn|pass", default_value = "fail", value_parser = str::parse::<NoTests>)]
    no_tests: NoTests,
    /// Write a JUnit XML report to this file.
    #[arg(long, value_name = "FILE")]
    junit: Option<PathBuf>,
    #[command(flatten)]
    libtest: LibtestArgs,
}

/// A positive, finite number of seconds (at most a day), or a usage error naming the flag.
pub fn seconds(value: f64, flag: &str) -> Result<Duration, String> {
    if value.is_finite() && value > 0.0 {
        Ok(Duration::from_secs_f64(value.min(86_400.0)))
    } else {
        Err(format!(
            "{flag} must be a positive number of seconds, not {value}"
        ))
    }
}

impl SharedRunArgs {
    /// A libtest flag given out of habit that does not apply here, with why.
    pub fn refused(&self) -> Option<&'static str> {
        self.libtest.refused()
    }

    /// The per-request timeout, checked.
    pub fn timeout(&self) -> Result<Duration, String> {
        seconds(self.timeout, "--timeout")
    }

    /// `options` with these flags filled in, checked; `filter` is the
    /// libtest name filter given as a positional argument.
    pub fn apply(self, options: Options, filter: Option<String>) -> Result<Options, String> {
        if let Some(why) = self.refused() {
            return Err(why.into());
        }
        if !(1..=MAX_JOBS).contains(&self.jobs) {
            return Err(format!(
                "--jobs takes a number from 1 to {MAX_JOBS}, not {}",
                self.jobs
            ));
        }
        let partition = self
            .partition
            .as_deref()
            .map(str::parse::<Partition>)
            .transpose()?;
        Ok(Options {
            libtest: self.libtest.into_arguments(filter),
            junit: self.junit,
            jobs: self.jobs,
            rate: self.rate,
            partition,
            no_tests: self.no_tests,
            ..options
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Debug, Parser)]
    struct Probe {
        #[command(flatten)]
        shared: SharedRunArgs,
    }

    #[test]
    fn the_flags_libtest_has_and_that_do_nothing_here_are_refused() {
        for flag in ["--bench", "--show-output", "-Zunstable-options"] {
            let parsed = Probe::try_parse_from(["probe", flag]);
            assert!(parsed.is_err(), "{flag} was accepted");
        }
        // libtest's --nocapture, given out of habit, is refused with why,
        // not with a suggestion of an unrelated flag.
        let probe = Probe::try_parse_from(["probe", "--nocapture"]).expect("parsed");
        let refused = probe
            .shared
            .apply(Options::default(), None)
            .expect_err("refused");
        assert!(refused.contains("--nocapture does not apply"), "{refused}");
    }

    #[test]
    fn each_shared_flag_reaches_the_options() {
        let probe = Probe::try_parse_from([
            "probe",
            "--jobs",
            "3",
            "--rate",
            "5",
            "--partition",
            "hash:1/2",
            "--no-tests",
            "warn",
            "--junit",
            "j.xml",
            "--exact",
        ])
        .expect("valid flags");
        let options = probe
            .shared
            .apply(Options::default(), Some("f".into()))
            .expect("valid values");
        assert_eq!(options.jobs, 3);
        assert_eq!(options.rate, Some(Rate::PerSecond(5.0)));
        assert!(options.partition.is_some());
        assert_eq!(options.no_tests, NoTests::Warn);
        assert_eq!(
            options.junit.as_deref(),
            Some(std::path::Path::new("j.xml"))
        );
        assert!(options.libtest.exact);
        assert_eq!(options.libtest.filter.as_deref(), Some("f"));
    }

    #[test]
    fn a_bad_jobs_count_or_partition_names_its_flag() {
        for (flag, value, said) in [("--jobs", "0", "--jobs"), ("--partition", "hash:3/2", "")] {
            let probe = Probe::try_parse_from(["probe", flag, value]).expect("parses");
            let e = probe
                .shared
                .apply(Options::default(), None)
                .expect_err("refused");
            assert!(e.contains(said), "{e}");
        }
        assert!(
            seconds(0.0, "--timeout")
                .unwrap_err()
                .starts_with("--timeout")
        );
    }
}
