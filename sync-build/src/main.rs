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
    },
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
        Command::Generate { spec, lang, out } => generate(&spec, &lang, &out, style),
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

fn generate(spec: &std::path::Path, languages: &[Language], out: &std::path::Path, style: Style) -> ExitCode {
    let loaded = match load(spec) {
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
    for &language in languages {
        let files = match emit(&loaded.api, language) {
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

fn emit(api: &sync_build::model::Api, language: Language) -> Result<Vec<sync_build::emit::GeneratedFile>, String> {
    use sync_build::emit::{GeneratedFile, rust, typescript};
    match language {
        Language::Rust => {
            Ok(vec![GeneratedFile { path: "api.rs".into(), contents: rust::file(api, &rust::RustOptions::default()) }])
        }
        Language::Typescript => Ok(typescript::emit(api, &typescript::TypeScriptOptions::default())),
        Language::Swift | Language::Kotlin => Err(format!(
            "the {} emitter is not built yet; `sync-patterns check` already validates specs for it",
            language_dir(language)
        )),
    }
}
