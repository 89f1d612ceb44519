#!/usr/bin/env python3
"""The corpus report: every spec in a folder through `check`, `generate` for every language
sync-patterns builds, and each language's own compiler, as one table with totals and the reason
for each failure.

    python3 scripts/corpus-report.py [DIR] [--only NAME,NAME] [--langs rust,typescript,...]

DIR defaults to ../shared/corpus/specs. Specs are compiled whole (CI compiles the heaviest as a
subset; see tests/rust/src/lib.rs). Per language, all specs are compiled in one compiler run so
shared dependencies build once, and each failure is attributed to its spec:

    rust        one cargo workspace, `cargo check --keep-going`
    typescript  one `tsc --strict --noEmit` over every spec's output (tests/typescript's packages)
    kotlin      `bash tests/kotlin/check-dir.sh DIR`, when that script exists
    swift       `bash tests/swift/check-dir.sh DIR`, when that script exists

Nothing is downloaded but what cargo and npm fetch from their registries.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "target" / "corpus-report"
LANGS = ["rust", "typescript", "kotlin", "swift"]


def run(cmd: list[str], cwd: Path | None = None, env: dict | None = None) -> tuple[int, str, float]:
    start = time.monotonic()
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    return proc.returncode, proc.stdout + proc.stderr, time.monotonic() - start


def first_error(text: str) -> str:
    for line in text.splitlines():
        if "error" in line.lower():
            return line.strip()[:160]
    lines = [l for l in text.splitlines() if l.strip()]
    return (lines[0] if lines else "failed").strip()[:160]


def crate_name(spec: Path) -> str:
    return "spec-" + re.sub(r"[^a-z0-9]", "-", spec.stem.lower())


def check_rust(specs: list[Path], out: dict[str, Path]) -> tuple[dict[str, str], float]:
    ws = WORK / "rust-workspace"
    ws.mkdir(parents=True, exist_ok=True)
    members = []
    for spec in specs:
        name = crate_name(spec)
        src = out[spec.name] / "rust" / "api.rs"
        crate = ws / name
        (crate / "src").mkdir(parents=True, exist_ok=True)
        (crate / "Cargo.toml").write_text(
            f'[package]\nname = "{name}"\nversion = "0.0.0"\nedition = "2024"\npublish = false\n\n'
            f'[dependencies]\nsync-runtime = {{ path = "{ROOT / "sync-runtime"}", default-features = false }}\n'
        )
        text = src.read_text()
        lib = crate / "src" / "lib.rs"
        if not lib.exists() or lib.read_text() != text:
            lib.write_text(text)
        members.append(name)
    (ws / "Cargo.toml").write_text(
        "[workspace]\nresolver = \"3\"\nmembers = [\n"
        + "".join(f'    "{m}",\n' for m in members)
        + "]\n\n[profile.dev]\ndebug = false\n"
    )
    if not (ws / "Cargo.lock").exists():
        shutil.copy(ROOT / "Cargo.lock", ws / "Cargo.lock")
    # The corpus test's target folder: the dependencies are built there already.
    env = dict(os.environ, CARGO_TARGET_DIR=str(ROOT / "target" / "corpus-check" / "target"))
    env.pop("RUSTFLAGS", None)
    code, text, seconds = run(
        ["cargo", "check", "--workspace", "--keep-going", "--message-format=short"], cwd=ws, env=env
    )
    failures = {}
    for spec in specs:
        name = crate_name(spec)
        if f"could not compile `{name}`" in text:
            lines = [l for l in text.splitlines() if l.startswith(f"{name}/src/lib.rs") and "error" in l]
            failures[spec.name] = (lines[0] if lines else f"`{name}` does not compile")[:160]
    if code != 0 and not failures:
        failures["*"] = first_error(text)
    return failures, seconds


def check_typescript(specs: list[Path], out: dict[str, Path]) -> tuple[dict[str, str], float]:
    ts = ROOT / "tests" / "typescript"
    if not (ts / "node_modules" / ".bin" / "tsc").exists():
        code, text, _ = run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=ts)
        if code != 0:
            return {"*": "npm ci failed: " + first_error(text)}, 0.0
    config = {
        "extends": str(ts / "tsconfig.base.json"),
        "compilerOptions": {"noEmit": True, "typeRoots": [str(ts / "node_modules" / "@types")],
                            "baseUrl": str(ts), "paths": {"*": [str(ts / "node_modules" / "*")]}},
        "include": [str(out[s.name] / "typescript" / "**" / "*.ts") for s in specs],
    }
    project = WORK / "tsconfig.json"
    project.write_text(json.dumps(config, indent=2))
    code, text, seconds = run([str(ts / "node_modules" / ".bin" / "tsc"), "-p", str(project)], cwd=WORK)
    failures = {}
    for spec in specs:
        prefix = str(out[spec.name] / "typescript")
        rel = os.path.relpath(prefix, WORK)
        lines = [l for l in text.splitlines() if (l.startswith(prefix) or l.startswith(rel)) and "error TS" in l]
        if lines:
            failures[spec.name] = lines[0].split(": ", 1)[-1][:160]
    if code != 0 and not failures:
        failures["*"] = first_error(text)
    return failures, seconds


def check_with_script(lang: str, specs: list[Path], out: dict[str, Path]) -> tuple[dict[str, str], float] | None:
    script = ROOT / "tests" / lang / "check-dir.sh"
    if not script.exists():
        return None
    failures = {}
    total = 0.0
    for spec in specs:
        code, text, seconds = run(["bash", str(script), str(out[spec.name] / lang)])
        total += seconds
        if code != 0:
            failures[spec.name] = first_error(text)
    return failures, total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dir", nargs="?", default=str(ROOT.parent / "shared" / "corpus" / "specs"))
    parser.add_argument("--only", default="", help="comma-separated spec name prefixes")
    parser.add_argument("--langs", default=",".join(LANGS))
    args = parser.parse_args()

    specs = sorted(p for p in Path(args.dir).iterdir() if p.is_file() and p.suffix in (".json", ".yaml", ".yml"))
    if args.only:
        wanted = args.only.split(",")
        specs = [s for s in specs if any(s.name.startswith(w) for w in wanted)]
    if not specs:
        print(f"error: no specs in {args.dir}", file=sys.stderr)
        return 2
    code, text, _ = run(["cargo", "build", "--release", "--quiet", "-p", "sync-build", "--bin", "sync-patterns"], cwd=ROOT)
    if code != 0:
        print(text, file=sys.stderr)
        return 2
    binary = ROOT / "target" / "release" / "sync-patterns"
    WORK.mkdir(parents=True, exist_ok=True)

    # Which languages the emitter builds: a language it does not build is a column of "n/a".
    wanted_langs = [l for l in args.langs.split(",") if l in LANGS]
    rows: dict[str, dict[str, str]] = {}
    out: dict[str, Path] = {}
    loaded: list[Path] = []
    gen_seconds = 0.0
    for spec in specs:
        row = rows.setdefault(spec.name, {})
        code, text, _ = run([str(binary), "check", str(spec)])
        if code != 0:
            row["check"] = "invalid: " + first_error(text)
            continue
        row["check"] = "ok"
        out[spec.name] = WORK / "out" / spec.stem
        langs_built = []
        for lang in wanted_langs:
            code, text, seconds = run([str(binary), "generate", str(spec), "--lang", lang, "--out", str(out[spec.name] / lang)])
            gen_seconds += seconds
            if code == 0:
                langs_built.append(lang)
                row[lang] = "generated"
            elif "not built yet" in text:
                row[lang] = "n/a"
            else:
                row[lang] = "generate failed: " + first_error(text)
        loaded.append(spec)

    times = {"generate": gen_seconds}
    for lang in wanted_langs:
        specs_for = [s for s in loaded if rows[s.name].get(lang) == "generated"]
        if not specs_for:
            continue
        if lang == "rust":
            result = check_rust(specs_for, out)
        elif lang == "typescript":
            result = check_typescript(specs_for, out)
        else:
            result = check_with_script(lang, specs_for, out)
        if result is None:
            for s in specs_for:
                rows[s.name][lang] = "generated (no compiler check here)"
            continue
        failures, seconds = result
        times[lang] = seconds
        for s in specs_for:
            reason = failures.get(s.name) or failures.get("*")
            rows[s.name][lang] = "FAIL: " + reason if reason else "ok"

    columns = ["check"] + wanted_langs
    width = max(len(name) for name in rows)
    print(f"{'spec':<{width}}  " + "  ".join(f"{c:<10}" for c in columns))
    reasons = []
    totals = {c: [0, 0] for c in columns}
    for name, row in rows.items():
        cells = []
        for c in columns:
            value = row.get(c, "-")
            short = "ok" if value == "ok" else value.split(":")[0] if ":" in value else value
            cells.append(f"{short:<10}")
            if value == "ok":
                totals[c][0] += 1
            elif value not in ("-", "n/a", "generated (no compiler check here)"):
                totals[c][1] += 1
                reasons.append(f"{name} [{c}]: {value}")
        print(f"{name:<{width}}  " + "  ".join(cells))
    print()
    for c in columns:
        ok, bad = totals[c]
        print(f"{c}: {ok} passed, {bad} failed" + (f" ({times[c]:.1f} s)" if c in times else ""))
    print(f"generate: {times['generate']:.1f} s over {len(loaded)} specs")
    if reasons:
        print("\nreasons:")
        for reason in reasons:
            print("  " + reason)
    return 0 if not reasons else 1


if __name__ == "__main__":
    sys.exit(main())
