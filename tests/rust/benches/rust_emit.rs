//! Rust generation for a large spec (the GitHub REST API by default): load, emit and format
//! times, peak memory, and optionally the `cargo check` time of the generated crate.
//!
//! `cargo bench -p sync-tests --bench rust_emit [-- SPEC] [--check]`
//!
//! `--check` writes the generated crate to `target/bench-rust-emit/` and times `cargo check`
//! of it alone (dependencies are built first, untimed). `bench/compare-progenitor.sh` runs
//! this next to progenitor.

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use sync_build::emit::rust::{RustOptions, format_tokens, tokens};
use sync_tests::{corpus_dir, repo_root, write_workspace};

const RUNS: usize = 3;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    let check = args.iter().any(|a| a == "--check");
    let spec = args
        .iter()
        .find(|a| !a.starts_with("--"))
        .map(PathBuf::from)
        .unwrap_or_else(|| corpus_dir().join("github-api.json"));

    let mut load = Vec::new();
    let mut emit = Vec::new();
    let mut format = Vec::new();
    let mut output = String::new();
    for _ in 0..RUNS {
        let started = Instant::now();
        let loaded = sync_build::load(&spec).unwrap_or_else(|err| panic!("{}", err.render(sync_build::Style::Plain)));
        load.push(started.elapsed());
        let started = Instant::now();
        let generated = tokens(&loaded.api, &RustOptions::default());
        emit.push(started.elapsed());
        let started = Instant::now();
        output = format_tokens(generated, &loaded.api.info.title);
        format.push(started.elapsed());
    }
    let median = |times: &mut Vec<Duration>| {
        times.sort();
        times[times.len() / 2]
    };
    let (load, emit, format) = (median(&mut load), median(&mut emit), median(&mut format));
    println!("spec:                {}", spec.display());
    println!("load + model:        {:>8.1} ms (median of {RUNS})", ms(load));
    println!("emit tokens:         {:>8.1} ms", ms(emit));
    println!("format (prettyplease): {:>6.1} ms", ms(format));
    println!("generate total:      {:>8.1} ms", ms(load + emit + format));
    println!("output:              {:>8} lines, {:.1} MB", output.lines().count(), output.len() as f64 / 1e6);
    println!("peak RSS (VmHWM):    {:>8} MB", peak_rss_kb() / 1024);

    if check {
        let dir = repo_root().join("target/bench-rust-emit");
        let generated = write_workspace(&dir, std::slice::from_ref(&spec));
        let crate_name = &generated[0].crate_name;
        let cargo = |args: &[&str]| {
            let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
                .current_dir(&dir)
                .env("CARGO_TARGET_DIR", dir.join("target"))
                .args(args)
                .status()
                .expect("run cargo");
            assert!(status.success(), "cargo {args:?} failed");
        };
        // Dependencies first, untimed; then the generated crate alone.
        cargo(&["check", "--quiet"]);
        let lib = dir.join(crate_name).join("src/lib.rs");
        std::fs::write(&lib, std::fs::read_to_string(&lib).unwrap()).unwrap();
        cargo(&["clean", "--quiet", "-p", crate_name]);
        let started = Instant::now();
        cargo(&["check", "--quiet"]);
        println!("cargo check (crate): {:>8.1} s", started.elapsed().as_secs_f64());
    }
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e3
}

/// Peak resident memory of this process, from `/proc/self/status`.
fn peak_rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status.lines().find_map(|line| {
                line.strip_prefix("VmHWM:").and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            })
        })
        .unwrap_or(0)
}
