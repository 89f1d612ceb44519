//! Load + model time and peak memory for the largest corpus specs.
//!
//! `cargo bench -p sync-build --bench load` prints, per spec, the median and minimum of several
//! loads (read, parse, resolve, lower) and the process's peak resident memory after them. Target
//! (issue 3): the 13 MB GitHub spec under 150 ms on a 2-core machine.

use std::path::PathBuf;
use std::time::{Duration, Instant};

const RUNS: usize = 9;

fn main() {
    let corpus = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/specs");
    let filter: Option<String> = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    println!("{:<22} {:>9} {:>11} {:>11} {:>8} {:>8}", "spec", "size", "median", "min", "types", "ops");
    for name in ["github-api.json", "stripe.json", "stripe-yaml.yaml", "github-webhooks.json", "digitalocean.json"] {
        if filter.as_ref().is_some_and(|f| !name.contains(f.as_str())) {
            continue;
        }
        let path = corpus.join(name);
        let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        let mut times: Vec<Duration> = Vec::with_capacity(RUNS);
        let mut counts = (0, 0);
        for _ in 0..RUNS {
            let start = Instant::now();
            let loaded = sync_build::load(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
            times.push(start.elapsed());
            counts = (loaded.api.types.len(), loaded.api.operations.len());
            drop(std::hint::black_box(loaded));
        }
        times.sort();
        println!(
            "{:<22} {:>7.1}MB {:>9.1}ms {:>9.1}ms {:>8} {:>8}",
            name,
            size as f64 / 1e6,
            times[RUNS / 2].as_secs_f64() * 1e3,
            times[0].as_secs_f64() * 1e3,
            counts.0,
            counts.1
        );
        // The parse alone, to tell the tree's cost from lowering's.
        let text = std::fs::read_to_string(&path).expect("readable");
        let format = sync_build::document::Format::of(&path, &text);
        let mut parse_times: Vec<Duration> = (0..RUNS)
            .map(|_| {
                let start = Instant::now();
                let tree = sync_build::document::parse(&text, sync_build::source::FileId(0), format).expect("parses");
                let elapsed = start.elapsed();
                drop(std::hint::black_box(tree));
                elapsed
            })
            .collect();
        parse_times.sort();
        println!(
            "{:<22} {:>9} {:>9.1}ms {:>9.1}ms   (parse only, without drop)",
            "",
            "",
            parse_times[RUNS / 2].as_secs_f64() * 1e3,
            parse_times[0].as_secs_f64() * 1e3,
        );
    }
    println!("peak RSS of this process: {}", peak_rss());
}

/// `VmHWM` from /proc (Linux): the most resident memory the process has held.
fn peak_rss() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status.lines().find(|l| l.starts_with("VmHWM:")).map(|l| l["VmHWM:".len()..].trim().to_owned())
        })
        .unwrap_or_else(|| "unknown (no /proc)".into())
}
