//! `verify-webhook --log-entry`: a delivery as the mock's log shows it
//! (`GET /mock/webhooks/{id}`): its exact body and its `X-HMAC-SIGNATURE`.

use serde_json::Value;

/// What `verify-webhook` checks of a logged delivery.
#[derive(Debug, PartialEq, Eq)]
pub struct LoggedDelivery {
    /// The body, as the log's `body` text.
    pub body: Vec<u8>,
    /// Its `x-hmac-signature` header.
    pub signature: String,
}

/// Reads one delivery of the mock's log from `json`: the answer of
/// `GET /mock/webhooks/{id}`, or a log (`{"deliveries":[...]}`) of exactly one.
pub fn read(json: &[u8], name: &str) -> Result<LoggedDelivery, String> {
    let value: Value = serde_json::from_slice(json).map_err(|e| {
        format!("{name} is not JSON ({e}); give the answer of GET /mock/webhooks/<id>")
    })?;
    let entry = match value.get("deliveries").and_then(Value::as_array) {
        Some(list) if list.len() == 1 => &list[0],
        Some(list) => {
            return Err(format!(
                "{name} is a delivery log of {} deliveries; give one, the answer of GET /mock/webhooks/<id>",
                list.len()
            ));
        }
        None => &value,
    };
    let body = entry.get("body").and_then(Value::as_str).ok_or_else(|| {
        format!("{name} has no `body` text: it is not a delivery of the mock's log")
    })?;
    let signature = entry
        .get("headers")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|pair| Some((pair.get(0)?.as_str()?, pair.get(1)?.as_str()?)))
        .find(|(name, _)| name.eq_ignore_ascii_case("x-hmac-signature"))
        .map(|(_, value)| value.to_string())
        .ok_or_else(|| format!("{name} has no x-hmac-signature in its `headers`"))?;
    Ok(LoggedDelivery {
        body: body.as_bytes().to_vec(),
        signature,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ENTRY: &str = r#"{"id":"d1","type":"decision","headers":[["content-type","application/json"],["x-auth-client","***"],["x-hmac-signature","ab12"]],"body":"{\"status\":\"success\"}","attempts":[]}"#;

    #[test]
    fn a_logged_delivery_gives_its_body_and_signature() {
        let expected = LoggedDelivery {
            body: br#"{"status":"success"}"#.to_vec(),
            signature: "ab12".into(),
        };
        assert_eq!(read(ENTRY.as_bytes(), "-"), Ok(expected));
        let log = format!(r#"{{"deliveries":[{ENTRY}]}}"#);
        assert_eq!(read(log.as_bytes(), "-").unwrap().signature, "ab12");
    }

    #[test]
    fn anything_else_is_refused_with_what_to_give() {
        let two = format!(r#"{{"deliveries":[{ENTRY},{ENTRY}]}}"#);
        assert!(
            read(two.as_bytes(), "-")
                .unwrap_err()
                .contains("2 deliveries")
        );
        assert!(
            read(b"nope", "f.json")
                .unwrap_err()
                .starts_with("f.json is not JSON")
        );
        assert!(
            read(br#"{"headers":[]}"#, "-")
                .unwrap_err()
                .contains("no `body`")
        );
        let unsigned = r#"{"headers":[["content-type","application/json"]],"body":"{}"}"#;
        assert!(
            read(unsigned.as_bytes(), "-")
                .unwrap_err()
                .contains("x-hmac-signature")
        );
    }
}
