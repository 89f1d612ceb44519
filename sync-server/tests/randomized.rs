//! Randomized regression test for the request parsers: a deterministic generator mutates valid
//! requests into hostile ones (deep nesting, long lists, NULs, broken quotes, odd Unicode,
//! percent-encoding) and runs them through the same entry points as the fuzz targets in
//! `sync-server/fuzz`, on a thread with a small stack so that deep recursion fails here
//! rather than in production. Any panic fails the test and prints the input.
//!
//! `RANDOMIZED_CASES` (default 2,000) and `RANDOMIZED_SEED` widen or reproduce a run.

use sync_server::fuzzing;

/// xorshift64*: small, deterministic, good enough to pick mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const CLAUSES: &[&str] = &[
    "owner = $1",
    "rank IN (1, 2, $2)",
    "(owner = 'ann' AND done = true)",
    "\"id\" = 'it''s' and score = 1.5",
    "born = $1 AND rank = -3",
];

const PIECES: &[&str] = &[
    "(",
    ")",
    "((((",
    "))))",
    " AND ",
    " and ",
    " OR ",
    " IN ",
    " = ",
    ",",
    "'",
    "''",
    "\"",
    "$",
    "$0",
    "$1",
    "$99999999999999999999",
    "owner",
    "rank",
    "secret",
    "\0",
    "é",
    "🦀",
    "\u{202e}",
    "--",
    ";",
    "1e309",
    "-",
    "9223372036854775808",
    "NaN",
    "true",
    "TRUE",
    "null",
    " ",
    "\t",
    "\n",
];

fn mutate(rng: &mut Rng, base: &str) -> String {
    let mut text: Vec<char> = base.chars().collect();
    for _ in 0..1 + rng.below(6) {
        let piece: Vec<char> = match rng.below(10) {
            // Long runs: nesting, lists, conditions.
            0 => rng.pick(&["(", ")", "1,", " AND owner = 'a'"]).repeat(1 + rng.below(2_000)).chars().collect(),
            _ => rng.pick(PIECES).chars().collect(),
        };
        let at = rng.below(text.len() + 1);
        match rng.below(3) {
            0 if !text.is_empty() => {
                let end = (at + piece.len()).min(text.len());
                text.splice(at..end, piece);
            }
            1 if at < text.len() => {
                text.remove(at);
            }
            _ => {
                text.splice(at..at, piece);
            }
        }
    }
    text.into_iter().collect()
}

fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}

fn run(seed: u64, cases: usize) {
    let mut rng = Rng(seed | 1);
    for case in 0..cases {
        let base = rng.pick(CLAUSES);
        let clause = mutate(&mut rng, base);
        let params = [rng.pick(&["ann", "5", "x\0", "", "2024-01-01"]), rng.pick(&["1", "abc", "1.5"])];
        let base = rng.pick(&["-1", "now", "12_0", "4294967296_4294967296"]);
        let offset = mutate(&mut rng, base);
        let handle = mutate(&mut rng, "0123456789abcdef-0123456789abcdef-0");
        let query = format!(
            "table={}&offset={}&handle={}&where={}&params[1]={}&columns={}&live={}",
            rng.pick(&["items", "ITEMS", "_sync_changes", ""]),
            percent_encode(&offset),
            percent_encode(&handle),
            if rng.below(2) == 0 { percent_encode(&clause) } else { clause.replace('&', "") },
            percent_encode(params[0]),
            percent_encode(&mutate(&mut rng, "id,owner")),
            rng.pick(&["true", "false", "1"]),
        );
        let outcome = std::panic::catch_unwind(|| {
            let _ = fuzzing::where_clause(&clause, &params);
            let _ = fuzzing::offset(&offset);
            let _ = fuzzing::handle(&handle);
            let _ = fuzzing::query(&query);
        });
        if outcome.is_err() {
            panic!("case {case} of seed {seed} panicked:\n  where: {clause:?}\n  query: {query:?}");
        }
    }
}

#[test]
fn hostile_requests_never_panic_or_overflow_the_stack() {
    let cases = std::env::var("RANDOMIZED_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(2_000);
    let seed = std::env::var("RANDOMIZED_SEED").ok().and_then(|n| n.parse().ok()).unwrap_or(0x5eed_1234_abcd);
    // Much less stack than a tokio worker's 2 MiB: a parser that recurses per bracket fails.
    let worker = std::thread::Builder::new().stack_size(256 * 1024).spawn(move || run(seed, cases)).unwrap();
    worker.join().expect("a case panicked (see above)");
}

#[test]
fn the_reported_crashes_stay_fixed() {
    let worker = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(|| {
            let deep = format!("{}owner = 'a'{}", "(".repeat(3_700), ")".repeat(3_700));
            assert!(fuzzing::where_clause(&deep, &[]).unwrap_err().contains("nests parentheses"));
            let ands = vec!["owner = 'a'"; 1_001].join(" AND ");
            assert!(fuzzing::where_clause(&ands, &[]).unwrap_err().contains("more than 64 conditions"));
            assert!(fuzzing::where_clause("owner = 'a\0'", &[]).unwrap_err().contains("NUL"));
            assert!(fuzzing::where_clause("owner = $1", &["\0"]).unwrap_err().contains("NUL"));
            let query = format!("table=items&offset=0_0&handle=garbage&live=true&where={}", "(".repeat(100_000));
            assert!(fuzzing::query(&query).is_err());
        })
        .unwrap();
    worker.join().unwrap();
}
