// Type-checks the React test component and tests against each mode's generated client: the
// same files must compile, unchanged, whether the contacts resource is push or live.
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { gen } from "./generate.mjs";

const here = resolve(gen, "..");
let passed = 0;
let failed = 0;
for (const mode of ["shape", "rest", "push"]) {
  const config = join(gen, `tsconfig.test-${mode}.json`);
  writeFileSync(
    config,
    JSON.stringify(
      {
        extends: "../tsconfig.base.json",
        include: [
          "../test/**/*",
          "../vitest.config.ts",
          `contacts/${mode}/**/*.ts`,
        ],
        compilerOptions: {
          types: ["node"],
          paths: { "#api": [`./contacts/${mode}/index.ts`] },
        },
      },
      null,
      2,
    ),
  );
  const tsc = spawnSync(join(here, "node_modules/.bin/tsc"), ["-p", config], {
    cwd: here,
    encoding: "utf8",
  });
  if (tsc.status === 0) {
    passed++;
  } else {
    failed++;
    console.log(`FAIL tsc for the ${mode} client:\n${tsc.stdout}${tsc.stderr}`);
  }
}
console.log(`component: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
