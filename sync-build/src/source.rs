//! The spec's text, kept so that every diagnostic can point into it.

use std::path::{Path, PathBuf};

/// Index into a [`SourceMap`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(pub u32);

/// A byte range in one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Span {
    pub file: FileId,
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(file: FileId, start: usize, end: usize) -> Span {
        // Files are capped at u32::MAX bytes when loaded, so these never truncate.
        Span { file, start: start as u32, end: end.max(start) as u32 }
    }
}

/// A position for people: 1-based line and column (in characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineCol {
    pub line: usize,
    pub column: usize,
}

/// One loaded file.
#[derive(Debug)]
pub struct SourceFile {
    /// The path as the user gave it (or as a `$ref` resolved it), for messages.
    pub path: PathBuf,
    pub text: String,
    /// Byte offset at which each line starts, computed when a diagnostic first needs it: most
    /// loads never point into the file, and finding half a million newlines is not free.
    line_starts: std::sync::OnceLock<Vec<u32>>,
}

impl SourceFile {
    fn new(path: PathBuf, text: String) -> SourceFile {
        SourceFile { path, text, line_starts: std::sync::OnceLock::new() }
    }

    fn line_starts(&self) -> &[u32] {
        self.line_starts.get_or_init(|| {
            let mut starts = vec![0];
            // `match_indices` with a char searches with memchr, much faster than a byte loop.
            starts.extend(self.text.match_indices('\n').map(|(i, _)| i as u32 + 1));
            starts
        })
    }

    /// 1-based line and column of a byte offset.
    pub fn line_col(&self, offset: u32) -> LineCol {
        let line = self.line_index(offset);
        let mut start = self.line_starts()[line] as usize;
        // A byte-order mark is not a column.
        if start == 0 && self.text.starts_with('\u{feff}') {
            start = 3;
        }
        let end = (offset as usize).clamp(start, self.text.len());
        let column = self.text.get(start..end).map_or(end - start, |s| s.chars().count()) + 1;
        LineCol { line: line + 1, column }
    }

    /// 0-based index of the line holding `offset`.
    pub fn line_index(&self, offset: u32) -> usize {
        self.line_starts().partition_point(|&start| start <= offset) - 1
    }

    /// Byte range of the 0-based line `index`, without its line break.
    pub fn line_range(&self, index: usize) -> (usize, usize) {
        let start = self.line_starts()[index] as usize;
        let end = self.line_starts().get(index + 1).map_or(self.text.len(), |&next| next as usize);
        let line = &self.text[start..end];
        let trimmed = line.trim_end_matches(['\n', '\r']);
        (start, start + trimmed.len())
    }

    /// Byte offset of a 1-based line and 0-based character column.
    pub fn offset_of(&self, line: usize, char_column: usize) -> usize {
        let Some(&start) = self.line_starts().get(line.saturating_sub(1)) else {
            return self.text.len();
        };
        let start = start as usize;
        let rest = &self.text[start..];
        rest.char_indices().nth(char_column).map_or(self.text.len(), |(i, _)| start + i)
    }
}

/// All files one load read: the root spec and every file it `$ref`s.
#[derive(Debug, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

impl SourceMap {
    pub fn add(&mut self, path: PathBuf, text: String) -> FileId {
        let id = FileId(self.files.len() as u32);
        self.files.push(SourceFile::new(path, text));
        id
    }

    pub fn file(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    pub fn find(&self, path: &Path) -> Option<FileId> {
        self.files.iter().position(|f| f.path == path).map(|i| FileId(i as u32))
    }

    pub fn files(&self) -> impl Iterator<Item = &SourceFile> {
        self.files.iter()
    }

    /// `path:line:column` of a span's start.
    pub fn location(&self, span: Span) -> String {
        let file = self.file(span.file);
        let at = file.line_col(span.start);
        format!("{}:{}:{}", file.path.display(), at.line, at.column)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_columns_are_one_based_and_count_characters() {
        let mut map = SourceMap::default();
        let id = map.add("a.yaml".into(), "a: 1\nnäme: x\n".into());
        let file = map.file(id);
        assert_eq!(file.line_col(0), LineCol { line: 1, column: 1 });
        let x = file.text.find('x').unwrap() as u32;
        assert_eq!(file.line_col(x), LineCol { line: 2, column: 7 });
        assert_eq!(file.offset_of(2, 6), x as usize);
        assert_eq!(file.line_range(1), (5, 13));
        assert_eq!(map.location(Span::new(id, x as usize, x as usize + 1)), "a.yaml:2:7");
    }
}
