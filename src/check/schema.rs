//! `expect.schema`: the body must satisfy a JSON Schema (draft 2020-12, formats checked).

use std::sync::Arc;

use super::{CheckKind, Mismatch};
use crate::jsonpath::json_path;
use crate::record::exchange::Response;
use crate::scenario::model::{CompiledSchema, Located};

/// Every schema violation, each with its JSON path.
pub fn check(schema: &Located<Arc<CompiledSchema>>, response: &Response) -> Vec<Mismatch> {
    let mismatch = |path: String, expected: String, actual: String| Mismatch {
        check: CheckKind::Schema,
        path,
        expected,
        actual,
        at: schema.at.clone(),
    };
    let body = match &response.json {
        Ok(body) => body,
        Err(why) => {
            return vec![mismatch(
                "$".into(),
                format!("a JSON body valid against {}", schema.value.name),
                why.clone(),
            )];
        }
    };
    schema
        .value
        .validator
        .iter_errors(body)
        .map(|error| {
            // The evaluation path runs from the root schema through each `$ref`, so it
            // reads correctly after the root schema's name; `schema_path` is a location
            // inside whichever file holds the keyword, which may be another one.
            let keyword = error.evaluation_path().to_string();
            mismatch(
                json_path(&error.instance_path().to_string()),
                // `masked` words the rule without the instance ("value is not a
                // \"uuid\""): the instance is shown as `actual`, whole.
                format!(
                    "{} (schema {}#{keyword})",
                    error.masked(),
                    schema.value.name
                ),
                error.instance().to_string(),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn compiled(schema: serde_json::Value) -> Located<Arc<CompiledSchema>> {
        let validator = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .should_validate_formats(true)
            .build(&schema)
            .unwrap();
        Located {
            value: Arc::new(CompiledSchema {
                name: "s.json".into(),
                validator,
            }),
            at: 0..1,
        }
    }

    #[test]
    fn every_violation_is_reported_with_its_path_rule_and_value() {
        let schema = compiled(serde_json::json!({
            "type": "object",
            "required": ["status"],
            "properties": {
                "id": { "type": "string", "format": "uuid" },
                "code": { "type": "string" }
            }
        }));
        let response = Response::new(200, vec![], br#"{"id":"not-a-uuid","code":1812}"#.to_vec());
        let mut found: Vec<(String, String, String)> = check(&schema, &response)
            .into_iter()
            .map(|m| (m.path, m.expected, m.actual))
            .collect();
        found.sort();
        assert_eq!(
            found,
            [
                (
                    "$".into(),
                    r#""status" is a required property (schema s.json#/required)"#.into(),
                    r#"{"id":"not-a-uuid","code":1812}"#.into()
                ),
                (
                    "$.code".into(),
                    r#"value is not of type "string" (schema s.json#/properties/code/type)"#.into(),
                    "1812".into()
                ),
                (
                    "$.id".into(),
                    r#"value is not a "uuid" (schema s.json#/properties/id/format)"#.into(),
                    r#""not-a-uuid""#.into()
                ),
            ]
        );
    }

    #[test]
    fn a_body_that_is_not_json_is_one_violation() {
        let schema = compiled(serde_json::json!({ "type": "object" }));
        let found = check(&schema, &Response::new(502, vec![], b"<html>".to_vec()));
        assert_eq!(found.len(), 1);
        assert!(
            found[0].actual.starts_with("the body is not JSON"),
            "{}",
            found[0].actual
        );
    }
}
