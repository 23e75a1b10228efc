//! The libtest trials of a run: one per scenario of the plan. A trial runs
//! nothing: it waits for its scenario's result, delivered by the schedule,
//! and hands it to libtest (and to the collection the reports read).

use std::collections::HashMap;
use std::sync::Arc;

use libtest_mimic::Trial;

use super::plan::Plan;
use super::schedule::{Collected, Delivery};
use crate::mask::Masker;
use crate::report::libtest;
use crate::results::{Outcome, ScenarioResult};
use crate::scenario::model::Scenario;

/// The trials, and where each result is collected as libtest reads it.
pub struct Trials {
    pub trials: Vec<Trial>,
    pub collected: Collected,
}

/// The trials of `plan`; `deliveries` are the results of the scenarios
/// started, in the order of `plan.to_run`.
pub fn of_plan(
    plan: &Plan,
    scenarios: &[Arc<Scenario>],
    deliveries: Vec<Delivery>,
    masker: &Masker,
) -> Trials {
    let collected = Collected::default();
    let mut slots: Vec<Option<Delivery>> = scenarios.iter().map(|_| None).collect();
    for (&i, delivery) in plan.to_run.iter().zip(deliveries) {
        slots[i] = Some(delivery);
    }
    let skipped: HashMap<usize, &String> = plan.skipped.iter().map(|(i, why)| (*i, why)).collect();
    let trials = plan
        .trials
        .iter()
        .map(|&i| {
            if let Some(why) = skipped.get(&i) {
                // Skipped, and its reason shown beside `ignored`.
                return libtest::skipped_trial(scenarios[i].trial_name.clone(), masker.mask(why));
            }
            let (scenario, delivery) = (Arc::clone(&scenarios[i]), slots[i].take());
            let ignored = plan.ignored[i].clone();
            let collected = collected.clone();
            let name = scenario.trial_name.clone();
            // libtest shows the message under the trial's name.
            let pending: libtest::Pending = Box::new(move || {
                let result = match (delivery, ignored) {
                    (Some(rx), _) => rx.recv().map_err(|lost| format!("harness error: {lost}"))?,
                    // Run by `--include-ignored`: the reason, and nothing sent.
                    (None, Some(reason)) => Arc::new(ScenarioResult::without_steps(
                        scenario.trial_name.clone(),
                        Arc::clone(&scenario.file),
                        Outcome::Ignored(reason),
                    )),
                    (None, None) => {
                        return Err("harness error: this scenario was not started".into());
                    }
                };
                collected.push(Arc::clone(&result));
                Ok(result)
            });
            libtest::trial(name, plan.ignored[i].as_deref(), pending, masker.clone())
        })
        .collect();
    Trials { trials, collected }
}
