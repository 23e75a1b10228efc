//! The YAML shape of a spec file, as serde reads it. Values whose shape varies
//! are read as spanned JSON values and interpreted in [`super::load`], which
//! can then point at them in errors.
//!
//! Most files are read by [`events`], straight from the YAML parser's events;
//! what it does not read (an error, an anchor, a tag, a merge key...) serde
//! reads, so that every file reads the same either way.

mod events;

use std::fmt;

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Number;

pub use events::read as read_events;

/// Where a YAML node starts: as `serde_saphyr::Location`, in 16 bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Loc {
    line: u32,
    column: u32,
    /// Byte offset, `u32::MAX` when unknown.
    offset: u32,
    len: u32,
}

impl Loc {
    /// 1-based line.
    pub fn line(&self) -> u64 {
        u64::from(self.line)
    }

    /// 1-based column.
    pub fn column(&self) -> u64 {
        u64::from(self.column)
    }

    /// Byte offset and length of the node's first token, when known.
    pub fn bytes(&self) -> Option<(usize, usize)> {
        (self.offset != u32::MAX).then_some((self.offset as usize, self.len as usize))
    }

    fn saturate(n: u64) -> u32 {
        u32::try_from(n).unwrap_or(u32::MAX)
    }
}

impl From<&serde_saphyr::Location> for Loc {
    fn from(loc: &serde_saphyr::Location) -> Loc {
        let span = loc.span();
        let (offset, len) = match (span.byte_offset(), span.byte_len()) {
            (Some(offset), Some(len)) if offset < u64::from(u32::MAX) => {
                (Loc::saturate(offset), Loc::saturate(len))
            }
            _ => (u32::MAX, 0),
        };
        Loc {
            line: Loc::saturate(loc.line()),
            column: Loc::saturate(loc.column()),
            offset,
            len,
        }
    }
}

/// A value and where it was written (its first token).
#[derive(Debug, Clone, PartialEq)]
pub struct Spanned<T> {
    /// The value.
    pub value: T,
    /// Where it was written.
    pub referenced: Loc,
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Spanned<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let read = serde_saphyr::Spanned::<T>::deserialize(deserializer)?;
        Ok(Spanned {
            referenced: Loc::from(&read.referenced),
            value: read.value,
        })
    }
}

/// A spanned value of any shape.
pub type Any = Spanned<Json>;

/// A JSON value as read from YAML, with the entries of a mapping in the order
/// written. It reads exactly what [`serde_json::Value`] reads, the same way,
/// without building a hash index for every mapping of a spec.
#[derive(Debug, Clone, PartialEq)]
pub enum Json {
    /// `null`, `~` or nothing.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number.
    Number(Number),
    /// A string.
    String(String),
    /// A sequence.
    Array(Vec<Json>),
    /// A mapping, in the order written, each key once (a key written twice,
    /// as `1` and `"1"`, keeps its first place and its last value).
    Object(Vec<(String, Json)>),
}

impl Json {
    /// The number, if it is a non-negative integer.
    pub fn as_u64(&self) -> Option<u64> {
        match self {
            Json::Number(n) => n.as_u64(),
            _ => None,
        }
    }

    /// The text, if it is a string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::String(s) => Some(s),
            _ => None,
        }
    }

    /// The value of the first entry named `key`, if it is a mapping that has one.
    pub fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Object(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }
}

impl<'de> Deserialize<'de> for Json {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Json, D::Error> {
        deserializer.deserialize_any(JsonVisitor)
    }
}

/// The visitor of `serde_json::Value`, building [`Json`].
struct JsonVisitor;

impl<'de> Visitor<'de> for JsonVisitor {
    type Value = Json;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any valid JSON value")
    }

    fn visit_bool<E>(self, value: bool) -> Result<Json, E> {
        Ok(Json::Bool(value))
    }

    fn visit_i64<E>(self, value: i64) -> Result<Json, E> {
        Ok(Json::Number(value.into()))
    }

    fn visit_i128<E: de::Error>(self, value: i128) -> Result<Json, E> {
        Number::deserialize(de::value::I128Deserializer::new(value)).map(Json::Number)
    }

    fn visit_u64<E>(self, value: u64) -> Result<Json, E> {
        Ok(Json::Number(value.into()))
    }

    fn visit_u128<E: de::Error>(self, value: u128) -> Result<Json, E> {
        Number::deserialize(de::value::U128Deserializer::new(value)).map(Json::Number)
    }

    fn visit_f64<E>(self, value: f64) -> Result<Json, E> {
        Ok(Number::from_f64(value).map_or(Json::Null, Json::Number))
    }

    fn visit_str<E>(self, value: &str) -> Result<Json, E> {
        Ok(Json::String(value.to_owned()))
    }

    fn visit_string<E>(self, value: String) -> Result<Json, E> {
        Ok(Json::String(value))
    }

    fn visit_none<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Json, D::Error> {
        Deserialize::deserialize(deserializer)
    }

    fn visit_unit<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        items.shrink_to_fit();
        Ok(Json::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
        let mut entries: Vec<(String, Json)> = Vec::new();
        while let Some(key) = map.next_key_seed(Key)? {
            entries.push((key, map.next_value()?));
        }
        // The YAML reader refuses a repeated key, and a merge (`<<`) gives
        // only the keys not written; but `1` and `"1"` are two YAML keys and
        // one JSON key. As in `serde_json::Value`, the first place and the
        // last value win.
        let mut entries = keep_last_of_repeated(entries);
        entries.shrink_to_fit();
        Ok(Json::Object(entries))
    }
}

/// `entries` with each repeated key once, where it first came, with the
/// value it last had. Quadratic only for small mappings; larger ones sort.
fn keep_last_of_repeated(mut entries: Vec<(String, Json)>) -> Vec<(String, Json)> {
    let repeated = if entries.len() <= 16 {
        (1..entries.len()).any(|i| entries[..i].iter().any(|(k, _)| *k == entries[i].0))
    } else {
        let mut keys: Vec<&str> = entries.iter().map(|(k, _)| k.as_str()).collect();
        keys.sort_unstable();
        keys.windows(2).any(|w| w[0] == w[1])
    };
    if !repeated {
        return entries;
    }
    let mut first: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let mut kept: Vec<(String, Json)> = Vec::with_capacity(entries.len());
    for (key, value) in entries.drain(..) {
        match first.get(&key) {
            Some(&at) => kept[at].1 = value,
            None => {
                first.insert(key.clone(), kept.len());
                kept.push((key, value));
            }
        }
    }
    kept
}

/// A mapping key, read as `serde_json::Value` reads keys: as a string.
struct Key;

impl<'de> DeserializeSeed<'de> for Key {
    type Value = String;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<String, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl Visitor<'_> for Key {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string key")
    }

    fn visit_str<E>(self, key: &str) -> Result<String, E> {
        Ok(key.to_owned())
    }

    fn visit_string<E>(self, key: String) -> Result<String, E> {
        Ok(key)
    }
}
/// A map whose keys keep their place in the file: its entries in the order
/// read (sort them by location: merged keys come last).
#[derive(Debug, Clone)]
pub struct SpannedMap<V>(pub Vec<(Spanned<String>, V)>);

impl<V> Default for SpannedMap<V> {
    fn default() -> Self {
        SpannedMap(Vec::new())
    }
}

impl<V> SpannedMap<V> {
    /// How many entries.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<'de, V: Deserialize<'de>> Deserialize<'de> for SpannedMap<V> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Entries<V>(std::marker::PhantomData<V>);
        impl<'de, V: Deserialize<'de>> Visitor<'de> for Entries<V> {
            type Value = SpannedMap<V>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry()? {
                    entries.push(entry);
                }
                Ok(SpannedMap(entries))
            }
        }
        deserializer.deserialize_map(Entries(std::marker::PhantomData))
    }
}

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
    #[serde(default)]
    pub method: Option<Spanned<String>>,
    #[serde(default)]
    pub path: Option<Spanned<String>>,
    #[serde(default)]
    pub webhook: Option<Spanned<Webhook>>,
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

/// `webhook:` on a step: await a webhook instead of sending a request.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Webhook {
    #[serde(rename = "type")]
    pub kind: Spanned<String>,
    pub session: Spanned<String>,
    #[serde(default)]
    pub within: Option<Any>,
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
    /// Expectations whose unmet parts are warnings.
    #[serde(default)]
    pub warn: Option<Box<Spanned<Expect>>>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn to_value(json: &Json) -> Value {
        match json {
            Json::Null => Value::Null,
            Json::Bool(b) => Value::Bool(*b),
            Json::Number(n) => Value::Number(n.clone()),
            Json::String(s) => Value::String(s.clone()),
            Json::Array(items) => Value::Array(items.iter().map(to_value).collect()),
            Json::Object(entries) => Value::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.clone(), to_value(v)))
                    .collect(),
            ),
        }
    }

    #[test]
    fn json_reads_what_serde_json_value_reads_in_the_same_order() {
        let cases = [
            "a: 1\nb: -2\nc: 1.5\nd: true\ne: ~\nf: null\ng: text\nh: '3'\n",
            "z: 1\na: 2\nm: {y: [1, 2.0, x, null, {q: 1}], b: {}}\n",
            "[1, 18446744073709551615, -9223372036854775808, 1e400, .nan, .inf]",
            "200: ok\ntrue: yes\n1.5: half\n",
            "base: &b {x: 1, y: 2}\nuse: {<<: *b, y: 3, z: 4}\n",
            "",
            "~",
            "plain",
            "!!str 12",
            "[a, [b, [c, {d: e}]]]",
        ];
        for yaml in cases {
            let value: Result<Value, _> = serde_saphyr::from_str(yaml);
            let json: Result<Json, _> = serde_saphyr::from_str(yaml);
            match (value, json) {
                (Ok(value), Ok(json)) => assert_eq!(
                    serde_json::to_string(&value).unwrap(),
                    serde_json::to_string(&to_value(&json)).unwrap(),
                    "{yaml:?}"
                ),
                (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "{yaml:?}"),
                (value, json) => panic!("{yaml:?}: Value {value:?}, Json {json:?}"),
            }
        }
    }

    #[test]
    fn spanned_map_reads_the_entries_and_errors_a_hash_map_reads() {
        type Hashed =
            std::collections::HashMap<serde_saphyr::Spanned<String>, serde_saphyr::Spanned<String>>;
        let cases = [
            "a: x\nb: y\n",
            "{}",
            "[a, b]",
            "text",
            "a: x\na: y\n",
            "base: &b {x: '1', y: '2'}\n",
            "<<: {x: '1', y: '2'}\ny: '3'\nz: '4'\n",
            "a: [x]\n",
        ];
        for yaml in cases {
            let hashed: Result<Hashed, _> = serde_saphyr::from_str(yaml);
            let ordered: Result<SpannedMap<Spanned<String>>, _> = serde_saphyr::from_str(yaml);
            match (hashed, ordered) {
                (Ok(hashed), Ok(ordered)) => {
                    let mut hashed: Vec<_> = hashed
                        .into_iter()
                        .map(|(k, v)| {
                            let (k_at, v_at) = (Loc::from(&k.referenced), Loc::from(&v.referenced));
                            ((k_at.line(), k_at.column()), k.value, v.value, v_at)
                        })
                        .collect();
                    hashed.sort_by_key(|e| e.0);
                    let mut ordered: Vec<_> = ordered
                        .0
                        .into_iter()
                        .map(|(k, v)| {
                            let at = (k.referenced.line(), k.referenced.column());
                            (at, k.value, v.value, v.referenced)
                        })
                        .collect();
                    ordered.sort_by_key(|e| e.0);
                    assert_eq!(hashed, ordered, "{yaml:?}");
                }
                (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "{yaml:?}"),
                (hashed, ordered) => panic!("{yaml:?}: HashMap {hashed:?}, SpannedMap {ordered:?}"),
            }
        }
    }

    #[test]
    fn a_key_written_as_a_number_and_as_a_string_is_one_key_in_its_first_place_with_its_last_value()
    {
        let entries = |yaml: &str| match serde_saphyr::from_str::<Json>(yaml).unwrap() {
            Json::Object(entries) => entries,
            other => panic!("{other:?}"),
        };
        let text = |s: &str| Json::String(s.to_string());
        assert_eq!(
            entries("\"1\": a\nb: x\n1: c\n"),
            [("1".to_string(), text("c")), ("b".to_string(), text("x"))]
        );
        // A mapping too large for the pairwise check.
        let mut yaml: String = (0..20).map(|i| format!("k{i}: v{i}\n")).collect();
        yaml.push_str("7: first\n\"7\": last\n");
        let read = entries(&yaml);
        assert_eq!(read.len(), 21);
        assert_eq!(read[20], ("7".to_string(), text("last")));
        let value: Value = serde_saphyr::from_str(&yaml).unwrap();
        assert_eq!(
            serde_json::to_string(&value).unwrap(),
            serde_json::to_string(&to_value(&Json::Object(read))).unwrap()
        );
    }

    #[test]
    fn a_repeated_key_is_an_error_for_json_as_for_value() {
        let yaml = "a: 1\nb: 2\na: 3\n";
        let value = serde_saphyr::from_str::<Value>(yaml).unwrap_err();
        let json = serde_saphyr::from_str::<Json>(yaml).unwrap_err();
        assert_eq!(value.to_string(), json.to_string());
    }
}
