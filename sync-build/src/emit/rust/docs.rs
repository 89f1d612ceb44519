//! Spec descriptions as doc attributes.
//!
//! Text goes through `#[doc = "..."]` string literals built by `quote`, so nothing in it (`*/`,
//! backticks, `#[`, quotes) can end the comment or inject code. What remains is Markdown that
//! rustdoc and clippy read, so a little is normalised: code fences without a language become
//! `text` (rustdoc would compile them as doctests), indented code blocks lose their indent for
//! the same reason, and list continuations are indented to their item (clippy's
//! `doc_lazy_continuation`), so generated code stays warning-free.

use proc_macro2::TokenStream;
use quote::quote;

/// Doc attributes for paragraphs (each already Markdown), skipping empty ones.
pub(super) fn attrs<'a>(paragraphs: impl IntoIterator<Item = Option<&'a str>>) -> TokenStream {
    let mut lines: Vec<String> = Vec::new();
    for paragraph in paragraphs.into_iter().flatten() {
        let text = normalise(paragraph);
        if text.is_empty() {
            continue;
        }
        if !lines.is_empty() {
            lines.push(String::new());
        }
        lines.extend(text.lines().map(str::to_owned));
    }
    let lines = lines.iter().map(|line| if line.is_empty() { String::new() } else { format!(" {line}") });
    quote! { #( #[doc = #lines] )* }
}

/// Text a comment cannot carry as it is, made visible: control characters (NUL, ...) and the
/// bidirectional overrides that could make the code read differently from how it compiles
/// (rustc denies them in comments: `text_direction_codepoint_in_comment`) become `\u{…}`.
/// Line breaks and tabs are left to the caller.
pub(super) fn visible(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let hidden = (c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
            || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{061c}');
        if hidden {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out
}

fn normalise(text: &str) -> String {
    // Tabs render unpredictably in docs (clippy's `tabs_in_doc_comments`).
    let text = visible(text).replace("\r\n", "\n").replace('\r', "\n").replace('\t', "    ");
    let raw: Vec<&str> = text.lines().map(str::trim_end).collect();
    // Remove the indentation every line shares (descriptions written as indented YAML blocks).
    let common = raw.iter().filter(|line| !line.trim().is_empty()).map(|line| indent_of(line)).min().unwrap_or(0);

    let mut out: Vec<String> = Vec::new();
    let mut fence: Option<String> = None;
    // The column list-item content starts at, while inside a list item's paragraph.
    let mut list_content: Option<usize> = None;
    let mut after_blank = true;
    // Inside a block quote, whose lazy continuations get their `>` back.
    let mut in_quote = false;
    for line in &raw {
        let line = line.get(common..).unwrap_or_else(|| line.trim_start());
        let trimmed = line.trim_start();
        if let Some(marker) = &fence {
            if trimmed.starts_with(marker.as_str()) {
                fence = None;
            }
            out.push(line.to_owned());
            continue;
        }
        if let Some(marker) = fence_marker(trimmed) {
            let info = trimmed[marker.len()..].trim();
            let is_rust = info.is_empty()
                || info.split(',').any(|word| {
                    matches!(
                        word.trim(),
                        "rust"
                            | "ignore"
                            | "no_run"
                            | "should_panic"
                            | "compile_fail"
                            | "edition2018"
                            | "edition2021"
                            | "edition2024"
                    )
                });
            let indent = &line[..line.len() - trimmed.len()];
            out.push(if is_rust { format!("{indent}{marker}text") } else { line.to_owned() });
            fence = Some(marker);
            list_content = None;
            after_blank = false;
            continue;
        }
        if trimmed.is_empty() {
            out.push(String::new());
            list_content = None;
            after_blank = true;
            in_quote = false;
            continue;
        }
        let indent = indent_of(line);
        if trimmed.starts_with('>') {
            in_quote = true;
            out.push(line.to_owned());
        } else if in_quote {
            out.push(format!("> {trimmed}"));
        } else if let Some(width) = list_marker_width(trimmed) {
            list_content = Some(indent + width);
            out.push(line.to_owned());
        } else if let Some(column) = list_content {
            // A continuation of the list item's paragraph: indent it to the item's content.
            out.push(format!("{}{trimmed}", " ".repeat(column)));
        } else if after_blank && indent >= 4 {
            // Would be an indented code block, which rustdoc runs as a doctest.
            out.push(trimmed.to_owned());
        } else {
            out.push(line.to_owned());
        }
        after_blank = false;
    }
    if let Some(marker) = fence {
        out.push(marker);
    }
    while out.last().is_some_and(String::is_empty) {
        out.pop();
    }
    while out.first().is_some_and(String::is_empty) {
        out.remove(0);
    }
    out.join("\n")
}

fn indent_of(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

/// The fence (three or more backticks or tildes) a line opens with.
fn fence_marker(trimmed: &str) -> Option<String> {
    for c in ['`', '~'] {
        let count = trimmed.chars().take_while(|&x| x == c).count();
        if count >= 3 {
            return Some(c.to_string().repeat(count));
        }
    }
    None
}

/// The width of a list marker and the spaces after it (`- `, `*   `, `12. `), if the line has
/// one: where the item's content, and so its continuation lines, start.
fn list_marker_width(trimmed: &str) -> Option<usize> {
    let bytes = trimmed.as_bytes();
    let marker = if bytes.first().is_some_and(|b| matches!(b, b'-' | b'*' | b'+')) {
        1
    } else {
        let digits = bytes.iter().take_while(|b| b.is_ascii_digit()).count();
        if !(1..=9).contains(&digits) || !bytes.get(digits).is_some_and(|b| matches!(b, b'.' | b')')) {
            return None;
        }
        digits + 1
    };
    let spaces = bytes[marker..].iter().take_while(|&&b| b == b' ').count();
    // One to four spaces; more would make the content an indented code block.
    (1..=4).contains(&spaces).then_some(marker + spaces)
}

#[cfg(test)]
mod tests {
    use super::normalise;

    #[test]
    fn code_that_rustdoc_would_run_becomes_text() {
        assert_eq!(normalise("Example:\n```\nlet x = 1;\n```"), "Example:\n```text\nlet x = 1;\n```");
        assert_eq!(normalise("```json\n{}\n```"), "```json\n{}\n```");
        assert_eq!(normalise("Run:\n\n    cargo run\n"), "Run:\n\ncargo run");
        assert_eq!(normalise("```\nunclosed"), "```text\nunclosed\n```");
    }

    #[test]
    fn list_continuations_are_indented() {
        assert_eq!(normalise("- one\ncontinued\n\nafter"), "- one\n  continued\n\nafter");
        assert_eq!(normalise("1. one\n     over"), "1. one\n   over");
    }

    #[test]
    fn wide_list_markers_quotes_and_tabs() {
        assert_eq!(normalise("*   one\ntwo"), "*   one\n    two");
        assert_eq!(normalise("> [!NOTE]\n> quoted\nlazy"), "> [!NOTE]\n> quoted\n> lazy");
        assert_eq!(normalise("a\tb"), "a    b");
        assert_eq!(normalise("**bold** text"), "**bold** text");
    }

    #[test]
    fn hidden_characters_are_made_visible() {
        assert_eq!(normalise("a\u{0}b \u{202e}c\u{2066} 🎉 */ #[x]"), "a\\u{0}b \\u{202e}c\\u{2066} 🎉 */ #[x]");
    }

    #[test]
    fn shared_indentation_is_removed() {
        assert_eq!(normalise("    a\n      b"), "a\n  b");
    }
}
