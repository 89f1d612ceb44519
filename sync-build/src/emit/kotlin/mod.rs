//! The Kotlin emitter: a self-contained Maven project (`pom.xml`, `src/main/kotlin/<package>/`)
//! with kotlinx.serialization models, a Ktor client with one `suspend fun` per operation, and
//! one interface per resource that behaves the same in push and live mode.
//!
//! The run-time the generated code calls is real Kotlin in `runtimes/kotlin` (compiled and
//! tested there on its own); it is copied into each project under `<package>.runtime`, so a
//! project depends on public Maven Central artifacts only and two generated clients never
//! share classes.

mod client;
mod names;
mod project;
mod resources;
mod text;
mod types;

use std::fmt;
use std::path::PathBuf;

use super::GeneratedFile;
use crate::model::Api;
use crate::naming::{Lang, is_keyword};

/// The run-time sources, copied into every project; the first is needed by every client, the
/// rest only by clients with resources.
const RUNTIME_ALWAYS: &[(&str, &str)] = &[
    ("Json.kt", include_str!("../../../../runtimes/kotlin/src/main/kotlin/dev/syncpatterns/runtime/Json.kt")),
    ("Http.kt", include_str!("../../../../runtimes/kotlin/src/main/kotlin/dev/syncpatterns/runtime/Http.kt")),
];
const RUNTIME_RESOURCES: &[(&str, &str)] = &[
    ("Status.kt", include_str!("../../../../runtimes/kotlin/src/main/kotlin/dev/syncpatterns/runtime/Status.kt")),
    ("Live.kt", include_str!("../../../../runtimes/kotlin/src/main/kotlin/dev/syncpatterns/runtime/Live.kt")),
    ("Outbox.kt", include_str!("../../../../runtimes/kotlin/src/main/kotlin/dev/syncpatterns/runtime/Outbox.kt")),
    ("Shape.kt", include_str!("../../../../runtimes/kotlin/src/main/kotlin/dev/syncpatterns/runtime/Shape.kt")),
];
const RUNTIME_PACKAGE: &str = "dev.syncpatterns.runtime";

/// Choices for the generated Kotlin.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct KotlinOptions {
    /// The package of the generated sources (`com.example.contacts`); from the spec's title
    /// when not set.
    pub package: Option<String>,
}

/// A package name that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidPackage(pub String);

impl fmt::Display for InvalidPackage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid Kotlin package `{}`: expected dot-separated identifiers such as `com.example.api` \
             (letters, digits and `_`, not starting with a digit, no Kotlin keywords)",
            self.0
        )
    }
}

impl std::error::Error for InvalidPackage {}

impl KotlinOptions {
    /// Options with the given package, checked.
    pub fn with_package(package: &str) -> Result<Self, InvalidPackage> {
        let valid = !package.is_empty()
            && package.split('.').all(|segment| {
                segment.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                    && segment.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                    && !is_keyword(segment, Lang::Kotlin)
            });
        if valid {
            Ok(KotlinOptions { package: Some(package.to_owned()) })
        } else {
            Err(InvalidPackage(package.to_owned()))
        }
    }
}

/// The package: the option's, else `api.<title>` from the spec's title.
fn package(api: &Api, options: &KotlinOptions) -> String {
    if let Some(package) = &options.package {
        return package.clone();
    }
    let title: String =
        api.info.title.chars().filter(char::is_ascii_alphanumeric).collect::<String>().to_ascii_lowercase();
    match title.chars().next() {
        None => "api.client".to_owned(),
        Some(c) if c.is_ascii_digit() => format!("api.n{title}"),
        Some(_) if is_keyword(&title, Lang::Kotlin) => format!("api.{title}_"),
        Some(_) => format!("api.{title}"),
    }
}

/// Generates the Kotlin project for `api`.
pub fn emit(api: &Api, options: &KotlinOptions) -> Vec<GeneratedFile> {
    let package = package(api, options);
    let dir = format!("src/main/kotlin/{}", package.replace('.', "/"));
    let header = header(api);
    let names = names::Names::new(api);
    let printer = types::TypePrinter { api, names: &names, package: &package };
    let plans = resources::plans(&printer);
    let has_resources = plans.iter().any(Option::is_some);

    let mut files = vec![
        file("pom.xml".into(), project::pom(api, &package, has_resources)),
        file(format!("{dir}/Models.kt"), types::emit(api, &names, &package, &header)),
        file(format!("{dir}/Api.kt"), client::emit(&printer, &plans, &header)),
    ];
    if has_resources {
        files.push(file(format!("{dir}/Resources.kt"), resources::emit(&printer, &plans, &header)));
    }
    let runtime = RUNTIME_ALWAYS.iter().chain(if has_resources { RUNTIME_RESOURCES } else { &[] });
    for (name, source) in runtime {
        let body = source.replacen(&format!("package {RUNTIME_PACKAGE}"), &format!("package {package}.runtime"), 1);
        let text = format!(
            "// Copied by sync-patterns from its Kotlin run-time (runtimes/kotlin). Do not edit: regenerate it.\n{body}"
        );
        files.push(file(format!("{dir}/runtime/{name}"), text));
    }
    let rows: Vec<_> = api
        .resources
        .iter()
        .zip(&plans)
        .zip(&names.resources)
        .filter(|((_, plan), _)| plan.is_some())
        .map(|((resource, _), names)| {
            (
                names.property.trim_matches('`').to_owned(),
                resource.mode,
                resource.source.clone(),
                resource.collection_path.clone(),
            )
        })
        .collect();
    files.push(file("README.md".into(), project::readme(api, &package, &rows)));
    files
}

fn file(path: String, contents: String) -> GeneratedFile {
    GeneratedFile { path: PathBuf::from(path), contents }
}

/// The first line of every generated `.kt` file.
fn header(api: &Api) -> String {
    let clean =
        |text: &str| text::one_line(&text.chars().filter(|c| !c.is_control() || c.is_whitespace()).collect::<String>());
    let title = clean(&api.info.title);
    let version = clean(&api.info.version);
    // A line comment ends at a line break, which `one_line` has removed.
    format!("// Generated by sync-patterns from {title} {version}. Do not edit: regenerate it.\n")
}

#[cfg(test)]
mod tests;
