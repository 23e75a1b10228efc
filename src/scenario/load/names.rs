//! Names derived from spec text: trial-name slugs and JSON pointers.

/// Snake-case form of a scenario name, used in trial names.
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.ends_with('_') && !out.is_empty() {
            out.push('_');
        }
    }
    while out.ends_with('_') {
        out.pop();
    }
    out
}

/// Converts a capture or response path to a JSON pointer: `/a/b` stays, `a.b.0` becomes `/a/b/0`.
pub fn to_pointer(path: &str) -> String {
    if path.is_empty() || path.starts_with('/') {
        return path.to_string();
    }
    path.split('.')
        .map(|seg| format!("/{}", seg.replace('~', "~0").replace('/', "~1")))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scenario_name_becomes_lowercase_words_joined_by_underscores() {
        assert_eq!(
            slug("Double submit is rejected!"),
            "double_submit_is_rejected"
        );
    }

    #[test]
    fn a_dotted_path_becomes_a_pointer_and_a_pointer_stays_as_it_is() {
        assert_eq!(to_pointer("verification.id"), "/verification/id");
        assert_eq!(to_pointer("/verification/id"), "/verification/id");
        assert_eq!(to_pointer(""), "");
    }
}
