//! A JSON parser that records where every value and key was written.
//!
//! Hand-written because the widely used parsers either drop positions (serde_json) or are slow on
//! the 10+ MB specs real APIs publish; this one reads bytes once and allocates only the tree.

use std::collections::HashMap;

use super::{Member, Node, Value};
use crate::diagnostic::Diagnostic;
use crate::source::{FileId, Span};

/// Objects with more members than this find duplicate keys through an index.
const SCAN_LIMIT: usize = 16;

/// Four hex digits, and nothing else (`from_str_radix` would also take a sign).
fn parse_hex4(text: &str) -> Option<u32> {
    (text.len() == 4 && text.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| u32::from_str_radix(text, 16).ok())
        .flatten()
}

/// Deeper nesting than any real spec has; the limit keeps hostile input from exhausting the stack.
const MAX_DEPTH: usize = 256;

pub fn parse(text: &str, file: FileId) -> Result<Node, Diagnostic> {
    let mut parser =
        Parser { bytes: text.as_bytes(), text, pos: 0, file, depth: 0, members: Vec::new(), items: Vec::new() };
    if text.starts_with('\u{feff}') {
        parser.pos = 3;
    }
    parser.skip_ws();
    let root = parser.value()?;
    parser.skip_ws();
    if parser.pos < parser.bytes.len() {
        return Err(parser.error("invalid JSON: unexpected content after the document", "expected end of file"));
    }
    Ok(root)
}

struct Parser<'a> {
    bytes: &'a [u8],
    text: &'a str,
    pos: usize,
    file: FileId,
    depth: usize,
    /// Members and items of the collections being read, innermost last. Each collection is
    /// moved out into an exactly-sized Vec when it closes, instead of growing one of its own
    /// (which reallocates several times per object on a spec with a million nodes).
    members: Vec<Member>,
    items: Vec<Node>,
}

impl Parser<'_> {
    fn span(&self, start: usize) -> Span {
        Span::new(self.file, start, self.pos)
    }

    fn error(&self, message: &str, label: &str) -> Diagnostic {
        let end = (self.pos + 1).min(self.bytes.len());
        // Never split a UTF-8 character in the marker.
        let end = (end..=self.bytes.len()).find(|&e| self.text.is_char_boundary(e)).unwrap_or(self.bytes.len());
        Diagnostic::error(message).at(Span::new(self.file, self.pos, end), label)
    }

    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.bytes.get(self.pos) {
            self.pos += 1;
        }
    }

    fn value(&mut self) -> Result<Node, Diagnostic> {
        let start = self.pos;
        let value = match self.bytes.get(self.pos) {
            Some(b'{') => self.object()?,
            Some(b'[') => self.array()?,
            Some(b'"') => Value::String(self.string()?),
            Some(b'-' | b'0'..=b'9') => self.number()?,
            Some(b't') => self.literal("true", Value::Bool(true))?,
            Some(b'f') => self.literal("false", Value::Bool(false))?,
            Some(b'n') => self.literal("null", Value::Null)?,
            Some(_) => return Err(self.error("invalid JSON: expected a value", "expected a value here")),
            None => {
                return Err(
                    self.error("invalid JSON: the document ends where a value was expected", "expected a value")
                );
            }
        };
        Ok(Node { span: self.span(start), value })
    }

    fn enter(&mut self) -> Result<(), Diagnostic> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error("invalid JSON: nested more than 256 levels deep", "too deep"));
        }
        Ok(())
    }

    fn object(&mut self) -> Result<Value, Diagnostic> {
        self.enter()?;
        self.pos += 1;
        let first = self.members.len();
        self.skip_ws();
        if self.bytes.get(self.pos) == Some(&b'}') {
            self.pos += 1;
            self.depth -= 1;
            return Ok(Value::Object(Vec::new()));
        }
        // Large objects (`paths`, `schemas`) find duplicate keys through an index; small ones,
        // almost all of them, by a scan that costs less than building one.
        let mut index: HashMap<String, Span> = HashMap::new();
        loop {
            self.skip_ws();
            if self.bytes.get(self.pos) != Some(&b'"') {
                return Err(self.error("invalid JSON: expected a member name in double quotes", "expected `\"`"));
            }
            let key_start = self.pos;
            let key = self.string()?;
            let key_span = self.span(key_start);
            let count = self.members.len() - first;
            if count == SCAN_LIMIT {
                index.extend(self.members[first..].iter().map(|m| (m.key.clone(), m.key_span)));
            }
            let earlier = if count < SCAN_LIMIT {
                self.members[first..].iter().find(|m| m.key == key).map(|m| m.key_span)
            } else {
                index.insert(key.clone(), key_span)
            };
            if let Some(first_span) = earlier {
                // JSON parsers disagree on which copy wins; the spec's author should decide.
                return Err(Diagnostic::error(format!("invalid JSON: duplicate key `{key}`"))
                    .at(key_span, "written again here")
                    .also(first_span, "first written here"));
            }
            self.skip_ws();
            if self.bytes.get(self.pos) != Some(&b':') {
                return Err(self.error("invalid JSON: expected `:` after a member name", "expected `:`"));
            }
            self.pos += 1;
            self.skip_ws();
            let value = self.value()?;
            self.members.push(Member { key, key_span, value });
            self.skip_ws();
            match self.bytes.get(self.pos) {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    break;
                }
                _ => {
                    return Err(
                        self.error("invalid JSON: expected `,` or `}` after an object member", "expected `,` or `}`")
                    );
                }
            }
        }
        self.depth -= 1;
        Ok(Value::Object(self.members.drain(first..).collect()))
    }

    fn array(&mut self) -> Result<Value, Diagnostic> {
        self.enter()?;
        self.pos += 1;
        let first = self.items.len();
        self.skip_ws();
        if self.bytes.get(self.pos) == Some(&b']') {
            self.pos += 1;
            self.depth -= 1;
            return Ok(Value::Array(Vec::new()));
        }
        loop {
            self.skip_ws();
            let item = self.value()?;
            self.items.push(item);
            self.skip_ws();
            match self.bytes.get(self.pos) {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    break;
                }
                _ => {
                    return Err(
                        self.error("invalid JSON: expected `,` or `]` after an array item", "expected `,` or `]`")
                    );
                }
            }
        }
        self.depth -= 1;
        Ok(Value::Array(self.items.drain(first..).collect()))
    }

    fn literal(&mut self, word: &str, value: Value) -> Result<Value, Diagnostic> {
        if self.bytes[self.pos..].starts_with(word.as_bytes()) {
            self.pos += word.len();
            Ok(value)
        } else {
            Err(self.error("invalid JSON: expected a value", "expected `true`, `false` or `null`"))
        }
    }

    fn number(&mut self) -> Result<Value, Diagnostic> {
        let start = self.pos;
        let digits = |p: &mut Self| {
            let from = p.pos;
            while p.bytes.get(p.pos).is_some_and(u8::is_ascii_digit) {
                p.pos += 1;
            }
            p.pos > from
        };
        if self.bytes[self.pos] == b'-' {
            self.pos += 1;
        }
        if !digits(self) {
            return Err(self.error("invalid JSON: a number needs digits", "expected a digit"));
        }
        let mut integer = true;
        if self.bytes.get(self.pos) == Some(&b'.') {
            integer = false;
            self.pos += 1;
            if !digits(self) {
                return Err(self.error("invalid JSON: expected digits after the decimal point", "expected a digit"));
            }
        }
        if let Some(b'e' | b'E') = self.bytes.get(self.pos) {
            integer = false;
            self.pos += 1;
            if let Some(b'+' | b'-') = self.bytes.get(self.pos) {
                self.pos += 1;
            }
            if !digits(self) {
                return Err(self.error("invalid JSON: expected digits in the exponent", "expected a digit"));
            }
        }
        let text = &self.text[start..self.pos];
        if integer && let Ok(i) = text.parse::<i64>() {
            return Ok(Value::Int(i));
        }
        Ok(Value::Float(text.parse::<f64>().unwrap_or(f64::NAN)))
    }

    fn string(&mut self) -> Result<String, Diagnostic> {
        let start = self.pos;
        self.pos += 1;
        let mut out = String::new();
        loop {
            // Most strings hold no escapes: find the next byte that needs a look in one pass.
            let rest = &self.bytes[self.pos..];
            let plain = rest.iter().position(|&b| b == b'"' || b == b'\\' || b < 0x20).unwrap_or(rest.len());
            let run = &self.text[self.pos..self.pos + plain];
            self.pos += plain;
            match self.bytes.get(self.pos) {
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(if out.is_empty() { run.to_owned() } else { out + run });
                }
                Some(b'\\') => {
                    out.push_str(run);
                    self.escape(&mut out)?;
                }
                Some(_) => {
                    return Err(
                        self.error("invalid JSON: control character in a string", "escape it (`\\n`, `\\t`, ...)")
                    );
                }
                None => {
                    self.pos = start;
                    return Err(self.error("invalid JSON: string is never closed", "this string has no closing `\"`"));
                }
            }
        }
    }

    fn escape(&mut self, out: &mut String) -> Result<(), Diagnostic> {
        self.pos += 1;
        let Some(&b) = self.bytes.get(self.pos) else {
            return Err(self.error("invalid JSON: string is never closed", "expected an escape"));
        };
        self.pos += 1;
        match b {
            b'"' => out.push('"'),
            b'\\' => out.push('\\'),
            b'/' => out.push('/'),
            b'b' => out.push('\u{8}'),
            b'f' => out.push('\u{c}'),
            b'n' => out.push('\n'),
            b'r' => out.push('\r'),
            b't' => out.push('\t'),
            b'u' => {
                let high = self.hex4()?;
                let c = if (0xD800..0xDC00).contains(&high) {
                    // A surrogate pair spells one character outside the Basic Multilingual Plane;
                    // a lone high surrogate is a replacement character, and whatever follows it
                    // is read on its own.
                    let low = self.text.get(self.pos + 2..self.pos + 6).and_then(parse_hex4);
                    match low {
                        Some(low) if self.bytes[self.pos..].starts_with(b"\\u") && (0xDC00..0xE000).contains(&low) => {
                            self.pos += 6;
                            char::from_u32(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
                        }
                        _ => None,
                    }
                } else {
                    char::from_u32(high)
                };
                out.push(c.unwrap_or('\u{FFFD}'));
            }
            _ => {
                self.pos -= 2;
                return Err(self.error("invalid JSON: unknown escape in a string", "not a JSON escape"));
            }
        }
        Ok(())
    }

    fn hex4(&mut self) -> Result<u32, Diagnostic> {
        let digits = self.text.get(self.pos..self.pos + 4).and_then(parse_hex4);
        match digits {
            Some(value) => {
                self.pos += 4;
                Ok(value)
            }
            None => Err(self.error("invalid JSON: `\\u` needs four hex digits", "expected four hex digits")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_ok(text: &str) -> Node {
        parse(text, FileId(0)).unwrap()
    }

    #[test]
    fn parses_values_with_spans() {
        let doc = parse_ok(r#"{"a": [1, -2.5e3, true, null], "b": "x\u00e9\ud83d\ude00\n"}"#);
        let a = doc.get("a").unwrap();
        assert_eq!(a.items().len(), 4);
        assert_eq!(a.items()[0].value, Value::Int(1));
        assert_eq!(a.items()[1].value, Value::Float(-2500.0));
        assert_eq!(doc.get("b").unwrap().as_str(), Some("xé😀\n"));
        assert_eq!((a.span.start, a.span.end), (6, 29));
        assert_eq!(doc.member("b").unwrap().key_span.start, 31);
    }

    #[test]
    fn reports_where_it_breaks() {
        let err = parse("{\n  \"a\": 1,\n  \"b\" 2\n}", FileId(0)).unwrap_err();
        assert_eq!(err.message, "invalid JSON: expected `:` after a member name");
        assert_eq!(err.primary.unwrap().0.start, 18);
        assert!(parse("[1,", FileId(0)).is_err());
        assert!(parse("\"abc", FileId(0)).is_err());
        assert!(parse("{} x", FileId(0)).is_err());
        assert!(parse("", FileId(0)).is_err());
    }

    #[test]
    fn duplicate_keys_are_errors_in_small_and_large_objects() {
        let err = parse(r#"{"a": 1, "a": 2}"#, FileId(0)).unwrap_err();
        assert_eq!(err.message, "invalid JSON: duplicate key `a`");
        let many: Vec<String> = (0..40).map(|i| format!("\"k{i}\": {i}")).collect();
        let err = parse(&format!("{{{}, \"k33\": 0}}", many.join(", ")), FileId(0)).unwrap_err();
        assert_eq!(err.message, "invalid JSON: duplicate key `k33`");
        assert!(parse(&format!("{{{}}}", many.join(", ")), FileId(0)).is_ok());
    }

    #[test]
    fn lone_surrogates_and_signed_hex_are_handled() {
        let doc = parse(r#""\ud83d\u0041""#, FileId(0)).unwrap();
        assert_eq!(doc.as_str(), Some("\u{FFFD}A"));
        assert!(parse(r#""\u+12a""#, FileId(0)).is_err());
    }

    #[test]
    fn refuses_hostile_nesting_without_overflowing() {
        let deep = "[".repeat(100_000);
        let err = parse(&deep, FileId(0)).unwrap_err();
        assert!(err.message.contains("nested"));
    }
}
