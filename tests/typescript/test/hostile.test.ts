// @vitest-environment node
// Spec text is data, never code: specs/hostile.yaml puts comment ends, template literals,
// quotes, NUL, bidirectional overrides, emoji and keywords into every name and description.
// The client compiles (check-component type-checks this file and what it imports), loading
// it runs none of that text, and the wire names survive exactly.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { expect, test } from "vitest";

const dir = resolve(__dirname, "../.gen/own/hostile");

test.skipIf(process.env.SYNC_MODE !== "push")(
  "hostile spec text neither runs nor hides in the generated client",
  async () => {
    const api = await import("../.gen/own/hostile/index");
    expect((globalThis as { __injected?: unknown }).__injected).toBeUndefined();
    expect(typeof api.delete_).toBe("function");
    expect(typeof api.useDelete).toBe("function");
    const thing: import("../.gen/own/hostile/index").EvilType = {
      "`${globalThis.__injected = 'field'}`": "kept as a name",
      "a\u0000b": "nul",
      "\u202eevil": "rtl",
      "🎉": "emoji",
      delete: "*/",
    };
    expect(Object.keys(thing)).toHaveLength(5);
    for (const file of ["types.ts", "client.ts", "operations.ts", "index.ts"]) {
      const text = readFileSync(resolve(dir, file), "utf8");
      // No raw control or bidirectional formatting character anywhere in the source.
      expect(text).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u202a-\u202e\u2066-\u2069\u2028\u2029]/);
    }
  },
);
