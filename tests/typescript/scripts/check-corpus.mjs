// `tsc --strict --noEmit` over the TypeScript generated for every corpus spec, in one program.
// A spec may fail only if corpus-failures.md lists it with the reason; a listed spec that now
// passes is reported too, so the list cannot go stale.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { gen } from "./generate.mjs";

const here = resolve(gen, "..");
const corpus = join(gen, "corpus");
const specs = readdirSync(corpus).sort();

const tsconfig = join(gen, "tsconfig.corpus.json");
writeFileSync(
  tsconfig,
  JSON.stringify(
    { extends: "../tsconfig.base.json", include: ["corpus/**/*.ts"] },
    null,
    2,
  ),
);
const tsc = spawnSync(
  join(here, "node_modules/.bin/tsc"),
  ["-p", tsconfig, "--strict", "--exactOptionalPropertyTypes", "--noEmit"],
  {
    encoding: "utf8",
    maxBuffer: 1 << 28,
    cwd: here,
  },
);
if (tsc.error) throw tsc.error;

const errors = new Map(specs.map((spec) => [spec, []]));
for (const line of tsc.stdout.split("\n")) {
  const match = /^(\S+?)\(\d+,\d+\): error TS\d+/.exec(line);
  if (!match) continue;
  const spec = relative(corpus, resolve(here, match[1])).split(/[\\/]/)[0];
  errors.get(spec)?.push(line);
}

const listFile = join(here, "corpus-failures.md");
const expected = new Map();
if (existsSync(listFile)) {
  for (const line of readFileSync(listFile, "utf8").split("\n")) {
    const row = /^\| `([^`]+)` \| (.+) \|$/.exec(line);
    if (row) expected.set(row[1], row[2]);
  }
}

let passed = 0;
let failed = 0;
for (const spec of specs) {
  const found = errors.get(spec);
  if (found.length === 0 && !expected.has(spec)) {
    passed++;
  } else if (found.length > 0 && expected.has(spec)) {
    console.log(`expected failure: ${spec} (${expected.get(spec)})`);
    passed++;
  } else if (found.length > 0) {
    console.log(
      `FAIL ${spec}: ${found.length} errors, not listed in corpus-failures.md`,
    );
    for (const line of found.slice(0, 5)) console.log(`  ${line}`);
    failed++;
  } else {
    console.log(`FAIL ${spec}: passes now; remove it from corpus-failures.md`);
    failed++;
  }
}
console.log(`corpus: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
