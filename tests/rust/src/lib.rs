//! Shared helpers for the Rust front's tests and benchmark: where the repo and the corpus are,
//! and generating a throwaway workspace of generated crates.

pub mod live_support;
pub mod server;

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use sync_build::emit::rust::{RustOptions, file};

/// The repository root (this crate lives in `tests/rust`).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("the repo root exists")
}

/// `../shared/corpus/specs/` beside the repo.
pub fn corpus_dir() -> PathBuf {
    repo_root().join("../shared/corpus/specs")
}

/// This crate's own test specs.
pub fn spec(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("specs").join(name)
}

/// The valid specs of the corpus (the files directly in it; `invalid/` is not), sorted.
pub fn corpus_specs() -> Vec<PathBuf> {
    let mut specs: Vec<PathBuf> = fs::read_dir(corpus_dir())
        .expect("the corpus exists at ../shared/corpus/specs")
        .map(|entry| entry.expect("a readable corpus entry").path())
        .filter(|path| {
            path.is_file() && matches!(path.extension().and_then(|e| e.to_str()), Some("json" | "yaml" | "yml"))
        })
        .collect();
    specs.sort();
    specs
}

/// The crate name for a spec file (`github-api.json` -> `spec-github-api`).
pub fn crate_name(spec: &Path) -> String {
    let stem = spec.file_stem().and_then(|s| s.to_str()).unwrap_or("spec");
    let cleaned: String =
        stem.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect();
    format!("spec-{cleaned}")
}

/// What happened to one spec when its crate was generated.
pub struct Generated {
    pub spec: PathBuf,
    pub crate_name: String,
    /// `Err` holds the loader's message when the spec did not load.
    pub result: Result<(), String>,
}

/// Corpus specs too large to compile whole on every CI run, with the part that CI compiles
/// instead: the tags, or path prefixes, a typical app uses. `SYNC_CORPUS_FULL=1`, and the
/// corpus report (`scripts/corpus-report.py`), compile them whole. `stripe.json` is compiled
/// whole; `stripe-yaml.yaml` is the same API in YAML, so CI compiles a part of it.
pub const HEAVY_SPECS: &[(&str, &[&str], &[&str])] = &[
    ("github-api.json", &["repos", "issues"], &[]),
    ("stripe-yaml.yaml", &[], &["/v1/customers", "/v1/payment_intents", "/v1/subscriptions"]),
];

/// The model settings a corpus spec is compiled with: everything, or for a heavy spec its part
/// (unless `whole`).
pub fn corpus_options(spec: &Path, whole: bool) -> sync_build::ModelOptions {
    let name = spec.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    let subset = HEAVY_SPECS.iter().find(|(heavy, _, _)| *heavy == name).filter(|_| !whole).map(|(_, tags, paths)| {
        sync_build::Subset {
            tags: tags.iter().map(|t| t.to_string()).collect(),
            paths: paths.iter().map(|p| p.to_string()).collect(),
            ..sync_build::Subset::default()
        }
    });
    sync_build::ModelOptions { subset, ..sync_build::ModelOptions::default() }
}

/// Writes a cargo workspace at `dir` with one crate per spec, each `src/lib.rs` being the
/// generated Rust for that spec, all depending on this repo's `sync-runtime`.
pub fn write_workspace(dir: &Path, specs: &[PathBuf]) -> Vec<Generated> {
    let specs: Vec<(PathBuf, sync_build::ModelOptions)> =
        specs.iter().map(|spec| (spec.clone(), sync_build::ModelOptions::default())).collect();
    write_workspace_with(dir, &specs)
}

/// [`write_workspace`], each spec with its own model settings.
pub fn write_workspace_with(dir: &Path, specs: &[(PathBuf, sync_build::ModelOptions)]) -> Vec<Generated> {
    let root = repo_root();
    fs::create_dir_all(dir).expect("create the workspace dir");
    let mut outcomes = Vec::new();
    let mut members = Vec::new();
    for (spec, options) in specs {
        let crate_name = crate_name(spec);
        let result = match sync_build::load_with(spec, options) {
            Ok(loaded) => {
                let code = file(&loaded.api, &RustOptions::default());
                let crate_dir = dir.join(&crate_name);
                fs::create_dir_all(crate_dir.join("src")).expect("create a crate dir");
                let manifest = format!(
                    "[package]\nname = \"{crate_name}\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
                     [dependencies]\nsync-runtime = {{ path = \"{}\", default-features = false }}\n",
                    root.join("sync-runtime").display()
                );
                write_if_changed(&crate_dir.join("Cargo.toml"), &manifest);
                write_if_changed(&crate_dir.join("src/lib.rs"), &code);
                members.push(crate_name.clone());
                Ok(())
            }
            Err(err) => Err(err.summary()),
        };
        outcomes.push(Generated { spec: spec.clone(), crate_name, result });
    }
    let mut manifest = String::from("[workspace]\nresolver = \"3\"\nmembers = [\n");
    for member in &members {
        let _ = writeln!(manifest, "    \"{member}\",");
    }
    manifest.push_str("]\n\n[profile.dev]\ndebug = false\n");
    write_if_changed(&dir.join("Cargo.toml"), &manifest);
    // Same versions as the repo, and no resolution step.
    let lock = fs::read_to_string(root.join("Cargo.lock")).expect("the repo's Cargo.lock");
    if !dir.join("Cargo.lock").exists() {
        fs::write(dir.join("Cargo.lock"), lock).expect("write Cargo.lock");
    }
    outcomes
}

/// Writes `contents` unless the file already holds exactly that (keeps cargo's fingerprints).
pub fn write_if_changed(path: &Path, contents: &str) {
    if fs::read_to_string(path).is_ok_and(|old| old == contents) {
        return;
    }
    fs::write(path, contents).unwrap_or_else(|err| panic!("write {}: {err}", path.display()));
}
