//! sync-patterns engine: loads an OpenAPI 3.0/3.1 spec, lowers it into one language-neutral
//! [`model::Api`], and emits clients from that model.
//!
//! ```no_run
//! let loaded = sync_build::load("openapi.yaml")?;
//! for resource in &loaded.api.resources {
//!     println!("{} is {}", resource.name, resource.mode.as_str());
//! }
//! # Ok::<(), sync_build::LoadError>(())
//! ```

pub mod builder;
mod check_table;
pub mod diagnostic;
pub mod document;
mod documents;
pub mod emit;
mod fast_hash;
mod load;
mod lower;
pub mod model;
pub mod naming;
pub mod passes;
pub mod source;
mod write;

pub use builder::{BuildError, Builder, Generated};
pub use check_table::check_table;
pub use diagnostic::{Diagnostic, Severity, Style};
pub use load::{LoadError, Loaded, load, load_text, load_text_with, load_with};
pub use passes::{ModelOptions, Subset};
pub use write::write_if_changed;
