use std::collections::BTreeSet;

use super::*;

fn operations_in(document: &Value) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for (path, item) in document["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("a path item").keys() {
            out.insert((method.to_ascii_uppercase(), path.clone()));
        }
    }
    out
}

#[test]
fn the_documents_operations_are_the_mocks_veriff_routes_both_ways() {
    let document = document().expect("the document builds");
    let routes: BTreeSet<(String, String)> = ROUTES
        .iter()
        .filter(|r| r.surface == Surface::Veriff)
        .map(|r| (r.method.as_str().to_string(), r.path.to_string()))
        .collect();
    assert_eq!(operations_in(&document), routes);
}

#[test]
fn every_fact_names_a_route_of_the_mock() {
    for op in OPERATIONS {
        assert!(
            ROUTES.iter().any(|r| r.surface == Surface::Veriff
                && r.method.as_str() == op.method
                && r.path == op.path),
            "{} {} is in the facts but not a Veriff route of the mock",
            op.method,
            op.path
        );
    }
}

#[test]
fn no_mock_only_path_is_in_the_document() {
    let document = document().expect("the document builds");
    for route in ROUTES.iter().filter(|r| r.surface == Surface::MockOnly) {
        assert!(
            document["paths"].get(route.path).is_none(),
            "{}",
            route.path
        );
    }
    let text = openapi_document(OpenApiFormat::Json).expect("writes");
    assert!(!text.contains("\"/mock/"));
    assert!(!text.contains("\"/v/{token}\""));
}

#[test]
fn every_operation_says_what_it_signs_and_cites_its_section() {
    let document = document().expect("the document builds");
    for (_, item) in document["paths"].as_object().expect("paths") {
        for (_, op) in item.as_object().expect("item") {
            let signs = op["x-veriff-signs"].as_str().expect("x-veriff-signs");
            let description = op["description"].as_str().expect("description");
            assert!(
                description.contains("docs/veriff-api.md, section 4."),
                "{description}"
            );
            if signs != "nothing" {
                assert!(description.contains(signs), "{description} names {signs}");
            }
        }
    }
    let get_media = &document["paths"]["/v1/media/{id}"]["get"];
    assert_eq!(get_media["x-veriff-signs"], "media id");
    let attempt_media = &document["paths"]["/v1/attempts/{id}/media"]["get"];
    assert_eq!(attempt_media["x-veriff-signs"], "attempt id");
    assert_eq!(
        document["paths"]["/v1/sessions/{id}"]["patch"]["x-veriff-signs"],
        "request body"
    );
}

#[test]
fn every_response_and_code_cites_a_tagged_section() {
    let document = document().expect("the document builds");
    let tagged = |text: &str| {
        text.starts_with("docs/veriff-api.md, section")
            && ["[DOC]", "[DOC-old]", "[3P]"]
                .iter()
                .any(|t| text.ends_with(t))
    };
    for (_, item) in document["paths"].as_object().expect("paths") {
        for (_, op) in item.as_object().expect("item") {
            for (status, answer) in op["responses"].as_object().expect("responses") {
                let source = &answer["x-veriff-source"];
                let sources: Vec<&str> = match source {
                    Value::String(s) => vec![s.as_str()],
                    Value::Array(items) => items.iter().filter_map(Value::as_str).collect(),
                    _ => vec![],
                };
                assert!(!sources.is_empty(), "{status} has a source");
                assert!(sources.iter().all(|s| tagged(s)), "{sources:?}");
                for code in answer["x-veriff-codes"].as_array().into_iter().flatten() {
                    assert!(tagged(code["source"].as_str().expect("source")), "{code}");
                }
            }
        }
    }
}

#[test]
fn the_documented_alternatives_are_stated() {
    let document = document().expect("the document builds");
    let codes = |path: &str, method: &str, status: &str| -> BTreeSet<String> {
        document["paths"][path][method]["responses"][status]["x-veriff-codes"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|c| c["code"].as_str().expect("code").to_string())
            .collect()
    };
    let set = |codes: &[&str]| codes.iter().map(|c| c.to_string()).collect::<BTreeSet<_>>();
    // A missing key: 1101 or 1801; a bad body signature: 1812, 1819 or 1815.
    assert_eq!(
        codes("/v1/sessions/{id}", "patch", "401"),
        set(&["1101", "1801", "1812", "1815", "1819"])
    );
    // A bad path-id signature: 1818 instead of 1819.
    assert_eq!(
        codes("/v1/sessions/{id}/decision", "get", "401"),
        set(&["1101", "1801", "1812", "1815", "1818"])
    );
    // Create is not signed.
    assert_eq!(codes("/v1/sessions", "post", "401"), set(&["1101", "1801"]));
    assert!(
        codes("/v1/sessions/{id}", "patch", "400").is_superset(&set(&["1101", "1102", "1104"]))
    );
    let wrong_key =
        &document["components"]["securitySchemes"]["apiKey"]["x-veriff-codes-without-status"];
    assert_eq!(wrong_key.as_array().map(Vec::len), Some(3));
    let delete_400 = &document["paths"]["/v1/sessions/{id}"]["delete"]["responses"]["400"];
    assert!(delete_400["content"]["application/json"]["schema"]["anyOf"].is_array());
    let vrf = &document["paths"]["/v1/media/{id}"]["get"]["responses"]["200"]["headers"];
    assert_eq!(vrf["vrf-hmac-signature"]["required"], false);
    assert_eq!(vrf["x-hmac-signature"]["required"], true);
}

#[test]
fn webhooks_are_under_webhooks_with_their_schemas() {
    let document = document().expect("the document builds");
    for name in ["decision", "event", "watchlist-screening"] {
        let schema = &document["webhooks"][name]["post"]["requestBody"]["content"]["application/json"]
            ["schema"]["$ref"];
        let target = schema.as_str().expect("a $ref").trim_start_matches('#');
        assert!(document.pointer(target).is_some(), "{name}: {target}");
    }
}

#[test]
fn yaml_and_json_hold_the_same_document() {
    let json: Value = serde_json::from_str(&openapi_document(OpenApiFormat::Json).expect("json"))
        .expect("parses");
    let yaml: Value = serde_saphyr::from_str(&openapi_document(OpenApiFormat::Yaml).expect("yaml"))
        .expect("parses");
    assert_eq!(json, yaml);
}

#[test]
fn the_loaders_mock_only_paths_are_the_mock_only_routes_of_the_mock() {
    use crate::scenario::load::MOCK_ONLY_PATHS;
    let caught = |path: &str| MOCK_ONLY_PATHS.iter().any(|p| path.starts_with(p));
    for route in ROUTES {
        assert_eq!(
            caught(route.path),
            route.surface == Surface::MockOnly,
            "{} {}",
            route.method,
            route.path
        );
    }
}

/// The schema at `pointer` (`/verifications/0/id`) inside `schema`,
/// following `$ref`s to the document's components.
fn schema_at<'a>(document: &'a Value, schema: &'a Value, pointer: &str) -> Option<&'a Value> {
    let resolve = |mut s: &'a Value| {
        while let Some(target) = s["$ref"].as_str() {
            s = document.pointer(target.strip_prefix('#')?)?;
        }
        Some(s)
    };
    let mut at = resolve(schema)?;
    for segment in pointer.split('/').skip(1) {
        let next = match segment.parse::<usize>() {
            Ok(_) => &at["items"],
            Err(_) => &at["properties"][segment],
        };
        at = resolve(next).filter(|s| !s.is_null())?;
    }
    Some(at)
}

#[test]
fn every_link_hands_an_id_the_answer_has_to_an_operation_that_takes_one() {
    let document = document().expect("the document builds");
    let mut operations = std::collections::BTreeMap::new();
    for item in document["paths"].as_object().expect("paths").values() {
        for op in item.as_object().expect("item").values() {
            operations.insert(op["operationId"].as_str().expect("an id"), op);
        }
    }
    let mut seen = 0;
    for (from, op) in &operations {
        for (status, answer) in op["responses"].as_object().expect("responses") {
            let Some(links) = answer["links"].as_object() else {
                continue;
            };
            let schema = &answer["content"]["application/json"]["schema"];
            for (name, link) in links {
                seen += 1;
                let to = link["operationId"].as_str().expect("operationId");
                let target = operations.get(to).unwrap_or_else(|| panic!("{from}: {to}"));
                let params = target["parameters"].as_array().expect("parameters");
                assert!(
                    params
                        .iter()
                        .any(|p| p["name"] == "id" && p["in"] == "path"),
                    "{from} {status} -> {name}: {to} takes no id"
                );
                let expression = link["parameters"]["id"].as_str().expect("id");
                let pointer = expression
                    .strip_prefix("$response.body#")
                    .unwrap_or_else(|| panic!("{from} -> {name}: {expression}"));
                let id = schema_at(&document, schema, pointer)
                    .unwrap_or_else(|| panic!("{from} {status}: nothing at {pointer}"));
                assert_eq!(id["type"], "string", "{from} {status} {pointer}: {id}");
            }
        }
    }
    // The created session's id to each of the 8 operations on a session, the
    // newest attempt's id, and a medium's id from both lists.
    assert_eq!(seen, 8 + 3);
}
