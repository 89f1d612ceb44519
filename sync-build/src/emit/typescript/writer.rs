//! Text building blocks for TypeScript output that prettier leaves unchanged: string literals,
//! property keys, doc comments, and the one line-width rule (80 columns) the emitters measure
//! against when they choose between a flat and a broken layout.

use std::fmt::Write as _;

/// prettier's default `printWidth`.
pub const WIDTH: usize = 80;

/// Whether `line` (without its newline) fits prettier's width. prettier counts characters by
/// their display width; the strings we emit are measured in chars, which matches for the text
/// specs carry except wide CJK characters, where a long line may break one column early.
pub fn fits(line: &str) -> bool {
    line.chars().count() <= WIDTH
}

/// A string literal as prettier prints it: in double quotes, unless the text has more double
/// than single quotes, then in single quotes (prettier keeps other escapes as written).
pub fn string_literal(value: &str) -> String {
    let doubles = value.matches('"').count();
    let singles = value.matches('\'').count();
    let quote = if doubles > singles { '\'' } else { '"' };
    let mut out = String::with_capacity(value.len() + 2);
    out.push(quote);
    for c in value.chars() {
        match c {
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            // Line and paragraph separators end a line inside a literal in older engines.
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            // Controls and bidirectional overrides are escaped, so the source shows what the
            // string holds rather than reordering the code around it ("Trojan Source").
            c if c.is_control() || is_bidi_control(c) => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

/// Unicode's explicit directional formatting characters (and the implicit marks).
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200e}' | '\u{200f}' | '\u{061c}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Text for a comment: control and bidirectional formatting characters written as `\u{...}`
/// escapes, so none can end the comment's line, hide in it, or reorder the code after it.
pub fn comment_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c == '\t' {
            out.push(' ');
        } else if c.is_control() || is_bidi_control(c) || c == '\u{2028}' || c == '\u{2029}' {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        } else {
            out.push(c);
        }
    }
    out
}

/// Whether `name` can stand unquoted as a property name. prettier (`quoteProps: "as-needed"`)
/// unquotes a key only when it is an ES5 identifier, so we use the same ASCII rule to agree with
/// it in both directions.
pub fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    match chars.next() {
        Some(c) if c.is_ascii_alphabetic() || c == '_' || c == '$' => {}
        _ => return false,
    }
    chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
}

/// A property key: the bare name when it is an identifier, else a string literal.
pub fn property_key(name: &str) -> String {
    if is_identifier(name) { name.to_owned() } else { string_literal(name) }
}

/// `object.name` or `object["name"]`.
pub fn member(object: &str, name: &str) -> String {
    if is_identifier(name) { format!("{object}.{name}") } else { format!("{object}[{}]", string_literal(name)) }
}

/// Appends a JSDoc comment at `indent` for the given paragraphs (`None`s and blank ones are
/// skipped); nothing when none is left. `*/` inside the text is broken up so a description can
/// never end the comment early, and trailing blanks are trimmed since prettier would drop them.
pub fn doc_comment<'a>(out: &mut String, indent: &str, parts: impl IntoIterator<Item = Option<&'a str>>) {
    let mut lines: Vec<String> = Vec::new();
    for part in parts.into_iter().flatten() {
        let text = part.trim();
        if text.is_empty() {
            continue;
        }
        if !lines.is_empty() {
            lines.push(String::new());
        }
        for line in text.lines() {
            lines.push(comment_text(line.trim_end()).replace("*/", "*\\/"));
        }
    }
    if lines.is_empty() {
        return;
    }
    if lines.len() == 1 && fits(&format!("{indent}/** {} */", lines[0])) {
        let _ = writeln!(out, "{indent}/** {} */", lines[0]);
        return;
    }
    let _ = writeln!(out, "{indent}/**");
    for line in &lines {
        if line.is_empty() {
            let _ = writeln!(out, "{indent} *");
        } else {
            let _ = writeln!(out, "{indent} * {line}");
        }
    }
    let _ = writeln!(out, "{indent} */");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_literals_escape_quotes_and_controls() {
        assert_eq!(string_literal(r#"a'b\c"#), r#""a'b\\c""#);
        assert_eq!(string_literal("x\ny\u{1}"), r#""x\ny\u0001""#);
        assert_eq!(string_literal(r#"say "hi" it's"#), r#"'say "hi" it\'s'"#);
        assert_eq!(string_literal("\u{202e}evil\u{0}"), r#""\u202eevil\u0000""#);
    }

    #[test]
    fn comments_show_controls_as_escapes() {
        assert_eq!(comment_text("a\u{0}b\u{202e}c\u{2028}d"), r"a\u{0}b\u{202e}c\u{2028}d");
    }

    #[test]
    fn keys_are_quoted_only_when_needed() {
        assert_eq!(property_key("name"), "name");
        assert_eq!(property_key("$ref"), "$ref");
        assert_eq!(property_key("x-rate"), "\"x-rate\"");
        assert_eq!(property_key("200"), "\"200\"");
        assert_eq!(member("row", "a-b"), "row[\"a-b\"]");
    }

    #[test]
    fn doc_comments_cannot_be_closed_by_their_text() {
        let mut out = String::new();
        doc_comment(&mut out, "  ", [Some("ends */ here"), None]);
        assert_eq!(out, "  /** ends *\\/ here */\n");
        let mut out = String::new();
        doc_comment(&mut out, "", [Some("Title"), Some("line one  \nline two")]);
        assert_eq!(out, "/**\n * Title\n *\n * line one\n * line two\n */\n");
    }
}
