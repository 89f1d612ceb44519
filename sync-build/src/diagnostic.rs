//! Diagnostics a user can act on: what is wrong, where (file:line:column), and the offending line.

use crate::source::{SourceMap, Span};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    /// Generation goes on; something was skipped or assumed.
    Warning,
    /// The spec cannot be used as it is.
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub message: String,
    /// Where the problem is, with a short label; `None` when no place in a file applies (a file
    /// that cannot be read).
    pub primary: Option<(Span, String)>,
    /// Other places worth showing (the other half of a conflict, ...).
    pub secondary: Vec<(Span, String)>,
    /// What to do about it.
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn error(message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            message: message.into(),
            primary: None,
            secondary: Vec::new(),
            help: None,
        }
    }

    pub fn warning(message: impl Into<String>) -> Diagnostic {
        Diagnostic { severity: Severity::Warning, ..Diagnostic::error(message) }
    }

    pub fn at(mut self, span: Span, label: impl Into<String>) -> Diagnostic {
        self.primary = Some((span, label.into()));
        self
    }

    pub fn also(mut self, span: Span, label: impl Into<String>) -> Diagnostic {
        self.secondary.push((span, label.into()));
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// `path:line:column` of the primary place, when there is one.
    pub fn location(&self, sources: &SourceMap) -> Option<String> {
        self.primary.as_ref().map(|(span, _)| sources.location(*span))
    }

    /// Renders like rustc: the message, `--> file:line:col`, the offending line with a marker,
    /// then any other places and the help.
    pub fn render(&self, sources: &SourceMap, style: Style) -> String {
        let paint = Paint(style);
        let (word, color) = match self.severity {
            Severity::Error => ("error", RED),
            Severity::Warning => ("warning", YELLOW),
        };
        let excerpts: Vec<Excerpt> = self
            .primary
            .iter()
            .map(|(span, label)| Excerpt::new(sources, *span, label, true))
            .chain(self.secondary.iter().map(|(span, label)| Excerpt::new(sources, *span, label, false)))
            .collect();
        let gutter = excerpts.iter().map(|e| e.line.to_string().len()).max().unwrap_or(1);
        let pad = " ".repeat(gutter);
        let bar = paint.apply(BLUE, "|");
        let mut out = format!("{}{}", paint.apply(color, word), paint.bold(&format!(": {}", self.message)));
        for (index, excerpt) in excerpts.iter().enumerate() {
            let arrow = if index == 0 { "-->" } else { ":::" };
            out.push_str(&format!(
                "\n{pad}{} {}:{}:{}\n{pad} {bar}\n{} {bar} {}\n{pad} {bar} {}{} {}",
                paint.apply(BLUE, arrow),
                excerpt.path,
                excerpt.line,
                excerpt.column,
                paint.apply(BLUE, &format!("{:>gutter$}", excerpt.line)),
                excerpt.text,
                excerpt.marker_indent,
                paint.apply(if excerpt.primary { color } else { BLUE }, &excerpt.marker),
                paint.apply(if excerpt.primary { color } else { BLUE }, &excerpt.label),
            ));
        }
        if let Some(help) = &self.help {
            if excerpts.is_empty() {
                out.push_str(&format!("\n{} {help}", paint.apply(CYAN, "help:")));
            } else {
                out.push_str(&format!(
                    "\n{pad} {bar}\n{pad} {} {help}",
                    paint.apply(BLUE, &format!("= {}", paint.bold("help:")))
                ));
            }
        }
        out
    }
}

/// Whether rendered diagnostics carry terminal colours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Plain,
    Color,
}

const RED: &str = "\x1b[1;31m";
const YELLOW: &str = "\x1b[1;33m";
const BLUE: &str = "\x1b[1;34m";
const CYAN: &str = "\x1b[1;36m";
const RESET: &str = "\x1b[0m";

struct Paint(Style);

impl Paint {
    fn apply(&self, color: &str, text: &str) -> String {
        match self.0 {
            Style::Plain => text.to_owned(),
            Style::Color => format!("{color}{text}{RESET}"),
        }
    }

    fn bold(&self, text: &str) -> String {
        self.apply("\x1b[1m", text)
    }
}

/// The line of one annotation, cut out of its file.
struct Excerpt {
    path: String,
    /// 1-based line and character column of the span's start.
    line: usize,
    column: usize,
    /// The line (or, for a long line, a window of it).
    text: String,
    /// White space that puts the marker under the span (tabs kept, so it lines up).
    marker_indent: String,
    marker: String,
    label: String,
    primary: bool,
}

/// Lines longer than this (minified JSON is one line of megabytes) are shown as a window around
/// the span.
const WINDOW: usize = 60;

impl Excerpt {
    fn new(sources: &SourceMap, span: Span, label: &str, primary: bool) -> Excerpt {
        let file = sources.file(span.file);
        let index = file.line_index(span.start);
        // Long spans (a whole object) are marked on their first line only.
        let (line_start, line_end) = file.line_range(index);
        // A byte-order mark is neither shown nor counted.
        let line_start = if line_start == 0 && file.text.starts_with('\u{feff}') { 3 } else { line_start };
        let start = (span.start as usize).clamp(line_start, line_end);
        let end = (span.end as usize).clamp(start, line_end);
        let at = file.line_col(span.start);
        let before = |mut i: usize| {
            while !file.text.is_char_boundary(i) {
                i -= 1;
            }
            i
        };
        let after = |mut i: usize| {
            while !file.text.is_char_boundary(i) {
                i += 1;
            }
            i
        };
        let (cut_start, cut_end) = if line_end - line_start > 4 * WINDOW {
            (
                before(start.saturating_sub(WINDOW).max(line_start)),
                after((end.min(start + 2 * WINDOW) + WINDOW).min(line_end)),
            )
        } else {
            (line_start, line_end)
        };
        let ellipsis_before = if cut_start > line_start { "..." } else { "" };
        let ellipsis_after = if cut_end < line_end { "..." } else { "" };
        let text = format!("{ellipsis_before}{}{ellipsis_after}", &file.text[cut_start..cut_end]);
        let lead: String = file.text[cut_start..start].chars().map(|c| if c == '\t' { '\t' } else { ' ' }).collect();
        let width = file.text[start..end.min(cut_end).max(start)].chars().count().max(1);
        Excerpt {
            path: file.path.display().to_string(),
            line: at.line,
            column: at.column,
            text,
            marker_indent: format!("{}{lead}", " ".repeat(ellipsis_before.len())),
            marker: (if primary { "^" } else { "-" }).repeat(width),
            label: label.to_owned(),
            primary,
        }
    }
}

/// Renders a list of diagnostics, errors and warnings alike, separated by blank lines.
pub fn render_all(diagnostics: &[Diagnostic], sources: &SourceMap, style: Style) -> String {
    diagnostics.iter().map(|d| d.render(sources, style)).collect::<Vec<_>>().join("\n\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Span;

    fn sources(text: &str) -> (SourceMap, crate::source::FileId) {
        let mut map = SourceMap::default();
        let id = map.add("spec.yaml".into(), text.into());
        (map, id)
    }

    #[test]
    fn renders_location_line_and_marker() {
        let (map, file) = sources("paths:\n  /a:\n    x-sync: liev\n");
        let start = map.file(file).text.find("liev").unwrap();
        let rendered = Diagnostic::error("unknown `x-sync` mode `liev`")
            .at(Span::new(file, start, start + 4), "expected `live` or `push`")
            .help("did you mean `live`?")
            .render(&map, Style::Plain);
        assert!(rendered.contains("spec.yaml:3:13"), "{rendered}");
        assert!(rendered.contains("    x-sync: liev"), "{rendered}");
        assert!(rendered.contains("^^^^ expected `live` or `push`"), "{rendered}");
        assert!(rendered.contains("did you mean `live`?"), "{rendered}");
    }

    #[test]
    fn long_lines_are_windowed_but_keep_the_true_column() {
        let mut text = "{\"a\":\"".to_owned();
        text.push_str(&"x".repeat(100_000));
        text.push_str("\",\"bad\":1}");
        let (map, file) = sources(&text);
        let start = text.find("bad").unwrap();
        let rendered =
            Diagnostic::warning("odd").at(Span::new(file, start, start + 3), "here").render(&map, Style::Plain);
        assert!(rendered.contains(&format!("spec.yaml:1:{}", start + 1)), "{rendered}");
        assert!(rendered.len() < 1_000, "{rendered}");
    }
}
