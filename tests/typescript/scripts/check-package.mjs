// The generated package.fragment.json installs as a new user would install it: merged into a
// fresh package.json, `npm install` with no lockfile (so npm resolves today's releases of its
// ranges), then `tsc --strict --exactOptionalPropertyTypes` over the client with Node's ESM
// resolution (`NodeNext`, generated with `--ts-import-extension .js`). One copy of each
// shared TanStack package must be installed; a push-only fragment must name no TanStack DB.
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gen } from "./generate.mjs";

let failed = 0;
const fail = (message) => {
  failed++;
  console.log(`FAIL ${message}`);
};

const push = JSON.parse(readFileSync(join(gen, "nodenext/push/package.fragment.json"), "utf8"));
const pushDeps = Object.keys(push.dependencies);
if (pushDeps.some((name) => /@tanstack\/(db|react-db|.*-db-collection)|electric/.test(name))) {
  fail(`a push-only client asks for live packages: ${pushDeps.join(", ")}`);
}

const app = join(gen, "fresh");
rmSync(app, { recursive: true, force: true });
mkdirSync(join(app, "src"), { recursive: true });
const fragment = JSON.parse(readFileSync(join(gen, "nodenext/shape/package.fragment.json"), "utf8"));
writeFileSync(
  join(app, "package.json"),
  JSON.stringify({ name: "fresh-app", private: true, type: "module", ...fragment }, null, 2),
);
const started = performance.now();
const install = spawnSync(
  "npm",
  ["install", "--no-package-lock", "--no-audit", "--no-fund", "--loglevel=error"],
  { cwd: app, encoding: "utf8" },
);
const seconds = ((performance.now() - started) / 1000).toFixed(1);
if (install.status !== 0) {
  fail(`npm install of the fragment:\n${install.stdout}${install.stderr}`);
} else {
  console.log(`npm install of the fragment, no lockfile: ${seconds} s`);
  // Every installed copy of a shared package, however deeply nested.
  const copies = (name) => {
    const found = [];
    const walk = (dir) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        if (!entry.isDirectory()) continue;
        const path = join(dir, entry.name);
        if (path.endsWith(join("node_modules", name))) found.push(path);
        else if (entry.name === "node_modules" || entry.name.startsWith("@") || path.includes("node_modules"))
          walk(path);
      }
    };
    walk(join(app, "node_modules"));
    return found;
  };
  for (const name of ["@tanstack/query-core", "@tanstack/db"]) {
    const found = copies(name);
    if (found.length !== 1) fail(`${found.length} copies of ${name}: ${found.join(", ")}`);
  }
  cpSync(join(gen, "nodenext/shape"), join(app, "src"), { recursive: true });
  writeFileSync(
    join(app, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        target: "ES2022",
        lib: ["ES2022", "DOM", "DOM.Iterable"],
        module: "NodeNext",
        moduleResolution: "NodeNext",
        strict: true,
        exactOptionalPropertyTypes: true,
        noUncheckedIndexedAccess: true,
        verbatimModuleSyntax: true,
        noEmit: true,
        skipLibCheck: true,
        types: [],
      },
      include: ["src/**/*.ts"],
    }),
  );
  const tsc = spawnSync(join(app, "node_modules/.bin/tsc"), ["-p", "tsconfig.json"], {
    cwd: app,
    encoding: "utf8",
  });
  if (tsc.status !== 0) fail(`tsc NodeNext over the fresh install:\n${tsc.stdout}${tsc.stderr}`);
  else console.log("tsc --strict --exactOptionalPropertyTypes, NodeNext: clean");
}
console.log(`package: ${failed === 0 ? "passed" : `${failed} failed`}`);
process.exit(failed === 0 ? 0 : 1);
