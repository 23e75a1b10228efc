//! `run --partition`: shards of a CI matrix, through the built binary.

use std::collections::BTreeSet;
use std::process::Output;

use crate::support::{bin, scratch, text};

fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("the binary runs")
}

/// The trial names of `--list` output.
fn listed(output: &Output) -> BTreeSet<String> {
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|l| l.strip_suffix(": test"))
        .map(str::to_string)
        .collect()
}

/// The trials a run reported, with their status (`ok`, `ignored`, `FAILED`…).
fn reported(output: &Output) -> Vec<(String, String)> {
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|l| l.strip_prefix("test ")?.split_once(" ... "))
        .map(|(name, status)| (name.trim().to_string(), status.trim().to_string()))
        .collect()
}

#[test]
fn two_shards_run_disjoint_parts_whose_union_is_the_whole_suite_each_with_its_junit() {
    let all = listed(&run(&["run", "--list"]));
    assert!(all.len() > 2, "{all:?}");
    let dir = scratch("partition-shards");
    for kind in ["count", "hash"] {
        let mut union = BTreeSet::new();
        for shard in 1..=2 {
            let junit = dir.join(format!("{kind}-{shard}.xml"));
            let partition = format!("{kind}:{shard}/2");
            let out = run(&[
                "run",
                "--partition",
                &partition,
                "--junit",
                junit.to_str().unwrap(),
            ]);
            assert_eq!(out.status.code(), Some(0), "{}", text(&out));
            let ran = reported(&out);
            assert!(!ran.is_empty(), "{partition}: {}", text(&out));
            assert!(ran.len() < all.len(), "{partition} ran everything");
            assert!(
                ran.iter().all(|(_, status)| status == "ok"),
                "{partition}: {ran:?}"
            );
            assert!(
                text(&out).contains(&format!(
                    "partition {partition}: {} of {} trials in this shard, {} in the others",
                    ran.len(),
                    all.len(),
                    all.len() - ran.len()
                )),
                "{}",
                text(&out)
            );
            // Each shard's JUnit has its own trials and no other.
            let xml = std::fs::read_to_string(&junit).unwrap();
            for name in &all {
                let in_xml = xml.contains(&format!("name=\"{name}\""));
                let ran_here = ran.iter().any(|(n, _)| n == name);
                assert_eq!(in_xml, ran_here, "{partition}: {name} in JUnit: {in_xml}");
            }
            // --list with the same partition lists what the shard runs.
            let shard_list = listed(&run(&["run", "--list", "--partition", &partition]));
            let ran_names: BTreeSet<String> = ran.into_iter().map(|(n, _)| n).collect();
            assert_eq!(shard_list, ran_names, "{partition}");
            for name in ran_names {
                assert!(
                    union.insert(name.clone()),
                    "{name} is in both {kind} shards"
                );
            }
        }
        assert_eq!(union, all, "{kind} shards together");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_partition_applies_after_the_name_filter() {
    let filtered = listed(&run(&["run", "--list", "submit::"]));
    assert!(filtered.len() >= 2, "{filtered:?}");
    let one = listed(&run(&[
        "run",
        "--list",
        "submit::",
        "--partition",
        "count:1/2",
    ]));
    let two = listed(&run(&[
        "run",
        "--list",
        "submit::",
        "--partition",
        "count:2/2",
    ]));
    assert!(one.is_disjoint(&two));
    assert_eq!(&one | &two, filtered);
    assert_eq!(one.len(), filtered.len().div_ceil(2));
}

#[test]
fn a_bad_partition_is_a_usage_error() {
    for bad in ["count:0/2", "count:3/2", "hash:1", "slice:1/2", "hash:1/0"] {
        let out = run(&["run", "--partition", bad]);
        assert_eq!(out.status.code(), Some(2), "{bad}: {}", text(&out));
        let all = text(&out);
        assert!(all.contains(&format!("--partition `{bad}`")), "{all}");
        assert!(!all.contains("test result"), "{bad} ran: {all}");
    }
}
