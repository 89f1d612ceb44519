import { resolve } from "node:path";
import { defineConfig } from "vitest/config";

// One project per sync mode; each points `#api` at that mode's generated client, so the same
// test and component files run unchanged against push and live output.
const modes = ["shape", "rest", "push"] as const;

export default defineConfig({
  test: {
    // The projects share the machine's two cores; one server and one jsdom at a time.
    fileParallelism: false,
    maxWorkers: 1,
    projects: modes.map((mode) => ({
      extends: true,
      resolve: {
        alias: {
          "#api": resolve(
            import.meta.dirname,
            `.gen/contacts/${mode}/index.ts`,
          ),
        },
      },
      test: {
        name: mode,
        environment: "jsdom",
        include: ["test/**/*.test.{ts,tsx}"],
        env: { SYNC_MODE: mode },
        testTimeout: 20_000,
      },
    })),
  },
});
