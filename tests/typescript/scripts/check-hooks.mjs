// Every GET of the real APIs the issue names has a React hook: an operation hook in
// operations.ts, or a resource hook in resources.ts that calls it. The GETs are read off
// client.ts, whose functions carry their route (`GET /path`) in their doc comment.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gen } from "./generate.mjs";

const specs = ["stripe", "stripe-yaml", "train-travel", "github-api", "app-store-connect"];

let passed = 0;
let failed = 0;
for (const spec of specs) {
  const dir = join(gen, "corpus", spec);
  if (!existsSync(dir)) {
    console.log(`skipped ${spec}: not in the corpus`);
    continue;
  }
  const read = (file) =>
    existsSync(join(dir, file)) ? readFileSync(join(dir, file), "utf8") : "";
  const client = read("client.ts");
  const operations = read("operations.ts");
  const resources = read("resources.ts");
  const gets = [
    ...client.matchAll(/\/\*\*((?:(?!\*\/)[\s\S])*?)\*\/\nexport function (\w+)\(/g),
  ]
    .filter(([, doc]) => /`GET \//.test(doc))
    .map(([, , name]) => name);
  // Every hook of operations.ts calls its client function; so does a resource hook.
  const called = (name) => new RegExp(`\\b${name}\\(`);
  const missing = gets.filter(
    (name) => !called(name).test(operations) && !called(name).test(resources),
  );
  if (gets.length > 0 && missing.length === 0) {
    passed++;
    console.log(`${spec}: all ${gets.length} GETs have a hook`);
  } else {
    failed++;
    console.log(
      `FAIL ${spec}: ${missing.length} of ${gets.length} GETs have no hook: ${missing.slice(0, 5).join(", ")}`,
    );
  }
}
console.log(`hooks: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
