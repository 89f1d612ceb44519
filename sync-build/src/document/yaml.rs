//! YAML to the spanned tree, on `saphyr-parser`.
//!
//! Why saphyr: `serde_yaml` is deprecated and unmaintained, and its forks drop positions. saphyr
//! is the maintained successor of yaml-rust, fully YAML 1.2, and its event parser reports a span
//! for every scalar and collection, which is what our diagnostics need. We build the tree from its
//! events ourselves so that keys keep their own spans and scalars resolve by the YAML 1.2 core
//! schema (so `200:` is the key "200" and `on: yes` stays a string, as in JSON).

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, Span as YamlSpan};

use super::{Member, Node, Value};
use crate::diagnostic::Diagnostic;
use crate::source::{FileId, Span};

/// Deeper nesting than any real spec has; the limit keeps hostile input from exhausting the stack.
const MAX_DEPTH: usize = 256;

/// How many nodes aliases may add to a document, all told.
const MAX_ALIAS_EXPANSION: usize = 1_000_000;

fn count_nodes(node: &Node) -> usize {
    1 + match &node.value {
        Value::Array(items) => items.iter().map(count_nodes).sum(),
        Value::Object(members) => members.iter().map(|m| count_nodes(&m.value)).sum(),
        _ => 0,
    }
}

pub fn parse(text: &str, file: FileId) -> Result<Node, Diagnostic> {
    let mut builder = Builder {
        positions: Positions::new(text),
        file,
        anchors: HashMap::new(),
        expanded: 0,
        stack: Vec::new(),
        root: None,
    };
    for event in Parser::new_from_str(text) {
        match event {
            Ok((event, span)) => {
                if builder.event(event, span)? {
                    break;
                }
            }
            Err(error) => {
                let at = builder.positions.byte(error.marker().index());
                let end = next_boundary(text, at);
                return Err(Diagnostic::error(format!("invalid YAML: {}", error.info()))
                    .at(Span::new(file, at, end), "the YAML parser stopped here"));
            }
        }
    }
    Ok(builder.root.unwrap_or(Node { span: Span::new(file, 0, 0), value: Value::Null }))
}

fn next_boundary(text: &str, at: usize) -> usize {
    (at + 1..=text.len()).find(|&e| text.is_char_boundary(e)).unwrap_or(text.len())
}

/// saphyr counts positions in characters; spans are in bytes.
struct Positions {
    /// Byte offset of every character, when the text is not pure ASCII (where they coincide).
    char_to_byte: Option<Vec<u32>>,
    len: usize,
}

impl Positions {
    fn new(text: &str) -> Positions {
        let char_to_byte = (!text.is_ascii()).then(|| text.char_indices().map(|(i, _)| i as u32).collect());
        Positions { char_to_byte, len: text.len() }
    }

    fn byte(&self, char_index: usize) -> usize {
        match &self.char_to_byte {
            None => char_index.min(self.len),
            Some(table) => table.get(char_index).map_or(self.len, |&b| b as usize),
        }
    }
}

enum Open {
    Sequence {
        start: usize,
        anchor: usize,
        items: Vec<Node>,
    },
    Mapping {
        start: usize,
        anchor: usize,
        members: Vec<Member>,
        /// Where each key was first written, to report duplicates without a quadratic scan.
        seen: HashMap<String, Span>,
        /// A key read, waiting for its value.
        key: Option<Node>,
        /// The key waiting is a plain `<<`: its value merges into this mapping.
        merge_next: bool,
        /// Members brought in by `<<` merge keys; explicit members win over them.
        merged: Vec<Member>,
    },
}

struct Builder {
    positions: Positions,
    file: FileId,
    /// Anchored nodes with their sizes in nodes.
    anchors: HashMap<usize, (Node, usize)>,
    /// Nodes added by alias expansion so far.
    expanded: usize,
    stack: Vec<Open>,
    root: Option<Node>,
}

impl Builder {
    fn span(&self, span: YamlSpan) -> Span {
        Span::new(self.file, self.positions.byte(span.start.index()), self.positions.byte(span.end.index()))
    }

    /// Feeds one event; true once the first document is complete.
    fn event(&mut self, event: Event<'_>, span: YamlSpan) -> Result<bool, Diagnostic> {
        match event {
            Event::Scalar(text, style, anchor, tag) => {
                // Keys are names, kept as written: `null:`, `1.0:` and `010:` name properties
                // "null", "1.0" and "010".
                let is_key = matches!(self.stack.last(), Some(Open::Mapping { key: None, .. }));
                if is_key
                    && style == ScalarStyle::Plain
                    && text == "<<"
                    && let Some(Open::Mapping { merge_next, .. }) = self.stack.last_mut()
                {
                    *merge_next = true;
                }
                let value = match tag {
                    _ if is_key => Value::String(text.into_owned()),
                    Some(tag) if tag.is_yaml_core_schema() && tag.suffix == "str" => Value::String(text.into_owned()),
                    _ => resolve_scalar(&text, style),
                };
                let node = Node { span: self.span(span), value };
                self.remember(anchor, &node);
                self.push(node)?;
            }
            Event::Alias(anchor) => {
                let Some((node, size)) = self.anchors.get(&anchor).cloned() else {
                    return Err(
                        Diagnostic::error("invalid YAML: alias to an unknown anchor").at(self.span(span), "here")
                    );
                };
                // Aliases of aliases grow exponentially ("billion laughs"): cap what they add.
                self.expanded += size;
                if self.expanded > MAX_ALIAS_EXPANSION {
                    return Err(Diagnostic::error("invalid YAML: aliases expand to too large a document")
                        .at(self.span(span), "expanding this alias passes a million nodes"));
                }
                self.push(node)?;
            }
            Event::SequenceStart(anchor, _) => {
                self.open(span)?;
                self.stack.push(Open::Sequence {
                    start: self.positions.byte(span.start.index()),
                    anchor,
                    items: Vec::new(),
                });
            }
            Event::MappingStart(anchor, _) => {
                self.open(span)?;
                self.stack.push(Open::Mapping {
                    start: self.positions.byte(span.start.index()),
                    anchor,
                    members: Vec::new(),
                    seen: HashMap::new(),
                    key: None,
                    merge_next: false,
                    merged: Vec::new(),
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let end = self.positions.byte(span.end.index());
                let (node, anchor) = match self.stack.pop() {
                    Some(Open::Sequence { start, anchor, items }) => {
                        (Node { span: Span::new(self.file, start, end), value: Value::Array(items) }, anchor)
                    }
                    Some(Open::Mapping { start, anchor, mut members, merged, .. }) => {
                        for member in merged {
                            if !members.iter().any(|m| m.key == member.key) {
                                members.push(member);
                            }
                        }
                        (Node { span: Span::new(self.file, start, end), value: Value::Object(members) }, anchor)
                    }
                    None => return Ok(false),
                };
                self.remember(anchor, &node);
                self.push(node)?;
            }
            Event::DocumentEnd => return Ok(self.root.is_some()),
            Event::StreamStart | Event::StreamEnd | Event::DocumentStart(_) | Event::Nothing => {}
        }
        Ok(false)
    }

    fn open(&self, span: YamlSpan) -> Result<(), Diagnostic> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(
                Diagnostic::error("invalid YAML: nested more than 256 levels deep").at(self.span(span), "too deep")
            );
        }
        Ok(())
    }

    fn remember(&mut self, anchor: usize, node: &Node) {
        if anchor > 0 {
            self.anchors.insert(anchor, (node.clone(), count_nodes(node)));
        }
    }

    fn push(&mut self, node: Node) -> Result<(), Diagnostic> {
        match self.stack.last_mut() {
            None => {
                if self.root.is_none() {
                    self.root = Some(node);
                }
            }
            Some(Open::Sequence { items, .. }) => items.push(node),
            Some(Open::Mapping { members, seen, key, merge_next, merged, .. }) => match key.take() {
                None => *key = Some(node),
                Some(key_node) => {
                    let key_span = key_node.span;
                    let Some(key_text) = key_text(&key_node) else {
                        return Err(Diagnostic::error("unsupported YAML: a mapping key must be a scalar")
                            .at(key_span, "this key is a collection"));
                    };
                    if std::mem::take(merge_next) {
                        merge_into(merged, node, key_span)?;
                    } else if let Some(first) = seen.get(&key_text) {
                        return Err(Diagnostic::error(format!("invalid YAML: duplicate key `{key_text}`"))
                            .at(key_span, "written again here")
                            .also(*first, "first written here"));
                    } else {
                        seen.insert(key_text.clone(), key_span);
                        members.push(Member { key: key_text, key_span, value: node });
                    }
                }
            },
        }
        Ok(())
    }
}

/// `<<: *base` or `<<: [*a, *b]`: earlier sources win, as the merge-key convention says.
fn merge_into(merged: &mut Vec<Member>, source: Node, at: Span) -> Result<(), Diagnostic> {
    let sources = match source.value {
        Value::Array(items) => items,
        _ => vec![source],
    };
    for source in sources {
        let Value::Object(members) = source.value else {
            return Err(
                Diagnostic::error("invalid YAML: `<<` merges mappings only").at(at, "this merges a non-mapping")
            );
        };
        for member in members {
            if !merged.iter().any(|m| m.key == member.key) {
                merged.push(member);
            }
        }
    }
    Ok(())
}

/// A scalar key as text: `200` and `true` are keys "200" and "true", as JSON would have them.
fn key_text(node: &Node) -> Option<String> {
    match &node.value {
        Value::String(s) => Some(s.clone()),
        Value::Null => Some(String::new()),
        Value::Array(_) | Value::Object(_) => None,
        _ => Some(node.to_json()),
    }
}

/// Resolves a scalar by the YAML 1.2 core schema: only plain scalars can be null, booleans or
/// numbers.
fn resolve_scalar(text: &str, style: ScalarStyle) -> Value {
    if style != ScalarStyle::Plain {
        return Value::String(text.to_owned());
    }
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => return Value::Float(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => return Value::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Value::Float(f64::NAN),
        _ => {}
    }
    if let Some(int) = parse_int(text) {
        return Value::Int(int);
    }
    if is_float(text)
        && let Ok(f) = text.parse::<f64>()
    {
        return Value::Float(f);
    }
    Value::String(text.to_owned())
}

fn parse_int(text: &str) -> Option<i64> {
    if let Some(hex) = text.strip_prefix("0x") {
        return i64::from_str_radix(hex, 16).ok();
    }
    if let Some(octal) = text.strip_prefix("0o") {
        return i64::from_str_radix(octal, 8).ok();
    }
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`
fn is_float(text: &str) -> bool {
    let s = text.strip_prefix(['-', '+']).unwrap_or(text);
    let (mantissa, exponent) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let (whole, fraction) = match mantissa.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (mantissa, None),
    };
    let digits = |d: &str| d.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = match fraction {
        Some(f) => digits(whole) && digits(f) && !(whole.is_empty() && f.is_empty()),
        None => !whole.is_empty() && digits(whole),
    };
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && digits(e)
    });
    mantissa_ok && exponent_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_ok(text: &str) -> Node {
        parse(text, FileId(0)).unwrap()
    }

    #[test]
    fn resolves_scalars_by_the_core_schema() {
        let doc = parse_ok("a: 1\nb: '1'\nc: 1.5\nd: true\ne: yes\nf: ~\n200: ok\ng: 0x1F\nh: 1e3\n");
        assert_eq!(doc.get("a").unwrap().value, Value::Int(1));
        assert_eq!(doc.get("b").unwrap().as_str(), Some("1"));
        assert_eq!(doc.get("c").unwrap().value, Value::Float(1.5));
        assert_eq!(doc.get("d").unwrap().value, Value::Bool(true));
        assert_eq!(doc.get("e").unwrap().as_str(), Some("yes"));
        assert!(doc.get("f").unwrap().is_null());
        assert_eq!(doc.get("200").unwrap().as_str(), Some("ok"));
        assert_eq!(doc.get("g").unwrap().value, Value::Int(31));
        assert_eq!(doc.get("h").unwrap().value, Value::Float(1000.0));
    }

    #[test]
    fn spans_are_bytes_even_after_non_ascii_text() {
        let text = "title: héllo\nx-sync: liev\n";
        let doc = parse_ok(text);
        let node = doc.get("x-sync").unwrap();
        assert_eq!(&text[node.span.start as usize..node.span.end as usize], "liev");
        let key = doc.member("x-sync").unwrap().key_span;
        assert_eq!(&text[key.start as usize..key.end as usize], "x-sync");
    }

    #[test]
    fn anchors_aliases_and_merge_keys() {
        let doc = parse_ok("base: &b {x: 1, y: 2}\nother:\n  <<: *b\n  y: 3\nlist: [*b]\n");
        let other = doc.get("other").unwrap();
        assert_eq!(other.get("x").unwrap().value, Value::Int(1));
        assert_eq!(other.get("y").unwrap().value, Value::Int(3));
        assert_eq!(doc.get("list").unwrap().items()[0].get("y").unwrap().value, Value::Int(2));
    }

    #[test]
    fn errors_point_at_the_problem() {
        let err = parse("a: [1, 2\nb: 3\n", FileId(0)).unwrap_err();
        assert!(err.message.starts_with("invalid YAML"), "{}", err.message);
        let err = parse("a: 1\na: 2\n", FileId(0)).unwrap_err();
        assert_eq!(err.message, "invalid YAML: duplicate key `a`");
        assert_eq!(err.primary.unwrap().0.start, 5);
    }

    #[test]
    fn empty_document_is_null() {
        assert!(parse_ok("").is_null());
        assert!(parse_ok("# only a comment\n").is_null());
    }
}
