//! The suite's own JSON Schemas (`specs/schemas/*.json`, compiled into the
//! binary) as the document's `components.schemas`: read from the embedded
//! files as they are, never copied. Each keeps its text; only what OpenAPI
//! needs changes: `$schema` goes (the document's dialect is JSON Schema
//! 2020-12 already), and `$ref`s that named a file (`verification.json`) or a
//! place in the same file (`#/$defs/uuid`) name the component instead.

use serde_json::{Map, Value};

use crate::scenario::source::EMBEDDED_FILES;

/// Where the suite's schemas are, among the embedded files.
const FOLDER: &str = "specs/schemas/";

/// The pointer of schema `name` (a file's stem) in the document.
pub(super) fn pointer(name: &str) -> String {
    format!("#/components/schemas/{name}")
}

/// `{"$ref": ...}` to schema `name`.
pub(super) fn reference(name: &str) -> Value {
    serde_json::json!({ "$ref": pointer(name) })
}

/// Every schema of the suite, by file stem, in file order.
///
/// A schema that is not JSON is an error naming its file: the suite's own
/// tests load the same files, so it never reaches a user.
pub(super) fn components() -> Result<Map<String, Value>, String> {
    let mut out = Map::new();
    for (path, text) in EMBEDDED_FILES {
        let Some(file) = path.strip_prefix(FOLDER) else {
            continue;
        };
        let Some(name) = file.strip_suffix(".json").filter(|n| !n.contains('/')) else {
            continue;
        };
        let mut schema: Value =
            serde_json::from_str(text).map_err(|e| format!("{path} is not JSON: {e}"))?;
        if let Value::Object(fields) = &mut schema {
            fields.remove("$schema");
        }
        rewrite_refs(&mut schema, name);
        out.insert(name.to_string(), schema);
    }
    Ok(out)
}

/// Points every `$ref` in `schema` (the file `name`.json) into the document.
fn rewrite_refs(schema: &mut Value, name: &str) {
    match schema {
        Value::Object(fields) => {
            for (key, value) in fields.iter_mut() {
                match (key.as_str(), value) {
                    ("$ref", Value::String(target)) => *target = rewritten(target, name),
                    (_, value) => rewrite_refs(value, name),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|item| rewrite_refs(item, name)),
        _ => {}
    }
}

/// `#/$defs/x` in `name` → `#/components/schemas/name/$defs/x`;
/// `other.json#/p` → `#/components/schemas/other/p`. Anything else (a URL)
/// is left as it is.
fn rewritten(target: &str, name: &str) -> String {
    let (file, fragment) = target.split_once('#').unwrap_or((target, ""));
    let stem = match file {
        "" => name,
        _ => match file
            .strip_prefix("./")
            .unwrap_or(file)
            .strip_suffix(".json")
        {
            Some(stem) if !stem.contains(['/', ':']) => stem,
            _ => return target.to_string(),
        },
    };
    format!("{}{fragment}", pointer(stem))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ref_to_a_sibling_file_names_its_component() {
        assert_eq!(
            rewritten("verification.json", "create-success"),
            "#/components/schemas/verification"
        );
        assert_eq!(
            rewritten("./media-item.json#/properties/id", "media-list"),
            "#/components/schemas/media-item/properties/id"
        );
    }

    #[test]
    fn a_ref_inside_a_file_is_moved_under_its_component() {
        assert_eq!(
            rewritten("#/$defs/uuid", "decision"),
            "#/components/schemas/decision/$defs/uuid"
        );
        assert_eq!(rewritten("#", "person"), "#/components/schemas/person");
    }

    #[test]
    fn a_ref_to_a_url_is_left_alone() {
        assert_eq!(
            rewritten("https://example.com/s.json", "x"),
            "https://example.com/s.json"
        );
    }

    #[test]
    fn every_schema_file_of_the_suite_is_a_component_and_every_ref_resolves() {
        let components = components().expect("the suite's schemas are JSON");
        let files = EMBEDDED_FILES
            .iter()
            .filter(|(p, _)| p.starts_with(FOLDER) && p.ends_with(".json"))
            .count();
        assert_eq!(components.len(), files);
        let document = serde_json::json!({ "components": { "schemas": components } });
        let mut refs = Vec::new();
        collect_refs(&document, &mut refs);
        assert!(!refs.is_empty());
        for target in refs {
            let pointer = target.strip_prefix('#').expect("a local ref");
            assert!(document.pointer(pointer).is_some(), "{target} resolves");
        }
    }

    fn collect_refs(value: &Value, out: &mut Vec<String>) {
        match value {
            Value::Object(fields) => {
                for (key, value) in fields {
                    match (key.as_str(), value) {
                        ("$ref", Value::String(t)) => out.push(t.clone()),
                        _ => collect_refs(value, out),
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|i| collect_refs(i, out)),
            _ => {}
        }
    }
}
