// Generates the TypeScript the tests check, into .gen/:
//   .gen/corpus/<spec>/    every spec of the shared corpus
//   .gen/contacts/<mode>/  the contacts example three ways: shape (live, rows from the sync
//                          server), rest (live, rows from the REST list) and push.
// The generator is the `sync-patterns` CLI (`generate <spec> --lang typescript --out <dir>`).
import { spawnSync } from "node:child_process";
import {
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
export const root = resolve(here, "../../..");
export const gen = resolve(here, "../.gen");
export const corpusDir =
  process.env.CORPUS_DIR ?? resolve(root, "../shared/corpus/specs");
export const generator =
  process.env.SYNC_PATTERNS ?? join(root, "target/debug/sync-patterns");

/** The corpus specs: every file directly in the folder (its `invalid/` subfolder is skipped). */
export function corpusSpecs() {
  return readdirSync(corpusDir, { withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.(json|ya?ml)$/.test(entry.name))
    .map((entry) => join(corpusDir, entry.name))
    .sort();
}

/** The contacts spec in each mode, written next to the output. */
function contactsVariants() {
  const spec = readFileSync(
    join(root, "examples/contacts/openapi.yaml"),
    "utf8",
  );
  const withoutShape = spec.replace(/^ {4}x-sync-shape:\n( {6}.*\n)+/gm, "");
  const variants = {
    shape: spec,
    rest: withoutShape,
    push: withoutShape.replace(/x-sync: live/g, "x-sync: push"),
  };
  const dir = join(gen, "specs");
  mkdirSync(dir, { recursive: true });
  return Object.entries(variants).map(([mode, text]) => {
    const path = join(dir, `${mode}.yaml`);
    writeFileSync(path, text);
    return path;
  });
}

/** Generates each spec into `out/<spec name>`; returns `name: ok` or `name: <why not>` lines. */
function run(out, specs, extra = []) {
  rmSync(out, { recursive: true, force: true });
  return specs.map((spec) => {
    const name = basename(spec).replace(/\.(json|ya?ml)$/, "");
    const args = [
      "generate",
      spec,
      "--lang",
      "typescript",
      "--out",
      join(out, name),
      ...extra,
    ];
    const result = spawnSync(generator, args, {
      encoding: "utf8",
      env: { ...process.env, NO_COLOR: "1" },
    });
    if (result.error) throw result.error;
    return result.status === 0
      ? `${name}: ok`
      : `${name}: ${result.stderr.trim().split("\n")[0]}`;
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const started = performance.now();
  const corpus = run(join(gen, "corpus"), corpusSpecs());
  const contacts = run(join(gen, "contacts"), contactsVariants());
  // Our own specs: the encoding checks, and the contacts client for Node's ESM resolution.
  const own = run(join(gen, "own"), [
    join(here, "../specs/wire.yaml"),
    join(here, "../specs/hostile.yaml"),
  ]);
  const nodenext = run(join(gen, "nodenext"), contactsVariants(), [
    "--ts-import-extension",
    ".js",
  ]);
  const generated = [...contacts, ...own, ...nodenext];
  for (const line of [...corpus, ...generated]) {
    if (!line.endsWith(": ok")) console.log(line);
  }
  const failed = [...corpus, ...generated].filter(
    (line) => !line.endsWith(": ok"),
  );
  if (failed.length > 0) {
    console.error(
      "every valid corpus spec and every contacts variant must generate",
    );
    process.exit(1);
  }
  const ms = Math.round(performance.now() - started);
  console.log(
    `generated ${corpus.length} corpus specs and ${contacts.length} contacts variants in ${ms} ms`,
  );
}
