//! Every file one spec is made of, parsed, and the `$ref`s between them.
//!
//! All files a spec reaches through `$ref` are read before lowering starts, so lowering can hold
//! references into any of them while it walks.

use std::path::{Path, PathBuf};

use crate::diagnostic::Diagnostic;
use crate::document::{self, Format, Node};
use crate::source::{FileId, SourceMap, Span};

/// Files larger than this cannot be addressed by our u32 spans.
const MAX_FILE_BYTES: u64 = u32::MAX as u64;

pub struct Documents {
    pub sources: SourceMap,
    /// Parsed roots, indexed by [`FileId`]; `None` where a file could not be parsed.
    roots: Vec<Option<Node>>,
}

/// Where a `$ref` points: a file and a JSON pointer inside it (`""` for the whole file).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Target {
    pub file: FileId,
    pub pointer: String,
}

impl Documents {
    /// Reads the root spec and every file it reaches through `$ref`. Problems with the files are
    /// diagnostics; only an unreadable root file is an `Err` (there is no text to point into).
    pub fn read(path: &Path, diagnostics: &mut Vec<Diagnostic>) -> Result<Documents, Diagnostic> {
        let text = read_text(path).map_err(Diagnostic::error)?;
        Ok(Documents::from_text(path, text, diagnostics))
    }

    /// A spec given as text (tests, and callers that hold the spec in memory). Relative-file
    /// `$ref`s resolve against `path`'s folder.
    pub fn from_text(path: &Path, text: String, diagnostics: &mut Vec<Diagnostic>) -> Documents {
        let mut documents = Documents { sources: SourceMap::default(), roots: Vec::new() };
        documents.add(normalize(path), text, diagnostics);
        if documents.parsed() {
            documents.follow_file_refs(diagnostics);
        }
        documents
    }

    /// Whether the root file parsed; when not, `diagnostics` say why and where.
    pub fn parsed(&self) -> bool {
        self.roots.first().is_some_and(Option::is_some)
    }

    fn add(&mut self, path: PathBuf, text: String, diagnostics: &mut Vec<Diagnostic>) -> FileId {
        let format = Format::of(&path, &text);
        let id = self.sources.add(path, text);
        let parsed = document::parse(&self.sources.file(id).text, id, format);
        match parsed {
            Ok(root) => self.roots.push(Some(root)),
            Err(diagnostic) => {
                diagnostics.push(diagnostic);
                self.roots.push(None);
            }
        }
        id
    }

    /// The sources, kept for diagnostics; the parsed trees are no longer needed.
    pub fn into_sources(self) -> SourceMap {
        self.sources
    }

    pub fn root(&self) -> &Node {
        self.roots[0].as_ref().expect("the root document parsed, or reading failed")
    }

    /// Reads, breadth first, every file named by a `$ref` in a file already read.
    fn follow_file_refs(&mut self, diagnostics: &mut Vec<Diagnostic>) {
        let mut next = 0;
        while next < self.roots.len() {
            let file = FileId(next as u32);
            let mut wanted = Vec::new();
            if let Some(root) = &self.roots[next] {
                collect_file_refs(root, &mut wanted);
            }
            for (reference, span, from_mapping) in wanted {
                let Some(path) = self.file_part(file, &reference) else {
                    continue;
                };
                if self.sources.find(&path).is_some() {
                    continue;
                }
                match read_text(&path) {
                    Ok(text) => {
                        self.add(path, text, diagnostics);
                    }
                    // A discriminator mapping that names a missing file loses one tag, not the spec.
                    Err(message) if from_mapping => diagnostics.push(
                        Diagnostic::warning(format!("discriminator mapping target `{reference}` cannot be read"))
                            .at(span, format!("{message}; the mapping entry is ignored")),
                    ),
                    Err(message) => diagnostics.push(
                        Diagnostic::error(format!("cannot resolve `$ref: {reference}`"))
                            .at(span, message)
                            .help("a `$ref` names a schema in this file (`#/components/schemas/Name`) or a file beside it (`./schemas/contact.yaml#/Contact`)"),
                    ),
                }
            }
            next += 1;
        }
    }

    /// The file a reference names, resolved against the referring file's folder; `None` for a
    /// reference within the same file. Remote (`http://`) references are not read.
    fn file_part(&self, from: FileId, reference: &str) -> Option<PathBuf> {
        let file_part = reference.split('#').next().unwrap_or("");
        if file_part.is_empty() || file_part.contains("://") {
            return None;
        }
        let base = self.sources.file(from).path.parent().unwrap_or(Path::new(""));
        Some(normalize(&base.join(percent_decode(file_part))))
    }

    /// Resolves `reference` written in `from`, returning the target and its node.
    pub fn resolve(&self, from: FileId, reference: &str) -> Result<(Target, &Node), String> {
        if reference.split('#').next().is_some_and(|f| f.contains("://")) {
            return Err(
                "remote references are not fetched; download the file and refer to it by a relative path".into()
            );
        }
        let (file, pointer) = match reference.split_once('#') {
            Some((file_part, pointer)) => (file_part, pointer),
            None => (reference, ""),
        };
        let target_file = if file.is_empty() {
            from
        } else {
            let path = self.file_part(from, reference).ok_or("not a file reference")?;
            self.sources.find(&path).ok_or_else(|| format!("file `{}` cannot be read", path.display()))?
        };
        let root = self.roots[target_file.0 as usize]
            .as_ref()
            .ok_or_else(|| format!("`{}` did not parse", self.sources.file(target_file).path.display()))?;
        let node = walk_pointer(root, pointer)?;
        // `%7B` and `{` name the same place: one target, one type.
        Ok((Target { file: target_file, pointer: percent_decode(pointer) }, node))
    }
}

fn read_text(path: &Path) -> Result<String, String> {
    let metadata = std::fs::metadata(path).map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
    if !metadata.is_file() {
        return Err(format!("`{}` is not a file", path.display()));
    }
    if metadata.len() > MAX_FILE_BYTES {
        return Err(format!("`{}` is larger than 4 GiB", path.display()));
    }
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
    String::from_utf8(bytes).map_err(|e| {
        format!("`{}` is not UTF-8 text (invalid byte at offset {})", path.display(), e.utf8_error().valid_up_to())
    })
}

/// Collects `$ref` strings that name another file, and whether each is a discriminator mapping.
fn collect_file_refs(node: &Node, out: &mut Vec<(String, Span, bool)>) {
    match &node.value {
        document::Value::Object(members) => {
            for member in members {
                if member.key == "$ref"
                    && let Some(reference) = member.value.as_str()
                    && !reference.starts_with('#')
                {
                    out.push((reference.to_owned(), member.value.span, false));
                } else if member.key == "discriminator" {
                    // Mapping values are references too (`Cat: ./pets.yaml#/Cat`); bare names
                    // (`Cat`) name component schemas and are not files.
                    for entry in member.value.get("mapping").map(Node::members).unwrap_or_default() {
                        if let Some(reference) = entry.value.as_str()
                            && !reference.starts_with('#')
                            && (reference.contains('#') || reference.contains('/') || reference.contains('.'))
                        {
                            out.push((reference.to_owned(), entry.value.span, true));
                        }
                    }
                } else {
                    collect_file_refs(&member.value, out);
                }
            }
        }
        document::Value::Array(items) => items.iter().for_each(|item| collect_file_refs(item, out)),
        _ => {}
    }
}

/// Follows a JSON pointer (`/components/schemas/Contact`, with `~1`, `~0` and `%XX` escapes).
pub fn walk_pointer<'a>(root: &'a Node, pointer: &str) -> Result<&'a Node, String> {
    let pointer = percent_decode(pointer);
    if pointer.is_empty() {
        return Ok(root);
    }
    let Some(rest) = pointer.strip_prefix('/') else {
        return Err(format!("`#{pointer}` is not a JSON pointer (it must start with `/`)"));
    };
    let mut node = root;
    for token in rest.split('/') {
        let token = token.replace("~1", "/").replace("~0", "~");
        let next = match &node.value {
            document::Value::Object(_) => node.get(&token),
            document::Value::Array(items) => token.parse::<usize>().ok().and_then(|i| items.get(i)),
            _ => None,
        };
        node = next.ok_or_else(|| format!("nothing at `#{pointer}`: no `{token}` there"))?;
    }
    Ok(node)
}

fn percent_decode(text: &str) -> String {
    if !text.contains('%') {
        return text.to_owned();
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| text.to_owned())
}

/// Removes `.` and `..` components so one file is never read twice under two names.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointers_unescape_tokens() {
        let mut diagnostics = Vec::new();
        let docs = Documents::from_text(
            Path::new("spec.json"),
            r#"{"paths": {"/a/{id}": {"get": {"x": [10, 20]}}}}"#.into(),
            &mut diagnostics,
        );
        let docs = docs;
        let (_, node) = docs.resolve(FileId(0), "#/paths/~1a~1%7Bid%7D/get/x/1").unwrap();
        assert_eq!(node.as_i64(), Some(20));
        let err = docs.resolve(FileId(0), "#/paths/~1b").unwrap_err();
        assert_eq!(err, "nothing at `#/paths/~1b`: no `/b` there");
    }

    #[test]
    fn normalizes_relative_paths() {
        assert_eq!(normalize(Path::new("a/./b/../c.yaml")), PathBuf::from("a/c.yaml"));
    }
}
