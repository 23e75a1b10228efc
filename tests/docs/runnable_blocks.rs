//! Every block marked runnable in `README.md` and `docs/*.md` passes, run as a
//! CI job would run it (docs/ci.md, "Tested blocks").

use std::collections::BTreeMap;

use crate::support::{
    Block, ServedMock, bin_dir, documentation, free_local_addrs, fresh_dir, marked_blocks,
    process_dir, run_block,
};

#[test]
fn every_runnable_block_of_the_documentation_passes() {
    let mut by_file: BTreeMap<String, Vec<Block>> = BTreeMap::new();
    for (file, text) in documentation() {
        let blocks = marked_blocks(&file, &text).unwrap_or_else(|e| panic!("{e}"));
        if !blocks.is_empty() {
            by_file.insert(file, blocks);
        }
    }
    assert!(
        !by_file.is_empty(),
        "no block marked runnable in README.md or docs/*.md: the marker is `<!-- runnable -->`"
    );
    assert!(
        by_file.contains_key("docs/ci.md"),
        "docs/ci.md has no runnable block: {:?}",
        by_file.keys()
    );

    // The sandbox, as far as the `runnable: veriff` blocks can tell.
    let sandbox = ServedMock::start("docs-api-key", "docs-shared-secret");
    let path = format!(
        "{}:{}",
        bin_dir("blocks/bin").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut failures = Vec::new();
    let mut ran = 0;
    for (file, blocks) in &by_file {
        let dir = fresh_dir(&format!("blocks/{}", file.replace('/', "-")));
        for block in blocks {
            let [mock_addr, webhook_addr] = free_local_addrs();
            let mut env = vec![
                ("PATH".to_string(), path.clone()),
                ("MOCK_ADDR".to_string(), mock_addr),
                ("WEBHOOK_ADDR".to_string(), webhook_addr),
                (
                    "GITHUB_STEP_SUMMARY".to_string(),
                    dir.with_extension("summary").display().to_string(),
                ),
                ("SHARD".to_string(), "2".to_string()),
                ("CI_NODE_INDEX".to_string(), "2".to_string()),
                ("CI_NODE_TOTAL".to_string(), "3".to_string()),
            ];
            if block.needs_veriff {
                env.extend([
                    ("VERIFF_BASE_URL".to_string(), sandbox.base_url.clone()),
                    ("VERIFF_API_KEY".to_string(), "docs-api-key".to_string()),
                    (
                        "VERIFF_SHARED_SECRET".to_string(),
                        "docs-shared-secret".to_string(),
                    ),
                ]);
            }
            ran += 1;
            if let Err(failure) = run_block(block, &dir, &env) {
                failures.push(failure);
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {ran} runnable blocks failed (their folders are in {}):\n\n{}",
        failures.len(),
        process_dir().join("blocks").display(),
        failures.join("\n\n")
    );
    let _ = std::fs::remove_dir_all(process_dir().join("blocks"));
    let _ = std::fs::remove_dir(process_dir()); // when the other test is done
}

#[test]
fn a_failing_block_is_reported_with_its_place_status_and_output() {
    let block = Block {
        file: "x.md".into(),
        line: 7,
        needs_veriff: false,
        script: "echo before\nfalse\necho after\n".into(),
    };
    let dir = fresh_dir("failing/block");
    let error = run_block(&block, &dir, &[]).expect_err("`false` stops the block");
    assert!(
        error.starts_with("x.md:7: the block exited with"),
        "{error}"
    );
    assert!(error.contains("before"), "{error}");
    assert!(
        !error.contains("\nafter"),
        "bash -e stops at the failure: {error}"
    );
    let _ = std::fs::remove_dir_all(process_dir().join("failing"));
    let _ = std::fs::remove_dir(process_dir()); // when the other test is done
}

#[test]
fn a_marked_block_is_found_with_its_line_and_what_it_needs() {
    let text = "# Title\n\n<!-- runnable -->\n```sh\necho one\necho two\n```\n\n```sh\nnot marked\n```\n<!-- runnable: veriff -->\n```sh\nveriff-conformance run\n```\n";
    let blocks = marked_blocks("x.md", text).expect("two blocks");
    assert_eq!(
        blocks,
        vec![
            Block {
                file: "x.md".into(),
                line: 4,
                needs_veriff: false,
                script: "echo one\necho two\n".into(),
            },
            Block {
                file: "x.md".into(),
                line: 13,
                needs_veriff: true,
                script: "veriff-conformance run\n".into(),
            },
        ]
    );
}

#[test]
fn a_marker_not_followed_by_a_sh_fence_is_an_error() {
    let error = marked_blocks("x.md", "<!-- runnable -->\n```yaml\na: 1\n```\n")
        .expect_err("a yaml block cannot be run");
    assert!(error.starts_with("x.md:1:"), "{error}");
}

#[test]
fn an_unknown_marker_is_an_error() {
    let error = marked_blocks("x.md", "<!-- runnable: sandbox -->\n```sh\ntrue\n```\n")
        .expect_err("only `veriff` is known");
    assert!(error.contains("runnable: sandbox"), "{error}");
}

#[test]
fn a_block_that_is_never_closed_is_an_error() {
    let error =
        marked_blocks("x.md", "<!-- runnable -->\n```sh\ntrue\n").expect_err("no closing fence");
    assert!(error.contains("never closed"), "{error}");
}
