//! The plan of a run: which scenarios libtest is given as trials, which of
//! them it will run, and which it will skip as ignored without running them.
//!
//! With `--partition`, the trials that pass libtest's name filters are split
//! into shards the way cargo-nextest splits tests: `count:K/N` deals them out
//! in turn by their place in the list sorted by trial name, `hash:K/N` puts
//! each where a hash of its trial name says. A trial of another shard is not
//! given to libtest at all: it is neither run nor reported by this shard.

use std::str::FromStr;
use std::sync::Arc;

use libtest_mimic::Arguments;
use sha2::{Digest, Sha256};

use crate::exec::executor::NEEDS_RECEIVER;
use crate::exec::run_values::{RunValue, missing};
use crate::exec::target::Target;
use crate::scenario::model::Scenario;

/// How trials are split between the shards of a CI matrix; shards are 1-based.
///
/// ```
/// use veriff_conformance::Partition;
///
/// let p: Partition = "count:2/3".parse().unwrap();
/// assert_eq!(p, Partition::Count { shard: 2, total: 3 });
/// assert_eq!(p.to_string(), "count:2/3");
/// assert!("hash:0/3".parse::<Partition>().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Partition {
    /// Round robin over the trials sorted by name: the i-th (from 0) goes to shard `i % total + 1`.
    Count {
        /// This shard, from 1 to `total`.
        shard: u64,
        /// How many shards.
        total: u64,
    },
    /// By a hash of the trial name (the first 8 bytes of its SHA-256), modulo `total`:
    /// a trial stays in its shard when others are added or removed.
    Hash {
        /// This shard, from 1 to `total`.
        shard: u64,
        /// How many shards.
        total: u64,
    },
}

impl FromStr for Partition {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let usage = || {
            format!(
                "--partition `{text}`: expected `count:K/N` or `hash:K/N`, with shard K from 1 to N (e.g. `hash:1/4`)"
            )
        };
        let (kind, shards) = text.split_once(':').ok_or_else(usage)?;
        let (k, n) = shards.split_once('/').ok_or_else(usage)?;
        let number = |s: &str| {
            s.parse::<u64>()
                .ok()
                .filter(|_| s.bytes().all(|b| b.is_ascii_digit()))
        };
        let (Some(shard), Some(total)) = (number(k), number(n)) else {
            return Err(usage());
        };
        if total == 0 || shard == 0 || shard > total {
            return Err(format!(
                "--partition `{text}`: the shard must be from 1 to the number of shards ({n}), and there must be at least one shard"
            ));
        }
        match kind {
            "count" => Ok(Partition::Count { shard, total }),
            "hash" => Ok(Partition::Hash { shard, total }),
            _ => Err(usage()),
        }
    }
}

impl std::fmt::Display for Partition {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Partition::Count { shard, total } => write!(f, "count:{shard}/{total}"),
            Partition::Hash { shard, total } => write!(f, "hash:{shard}/{total}"),
        }
    }
}

/// The hash `hash:K/N` partitions by: stable across runs, machines and Rust versions.
fn name_hash(name: &str) -> u64 {
    let digest = Sha256::digest(name.as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    u64::from_be_bytes(first)
}

impl Partition {
    /// Which of `names` (each trial once) belong to this shard, in the order given.
    ///
    /// ```
    /// use veriff_conformance::Partition;
    ///
    /// let names = ["c", "a", "b"];
    /// let first = Partition::Count { shard: 1, total: 2 }.select(&names);
    /// // Sorted, "a" and "c" are 1st and 3rd: shard 1 of 2.
    /// assert_eq!(first, [true, true, false]);
    /// ```
    pub fn select<S: AsRef<str>>(&self, names: &[S]) -> Vec<bool> {
        match *self {
            Partition::Count { shard, total } => {
                let mut order: Vec<usize> = (0..names.len()).collect();
                order.sort_by(|&a, &b| names[a].as_ref().cmp(names[b].as_ref()));
                let mut chosen = vec![false; names.len()];
                for (place, &i) in order.iter().enumerate() {
                    chosen[i] = place as u64 % total == shard - 1;
                }
                chosen
            }
            Partition::Hash { shard, total } => names
                .iter()
                .map(|n| name_hash(n.as_ref()) % total == shard - 1)
                .collect(),
        }
    }
}

/// What a run does when libtest's filters select no scenario at all
/// (`--no-tests`, spelled as in cargo-nextest). An empty shard of
/// `--partition` is not such a run: the filters selected trials, and other
/// shards have them.
///
/// ```
/// use veriff_conformance::NoTests;
///
/// assert_eq!("warn".parse::<NoTests>(), Ok(NoTests::Warn));
/// assert_eq!(NoTests::default(), NoTests::Fail);
/// assert!("maybe".parse::<NoTests>().unwrap_err().contains("fail, warn or pass"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NoTests {
    /// A usage error (exit status 2) naming the filters: the default.
    #[default]
    Fail,
    /// Say so on standard error, and pass.
    Warn,
    /// Pass without a word.
    Pass,
}

impl FromStr for NoTests {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        match text {
            "fail" => Ok(NoTests::Fail),
            "warn" => Ok(NoTests::Warn),
            "pass" => Ok(NoTests::Pass),
            _ => Err(format!("`{text}`: expected fail, warn or pass")),
        }
    }
}

/// The filters of `args` as the user wrote them, for a message: `` filter `x` ``,
/// `--exact`, `` --skip `y` ``, `--ignored`.
pub fn describe_filters(args: &Arguments) -> String {
    let mut parts = Vec::new();
    if let Some(filter) = &args.filter {
        parts.push(format!("the filter `{filter}`"));
    }
    if args.exact && args.filter.is_some() {
        parts.push("--exact".into());
    }
    parts.extend(args.skip.iter().map(|s| format!("--skip `{s}`")));
    if args.ignored {
        parts.push("--ignored".into());
    }
    if parts.is_empty() {
        "the filters".into()
    } else {
        parts.join(", ")
    }
}

/// Which scenarios become trials, which libtest will run, and which it will skip as ignored.
#[derive(Debug, Default)]
pub struct Plan {
    /// Indexes of the scenarios given to libtest as trials, in order: every
    /// scenario but those of other shards (trials that the name filters leave
    /// out stay, so that libtest counts them as filtered out).
    pub trials: Vec<usize>,
    /// Indexes of the scenarios to execute, in order.
    pub to_run: Vec<usize>,
    /// Indexes of the scenarios libtest skips as ignored, with the reason.
    pub skipped: Vec<(usize, String)>,
    /// How many trials the filters let through that belong to other shards.
    pub other_shards: usize,
    /// How many trials the filters let through, in every shard.
    pub selected: usize,
    /// Why each scenario is not run against this target, if it is not
    /// ([`ignores`]); such a scenario is never executed.
    pub ignored: Vec<Option<String>>,
}

/// Why a scenario that needs the mock's controls is not run elsewhere.
pub const NEEDS_MOCK: &str =
    "needs the mock's controls (requires: [mock]); against a served mock, give --target-is-mock";

/// Why `scenario` is not run against `target`, if it is not: it needs
/// the mock's controls and the target is not the mock, or an opt-in API
/// feature the user did not turn on (the mock has them all), or it awaits
/// a webhook and the run has no webhook receiver (`has_webhook_receiver`:
/// `run --webhook-listen`, or the embedded mock, whose webhooks the run receives).
///
/// ```
/// use std::time::Duration;
/// use veriff_conformance::{Files, Loader, SourceFile, Target, ignores};
///
/// let file = SourceFile::new("w.yaml", "w.yaml", "
/// scenarios:
///   - name: the event arrives
///     vars: { id: s-1 }
///     steps:
///       - name: started
///         webhook: { type: event, session: \"${id}\" }
/// ");
/// let (scenarios, _) = Loader::new(Files::Disk).load(&file, "w");
/// let target = Target {
///     base_url: "https://example.com".into(),
///     api_key: "k".into(),
///     shared_secret: "s".into(),
///     timeout: Duration::from_secs(5),
///     is_mock: false,
///     allow_insecure_http: false,
///     features: vec![],
/// };
/// assert_eq!(
///     ignores(&target, false, &scenarios[0]).as_deref(),
///     Some("needs a webhook receiver: run --webhook-listen ADDR")
/// );
/// assert_eq!(ignores(&target, true, &scenarios[0]), None);
/// ```
pub fn ignores(target: &Target, has_webhook_receiver: bool, scenario: &Scenario) -> Option<String> {
    if scenario.requires_mock() && !target.is_mock {
        return Some(NEEDS_MOCK.into());
    }
    if scenario.awaits_webhooks() && !has_webhook_receiver {
        return Some(NEEDS_RECEIVER.into());
    }
    let off: Vec<&str> = scenario
        .required_features()
        .filter(|f| !target.is_mock && !target.features.iter().any(|on| on == f))
        .collect();
    (!off.is_empty()).then(|| {
        let flags: Vec<String> = off.iter().map(|f| format!("--feature {f}")).collect();
        format!(
            "needs the opt-in API feature{} {} (requires: [{}]); turn it on with {}",
            if off.len() == 1 { "" } else { "s" },
            off.join(", "),
            off.iter()
                .map(|f| format!("feature:{f}"))
                .collect::<Vec<_>>()
                .join(", "),
            flags.join(" ")
        )
    })
}

impl Plan {
    /// The plan libtest's own filter and ignore rules, and the partition if
    /// any, make of `scenarios`; those that require a run value missing from
    /// `values` are ignored.
    pub fn new(
        scenarios: &[Arc<Scenario>],
        target: &Target,
        has_webhook_receiver: bool,
        values: &[RunValue],
        args: &Arguments,
        partition: Option<Partition>,
    ) -> Plan {
        let ignored: Vec<Option<String>> = scenarios
            .iter()
            .map(|s| {
                ignores(target, has_webhook_receiver, s)
                    .or_else(|| missing(values, s.required_values()))
            })
            .collect();
        let names: Vec<&str> = scenarios.iter().map(|s| s.trial_name.as_str()).collect();
        Plan::of(&names, &ignored, args, partition)
    }

    /// Why a run of this plan would compare nothing, when it would: no
    /// scenario selected (out of `loaded`), or every one selected ignored
    /// (in a whole run; an empty shard of `partition` is fine).
    pub fn nothing_to_compare(
        &self,
        args: &Arguments,
        loaded: usize,
        partition: Option<Partition>,
    ) -> Option<String> {
        if self.selected == 0 {
            Some(format!(
                "no scenario matches {} (out of {loaded} loaded)",
                describe_filters(args),
            ))
        } else if self.to_run.is_empty() && partition.is_none() {
            let reason = self
                .skipped
                .first()
                .map(|(_, why)| why.clone())
                .or_else(|| self.ignored.iter().flatten().next().cloned())
                .unwrap_or_default();
            Some(format!(
                "every scenario selected ({}) is ignored, so nothing would be compared; the first says: {reason}",
                self.selected
            ))
        } else {
            None
        }
    }

    /// The plan for trials named `names`, each ignored for the reason in `ignored`, if any.
    pub fn of(
        names: &[&str],
        ignored: &[Option<String>],
        args: &Arguments,
        partition: Option<Partition>,
    ) -> Plan {
        // A probe with the same name and flag as the real trial: libtest's own
        // filter and ignore rules decide, so the plan never disagrees with it.
        let probes: Vec<libtest_mimic::Trial> = names
            .iter()
            .zip(ignored)
            .map(|(name, why)| {
                libtest_mimic::Trial::test(name.to_string(), || Ok(()))
                    .with_ignored_flag(why.is_some())
            })
            .collect();
        let passing: Vec<usize> = (0..names.len())
            .filter(|&i| !args.is_filtered_out(&probes[i]))
            .collect();
        let mut in_shard = vec![true; names.len()];
        if let Some(partition) = partition {
            let passing_names: Vec<&str> = passing.iter().map(|&i| names[i]).collect();
            for (&i, chosen) in passing.iter().zip(partition.select(&passing_names)) {
                in_shard[i] = chosen;
            }
        }
        let mut plan = Plan {
            selected: passing.len(),
            ..Plan::default()
        };
        for (i, &in_this_shard) in in_shard.iter().enumerate() {
            if in_this_shard {
                plan.trials.push(i);
            } else {
                plan.other_shards += 1;
            }
        }
        for i in passing.into_iter().filter(|&i| in_shard[i]) {
            match &ignored[i] {
                Some(reason) if args.is_ignored(&probes[i]) => {
                    plan.skipped.push((i, reason.clone()))
                }
                // libtest runs it anyway (`--include-ignored`): the trial
                // reports the reason without sending anything.
                Some(_) => {}
                None => plan.to_run.push(i),
            }
        }
        plan.ignored = ignored.to_vec();
        plan
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(n: usize) -> Vec<String> {
        (0..n)
            .map(|i| format!("file_{}::scenario_{i}", i % 7))
            .collect()
    }

    /// For every shard of `kind` with `total` shards, which shard takes each name.
    fn owners(kind: &str, total: u64, names: &[String]) -> Vec<Vec<u64>> {
        let mut owners = vec![Vec::new(); names.len()];
        for shard in 1..=total {
            let p: Partition = format!("{kind}:{shard}/{total}").parse().unwrap();
            for (i, chosen) in p.select(names).into_iter().enumerate() {
                if chosen {
                    owners[i].push(shard);
                }
            }
        }
        owners
    }

    #[test]
    fn every_trial_is_in_exactly_one_shard_of_each_kind_and_size() {
        for n in [0, 1, 2, 5, 17, 100] {
            let names = names(n);
            for total in 1..=6 {
                for kind in ["count", "hash"] {
                    for (name, owned) in names.iter().zip(owners(kind, total, &names)) {
                        assert_eq!(owned.len(), 1, "{kind}:K/{total}: {name} is in {owned:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn count_shards_differ_in_size_by_at_most_one_and_follow_the_sorted_names() {
        let names = names(17);
        let owners = owners("count", 4, &names);
        let mut sizes = [0usize; 4];
        for owned in &owners {
            sizes[owned[0] as usize - 1] += 1;
        }
        assert_eq!(sizes, [5, 4, 4, 4]);
        let mut sorted: Vec<(&String, u64)> =
            names.iter().zip(owners.iter().map(|o| o[0])).collect();
        sorted.sort();
        let dealt: Vec<u64> = sorted.iter().map(|&(_, shard)| shard).collect();
        let expected: Vec<u64> = (0..17).map(|i| i % 4 + 1).collect();
        assert_eq!(dealt, expected);
    }

    #[test]
    fn a_hash_shard_does_not_depend_on_the_other_trials() {
        let names = names(40);
        let p: Partition = "hash:2/3".parse().unwrap();
        let all = p.select(&names);
        let half = p.select(&names[..20]);
        assert_eq!(&all[..20], &half[..]);
        // Not all in one shard: the hash spreads them.
        assert!(all.iter().any(|&c| c) && !all.iter().all(|&c| c));
    }

    #[test]
    fn bad_partitions_are_refused_with_what_was_expected() {
        for bad in [
            "",
            "count",
            "count:1",
            "count:1/",
            "count:/2",
            "count:0/2",
            "count:3/2",
            "count:1/0",
            "hash:-1/2",
            "hash:+1/2",
            "slice:1/2",
            "count:1/2/3",
            "hash:a/b",
            "count: 1/2",
        ] {
            let e = bad.parse::<Partition>().unwrap_err();
            assert!(e.contains(&format!("`{bad}`")), "{bad}: {e}");
        }
        assert_eq!(
            "hash:3/3".parse::<Partition>(),
            Ok(Partition::Hash { shard: 3, total: 3 })
        );
    }

    #[test]
    fn shards_split_only_the_trials_the_filter_lets_through() {
        let names = ["a::one", "a::two", "b::one", "b::two", "b::three"];
        let ignored = [None, None, Some("why".to_string()), None, None];
        let args = Arguments {
            filter: Some("b::".into()),
            ..Arguments::default()
        };
        let mut ran = Vec::new();
        for shard in 1..=2 {
            let p = Partition::Count { shard, total: 2 };
            let plan = Plan::of(&names, &ignored, &args, Some(p));
            // Filtered-out trials stay trials, so that libtest counts them.
            assert!(plan.trials.contains(&0) && plan.trials.contains(&1));
            assert_eq!(plan.trials.len() + plan.other_shards, names.len());
            assert!(plan.to_run.iter().all(|i| plan.trials.contains(i)));
            ran.extend(plan.to_run.iter().copied());
            ran.extend(plan.skipped.iter().map(|&(i, _)| i));
        }
        ran.sort();
        assert_eq!(ran, [2, 3, 4]);
    }

    #[test]
    fn a_filter_that_selects_nothing_is_seen_and_an_empty_shard_is_not_such_a_filter() {
        let names = ["a::one", "a::two"];
        let ignored = [None, None];
        let nothing = Arguments {
            filter: Some("nope".into()),
            ..Arguments::default()
        };
        assert_eq!(Plan::of(&names, &ignored, &nothing, None).selected, 0);
        assert_eq!(describe_filters(&nothing), "the filter `nope`");
        let one = Arguments {
            filter: Some("a::one".into()),
            exact: true,
            ..Arguments::default()
        };
        // Shard 2 of 2 is empty, but the filter selected a trial.
        let plan = Plan::of(
            &names,
            &ignored,
            &one,
            Some(Partition::Count { shard: 2, total: 2 }),
        );
        assert!(plan.to_run.is_empty());
        assert_eq!(plan.selected, 1);
    }
}
