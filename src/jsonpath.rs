//! JSON paths for messages: the `$.a.b[0]` form of a JSON pointer, built
//! once here for the loader, the checks and the reports alike.

use serde_json::Value;

/// `$.a.b[0]` form of a JSON pointer, for messages.
pub fn json_path(pointer: &str) -> String {
    let mut out = String::from("$");
    if pointer.is_empty() {
        return out;
    }
    for seg in pointer.trim_start_matches('/').split('/') {
        let seg = seg.replace("~1", "/").replace("~0", "~");
        push_segment(&mut out, &seg);
    }
    out
}

/// Appends one pointer segment to a `$.a.b` path: digits read as an index.
fn push_segment(path: &mut String, seg: &str) {
    match seg.parse::<usize>() {
        Ok(i) if !seg.is_empty() => push_index(path, i),
        _ => push_key(path, seg),
    }
}

/// Appends an object key to a `$.a.b` path.
pub fn push_key(path: &mut String, key: &str) {
    let plain = key
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if plain {
        path.push('.');
        path.push_str(key);
    } else {
        path.push_str(&format!("[{}]", Value::String(key.to_string())));
    }
}

/// Appends an array index to a `$.a.b` path.
pub fn push_index(path: &mut String, index: usize) {
    path.push_str(&format!("[{index}]"));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pointer_becomes_a_dotted_path_with_indexes_and_quoted_odd_keys() {
        assert_eq!(json_path("/verification/id"), "$.verification.id");
        assert_eq!(json_path("/items/0/odd key"), "$.items[0][\"odd key\"]");
        assert_eq!(json_path(""), "$");
    }
}
