//! `sync_build::Builder`: code generation from a build script, in the style of `prost-build`.
//!
//! ```no_run
//! // build.rs
//! fn main() -> Result<(), sync_build::BuildError> {
//!     sync_build::Builder::new("openapi.yaml").typescript("web/src/api").generate()?;
//!     Ok(())
//! }
//! // src/lib.rs: sync_runtime::include_api!();
//! ```
//!
//! The Rust client is written to `OUT_DIR` (as `sync_api.rs` unless renamed) for `include!`;
//! foreign-language clients go to the folders given. A file is only written when its content
//! changed, so web tooling watching those folders does not rebuild for nothing. Cargo is told
//! to rerun the build script when the spec or any file it `$ref`s changes.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use crate::emit::GeneratedFile;
use crate::emit::kotlin::{self, KotlinOptions};
use crate::emit::rust::{self, RustOptions};
use crate::emit::swift::{self, SwiftOptions};
use crate::emit::typescript::{self, TypeScriptOptions};
use crate::passes::{ModelOptions, Subset};
use crate::{LoadError, Style, load_with, write_if_changed};

/// Warnings beyond this many are counted, not printed, so a large spec cannot flood the build.
const MAX_PRINTED_WARNINGS: usize = 20;

/// Generates clients from one spec; see the [module docs](self).
#[derive(Debug, Clone)]
pub struct Builder {
    spec: PathBuf,
    rust_file: Option<String>,
    rust_options: RustOptions,
    out_dir: Option<PathBuf>,
    typescript: Option<(PathBuf, TypeScriptOptions)>,
    swift: Option<PathBuf>,
    kotlin: Option<(PathBuf, KotlinOptions)>,
    invalid_derives: Vec<String>,
    cargo_output: bool,
    model_options: ModelOptions,
}

/// What [`Builder::generate`] did.
#[derive(Debug, Clone, Default)]
pub struct Generated {
    /// The Rust file, when Rust was generated.
    pub rust_file: Option<PathBuf>,
    /// Files written because they were new or changed.
    pub written: Vec<PathBuf>,
    /// Files left alone because they already held the generated content.
    pub unchanged: Vec<PathBuf>,
}

/// Why generation failed. `Debug` shows the same text as `Display`, so `main() -> Result<..>`
/// in a build script prints the spec's located diagnostics, not a struct dump.
#[derive(thiserror::Error)]
pub enum BuildError {
    #[error("the OpenAPI spec cannot be used:\n{}", .0.render(Style::Plain))]
    Load(#[from] LoadError),
    #[error("OUT_DIR is not set: run from a build script, or call `.out_dir(...)`")]
    NoOutDir,
    #[error("invalid derive `{0}`: expected a path such as `Hash` or `schemars::JsonSchema`")]
    Derive(String),
    #[error("{language} clients are not built yet: sync-patterns generates Rust and TypeScript today")]
    NotYetBuilt { language: &'static str },
    #[error("could not write `{}`: {source}", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

impl fmt::Debug for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl Builder {
    /// A builder for the spec at `spec` (relative to the crate's directory in a build script).
    pub fn new(spec: impl AsRef<Path>) -> Self {
        Builder {
            spec: spec.as_ref().to_owned(),
            rust_file: Some("sync_api.rs".to_owned()),
            rust_options: RustOptions::default(),
            out_dir: None,
            typescript: None,
            swift: None,
            kotlin: None,
            invalid_derives: Vec::new(),
            cargo_output: true,
            model_options: ModelOptions::default(),
        }
    }

    /// Where the Rust file goes (default: `OUT_DIR`).
    pub fn out_dir(mut self, dir: impl AsRef<Path>) -> Self {
        self.out_dir = Some(dir.as_ref().to_owned());
        self
    }

    /// The Rust file's name in the output directory (default `sync_api.rs`, which
    /// `sync_runtime::include_api!()` includes).
    pub fn rust_file_name(mut self, name: impl Into<String>) -> Self {
        self.rust_file = Some(name.into());
        self
    }

    /// Generates no Rust (a build script that only writes foreign-language clients).
    pub fn no_rust(mut self) -> Self {
        self.rust_file = None;
        self
    }

    /// An extra derive for every generated Rust model type (`"Eq"`, `"Hash"`, ...).
    pub fn derive(mut self, path: &str) -> Self {
        match syn::parse_str::<syn::Path>(path) {
            Ok(path) => self.rust_options.derives.push(path),
            Err(_) => self.invalid_derives.push(path.to_owned()),
        }
        self
    }

    /// Writes the TypeScript client (and React layer) into `dir`.
    pub fn typescript(self, dir: impl AsRef<Path>) -> Self {
        self.typescript_with(dir, TypeScriptOptions::default())
    }

    pub fn typescript_with(mut self, dir: impl AsRef<Path>, options: TypeScriptOptions) -> Self {
        self.typescript = Some((dir.as_ref().to_owned(), options));
        self
    }

    /// Writes the Swift package (`Package.swift`, `Sources/<Module>/...`) into `dir`.
    pub fn swift(mut self, dir: impl AsRef<Path>) -> Self {
        self.swift = Some(dir.as_ref().to_owned());
        self
    }

    /// Writes the Kotlin client, a Maven project (`pom.xml`, `src/main/kotlin/...`), into `dir`.
    pub fn kotlin(self, dir: impl AsRef<Path>) -> Self {
        self.kotlin_with(dir, KotlinOptions::default())
    }

    /// [`kotlin`](Self::kotlin) with options (the package, from
    /// [`KotlinOptions::with_package`]).
    pub fn kotlin_with(mut self, dir: impl AsRef<Path>, options: KotlinOptions) -> Self {
        self.kotlin = Some((dir.as_ref().to_owned(), options));
        self
    }

    /// Generates only the operations with one of these tags (and what they need); combines
    /// with [`paths`](Self::paths) and [`operations`](Self::operations) as a union.
    pub fn tags<S: Into<String>>(mut self, tags: impl IntoIterator<Item = S>) -> Self {
        self.subset().tags.extend(tags.into_iter().map(Into::into));
        self
    }

    /// Generates only the operations under these path prefixes (`"/repos"`), by whole segments.
    pub fn paths<S: Into<String>>(mut self, prefixes: impl IntoIterator<Item = S>) -> Self {
        self.subset().paths.extend(prefixes.into_iter().map(Into::into));
        self
    }

    /// Generates only these operations, by `operationId`.
    pub fn operations<S: Into<String>>(mut self, ids: impl IntoIterator<Item = S>) -> Self {
        self.subset().operations.extend(ids.into_iter().map(Into::into));
        self
    }

    fn subset(&mut self) -> &mut Subset {
        self.model_options.subset.get_or_insert_with(Subset::default)
    }

    /// Enums reject values the spec does not list. By default an unknown value decodes into a
    /// fallback variant, since APIs add values and an app in users' hands cannot be updated.
    pub fn strict_enums(mut self) -> Self {
        self.model_options.strict_enums = true;
        self
    }

    /// Whether to print `cargo:` instructions (rerun triggers, warnings); on by default. Turn
    /// off when calling from something other than a build script.
    pub fn cargo_output(mut self, enabled: bool) -> Self {
        self.cargo_output = enabled;
        self
    }

    /// Loads the spec and writes every requested client.
    pub fn generate(self) -> Result<Generated, BuildError> {
        if let Some(derive) = self.invalid_derives.first() {
            return Err(BuildError::Derive(derive.clone()));
        }
        let rust_target = match &self.rust_file {
            Some(name) => {
                let dir = match &self.out_dir {
                    Some(dir) => dir.clone(),
                    None => std::env::var_os("OUT_DIR").map(PathBuf::from).ok_or(BuildError::NoOutDir)?,
                };
                Some(dir.join(name))
            }
            None => None,
        };

        // Rerun triggers first: a spec that fails to load must still be watched.
        if self.cargo_output {
            println!("cargo:rerun-if-changed={}", self.spec.display());
        }
        let loaded = load_with(&self.spec, &self.model_options)?;
        if self.cargo_output {
            for file in loaded.api.source_files.iter().filter(|f| **f != self.spec) {
                println!("cargo:rerun-if-changed={}", file.display());
            }
            for warning in loaded.warnings.iter().take(MAX_PRINTED_WARNINGS) {
                let at = warning.location(&loaded.sources).map(|at| format!("{at}: ")).unwrap_or_default();
                println!("cargo:warning={at}{}", warning.message.replace('\n', " "));
            }
            if loaded.warnings.len() > MAX_PRINTED_WARNINGS {
                let more = loaded.warnings.len() - MAX_PRINTED_WARNINGS;
                println!("cargo:warning=... and {more} more warnings (run `sync-patterns check` to see them all)");
            }
        }

        // The languages are independent: the foreign ones are emitted on threads of their own
        // while Rust (whose settings hold `syn` paths, which stay on one thread) is emitted
        // here; then everything is written in a fixed order.
        let api = &loaded.api;
        let (rust_code, foreign) = std::thread::scope(|scope| {
            let mut foreign: Vec<_> = Vec::new();
            if let Some((dir, options)) = &self.typescript {
                foreign.push((dir, scope.spawn(move || typescript::emit(api, options))));
            }
            if let Some(dir) = &self.swift {
                foreign.push((dir, scope.spawn(move || swift::emit(api, &SwiftOptions::default()))));
            }
            if let Some((dir, options)) = &self.kotlin {
                foreign.push((dir, scope.spawn(move || kotlin::emit(api, options))));
            }
            let rust = rust_target.as_ref().map(|_| rust::file(api, &self.rust_options));
            let foreign: Vec<_> = foreign
                .into_iter()
                .map(|(dir, handle)| (dir, handle.join().expect("an emitter does not panic")))
                .collect();
            (rust, foreign)
        });
        let mut generated = Generated::default();
        if let (Some(path), Some(code)) = (rust_target, rust_code) {
            write_file(&path, &code, &mut generated)?;
            generated.rust_file = Some(path);
        }
        for (dir, files) in foreign {
            for GeneratedFile { path, contents } in files {
                write_file(&dir.join(path), &contents, &mut generated)?;
            }
        }
        Ok(generated)
    }
}

/// Writes `contents` to `path` unless it already holds exactly that, and notes which it was.
fn write_file(path: &Path, contents: &str, generated: &mut Generated) -> Result<(), BuildError> {
    match write_if_changed(path, contents) {
        Ok(true) => generated.written.push(path.to_owned()),
        Ok(false) => generated.unchanged.push(path.to_owned()),
        Err(source) => return Err(BuildError::Write { path: path.to_owned(), source }),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::fs;

    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("sync-build-builder-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    const SPEC: &str = "openapi: 3.1.0\ninfo: {title: T, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n    Thing:\n      type: object\n      properties:\n        name: {type: string}\n";

    #[test]
    fn writes_rust_once_and_skips_unchanged_content() {
        let dir = scratch("rust");
        fs::write(dir.join("openapi.yaml"), SPEC).unwrap();
        let build = || Builder::new(dir.join("openapi.yaml")).out_dir(&dir).cargo_output(false).generate().unwrap();
        let first = build();
        let file = dir.join("sync_api.rs");
        assert_eq!(first.rust_file.as_deref(), Some(file.as_path()));
        assert_eq!(first.written, vec![file.clone()]);
        assert!(fs::read_to_string(&file).unwrap().contains("pub struct Thing"));
        let modified = fs::metadata(&file).unwrap().modified().unwrap();
        let second = build();
        assert!(second.written.is_empty());
        assert_eq!(second.unchanged, vec![file.clone()]);
        assert_eq!(fs::metadata(&file).unwrap().modified().unwrap(), modified);
    }

    #[test]
    fn swift_package_lands_in_its_folder() {
        let dir = scratch("swift");
        fs::write(dir.join("openapi.yaml"), SPEC).unwrap();
        let generated = Builder::new(dir.join("openapi.yaml"))
            .no_rust()
            .swift(dir.join("ios"))
            .cargo_output(false)
            .generate()
            .unwrap();
        assert!(generated.written.contains(&dir.join("ios/Package.swift")));
        assert!(generated.written.iter().all(|p| p.starts_with(dir.join("ios"))));
        let models = fs::read_to_string(dir.join("ios/Sources/TAPI/Models.swift")).unwrap();
        assert!(models.contains("public struct Thing: Codable, Hashable, Sendable {"), "{models}");
    }

    #[test]
    fn kotlin_project_lands_in_its_folder() {
        let dir = scratch("kotlin");
        fs::write(dir.join("openapi.yaml"), SPEC).unwrap();
        let options = KotlinOptions::with_package("com.example.t").unwrap();
        let generated = Builder::new(dir.join("openapi.yaml"))
            .no_rust()
            .kotlin_with(dir.join("android"), options)
            .cargo_output(false)
            .generate()
            .unwrap();
        assert!(generated.written.contains(&dir.join("android/pom.xml")));
        assert!(generated.written.iter().all(|p| p.starts_with(dir.join("android"))));
        let models = fs::read_to_string(dir.join("android/src/main/kotlin/com/example/t/Models.kt")).unwrap();
        assert!(models.contains("data class Thing("), "{models}");
    }

    #[test]
    fn bad_specs_and_derives_explain_themselves() {
        let dir = scratch("bad");
        fs::write(dir.join("openapi.yaml"), "openapi: 3.1.0\ninfo: [\n").unwrap();
        let err = Builder::new(dir.join("openapi.yaml")).out_dir(&dir).cargo_output(false).generate().unwrap_err();
        let text = format!("{err:?}");
        assert!(text.contains("openapi.yaml:"), "located: {text}");
        let err = Builder::new(dir.join("openapi.yaml")).derive("not a path").generate().unwrap_err();
        assert!(matches!(err, BuildError::Derive(_)));
    }

    #[test]
    fn typescript_files_land_in_their_folder() {
        let dir = scratch("ts");
        fs::write(dir.join("openapi.yaml"), SPEC).unwrap();
        let generated = Builder::new(dir.join("openapi.yaml"))
            .no_rust()
            .typescript(dir.join("web"))
            .cargo_output(false)
            .generate()
            .unwrap();
        assert!(generated.rust_file.is_none());
        assert!(!generated.written.is_empty());
        assert!(generated.written.iter().all(|p| p.starts_with(dir.join("web"))));
    }
}
