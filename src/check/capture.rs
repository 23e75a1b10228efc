//! `capture`: the values a step keeps for later steps, read from its response.
//! A capture that finds nothing is an unmet expectation like any other.

use serde_json::Value;

use super::{CheckKind, Mismatch};
use crate::jsonpath::json_path;
use crate::record::exchange::Response;
use crate::scenario::model::{Capture, CaptureFrom};

/// The captured values, in the order written, or every capture that found nothing.
pub fn capture(
    captures: &[Capture],
    response: &Response,
) -> Result<Vec<(String, Value)>, Vec<Mismatch>> {
    let mut values = Vec::with_capacity(captures.len());
    let mut missing = Vec::new();
    for c in captures {
        // On failure: the path looked at, and what was found instead.
        let value = match &c.from {
            CaptureFrom::Header(name) => response
                .header(name)
                .map(Value::String)
                .ok_or_else(|| (name.clone(), "absent".to_string())),
            CaptureFrom::Body(pointer) => match &response.json {
                Ok(body) => body
                    .pointer(pointer)
                    .cloned()
                    .ok_or_else(|| (json_path(pointer), "absent".to_string())),
                // Not "absent": the body is there, but it is not JSON.
                Err(why) => Err((json_path(pointer), why.clone())),
            },
        };
        match value {
            Ok(v) => values.push((c.name.clone(), v)),
            Err((path, actual)) => missing.push(Mismatch {
                check: CheckKind::Capture,
                path,
                expected: format!("a value to capture as `{}`", c.name),
                actual,
                at: c.at.clone(),
            }),
        }
    }
    if missing.is_empty() {
        Ok(values)
    } else {
        Err(missing)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_body_capture_keeps_the_value_or_reports_the_json_path_it_did_not_find() {
        let id = Capture {
            name: "id".into(),
            from: CaptureFrom::Body("/verification/id".into()),
            at: 0..1,
        };
        let ok = Response::new(201, vec![], br#"{"verification":{"id":"abc"}}"#.to_vec());
        assert_eq!(
            capture(std::slice::from_ref(&id), &ok).unwrap(),
            vec![("id".to_string(), json!("abc"))]
        );
        let empty = Response::new(201, vec![], br#"{}"#.to_vec());
        assert_eq!(
            capture(&[id], &empty).unwrap_err()[0].path,
            "$.verification.id"
        );
    }
}
