//! A closed output pipe (`run | head -1`) ends the process quietly.
//!
//! Rust ignores SIGPIPE, so a write to a closed pipe is an error, and the
//! printers that `run` uses (libtest-mimic's, `println!`) panic on it. The
//! crate forbids `unsafe`, so SIGPIPE cannot be set back to its default
//! action; instead a panic hook recognises a panic caused by a broken pipe
//! and exits at once with [`EXIT_CLOSED_PIPE`], printing nothing (the
//! reader is gone; there is nobody to tell). Every other panic goes to the
//! hook that was there before.

/// The exit status after a closed pipe: 128 + SIGPIPE (13), what a shell
/// shows for a process that SIGPIPE ended, so that `set -o pipefail` sees a
/// run whose verdict nobody read as failed, never as passed.
pub const EXIT_CLOSED_PIPE: i32 = 141;

/// Whether a panic's message says it was a write to a closed pipe:
/// `failed printing to stdout: Broken pipe (os error 32)` from `println!`,
/// or an `unwrap` of the `io::Error` (`kind: BrokenPipe`).
pub fn is_closed_pipe(message: &str) -> bool {
    message.contains("kind: BrokenPipe") || message.contains("Broken pipe (os error")
}

/// Installs the hook for the rest of the process.
pub fn exit_quietly_on_closed_pipe() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let payload = info.payload();
        let message = payload
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| payload.downcast_ref::<&str>().copied())
            .unwrap_or("");
        if is_closed_pipe(message) {
            std::process::exit(EXIT_CLOSED_PIPE);
        }
        previous(info);
    }));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_messages_of_a_write_to_a_closed_pipe_are_recognised_and_others_are_not() {
        assert!(is_closed_pipe(
            "failed printing to stdout: Broken pipe (os error 32)"
        ));
        assert!(is_closed_pipe(
            r#"called `Result::unwrap()` on an `Err` value: Os { code: 32, kind: BrokenPipe, message: "Broken pipe" }"#
        ));
        assert!(!is_closed_pipe("index out of bounds"));
        assert!(!is_closed_pipe("a scenario named Broken pipe"));
    }
}
