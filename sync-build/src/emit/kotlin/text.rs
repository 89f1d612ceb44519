//! Kotlin text that spec strings cannot break out of: string literals, KDoc comments and XML
//! for the pom. A description, enum value or path is data; nothing in it may become code.

use std::fmt::Write as _;

/// A Kotlin string literal holding exactly `value`: quotes, backslashes and `$` (which would
/// start a template) are escaped, and control characters are written as `\uXXXX`.
pub fn string_literal(value: &str) -> String {
    format!("\"{}\"", string_content(value))
}

/// The inside of a string literal for `value` (see [`string_literal`]).
pub fn string_content(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '$' => out.push_str("\\$"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c == '\u{7f}' || c == '\u{2028}' || c == '\u{2029}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

/// One line of comment text that cannot end or open a comment: Kotlin block comments nest, so
/// `/*` would swallow the code after the comment just as `*/` would end it early. A `/` next to
/// a `*` is written as the HTML entity, which KDoc renders as `/`; control characters (other
/// than tab) are dropped.
fn comment_line(line: &str) -> String {
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::with_capacity(line.len());
    for (i, &c) in chars.iter().enumerate() {
        let touches_star = (i > 0 && chars[i - 1] == '*') || chars.get(i + 1) == Some(&'*');
        match c {
            '/' if touches_star => out.push_str("&#47;"),
            '\t' => out.push(' '),
            c if c.is_control() || c == '\u{2028}' || c == '\u{2029}' => {}
            c => out.push(c),
        }
    }
    out.trim_end().to_owned()
}

/// The width KDoc prose is wrapped at.
const WIDTH: usize = 100;

/// Appends `line` to `lines`, broken at spaces so no piece is wider than `width` (a single
/// word wider than that stays whole).
fn wrap(line: &str, width: usize, lines: &mut Vec<String>) {
    if line.chars().count() <= width {
        lines.push(line.to_owned());
        return;
    }
    let lead: String = line.chars().take_while(|c| *c == ' ').collect();
    let mut current = lead.clone();
    for word in line.split(' ').filter(|w| !w.is_empty()) {
        if current.trim().is_empty() {
            current.push_str(word);
        } else if current.chars().count() + 1 + word.chars().count() <= width {
            current.push(' ');
            current.push_str(word);
        } else {
            lines.push(std::mem::replace(&mut current, format!("{lead}{word}")));
        }
    }
    lines.push(current);
}

/// Appends a KDoc comment at `indent` for the given paragraphs (`None`s and blank ones are
/// skipped); nothing when none is left.
pub fn kdoc<'a>(out: &mut String, indent: &str, parts: impl IntoIterator<Item = Option<&'a str>>) {
    let mut lines: Vec<String> = Vec::new();
    for part in parts.into_iter().flatten() {
        let text = part.trim();
        if text.is_empty() {
            continue;
        }
        if !lines.is_empty() {
            lines.push(String::new());
        }
        let mut fenced = false;
        for line in text.lines().map(comment_line) {
            if line.trim_start().starts_with("```") {
                fenced = !fenced;
            }
            // Code, tables and indented blocks keep their lines; prose wraps.
            let keep = fenced || line.starts_with("    ") || line.trim_start().starts_with('|');
            if keep {
                lines.push(line);
            } else {
                wrap(&line, WIDTH.saturating_sub(indent.len() + 3).max(40), &mut lines);
            }
        }
    }
    while lines.last().is_some_and(String::is_empty) {
        lines.pop();
    }
    if lines.is_empty() {
        return;
    }
    if lines.len() == 1 && indent.len() + lines[0].chars().count() + 7 <= WIDTH {
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

/// Text for a KDoc code span (`` `GET /a` ``): a backtick in it would end the span.
pub fn code_span(text: &str) -> String {
    format!("`{}`", text.replace('`', "'"))
}

/// Text escaped for an XML element.
pub fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// `text` on one line, with runs of whitespace collapsed.
pub fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_literals_cannot_be_closed_or_templated() {
        assert_eq!(string_literal(r#"a"b\c"#), r#""a\"b\\c""#);
        assert_eq!(string_literal("${x} $y"), r#""\${x} \$y""#);
        assert_eq!(string_literal("x\ny\u{0}"), r#""x\ny\u0000""#);
    }

    #[test]
    fn comments_cannot_be_closed_or_nested() {
        let mut out = String::new();
        kdoc(&mut out, "", [Some("ends */ here /* and opens"), None]);
        assert_eq!(out, "/** ends *&#47; here &#47;* and opens */\n");
        let mut out = String::new();
        kdoc(&mut out, "    ", [Some("Title"), Some("line \u{0}one  \nline two")]);
        assert_eq!(out, "    /**\n     * Title\n     *\n     * line one\n     * line two\n     */\n");
        let mut out = String::new();
        kdoc(&mut out, "", [Some("/*/"), Some("**/**")]);
        assert!(!out[3..out.len() - 3].contains("*/") && !out[3..out.len() - 3].contains("/*"), "{out}");
    }

    #[test]
    fn xml_is_escaped() {
        assert_eq!(xml("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&apos;");
    }
}
