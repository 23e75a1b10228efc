//! The recipes that serve the mock in the background fail fast: when the
//! mock cannot start (its port is taken), the block exits at once with
//! status 2, before anything talks to whatever holds the port.

use crate::support::{
    bin_dir, documentation, free_local_addrs, fresh_dir, marked_blocks, process_dir,
    run_block_for_status,
};

#[test]
fn every_served_mock_recipe_exits_with_2_when_the_mock_port_is_taken() {
    let recipes: Vec<_> = documentation()
        .into_iter()
        .flat_map(|(file, text)| marked_blocks(&file, &text).unwrap_or_else(|e| panic!("{e}")))
        .filter(|block| block.script.contains("veriff-conformance mock "))
        .collect();
    let files: Vec<&str> = recipes.iter().map(|b| b.file.as_str()).collect();
    assert!(
        files.contains(&"docs/ci.md") && files.contains(&"docs/mock.md"),
        "the served-mock recipes of ci.md and mock.md are not runnable blocks: {files:?}"
    );
    // Whatever holds the port: it accepts connections and answers nothing.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
    let taken_addr = taken.local_addr().expect("its address").to_string();
    let path = format!(
        "{}:{}",
        bin_dir("port-taken/bin").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    for block in &recipes {
        let dir = fresh_dir(&format!(
            "port-taken/{}-{}",
            block.file.replace('/', "-"),
            block.line
        ));
        let [webhook_addr] = free_local_addrs();
        let env = [
            ("PATH".to_string(), path.clone()),
            ("MOCK_ADDR".to_string(), taken_addr.clone()),
            ("WEBHOOK_ADDR".to_string(), webhook_addr),
        ];
        let (status, output) = run_block_for_status(block, &dir, &env);
        let place = format!("{}:{}", block.file, block.line);
        assert_eq!(
            status.and_then(|s| s.code()),
            Some(2),
            "{place}: not exit status 2 with the port taken:\n{output}"
        );
        assert!(
            output.contains(&format!("cannot listen on {taken_addr}")),
            "{place}: the mock's own reason is not shown:\n{output}"
        );
        assert!(
            output.contains(&format!("error: the mock is not listening on {taken_addr}")),
            "{place}:\n{output}"
        );
        assert!(
            !dir.join("conformance.xml").exists() && !dir.join("log.json").exists(),
            "{place}: the block went on past the failed start:\n{output}"
        );
    }
    drop(taken);
    let _ = std::fs::remove_dir_all(process_dir().join("port-taken"));
    let _ = std::fs::remove_dir(process_dir()); // when the other tests are done
}
