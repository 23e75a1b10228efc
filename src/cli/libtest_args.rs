//! The libtest options `run` supports, as its own flags: only those that do
//! something here, each with help that says what it does. They become
//! libtest-mimic's [`Arguments`].

use clap::{Args, ValueEnum};
use libtest_mimic::{Arguments, ColorSetting, FormatSetting};

/// How trials are shown (`--format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// One line per scenario.
    Pretty,
    /// One character per scenario.
    Terse,
    /// One JSON event per line (drift and warnings then go to standard error).
    Json,
}

/// When to colour the output (`--color`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Color {
    /// When standard output is a terminal.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// The heading of these options in `run --help`.
const HEADING: &str = "libtest options (as in cargo test)";

#[derive(Debug, Default, Args)]
pub struct LibtestArgs {
    /// List the trials (scenarios) instead of running them; sends nothing.
    #[arg(long, help_heading = HEADING)]
    list: bool,
    /// Run only the ignored scenarios (those that need the mock's controls or an opt-in feature).
    #[arg(long, conflicts_with = "include_ignored", help_heading = HEADING)]
    ignored: bool,
    /// Run the ignored scenarios as well as the others.
    #[arg(long, help_heading = HEADING)]
    include_ignored: bool,
    /// The name filter must match a trial's whole name, not a part of it.
    #[arg(long, help_heading = HEADING)]
    exact: bool,
    /// Skip trials whose names contain FILTER (repeatable).
    #[arg(long, value_name = "FILTER", help_heading = HEADING)]
    skip: Vec<String>,
    /// One character per trial; the same as --format terse.
    #[arg(short, long, conflicts_with = "format", help_heading = HEADING)]
    quiet: bool,
    /// How trials are shown.
    #[arg(long, value_enum, value_name = "pretty|terse|json", help_heading = HEADING)]
    format: Option<Format>,
    /// When to colour the output.
    #[arg(long, value_enum, value_name = "auto|always|never", help_heading = HEADING)]
    color: Option<Color>,
    /// Threads that wait for results and print them (not how many scenarios run at once: --jobs).
    #[arg(long, value_name = "N", help_heading = HEADING)]
    test_threads: Option<usize>,
    /// Write libtest's output to PATH instead of standard output.
    #[arg(long, value_name = "PATH", help_heading = HEADING)]
    logfile: Option<String>,
    /// libtest's `--nocapture`, out of habit: accepted only to say why it
    /// does not apply (else clap would suggest an unrelated flag).
    #[arg(long, hide = true)]
    nocapture: bool,
}

/// Why `--nocapture` is refused.
pub const NOCAPTURE: &str = "libtest's --nocapture does not apply here: scenarios print \
    nothing to capture, and a failure's message already shows its requests and responses";

impl LibtestArgs {
    /// A libtest flag given out of habit that does not apply here, with why.
    pub fn refused(&self) -> Option<&'static str> {
        self.nocapture.then_some(NOCAPTURE)
    }

    /// libtest-mimic's arguments, with `filter` as the name filter.
    pub fn into_arguments(self, filter: Option<String>) -> Arguments {
        Arguments {
            list: self.list,
            ignored: self.ignored,
            include_ignored: self.include_ignored,
            exact: self.exact,
            skip: self.skip,
            quiet: self.quiet,
            format: self.format.map(|f| match f {
                Format::Pretty => FormatSetting::Pretty,
                Format::Terse => FormatSetting::Terse,
                Format::Json => FormatSetting::Json,
            }),
            color: self.color.map(|c| match c {
                Color::Auto => ColorSetting::Auto,
                Color::Always => ColorSetting::Always,
                Color::Never => ColorSetting::Never,
            }),
            test_threads: self.test_threads,
            logfile: self.logfile,
            filter,
            ..Arguments::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_supported_flag_reaches_libtest() {
        let args = LibtestArgs {
            list: true,
            ignored: true,
            include_ignored: false,
            exact: true,
            skip: vec!["x".into()],
            quiet: false,
            format: Some(Format::Json),
            color: Some(Color::Never),
            test_threads: Some(3),
            logfile: Some("log".into()),
            nocapture: false,
        }
        .into_arguments(Some("f".into()));
        assert!(args.list && args.ignored && args.exact && !args.include_ignored);
        assert_eq!(args.skip, ["x"]);
        assert_eq!(args.format, Some(FormatSetting::Json));
        assert_eq!(args.color, Some(ColorSetting::Never));
        assert_eq!(args.test_threads, Some(3));
        assert_eq!(args.logfile.as_deref(), Some("log"));
        assert_eq!(args.filter.as_deref(), Some("f"));
        assert!(!args.bench && !args.nocapture && !args.show_output);
    }
}
