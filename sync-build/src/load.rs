//! The entry points: a spec file in, the model (or located diagnostics) out.

use std::path::Path;

use crate::diagnostic::{Diagnostic, Severity, Style, render_all};
use crate::documents::Documents;
use crate::lower;
use crate::model::Api;
use crate::passes::{self, ModelOptions};
use crate::source::SourceMap;

/// A spec that loaded: its model, and warnings about what was skipped or assumed.
#[derive(Debug)]
pub struct Loaded {
    pub api: Api,
    pub warnings: Vec<Diagnostic>,
    pub sources: SourceMap,
}

impl Loaded {
    /// The warnings, rendered with the spec lines they point at.
    pub fn render_warnings(&self, style: Style) -> String {
        render_all(&self.warnings, &self.sources, style)
    }
}

/// A spec that cannot be used, with every problem found (errors first, then warnings).
#[derive(Debug, thiserror::Error)]
#[error("{}", self.summary())]
pub struct LoadError {
    diagnostics: Vec<Diagnostic>,
    sources: SourceMap,
}

impl LoadError {
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    pub fn sources(&self) -> &SourceMap {
        &self.sources
    }

    /// Every diagnostic, rendered like rustc's: message, `--> file:line:col`, the offending line.
    pub fn render(&self, style: Style) -> String {
        render_all(&self.diagnostics, &self.sources, style)
    }

    /// The first error in one line: `file:line:col: message`.
    pub fn summary(&self) -> String {
        let first = self.diagnostics.iter().find(|d| d.is_error()).or(self.diagnostics.first());
        let Some(first) = first else {
            return "the spec could not be loaded".into();
        };
        let errors = self.diagnostics.iter().filter(|d| d.is_error()).count();
        let more = if errors > 1 { format!(" (and {} more errors)", errors - 1) } else { String::new() };
        match first.location(&self.sources) {
            Some(at) => format!("{at}: {}{more}", first.message),
            None => format!("{}{more}", first.message),
        }
    }
}

/// Loads the spec at `path` (YAML or JSON, OpenAPI 3.0 or 3.1) and every file it `$ref`s.
pub fn load(path: impl AsRef<Path>) -> Result<Loaded, LoadError> {
    load_with(path, &ModelOptions::default())
}

/// [`load`], with settings that shape the model: strict enums, or only part of the API.
pub fn load_with(path: impl AsRef<Path>, options: &ModelOptions) -> Result<Loaded, LoadError> {
    let path = path.as_ref();
    let mut diagnostics = Vec::new();
    match Documents::read(path, &mut diagnostics) {
        Ok(docs) => finish(docs, diagnostics, options),
        Err(diagnostic) => {
            diagnostics.insert(0, diagnostic);
            Err(LoadError { diagnostics, sources: SourceMap::default() })
        }
    }
}

/// Loads a spec held in memory; `path` names it in messages and anchors relative `$ref`s.
pub fn load_text(path: impl AsRef<Path>, text: impl Into<String>) -> Result<Loaded, LoadError> {
    load_text_with(path, text, &ModelOptions::default())
}

/// [`load_text`] with [`ModelOptions`].
pub fn load_text_with(
    path: impl AsRef<Path>,
    text: impl Into<String>,
    options: &ModelOptions,
) -> Result<Loaded, LoadError> {
    let mut diagnostics = Vec::new();
    let docs = Documents::from_text(path.as_ref(), text.into(), &mut diagnostics);
    finish(docs, diagnostics, options)
}

fn finish(docs: Documents, mut diagnostics: Vec<Diagnostic>, options: &ModelOptions) -> Result<Loaded, LoadError> {
    let mut api = if docs.parsed() { lower::lower(&docs, options, &mut diagnostics) } else { None };
    if let Some(model) = &mut api
        && !diagnostics.iter().any(Diagnostic::is_error)
        && let Err(error) = passes::run(model, options)
    {
        diagnostics.push(Diagnostic::error(error.to_string()));
    }
    let sources = docs.into_sources();
    // Errors first, each group in the order found: the first thing shown is the first to fix.
    diagnostics.sort_by_key(|d| std::cmp::Reverse(d.severity));
    match api {
        Some(api) if !diagnostics.iter().any(|d| d.severity == Severity::Error) => {
            Ok(Loaded { api, warnings: diagnostics, sources })
        }
        _ => Err(LoadError { diagnostics, sources }),
    }
}
