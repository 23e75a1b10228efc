//! The command line as a user meets it: the built binary run as a process,
//! its exit status, its output and the files it writes.

mod commands;
mod features;
mod hostile_output;
mod partition;
mod pipe_input;
mod secrets_property;
mod support;
mod tls;
mod verdict;
