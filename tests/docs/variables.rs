//! Every shell example a reader may paste (each ```sh block of `README.md`
//! and `docs/*.md`, marked runnable or not) defines the variables it uses,
//! or its section names them before it (as ci.md names `$MOCK_ADDR`, or a
//! CI file sets `SHARD`): pasted alone, it must not depend on a variable the
//! page never mentions.

use std::collections::BTreeSet;

use regex::Regex;

use crate::support::documentation;

/// The shell's own variables, which no page needs to explain.
const THE_SHELLS: &[&str] = &["HOME", "PATH", "PWD"];

/// A ```sh block (`line`: its opening fence, from 1) and the text of its
/// section before it (from the last heading).
#[derive(Debug)]
struct ShBlock {
    line: usize,
    script: String,
    section_before: String,
}

/// Every ```sh block of a Markdown text, with the section text before it.
fn sh_blocks(text: &str) -> Vec<ShBlock> {
    let lines: Vec<&str> = text.lines().collect();
    let mut blocks = Vec::new();
    let mut section = String::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        i += 1;
        if line.starts_with('#') {
            section.clear();
            continue;
        }
        let Some(info) = line.trim_start().strip_prefix("```") else {
            section.push_str(line);
            section.push('\n');
            continue;
        };
        let start = i;
        let body: Vec<&str> = lines[i..]
            .iter()
            .take_while(|l| l.trim_start() != "```")
            .copied()
            .collect();
        i += body.len() + 1;
        if info.trim() == "sh" {
            blocks.push(ShBlock {
                line: start,
                script: body.join("\n"),
                section_before: section.clone(),
            });
        }
        // A block's text (a CI file that sets a variable) names it for the next.
        section.push_str(&body.join("\n"));
        section.push('\n');
    }
    blocks
}

/// The variables `script` uses that it does not define and `section` does
/// not name, in name order. A use is `$NAME` or `${NAME}` (in single quotes
/// too: `trap 'kill $pid'` expands later); a definition is `NAME=…`, `for
/// NAME in` or `read NAME`.
fn unexplained(script: &str, section: &str) -> Vec<String> {
    let used = Regex::new(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)").expect("a pattern");
    let assigned = Regex::new(r"(?m)(?:^|[\s;&|(])([A-Za-z_][A-Za-z0-9_]*)=").expect("a pattern");
    let looped =
        Regex::new(r"\b(?:for|read(?:\s+-\w+)*)\s+([A-Za-z_][A-Za-z0-9_]*)").expect("a pattern");
    let defined: BTreeSet<&str> = assigned
        .captures_iter(script)
        .chain(looped.captures_iter(script))
        .map(|c| c.get(1).expect("a name").as_str())
        .collect();
    let named = |name: &str| {
        Regex::new(&format!(r"\b{name}\b"))
            .expect("a pattern")
            .is_match(section)
    };
    let mut missing: Vec<String> = used
        .captures_iter(script)
        .map(|c| c.get(1).expect("a name").as_str())
        .filter(|name| !defined.contains(name) && !THE_SHELLS.contains(name) && !named(name))
        .map(str::to_string)
        .collect();
    missing.sort();
    missing.dedup();
    missing
}

#[test]
fn every_shell_example_defines_its_variables_or_names_their_source() {
    let mut found = Vec::new();
    let mut checked = 0;
    for (file, text) in documentation() {
        for block in sh_blocks(&text) {
            checked += 1;
            let missing = unexplained(&block.script, &block.section_before);
            if !missing.is_empty() {
                found.push(format!(
                    "{file}:{}: uses ${} without defining it or naming where it comes from before the block",
                    block.line,
                    missing.join(", $")
                ));
            }
        }
    }
    assert!(checked > 20, "only {checked} sh blocks found");
    assert!(found.is_empty(), "{}", found.join("\n"));
}

#[test]
fn a_variable_used_but_never_defined_or_named_is_caught() {
    let text = "## Core\n\nIn plain curl:\n\n```sh\ncurl \"http://127.0.0.1:8080/v1/sessions/$ID\" -H \"X-HMAC-SIGNATURE: $SIG\"\n```\n";
    let blocks = sh_blocks(text);
    assert_eq!(blocks.len(), 1);
    assert_eq!(blocks[0].line, 5, "the opening fence's line");
    assert_eq!(
        unexplained(&blocks[0].script, &blocks[0].section_before),
        ["ID", "SIG"]
    );
}

#[test]
fn a_variable_the_block_defines_or_its_section_names_is_accepted() {
    let text = "# One\n\n`MOCK_ADDR` is where the mock listens.\n\n```sh\nID=$(create)\nfor f in a b; do echo \"$f\"; done\ncurl \"http://$MOCK_ADDR/v1/sessions/${ID}\"\n```\n\n# Two\n\n```sh\necho \"$MOCK_ADDR\" \"$HOME\"\n```\n";
    let blocks = sh_blocks(text);
    assert_eq!(blocks.len(), 2);
    assert!(unexplained(&blocks[0].script, &blocks[0].section_before).is_empty());
    // A new section: what the one before named does not carry over.
    assert_eq!(
        unexplained(&blocks[1].script, &blocks[1].section_before),
        ["MOCK_ADDR"]
    );
}
