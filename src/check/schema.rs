//! `expect.schema`: the body must satisfy a JSON Schema (draft 2020-12, formats checked).

use std::sync::Arc;

use super::{CheckKind, Mismatch};
use crate::exec::env::json_path;
use crate::exec::exchange::Response;
use crate::spec::model::{CompiledSchema, Located};

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
                format!(
                    "{} (schema {}#{keyword})",
                    describe(&error),
                    schema.value.name
                ),
                error.instance().to_string(),
            )
        })
        .collect()
}

fn describe(error: &jsonschema::ValidationError<'_>) -> String {
    // The validator's message names the instance first ("\"x\" is not a \"uuid\""); the
    // instance is shown as `actual`, so keep the message as the rule it broke.
    error.to_string()
}
