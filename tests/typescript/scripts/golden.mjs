// Golden files: the generated TypeScript for a few specs, committed under golden/ and reviewed
// like code. A difference fails with the first differing line; UPDATE_GOLDEN=1 rewrites them.
import { cpSync, existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { gen } from "./generate.mjs";

const golden = resolve(gen, "../golden");
const cases = {
  "contacts-shape": "contacts/shape",
  "contacts-rest": "contacts/rest",
  "contacts-push": "contacts/push",
  "petstore-3.1": "corpus/petstore-3.1",
  discriminators: "corpus/discriminators",
  wire: "own/wire",
};

let passed = 0;
let failed = 0;
for (const [name, source] of Object.entries(cases)) {
  const actualDir = join(gen, source);
  const expectedDir = join(golden, name);
  if (process.env.UPDATE_GOLDEN === "1") {
    rmSync(expectedDir, { recursive: true, force: true });
    cpSync(actualDir, expectedDir, { recursive: true });
    console.log(`updated golden/${name}`);
    passed++;
    continue;
  }
  const files = new Set([
    ...readdirSync(actualDir),
    ...(existsSync(expectedDir) ? readdirSync(expectedDir) : []),
  ]);
  const problems = [];
  for (const file of [...files].sort()) {
    const actual = join(actualDir, file);
    const expected = join(expectedDir, file);
    if (!existsSync(expected))
      problems.push(`${file}: generated but not in golden/${name}`);
    else if (!existsSync(actual))
      problems.push(`${file}: in golden/${name} but no longer generated`);
    else {
      const a = readFileSync(actual, "utf8").split("\n");
      const e = readFileSync(expected, "utf8").split("\n");
      const line = a.findIndex((text, i) => text !== e[i]);
      if (line !== -1 || a.length !== e.length) {
        const at = line === -1 ? Math.min(a.length, e.length) : line;
        problems.push(
          `${file}:${at + 1}\n    golden:    ${e[at] ?? "<end>"}\n    generated: ${a[at] ?? "<end>"}`,
        );
      }
    }
  }
  if (problems.length === 0) {
    passed++;
  } else {
    failed++;
    console.log(`FAIL golden/${name} (UPDATE_GOLDEN=1 to accept):`);
    for (const problem of problems) console.log(`  ${problem}`);
  }
}
console.log(`golden: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
