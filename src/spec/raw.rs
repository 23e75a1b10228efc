//! The YAML shape of a spec file, as serde reads it. Values whose shape varies
//! are read as spanned JSON values and interpreted in [`super::load`], which
//! can then point at them in errors.

use std::collections::HashMap;

use serde::Deserialize;
use serde_json::Value;
use serde_saphyr::Spanned;

/// A spanned value of any shape.
pub type Any = Spanned<Value>;
/// A map whose keys keep their place in the file (sort them by location).
pub type SpannedMap<V> = HashMap<Spanned<String>, V>;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct File {
    pub scenarios: Spanned<Vec<Scenario>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub name: Spanned<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub requires: Vec<Spanned<String>>,
    #[serde(default)]
    pub vars: SpannedMap<Spanned<String>>,
    pub steps: Spanned<Vec<Step>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    pub name: Spanned<String>,
    pub method: Spanned<String>,
    pub path: Spanned<String>,
    #[serde(default)]
    pub headers: SpannedMap<Spanned<String>>,
    #[serde(default)]
    pub omit: Vec<Spanned<String>>,
    #[serde(default)]
    pub body: Option<Any>,
    #[serde(default)]
    pub raw_body: Option<Spanned<String>>,
    #[serde(default)]
    pub sign: Option<Any>,
    #[serde(default)]
    pub expect: Option<Spanned<Expect>>,
    #[serde(default)]
    pub capture: SpannedMap<Any>,
    #[serde(default)]
    pub retry: Option<Spanned<Poll>>,
    #[serde(default)]
    pub repeat: Option<Any>,
    #[serde(default)]
    pub concurrently: Option<Spanned<bool>>,
    #[serde(default)]
    pub expect_group: Option<Spanned<Vec<Bucket>>>,
}

/// One entry of `expect_group:`: how many answers, and what each must meet.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bucket {
    pub count: Any,
    pub expect: Spanned<Expect>,
}

/// `retry:` on a step: poll until `until` holds.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Poll {
    pub until: Spanned<Expect>,
    #[serde(default)]
    pub every: Option<Any>,
    #[serde(default, rename = "for")]
    pub within: Option<Any>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    #[serde(default)]
    pub status: Option<Any>,
    #[serde(default)]
    pub headers: SpannedMap<Any>,
    #[serde(default)]
    pub schema: Option<Spanned<String>>,
    #[serde(default)]
    pub body: Option<Any>,
    #[serde(default)]
    pub body_match: Option<Spanned<String>>,
    #[serde(default)]
    pub body_base64: Option<Spanned<String>>,
    #[serde(default)]
    pub signature: Option<Spanned<String>>,
}
