//! Spec text made safe for Swift source: doc comments that no description can end early, and
//! string literals that no value can break out of.

use std::fmt::Write as _;

/// `///` lines for `paragraphs` (empty ones skipped, blank lines between them), at `indent`.
///
/// Every line of the text becomes its own `///` line, so nothing in a description can end the
/// comment: `*/` means nothing to a line comment, and every character that Swift or Unicode
/// treats as a line break starts a new `///` line instead. Other control characters (NUL, ESC,
/// ...) would be errors or warnings in source, so they are shown as `\u{..}` text.
pub fn doc_comment<'a>(out: &mut String, indent: &str, paragraphs: impl IntoIterator<Item = Option<&'a str>>) {
    let mut first = true;
    for paragraph in paragraphs.into_iter().flatten() {
        let lines = doc_lines(paragraph);
        if lines.is_empty() {
            continue;
        }
        if !first {
            let _ = writeln!(out, "{indent}///");
        }
        first = false;
        for line in lines {
            if line.is_empty() {
                let _ = writeln!(out, "{indent}///");
            } else {
                let _ = writeln!(out, "{indent}/// {line}");
            }
        }
    }
}

/// The lines of a description, trimmed at the end, without leading or trailing blank lines.
fn doc_lines(text: &str) -> Vec<String> {
    let text = text.replace("\r\n", "\n");
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for c in text.chars() {
        match c {
            '\n' | '\r' | '\u{0B}' | '\u{0C}' | '\u{85}' | '\u{2028}' | '\u{2029}' => {
                lines.push(std::mem::take(&mut line).trim_end().to_owned());
            }
            '\t' => line.push_str("    "),
            c if c.is_control() || is_bidi_control(c) => {
                let _ = write!(line, "\\u{{{:X}}}", c as u32);
            }
            c => line.push(c),
        }
    }
    lines.push(line.trim_end().to_owned());
    while lines.first().is_some_and(String::is_empty) {
        lines.remove(0);
    }
    while lines.last().is_some_and(String::is_empty) {
        lines.pop();
    }
    lines
}

/// Characters that reorder how text is displayed (Trojan Source): shown escaped so a
/// description cannot make code read differently from what it is.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// A Swift string literal holding `value` exactly: `"`, `\` and every character outside
/// printable ASCII are escaped, so neither `\(` interpolation nor `"""` nor a line break can
/// come out of it.
pub fn string_literal(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            ' '..='~' => out.push(c),
            c => {
                let _ = write!(out, "\\u{{{:X}}}", c as u32);
            }
        }
    }
    out.push('"');
    out
}

/// One line of plain text for a `//` comment (titles in file headers).
pub fn one_line(text: &str) -> String {
    let cleaned: String = text.chars().map(|c| if c.is_control() || is_bidi_control(c) { ' ' } else { c }).collect();
    cleaned.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doc_comments_cannot_be_left() {
        let mut out = String::new();
        doc_comment(&mut out, "", [Some("a */ b\r\nc\u{2028}import Evil\u{0}\n\n\n")]);
        assert_eq!(out, "/// a */ b\n/// c\n/// import Evil\\u{0}\n");
    }

    #[test]
    fn string_literals_escape_everything_that_could_end_them() {
        assert_eq!(string_literal(r#"a"b\(c)"#), r#""a\"b\\(c)""#);
        assert_eq!(string_literal("\"\"\"\n"), r#""\"\"\"\u{A}""#);
        assert_eq!(string_literal("é\u{202E}"), r#""\u{E9}\u{202E}""#);
    }
}
