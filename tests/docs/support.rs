//! What the documentation tests share: a mock served by the binary, the marked
//! blocks of the documentation, and running one block as a CI job would.

use std::io::{BufRead, BufReader, Lines};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_veriff-conformance");

/// The repository's root.
pub const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// The longest a block may run before it is stopped and reported.
const BLOCK_TIMEOUT: Duration = Duration::from_secs(120);

/// `veriff-conformance mock` in its own process, stopped however the test
/// ends, a failed assertion included.
pub struct ServedMock {
    child: Child,
    /// Kept open so that the mock never writes to a closed pipe.
    _stdout: Lines<BufReader<ChildStdout>>,
    pub base_url: String,
}

impl ServedMock {
    /// Serves the mock on a free local port with these credentials.
    pub fn start(api_key: &str, shared_secret: &str) -> Self {
        let mut child = Command::new(BIN)
            .args(["mock", "--listen", "127.0.0.1:0"])
            .args(["--api-key", api_key, "--shared-secret", shared_secret])
            .env_remove("VERIFF_MOCK_API_KEY")
            .env_remove("VERIFF_MOCK_SHARED_SECRET")
            .stdout(Stdio::piped())
            .spawn()
            .expect("the mock starts");
        let mut lines = BufReader::new(child.stdout.take().expect("piped")).lines();
        let first = lines.next().expect("a first line").expect("text");
        let base_url = first.rsplit(' ').next().unwrap_or_default().to_string();
        assert!(base_url.starts_with("http://"), "not an address: {first}");
        Self {
            child,
            _stdout: lines,
            base_url,
        }
    }
}

impl Drop for ServedMock {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A fenced `sh` block marked `<!-- runnable -->` (or `<!-- runnable: veriff
/// -->`) on the line before its opening fence.
#[derive(Debug, PartialEq, Eq)]
pub struct Block {
    /// The file, relative to the repository's root.
    pub file: String,
    /// The line of the opening fence, from 1.
    pub line: usize,
    /// Marked `runnable: veriff`: the block needs the sandbox's variables.
    pub needs_veriff: bool,
    pub script: String,
}

/// The marked blocks of one Markdown text, in order; a marker that is not
/// followed by a `sh` fence, or an unknown marker, is an error.
pub fn marked_blocks(file: &str, text: &str) -> Result<Vec<Block>, String> {
    let lines: Vec<&str> = text.lines().collect();
    let mut blocks = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i].trim();
        i += 1;
        let Some(kind) = line
            .strip_prefix("<!-- runnable")
            .and_then(|rest| rest.strip_suffix("-->"))
        else {
            continue;
        };
        let needs_veriff = match kind.trim() {
            "" => false,
            ": veriff" => true,
            other => return Err(format!("{file}:{i}: unknown marker `runnable{other}`")),
        };
        if lines.get(i).map(|l| l.trim_end()) != Some("```sh") {
            return Err(format!(
                "{file}:{i}: the marker is not followed by a ```sh fence"
            ));
        }
        let line = i + 1;
        let body: Vec<&str> = lines[i + 1..]
            .iter()
            .take_while(|l| l.trim_end() != "```")
            .copied()
            .collect();
        if i + 1 + body.len() == lines.len() {
            return Err(format!("{file}:{line}: the block is never closed"));
        }
        i += body.len() + 2;
        blocks.push(Block {
            file: file.to_string(),
            line,
            needs_veriff,
            script: body.join("\n") + "\n",
        });
    }
    Ok(blocks)
}

/// `README.md` and every `docs/*.md`, in name order, as (path, text).
pub fn documentation() -> Vec<(String, String)> {
    let mut files = vec!["README.md".to_string()];
    let mut docs: Vec<String> = std::fs::read_dir(Path::new(ROOT).join("docs"))
        .expect("docs/ can be read")
        .map(|entry| {
            entry
                .expect("an entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|name| name.ends_with(".md"))
        .map(|name| format!("docs/{name}"))
        .collect();
    docs.sort();
    files.extend(docs);
    files
        .into_iter()
        .map(|file| {
            let text = std::fs::read_to_string(Path::new(ROOT).join(&file))
                .unwrap_or_else(|e| panic!("{file}: {e}"));
            (file, text)
        })
        .collect()
}

/// This test process's folder under the target's temporary folder.
pub fn process_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("docs-{}", std::process::id()))
}

/// An empty folder in [`process_dir`].
pub fn fresh_dir(name: &str) -> PathBuf {
    let dir = process_dir().join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a temporary folder");
    dir
}

/// A fresh folder `name` holding only `veriff-conformance`, a link to the
/// binary under test, to put first on `PATH`.
pub fn bin_dir(name: &str) -> PathBuf {
    let dir = fresh_dir(name);
    std::os::unix::fs::symlink(BIN, dir.join("veriff-conformance")).expect("a symlink");
    dir
}

/// `N` distinct local addresses nothing listens on right now (each is held
/// until all are drawn, so that no two are the same port).
pub fn free_local_addrs<const N: usize>() -> [String; N] {
    let listeners: Vec<std::net::TcpListener> = (0..N)
        .map(|_| std::net::TcpListener::bind("127.0.0.1:0").expect("a free port"))
        .collect();
    std::array::from_fn(|i| listeners[i].local_addr().expect("its address").to_string())
}

/// Runs `block` with bash as GitHub Actions runs a step (`-eo pipefail`), in
/// `dir`, with only `env` (and `HOME`) in its environment. Anything the
/// block leaves running is stopped with it.
pub fn run_block(block: &Block, dir: &Path, env: &[(String, String)]) -> Result<(), String> {
    let (status, output) = run_block_for_status(block, dir, env);
    match status {
        Some(status) if status.success() => Ok(()),
        Some(status) => Err(format!(
            "{}:{}: the block exited with {status}:\n{}\n--- output ---\n{output}",
            block.file, block.line, block.script
        )),
        None => Err(format!(
            "{}:{}: the block ran over {BLOCK_TIMEOUT:?}:\n{}\n--- output ---\n{output}",
            block.file, block.line, block.script
        )),
    }
}

/// Runs `block` as [`run_block`] does, and gives its exit status (`None`
/// when it ran over the time allowed and was stopped) and its output.
pub fn run_block_for_status(
    block: &Block,
    dir: &Path,
    env: &[(String, String)],
) -> (Option<std::process::ExitStatus>, String) {
    let name = dir.file_name().unwrap_or_default().to_string_lossy();
    let out_path = dir.with_file_name(format!("{name}.line-{}.out", block.line));
    let out = std::fs::File::create(&out_path).expect("an output file");
    let mut child = std::os::unix::process::CommandExt::process_group(
        Command::new("bash")
            .args([
                "--noprofile",
                "--norc",
                "-eo",
                "pipefail",
                "-c",
                &block.script,
            ])
            .current_dir(dir)
            .env_clear()
            .env("HOME", dir)
            .envs(env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(out.try_clone().expect("a second handle"))
            .stderr(out),
        0,
    )
    .spawn()
    .expect("bash starts");
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("the block's status") {
            break Some(status);
        }
        if started.elapsed() > BLOCK_TIMEOUT {
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    // The block's process group: bash and whatever it left in the background
    // (with bash's own `kill`, which needs no procps).
    let _ = Command::new("bash")
        .args(["-c", &format!("kill -KILL -- -{} 2>/dev/null", child.id())])
        .status();
    let _ = child.kill();
    let _ = child.wait();
    let output = std::fs::read_to_string(&out_path).unwrap_or_default();
    (status, output)
}
