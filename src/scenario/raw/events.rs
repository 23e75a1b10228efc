//! A spec file read straight from the YAML parser's events, the parser serde
//! reads through: the same values, each at the same location, without serde's
//! machinery in between (which costs more than the parser itself).
//!
//! It reads the common shape of a spec only, and gives up (`None`) on
//! anything else: a YAML error, an anchor, alias or tag, a merge key (`<<`),
//! a key written twice, an unknown or missing field, a value of another type,
//! a null where an optional field stands, a plain scalar whose type is not
//! plainly a string, a bare integer, a boolean or a null, and a file near a
//! budget of serde's reader. The caller then reads the file with serde, which
//! gives the value or the exact error: so every file reads the same either way.

use std::borrow::Cow;

use granit_parser::{Event, Options, Parser, ScalarStyle, Span, StrInput};
use serde_json::Number;

use super::{
    Any, Bucket, Expect, File, Json, Loc, Poll, Scenario, Spanned, SpannedMap, Step, Webhook,
};

/// Well inside the default budget of serde's reader (1,000,000 events,
/// 250,000 nodes, depth 64): a file near them is left to serde.
const MAX_EVENTS: usize = 900_000;
const MAX_NODES: usize = 200_000;
const MAX_DEPTH: usize = 48;

/// Reads `text`, or `None` for serde to read it.
pub fn read(text: &str) -> Option<File> {
    let mut options = Options::default();
    options.set_emit_comments(false);
    let mut events = Events {
        parser: Parser::new_from_str_with_options(text, options),
        peeked: None,
        events: 0,
        nodes: 0,
        depth: 0,
    };
    match events.next()?.0 {
        Event::StreamStart => {}
        _ => return None,
    }
    match events.next()?.0 {
        Event::DocumentStart(_, None) => {}
        _ => return None,
    }
    let file = file(&mut events)?;
    match events.next()?.0 {
        Event::DocumentEnd => {}
        _ => return None,
    }
    match events.next()?.0 {
        Event::StreamEnd => {}
        _ => return None,
    }
    events.next_is_end().then_some(file)
}

type Item<'a> = (Event<'a>, Span);

struct Events<'a> {
    parser: Parser<'a, StrInput<'a>>,
    peeked: Option<Item<'a>>,
    events: usize,
    nodes: usize,
    depth: usize,
}

impl<'a> Events<'a> {
    fn pull(&mut self) -> Option<Item<'a>> {
        let item = self.parser.next()?.ok()?;
        self.events += 1;
        match &item.0 {
            Event::Scalar(..) => self.nodes += 1,
            Event::MappingStart(..) | Event::SequenceStart(..) => {
                self.nodes += 1;
                self.depth += 1;
            }
            Event::MappingEnd | Event::SequenceEnd => self.depth = self.depth.saturating_sub(1),
            _ => {}
        }
        (self.events <= MAX_EVENTS && self.nodes <= MAX_NODES && self.depth <= MAX_DEPTH)
            .then_some(item)
    }

    fn next(&mut self) -> Option<Item<'a>> {
        match self.peeked.take() {
            Some(item) => Some(item),
            None => self.pull(),
        }
    }

    fn peek(&mut self) -> Option<&Item<'a>> {
        if self.peeked.is_none() {
            self.peeked = Some(self.pull()?);
        }
        self.peeked.as_ref()
    }

    /// Whether the stream has ended cleanly after its end event.
    fn next_is_end(&mut self) -> bool {
        self.peeked.is_none() && self.parser.next().is_none()
    }

    /// The start of a mapping with no anchor or tag, and where it starts.
    fn mapping_start(&mut self) -> Option<Loc> {
        match self.next()? {
            (Event::MappingStart(_, 0, None), span) => Some(loc(&span)),
            _ => None,
        }
    }

    /// The start of a sequence with no anchor or tag, and where it starts.
    fn sequence_start(&mut self) -> Option<Loc> {
        match self.next()? {
            (Event::SequenceStart(_, 0, None), span) => Some(loc(&span)),
            _ => None,
        }
    }

    /// Whether the next event ends the mapping (and takes it if so).
    fn mapping_end(&mut self) -> Option<bool> {
        if matches!(self.peek()?.0, Event::MappingEnd) {
            self.next();
            return Some(true);
        }
        Some(false)
    }

    /// Whether the next event ends the sequence (and takes it if so).
    fn sequence_end(&mut self) -> Option<bool> {
        if matches!(self.peek()?.0, Event::SequenceEnd) {
            self.next();
            return Some(true);
        }
        Some(false)
    }

    /// A scalar with no anchor or tag.
    fn scalar(&mut self) -> Option<(Cow<'a, str>, ScalarStyle, Loc)> {
        match self.next()? {
            (Event::Scalar(value, style, 0, None), span) => Some((value, style, loc(&span))),
            _ => None,
        }
    }

    /// A mapping key: a scalar that serde reads as a string, not `<<`. A
    /// plain key that may be a number is left to serde: it takes `16` and
    /// `0x10` for one key, written twice, which text alone cannot tell.
    fn key(&mut self) -> Option<(Cow<'a, str>, Loc)> {
        let (value, style, at) = self.scalar()?;
        let numeric = style == ScalarStyle::Plain
            && matches!(
                value.as_bytes().first(),
                Some(b'0'..=b'9' | b'+' | b'-' | b'.')
            );
        (!numeric && !is_null(&value, style) && &*value != "<<").then_some((value, at))
    }

    /// A scalar read as a string (`String`, not `Json`).
    fn string(&mut self) -> Option<String> {
        let (value, style, _) = self.scalar()?;
        (!is_null(&value, style)).then(|| value.into_owned())
    }

    fn spanned_string(&mut self) -> Option<Spanned<String>> {
        let (value, style, at) = self.scalar()?;
        (!is_null(&value, style)).then(|| Spanned {
            value: value.into_owned(),
            referenced: at,
        })
    }

    fn spanned_bool(&mut self) -> Option<Spanned<bool>> {
        let (value, style, at) = self.scalar()?;
        let value = match (style, &*value) {
            (ScalarStyle::Plain, "true") => true,
            (ScalarStyle::Plain, "false") => false,
            _ => return None,
        };
        Some(Spanned {
            value,
            referenced: at,
        })
    }

    /// A value of any shape, where it starts.
    fn any(&mut self) -> Option<Any> {
        let at = loc(&self.peek()?.1);
        let value = self.json()?;
        Some(Spanned {
            value,
            referenced: at,
        })
    }

    /// A value of an optional field: not a null, which serde reads as absent.
    fn some_any(&mut self) -> Option<Any> {
        let any = self.any()?;
        (any.value != Json::Null).then_some(any)
    }

    fn json(&mut self) -> Option<Json> {
        match self.next()? {
            (Event::Scalar(value, style, 0, None), _) => scalar_json(value, style),
            (Event::MappingStart(_, 0, None), _) => {
                let mut entries: Vec<(String, Json)> = Vec::new();
                while !self.mapping_end()? {
                    let (key, _) = self.key()?;
                    if entries.iter().any(|(k, _)| *k == *key) {
                        return None;
                    }
                    let value = self.json()?;
                    entries.push((key.into_owned(), value));
                }
                entries.shrink_to_fit();
                Some(Json::Object(entries))
            }
            (Event::SequenceStart(_, 0, None), _) => {
                let mut items = Vec::new();
                while !self.sequence_end()? {
                    items.push(self.json()?);
                }
                items.shrink_to_fit();
                Some(Json::Array(items))
            }
            _ => None,
        }
    }

    fn strings(&mut self) -> Option<Vec<String>> {
        self.sequence_start()?;
        let mut items = Vec::new();
        while !self.sequence_end()? {
            items.push(self.string()?);
        }
        Some(items)
    }

    fn spanned_strings(&mut self) -> Option<Vec<Spanned<String>>> {
        self.sequence_start()?;
        let mut items = Vec::new();
        while !self.sequence_end()? {
            items.push(self.spanned_string()?);
        }
        Some(items)
    }

    fn map<V>(&mut self, mut value: impl FnMut(&mut Self) -> Option<V>) -> Option<SpannedMap<V>> {
        self.mapping_start()?;
        let mut entries: Vec<(Spanned<String>, V)> = Vec::new();
        while !self.mapping_end()? {
            let (key, at) = self.key()?;
            if entries.iter().any(|(k, _)| *k.value == *key) {
                return None;
            }
            let key = Spanned {
                value: key.into_owned(),
                referenced: at,
            };
            entries.push((key, value(self)?));
        }
        Some(SpannedMap(entries))
    }

    /// The fields of a struct: `field` reads the value of each key (`None`
    /// for an unknown one); a key written twice gives up.
    fn fields(&mut self, mut field: impl FnMut(&mut Self, &str) -> Option<()>) -> Option<Loc> {
        let at = self.mapping_start()?;
        let mut seen: Vec<Cow<'a, str>> = Vec::new();
        while !self.mapping_end()? {
            let (key, _) = self.key()?;
            if seen.contains(&key) {
                return None;
            }
            field(self, &key)?;
            seen.push(key);
        }
        Some(at)
    }

    fn spanned_seq<T>(
        &mut self,
        mut item: impl FnMut(&mut Self) -> Option<T>,
    ) -> Option<Spanned<Vec<T>>> {
        let at = self.sequence_start()?;
        let mut items = Vec::new();
        while !self.sequence_end()? {
            items.push(item(self)?);
        }
        Some(Spanned {
            value: items,
            referenced: at,
        })
    }
}

/// A plain `null`, `~` or nothing, which serde reads as null.
fn is_null(value: &str, style: ScalarStyle) -> bool {
    style == ScalarStyle::Plain && matches!(value, "" | "~" | "null" | "Null" | "NULL")
}

/// A scalar as serde reads it into [`Json`], for the plain scalars whose
/// reading is plain: null, a YAML 1.1 boolean, a decimal integer that fits,
/// and text that cannot be anything but text.
fn scalar_json(value: Cow<'_, str>, style: ScalarStyle) -> Option<Json> {
    if style != ScalarStyle::Plain {
        return Some(Json::String(value.into_owned()));
    }
    if is_null(&value, style) {
        return Some(Json::Null);
    }
    let lower = value.to_ascii_lowercase();
    match lower.as_str() {
        "true" | "yes" | "y" | "on" => return Some(Json::Bool(true)),
        "false" | "no" | "n" | "off" => return Some(Json::Bool(false)),
        "inf" | "infinity" | "nan" => return None,
        _ => {}
    }
    let bytes = value.as_bytes();
    match bytes[0] {
        b'0'..=b'9' => {
            if bytes.iter().all(u8::is_ascii_digit) {
                if (bytes[0] == b'0' && bytes.len() > 1) || bytes.len() > 19 {
                    return None;
                }
                return value
                    .parse::<u64>()
                    .ok()
                    .map(|n| Json::Number(Number::from(n)));
            }
            // A status class (`4xx`) is text.
            if bytes.len() == 3 && (b'1'..=b'5').contains(&bytes[0]) && lower.ends_with("xx") {
                return Some(Json::String(value.into_owned()));
            }
            None
        }
        b'+' | b'-' | b'.' | b'~' => None,
        _ => Some(Json::String(value.into_owned())),
    }
}

fn loc(span: &Span) -> Loc {
    let (start, end) = (&span.start, &span.end);
    let (offset, len) = match (start.byte_offset(), end.byte_offset()) {
        (Some(start), Some(end)) => (u32::try_from(start).ok(), end.saturating_sub(start)),
        _ => (None, 0),
    };
    Loc {
        line: u32::try_from(start.line()).unwrap_or(u32::MAX),
        column: u32::try_from(start.col() + 1).unwrap_or(u32::MAX),
        offset: offset.filter(|&o| o != u32::MAX).unwrap_or(u32::MAX),
        len: u32::try_from(len).unwrap_or(u32::MAX),
    }
}

fn file(ev: &mut Events<'_>) -> Option<File> {
    let mut scenarios = None;
    ev.fields(|ev, key| match key {
        "scenarios" => {
            scenarios = Some(ev.spanned_seq(scenario)?);
            Some(())
        }
        _ => None,
    })?;
    Some(File {
        scenarios: scenarios?,
    })
}

fn scenario(ev: &mut Events<'_>) -> Option<Scenario> {
    let (mut name, mut description, mut tags, mut requires, mut vars, mut steps) = (
        None,
        None,
        Vec::new(),
        Vec::new(),
        SpannedMap::default(),
        None,
    );
    ev.fields(|ev, key| {
        match key {
            "name" => name = Some(ev.spanned_string()?),
            "description" => description = Some(ev.string()?),
            "tags" => tags = ev.strings()?,
            "requires" => requires = ev.spanned_strings()?,
            "vars" => vars = ev.map(Events::spanned_string)?,
            "steps" => steps = Some(ev.spanned_seq(step)?),
            _ => return None,
        }
        Some(())
    })?;
    Some(Scenario {
        name: name?,
        description,
        tags,
        requires,
        vars,
        steps: steps?,
    })
}

fn step(ev: &mut Events<'_>) -> Option<Step> {
    let mut name = None;
    let mut step = Step {
        name: Spanned {
            value: String::new(),
            referenced: Loc {
                line: 0,
                column: 0,
                offset: u32::MAX,
                len: 0,
            },
        },
        method: None,
        path: None,
        webhook: None,
        headers: SpannedMap::default(),
        omit: Vec::new(),
        body: None,
        raw_body: None,
        sign: None,
        expect: None,
        capture: SpannedMap::default(),
        retry: None,
        repeat: None,
        concurrently: None,
        expect_group: None,
    };
    ev.fields(|ev, key| {
        match key {
            "name" => name = Some(ev.spanned_string()?),
            "method" => step.method = Some(ev.spanned_string()?),
            "path" => step.path = Some(ev.spanned_string()?),
            "webhook" => {
                let mut webhook = (None, None, None);
                let at = ev.fields(|ev, key| {
                    match key {
                        "type" => webhook.0 = Some(ev.spanned_string()?),
                        "session" => webhook.1 = Some(ev.spanned_string()?),
                        "within" => webhook.2 = Some(ev.some_any()?),
                        _ => return None,
                    }
                    Some(())
                })?;
                step.webhook = Some(Spanned {
                    value: Webhook {
                        kind: webhook.0?,
                        session: webhook.1?,
                        within: webhook.2,
                    },
                    referenced: at,
                });
            }
            "headers" => step.headers = ev.map(Events::spanned_string)?,
            "omit" => step.omit = ev.spanned_strings()?,
            "body" => step.body = Some(ev.some_any()?),
            "raw_body" => step.raw_body = Some(ev.spanned_string()?),
            "sign" => step.sign = Some(ev.some_any()?),
            "expect" => step.expect = Some(expect(ev)?),
            "capture" => step.capture = ev.map(Events::any)?,
            "retry" => {
                let (mut until, mut every, mut within) = (None, None, None);
                let at = ev.fields(|ev, key| {
                    match key {
                        "until" => until = Some(expect(ev)?),
                        "every" => every = Some(ev.some_any()?),
                        "for" => within = Some(ev.some_any()?),
                        _ => return None,
                    }
                    Some(())
                })?;
                step.retry = Some(Spanned {
                    value: Poll {
                        until: until?,
                        every,
                        within,
                    },
                    referenced: at,
                });
            }
            "repeat" => step.repeat = Some(ev.some_any()?),
            "concurrently" => step.concurrently = Some(ev.spanned_bool()?),
            "expect_group" => {
                step.expect_group = Some(ev.spanned_seq(|ev| {
                    let (mut count, mut expected) = (None, None);
                    ev.fields(|ev, key| {
                        match key {
                            "count" => count = Some(ev.any()?),
                            "expect" => expected = Some(expect(ev)?),
                            _ => return None,
                        }
                        Some(())
                    })?;
                    Some(Bucket {
                        count: count?,
                        expect: expected?,
                    })
                })?)
            }
            _ => return None,
        }
        Some(())
    })?;
    step.name = name?;
    Some(step)
}

fn expect(ev: &mut Events<'_>) -> Option<Spanned<Expect>> {
    let mut expect = Expect {
        status: None,
        headers: SpannedMap::default(),
        schema: None,
        body: None,
        body_match: None,
        body_base64: None,
        signature: None,
        warn: None,
    };
    let at = ev.fields(|ev, key| {
        match key {
            "status" => expect.status = Some(ev.some_any()?),
            "headers" => expect.headers = ev.map(Events::any)?,
            "schema" => expect.schema = Some(ev.spanned_string()?),
            "body" => expect.body = Some(ev.some_any()?),
            "body_match" => expect.body_match = Some(ev.spanned_string()?),
            "body_base64" => expect.body_base64 = Some(ev.spanned_string()?),
            "signature" => expect.signature = Some(ev.spanned_string()?),
            "warn" => expect.warn = Some(Box::new(self::expect(ev)?)),
            _ => return None,
        }
        Some(())
    })?;
    Some(Spanned {
        value: expect,
        referenced: at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What serde reads, as text: the value or the error.
    fn serde_read(text: &str) -> Result<String, String> {
        let options = serde_saphyr::options! { emit_comments: false };
        serde_saphyr::from_str_with_options::<File>(text, options)
            .map(|file| format!("{file:?}"))
            .map_err(|e| e.to_string())
    }

    fn assert_reads_as_serde(text: &str) -> bool {
        let serde = serde_read(text);
        match read(text) {
            Some(file) => {
                assert_eq!(Ok(format!("{file:?}")), serde, "{text}");
                true
            }
            None => false,
        }
    }

    #[test]
    fn every_spec_of_the_suite_reads_from_events_as_serde_reads_it() {
        let mut read_here = 0;
        for (name, text) in crate::scenario::source::EMBEDDED_FILES {
            if name.ends_with(".yaml") || name.ends_with(".yml") {
                read_here += usize::from(assert_reads_as_serde(text));
            }
        }
        assert!(
            read_here > 10,
            "only {read_here} specs were read from events"
        );
    }

    #[test]
    fn what_it_reads_it_reads_as_serde_and_the_rest_it_leaves_to_serde() {
        let step = "- name: s\n        method: GET\n        path: /x\n";
        let with = |extra: &str| {
            format!("scenarios:\n  - name: a\n    steps:\n      {step}        {extra}\n")
        };
        let common = [
            "body: {a: 1, b: [x, 'y', \"z\"], c: ~, d: yes, e: Off, f: null, g: 0, h: 4xx}",
            "body: {a: 18446744073709551615, b: 1.5, c: -1, d: .inf, e: 0x1F, f: 012, g: 1_000}",
            "body: {a: inf, b: NaN, c: 2024-01-01, d: +1, e: '', f: \"\", g: \"a\\tb\"}",
            "body: {200: ok, true: x, 1.5: y}",
            "body: {a: 1, a: 2}",
            "body: {'1': a, 1: b}",
            "body: {0x10: a, 16: b}",
            "body: {1_000: a, 1000: b}",
            "body: {-0: a, 0: b}",
            "body: {+16: a, 16: b}",
            "vars: {0o20: a, 16: b}",
            "headers: {0x10: a, 16: b}",
            "body: !!str 12",
            "body: &a {x: 1}",
            "body: {<<: {x: 1}, y: 2}",
            "body:",
            "body: ~",
            "body: |\n          text\n          more\n",
            "body: >\n          folded\n          text\n",
            "expect: {status: 404, headers: {x-a: {present: true}}, body: {a: {$type: string}}}",
            "expect: {status: [200, 201], signature: required, body_match: exact}",
            "expect:\n          status: '4xx'\n          schema: schemas/x.json\n",
            "expect: {status: }",
            "expect: {unknown: 1}",
            "expect: {status: 200, status: 201}",
            "capture: {id: verification.id, h: {header: x-a}}",
            "capture: {id: }",
            "headers: {X-A: a, x-b: '1'}",
            "headers: {x-a: ~}",
            "headers: {x-a: 12}",
            "headers: {x-a: true}",
            "omit: [content-type]",
            "omit: content-type",
            "sign: {payload: x}",
            "repeat: 3\n        concurrently: true",
            "repeat: 3\n        concurrently: yes",
            "expect_group: [{count: 2, expect: {status: 200}}, {count: rest, expect: {status: 4xx}}]",
            "retry: {until: {status: 200}, every: 1s, for: 10s}",
            "webhook: {type: decision, session: '${id}', within: 5s}",
            "raw_body: '{not json'",
            "name: twice",
        ];
        let mut read_here = 0;
        for extra in common {
            read_here += usize::from(assert_reads_as_serde(&with(extra)));
        }
        assert!(read_here > 15, "only {read_here} read from events");
        let files = [
            "",
            "~",
            "scenarios: []",
            "scenarios:\n",
            "scenarios: x",
            "scenarios: [{name: a, steps: []}]",
            "scenarios: [{name: a}]",
            "scenarios: [{name: ~, steps: []}]",
            "scenarios: [{name: 12, steps: []}]",
            "scenarios: [{name: a, steps: [], tags: [x, 1, 'y'], requires: [mock]}]",
            "scenarios: [{name: a, steps: [], description: d, vars: {a: '1', b: x}}]",
            "scenarios: [{name: a, steps: [], vars: {a: 1}}]",
            "scenarios: [{name: a, steps: [], vars: {a: x, a: y}}]",
            "scenarios: [{name: a, steps: [], other: 1}]",
            "---\nscenarios: []\n",
            "---\nscenarios: []\n---\nscenarios: []\n",
            "%YAML 1.2\n---\nscenarios: []\n",
            "scenarios: [{name: a, steps: []}]\n# a comment\n",
            "scenarios:\n- name: a # comment\n  steps: []\n",
            "scenarios:\n  - name: a\n   steps: []\n",
            "scenarios:\n\t- name: a\n",
            "scenarios: [{name: a, steps: []}\n",
            "scenarios: [{name: 'a\n  b', steps: []}]",
            "scenarios: [{name: \"\\u00e9\\x41\", steps: []}]",
            "scenarios: [{name: é ü, steps: []}]",
            "? scenarios\n: []\n",
            "\u{feff}scenarios: []\n",
        ];
        for text in files {
            let serde = serde_read(text);
            if let Some(file) = read(text) {
                assert_eq!(Ok(format!("{file:?}")), serde, "{text:?}");
            }
        }
    }
}
