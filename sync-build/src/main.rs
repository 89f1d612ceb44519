//! `sync-patterns`: check a spec, or generate clients from it.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

// Output to a closed pipe (`sync-patterns check x | head`) is not an error worth a panic, which
// is what `println!` does then.
macro_rules! say {
    ($($arg:tt)*) => {{ use std::io::Write as _; let _ = writeln!(std::io::stdout(), $($arg)*); }};
}
macro_rules! say_raw {
    ($($arg:tt)*) => {{ use std::io::Write as _; let _ = write!(std::io::stdout(), $($arg)*); }};
}
macro_rules! say_err {
    ($($arg:tt)*) => {{ use std::io::Write as _; let _ = writeln!(std::io::stderr(), $($arg)*); }};
}
use sync_build::{Style, check_table, load};

#[derive(Parser)]
#[command(name = "sync-patterns", version, about = "Local-first clients from an OpenAPI spec")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Validate a spec and list its resources with their sync mode, key and operations.
    Check {
        /// The OpenAPI 3.0/3.1 spec, YAML or JSON.
        spec: PathBuf,
    },
    /// Generate clients for one or more languages.
    Generate {
        /// The OpenAPI 3.0/3.1 spec, YAML or JSON.
        spec: PathBuf,
        /// Target languages, comma-separated.
        #[arg(long, value_delimiter = ',', required = true)]
        lang: Vec<Language>,
        /// Output directory; each language writes into a subdirectory when several are given.
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        model: ModelArgs,
        /// The package of the Kotlin client (`com.example.api`); from the spec's title otherwise.
        #[arg(long, value_name = "PACKAGE")]
        kotlin_package: Option<String>,
        /// Appended to the TypeScript client's relative imports: `.js` for Node's ESM
        /// resolution (`"moduleResolution": "nodenext"`); none for bundlers.
        #[arg(long, value_name = "EXT", default_value = "")]
        ts_import_extension: String,
    },
}

/// Settings that shape the model, for every language alike.
#[derive(clap::Args)]
struct ModelArgs {
    /// Generate only operations with one of these tags (comma-separated), and what they need.
    #[arg(long, value_delimiter = ',', value_name = "TAG")]
    tags: Vec<String>,
    /// Generate only operations under one of these path prefixes (`/repos`).
    #[arg(long, value_delimiter = ',', value_name = "PREFIX")]
    paths: Vec<String>,
    /// Generate only these operations (by `operationId`).
    #[arg(long, value_delimiter = ',', value_name = "ID")]
    operations: Vec<String>,
    /// Enums reject values the spec does not list (by default they decode into a fallback).
    #[arg(long)]
    strict_enums: bool,
}

impl ModelArgs {
    fn options(self) -> sync_build::ModelOptions {
        let subset = sync_build::Subset { tags: self.tags, paths: self.paths, operations: self.operations };
        sync_build::ModelOptions { strict_enums: self.strict_enums, subset: (!subset.is_empty()).then_some(subset) }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Language {
    Rust,
    Typescript,
    Swift,
    Kotlin,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let style = if std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none() {
        Style::Color
    } else {
        Style::Plain
    };
    match cli.command {
        Command::Check { spec } => check(&spec, style),
        Command::Generate { spec, lang, out, model, kotlin_package, ts_import_extension } => {
            let kotlin = match kotlin_package.as_deref().map(sync_build::emit::kotlin::KotlinOptions::with_package) {
                None => sync_build::emit::kotlin::KotlinOptions::default(),
                Some(Ok(options)) => options,
                Some(Err(error)) => {
                    say_err!("error: {error}");
                    return ExitCode::FAILURE;
                }
            };
            let typescript = sync_build::emit::typescript::TypeScriptOptions {
                import_extension: ts_import_extension,
                ..Default::default()
            };
            generate(&spec, &lang, &out, &model.options(), &kotlin, &typescript, style)
        }
    }
}

fn check(spec: &std::path::Path, style: Style) -> ExitCode {
    match load(spec) {
        Ok(loaded) => {
            if !loaded.warnings.is_empty() {
                say_err!("{}\n", loaded.render_warnings(style));
            }
            say_raw!("{}", check_table(&loaded.api));
            ExitCode::SUCCESS
        }
        Err(error) => {
            say_err!("{}", error.render(style));
            let errors = error.diagnostics().iter().filter(|d| d.is_error()).count();
            say_err!("\n{}: {errors} error{} found", spec.display(), if errors == 1 { "" } else { "s" });
            ExitCode::FAILURE
        }
    }
}

fn generate(
    spec: &std::path::Path,
    languages: &[Language],
    out: &std::path::Path,
    options: &sync_build::ModelOptions,
    kotlin: &sync_build::emit::kotlin::KotlinOptions,
    typescript: &sync_build::emit::typescript::TypeScriptOptions,
    style: Style,
) -> ExitCode {
    let loaded = match sync_build::load_with(spec, options) {
        Ok(loaded) => loaded,
        Err(error) => {
            say_err!("{}", error.render(style));
            return ExitCode::FAILURE;
        }
    };
    if !loaded.warnings.is_empty() {
        say_err!("{}\n", loaded.render_warnings(style));
    }
    let several = languages.len() > 1;
    // The languages are independent: emit them in parallel, then write in the order given.
    let outputs: Vec<_> = std::thread::scope(|scope| {
        let api = &loaded.api;
        let handles: Vec<_> = languages
            .iter()
            .map(|&language| scope.spawn(move || (language, emit(api, language, kotlin, typescript))))
            .collect();
        handles.into_iter().map(|handle| handle.join().expect("an emitter thread does not panic")).collect()
    });
    for (language, files) in outputs {
        let files = match files {
            Ok(files) => files,
            Err(message) => {
                say_err!("error: {message}");
                return ExitCode::FAILURE;
            }
        };
        let dir = if several { out.join(language_dir(language)) } else { out.to_path_buf() };
        for file in files {
            let path = dir.join(&file.path);
            match sync_build::write_if_changed(&path, &file.contents) {
                Ok(_) => say!("wrote {}", path.display()),
                Err(error) => {
                    say_err!("error: cannot write `{}`: {error}", path.display());
                    return ExitCode::FAILURE;
                }
            }
        }
    }
    ExitCode::SUCCESS
}

fn language_dir(language: Language) -> &'static str {
    match language {
        Language::Rust => "rust",
        Language::Typescript => "typescript",
        Language::Swift => "swift",
        Language::Kotlin => "kotlin",
    }
}

fn emit(
    api: &sync_build::model::Api,
    language: Language,
    kotlin_options: &sync_build::emit::kotlin::KotlinOptions,
    typescript_options: &sync_build::emit::typescript::TypeScriptOptions,
) -> Result<Vec<sync_build::emit::GeneratedFile>, String> {
    use sync_build::emit::{GeneratedFile, kotlin, rust, swift, typescript};
    match language {
        Language::Rust => {
            Ok(vec![GeneratedFile { path: "api.rs".into(), contents: rust::file(api, &rust::RustOptions::default()) }])
        }
        Language::Typescript => Ok(typescript::emit(api, typescript_options)),
        Language::Swift => Ok(swift::emit(api, &swift::SwiftOptions::default())),
        Language::Kotlin => Ok(kotlin::emit(api, kotlin_options)),
    }
}
