//! The plan of a run: which scenarios libtest will run, and which it will
//! skip as ignored without running them.

use std::sync::Arc;

use libtest_mimic::Arguments;

use crate::exec::runner::Runner;
use crate::spec::model::Scenario;

/// Which scenarios libtest will run, and which it will skip as ignored.
pub struct Plan {
    /// Indexes of the scenarios to execute, in order.
    pub to_run: Vec<usize>,
    /// Indexes of the scenarios libtest skips as ignored, with the reason.
    pub skipped: Vec<(usize, String)>,
}

impl Plan {
    /// The plan libtest's own filter and ignore rules make of `scenarios`.
    pub fn new(scenarios: &[Arc<Scenario>], runner: &Runner, args: &Arguments) -> Plan {
        let mut plan = Plan {
            to_run: Vec::new(),
            skipped: Vec::new(),
        };
        for (i, scenario) in scenarios.iter().enumerate() {
            let ignored = runner.ignores(scenario);
            // A probe with the same name and flag as the real trial: libtest's own
            // filter and ignore rules decide, so the plan never disagrees with it.
            let probe = libtest_mimic::Trial::test(scenario.trial_name.clone(), || Ok(()))
                .with_ignored_flag(ignored.is_some());
            let judged_ignored = args.is_ignored(&probe);
            if args.is_filtered_out(&probe) {
                continue;
            }
            match ignored {
                Some(reason) if judged_ignored => plan.skipped.push((i, reason)),
                _ => plan.to_run.push(i),
            }
        }
        plan
    }
}
