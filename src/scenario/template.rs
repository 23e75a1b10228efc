//! Strings with `${name}` variables, parsed once at load time.
//!
//! A variable is one of:
//! - a scenario variable (`vars:`) or a capture of an earlier step: `${id}`;
//! - a run value: `${run.base_url}`;
//! - a generator, fresh at every use: `${gen.uuid}` (a UUID v4) and
//!   `${gen.vendor_data}` (a random vendorData string);
//! - in expectations only, a field of the same response: `${response.verification.host}`.
//!
//! `$${` writes a literal `${`. The tests at the end of this file show
//! templates parsed and split into parts.

use std::fmt;

/// One piece of a [`Template`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    /// Text sent as written.
    Literal(String),
    /// A `${...}` reference.
    Variable(VarRef),
}

/// A `${name}` reference; `offset` is its byte offset inside the template text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VarRef {
    /// The name between the braces, e.g. `id`, `gen.uuid`, `response.verification.host`.
    pub name: String,
    /// Byte offset of the `$` inside the template text.
    pub offset: usize,
}

/// The kinds of variable a name can refer to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VarKind<'a> {
    /// `gen.uuid`.
    GenUuid,
    /// `gen.vendor_data`.
    GenVendorData,
    /// `run.<name>`.
    Run(&'a str),
    /// `response.<dotted path>`; the path may be empty for the whole body.
    Response(&'a str),
    /// A scenario variable or a capture.
    Named(&'a str),
}

/// The run values a template may use as `${run.NAME}`.
pub const RUN_VARIABLES: &[&str] = &["base_url"];

impl VarRef {
    /// What the name refers to.
    pub fn kind(&self) -> VarKind<'_> {
        match self.name.as_str() {
            "gen.uuid" => VarKind::GenUuid,
            "gen.vendor_data" => VarKind::GenVendorData,
            "response" => VarKind::Response(""),
            n => {
                if let Some(rest) = n.strip_prefix("run.") {
                    VarKind::Run(rest)
                } else if let Some(rest) = n.strip_prefix("response.") {
                    VarKind::Response(rest)
                } else {
                    VarKind::Named(n)
                }
            }
        }
    }
}

/// A string split into literal text and variables. The parts are held in a
/// shared slice of exactly their number: a model holds many templates, most of
/// them one literal, and the loader gives the same text written again in a
/// file the same parts.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Template {
    parts: std::sync::Arc<[Part]>,
}

/// A malformed template: what is wrong and the byte offset where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError {
    /// Byte offset inside the template text.
    pub offset: usize,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub help: String,
}

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.split('.').all(|seg| {
            !seg.is_empty()
                && seg
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        })
}

impl Template {
    /// Parses `text`.
    pub fn parse(text: &str) -> Result<Template, TemplateError> {
        if !text.contains('$') {
            return Ok(Template::literal(text));
        }
        let mut parts = Vec::new();
        let mut literal = String::new();
        let mut rest = text;
        let mut base = 0;
        while let Some(pos) = rest.find('$') {
            literal.push_str(&rest[..pos]);
            let after = &rest[pos..];
            if after.starts_with("$${") {
                literal.push_str("${");
                base += pos + 3;
                rest = &rest[pos + 3..];
            } else if let Some(body) = after.strip_prefix("${") {
                let offset = base + pos;
                let Some(end) = body.find('}') else {
                    return Err(TemplateError {
                        offset,
                        message: "unclosed variable: `${` without a matching `}`".into(),
                        help: "close it with `}`, or write `$${` for a literal `${`".into(),
                    });
                };
                let name = body[..end].trim();
                if !valid_name(name) {
                    return Err(TemplateError {
                        offset,
                        message: format!("`{}` is not a variable name", &body[..end]),
                        help: "names are letters, digits, `_` and `-`, in segments joined by `.`"
                            .into(),
                    });
                }
                if !literal.is_empty() {
                    parts.push(Part::Literal(std::mem::take(&mut literal)));
                }
                parts.push(Part::Variable(VarRef {
                    name: name.to_string(),
                    offset,
                }));
                base += pos + 2 + end + 1;
                rest = &body[end + 1..];
            } else {
                literal.push('$');
                base += pos + 1;
                rest = &rest[pos + 1..];
            }
        }
        literal.push_str(rest);
        if !literal.is_empty() {
            parts.push(Part::Literal(literal));
        }
        for part in &mut parts {
            if let Part::Literal(s) = part {
                s.shrink_to_fit();
            }
        }
        Ok(Template {
            parts: parts.into(),
        })
    }

    /// A template that is only `text`, with no variables.
    pub fn literal(text: impl Into<String>) -> Template {
        let text = text.into();
        if text.is_empty() {
            return Template::default();
        }
        Template {
            parts: std::sync::Arc::new([Part::Literal(text)]),
        }
    }

    /// The pieces in order.
    pub fn parts(&self) -> &[Part] {
        &self.parts
    }

    /// The variables in order of appearance.
    pub fn variables(&self) -> impl Iterator<Item = &VarRef> {
        self.parts.iter().filter_map(|p| match p {
            Part::Variable(v) => Some(v),
            Part::Literal(_) => None,
        })
    }

    /// The text when the template has no variables.
    pub fn as_literal(&self) -> Option<&str> {
        match &*self.parts {
            [] => Some(""),
            [Part::Literal(s)] => Some(s),
            _ => None,
        }
    }

    /// The variable when the template is exactly one `${...}` and nothing else;
    /// such a template keeps the JSON type of the value (null stays null).
    pub fn as_single_variable(&self) -> Option<&VarRef> {
        match &*self.parts {
            [Part::Variable(v)] => Some(v),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variables_and_literals_are_split_with_offsets() {
        let t = Template::parse("a${x}b${ gen.uuid }").unwrap();
        assert_eq!(
            t.parts(),
            &[
                Part::Literal("a".into()),
                Part::Variable(VarRef {
                    name: "x".into(),
                    offset: 1
                }),
                Part::Literal("b".into()),
                Part::Variable(VarRef {
                    name: "gen.uuid".into(),
                    offset: 6
                }),
            ]
        );
    }

    #[test]
    fn lone_dollar_is_literal() {
        assert_eq!(
            Template::parse("cost $5").unwrap().as_literal(),
            Some("cost $5")
        );
    }

    #[test]
    fn bad_name_reports_its_offset() {
        let err = Template::parse("ab${a b}").unwrap_err();
        assert_eq!(err.offset, 2);
        assert!(err.message.contains("`a b`"), "{}", err.message);
    }

    #[test]
    fn kinds_are_recognised() {
        let v = |n: &str| VarRef {
            name: n.into(),
            offset: 0,
        };
        assert_eq!(v("gen.uuid").kind(), VarKind::GenUuid);
        assert_eq!(v("gen.vendor_data").kind(), VarKind::GenVendorData);
        assert_eq!(v("run.base_url").kind(), VarKind::Run("base_url"));
        assert_eq!(v("id").kind(), VarKind::Named("id"));
        assert_eq!(v("response").kind(), VarKind::Response(""));
    }

    #[test]
    fn a_path_template_names_its_variables_and_keeps_the_text_around_them() {
        let t = Template::parse("/v1/sessions/${id}/media").unwrap();
        assert_eq!(
            t.variables().map(|v| v.name.as_str()).collect::<Vec<_>>(),
            ["id"]
        );
        assert!(matches!(t.parts()[0], Part::Literal(ref s) if s == "/v1/sessions/"));
    }

    #[test]
    fn a_response_variable_names_a_path_in_the_response() {
        let v = VarRef {
            name: "response.verification.id".into(),
            offset: 0,
        };
        assert_eq!(v.kind(), VarKind::Response("verification.id"));
    }

    #[test]
    fn an_unclosed_variable_is_an_error_and_a_doubled_dollar_is_a_literal() {
        assert!(Template::parse("${unclosed").is_err());
        assert_eq!(
            Template::parse("$${literal}").unwrap().as_literal(),
            Some("${literal}")
        );
    }
}
