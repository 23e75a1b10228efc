//! Names derived from spec text: trial-name slugs and JSON pointers.

/// Snake-case form of a scenario name, used in trial names.
///
/// ```
/// assert_eq!(veriff_conformance::scenario::load::slug("Double submit is rejected!"), "double_submit_is_rejected");
/// ```
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
///
/// ```
/// use veriff_conformance::scenario::load::to_pointer;
/// assert_eq!(to_pointer("verification.id"), "/verification/id");
/// assert_eq!(to_pointer("/verification/id"), "/verification/id");
/// assert_eq!(to_pointer(""), "");
/// ```
pub fn to_pointer(path: &str) -> String {
    if path.is_empty() || path.starts_with('/') {
        return path.to_string();
    }
    path.split('.')
        .map(|seg| format!("/{}", seg.replace('~', "~0").replace('/', "~1")))
        .collect()
}
