//! Errors in spec files, rendered the way hurl and rustc render theirs:
//! `--> file:line:col`, the line, a caret, and what would fix it.

use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};

use super::source::SourceFile;

/// Something wrong in a spec file (or a file it names), found at load time or
/// when a step runs.
#[derive(Debug, Clone)]
pub struct SpecError {
    /// What is wrong, in one line.
    pub message: String,
    /// The file and byte range it is about, when known.
    pub at: Option<(Arc<SourceFile>, Range<usize>)>,
    /// A short label under the caret.
    pub label: String,
    /// What would fix it.
    pub help: Option<String>,
    /// Other places in the same file that the error is about (the first of
    /// two conflicting keys, say), each with its label.
    pub notes: Vec<(Range<usize>, String)>,
}

impl SpecError {
    /// An error about `range` of `file`.
    ///
    /// ```
    /// use veriff_conformance::{SourceFile, SpecError};
    /// let file = SourceFile::new("specs/x.yaml", "specs/x.yaml", "steps:\n  - method: FETCH\n");
    /// let err = SpecError::at(&file, 17..22, "unknown method `FETCH`")
    ///     .with_label("not an HTTP method")
    ///     .with_help("use GET, POST, PATCH, PUT or DELETE");
    /// assert_eq!(err.location(), Some(("specs/x.yaml".to_string(), 2, 11)));
    /// let text = err.render_plain();
    /// assert!(text.contains("--> specs/x.yaml:2:11"), "{text}");
    /// assert!(text.contains("^^^^^"), "{text}");
    /// ```
    pub fn at(file: &Arc<SourceFile>, range: Range<usize>, message: impl Into<String>) -> Self {
        SpecError {
            message: message.into(),
            at: Some((Arc::clone(file), range)),
            label: String::new(),
            help: None,
            notes: Vec::new(),
        }
    }

    /// An error about a whole file (it could not be read, say).
    pub fn in_file(file: &Arc<SourceFile>, message: impl Into<String>) -> Self {
        Self::at(file, 0..0, message)
    }

    /// An error with no file to point at.
    pub fn bare(message: impl Into<String>) -> Self {
        SpecError {
            message: message.into(),
            at: None,
            label: String::new(),
            help: None,
            notes: Vec::new(),
        }
    }

    /// Sets the caret's label.
    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = label.into();
        self
    }

    /// Sets the help line.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Marks another place of the same file, shown with its own label.
    ///
    /// ```
    /// use veriff_conformance::{SourceFile, SpecError};
    /// let file = SourceFile::new("x.yaml", "x.yaml", "headers: { X-A: a, x-a: b }\n");
    /// let text = SpecError::at(&file, 19..22, "twice")
    ///     .with_label("second")
    ///     .with_note(11..14, "first")
    ///     .render_plain();
    /// assert!(text.contains("first") && text.contains("second"), "{text}");
    /// ```
    pub fn with_note(mut self, range: Range<usize>, label: impl Into<String>) -> Self {
        self.notes.push((range, label.into()));
        self
    }

    /// `(file name, line, column)`, 1-based.
    pub fn location(&self) -> Option<(String, usize, usize)> {
        self.at.as_ref().map(|(file, range)| {
            let (line, col) = file.line_col(range.start);
            (file.name.clone(), line, col)
        })
    }

    /// Renders without colours, for logs, JUnit and snapshots.
    pub fn render_plain(&self) -> String {
        self.render(&Renderer::plain())
    }

    /// Renders with colours when standard error is a terminal and NO_COLOR is unset.
    pub fn render_for_terminal(&self) -> String {
        use std::io::IsTerminal;
        if std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none() {
            self.render(&Renderer::styled())
        } else {
            self.render_plain()
        }
    }

    fn render(&self, renderer: &Renderer) -> String {
        let title = Level::ERROR.primary_title(self.message.as_str());
        let group = match &self.at {
            Some((file, range)) => {
                let annotation = AnnotationKind::Primary
                    .span(file.snap(range.clone()))
                    .label(self.label.as_str());
                let snippet = self.notes.iter().fold(
                    Snippet::source(file.text.as_str())
                        .path(file.name.as_str())
                        .annotation(annotation),
                    |snippet, (range, label)| {
                        snippet.annotation(
                            AnnotationKind::Context
                                .span(file.snap(range.clone()))
                                .label(label.as_str()),
                        )
                    },
                );
                title.element(snippet)
            }
            None => Group::with_title(title),
        };
        let group = match &self.help {
            Some(help) => group.element(Level::HELP.message(help.as_str())),
            None => group,
        };
        renderer.render(&[group])
    }
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.location() {
            Some((file, line, col)) => write!(f, "{file}:{line}:{col}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for SpecError {}
