//! One emitter per target language. Each reads only the [`crate::model::Api`].

pub mod kotlin;
pub mod rust;
pub mod swift;
pub mod typescript;

use std::path::PathBuf;

/// A file an emitter produced, with its path relative to the output directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    pub path: PathBuf,
    pub contents: String,
}
