// Starts the real contacts-server (REST API + Electric Shape endpoint) on a loopback port with
// its own SQLite database, and stops it again: for good, or keeping its data and port so a test
// can bring the same server back (a client that was offline reconnects).
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";

export type Server = {
  url: string;
  /** Stops the server; with `keepData`, `restart()` brings it back on the same port. */
  stop: (options?: { keepData?: boolean }) => Promise<void>;
  restart: () => Promise<Server>;
};

const binary =
  process.env.CONTACTS_SERVER ??
  resolve(__dirname, "../../../target/debug/contacts-server");

export function startContactsServer(): Promise<Server> {
  return launch(mkdtempSync(join(tmpdir(), "contacts-server-")), 0, true);
}

async function launch(
  dir: string,
  port: number,
  reset: boolean,
): Promise<Server> {
  const args = [
    "--host",
    "127.0.0.1",
    "--port",
    String(port),
    "--long-poll-ms",
    "2000",
  ];
  args.push("--database-url", `sqlite:${join(dir, "contacts.sqlite3")}`);
  if (reset) args.push("--reset");
  const child = spawn(binary, args, { stdio: ["ignore", "pipe", "inherit"] });
  const url = await new Promise<string>((resolveUrl, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on("line", (line) => {
      const match = /listening on (http:\/\/\S+)/.exec(line);
      if (match) resolveUrl(match[1]!);
    });
    child.once("error", reject);
    child.once("exit", (code) =>
      reject(new Error(`contacts-server exited with ${code}`)),
    );
  });
  return {
    url,
    stop: async ({ keepData = false } = {}) => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill();
        await once(child, "exit");
      }
      if (!keepData) rmSync(dir, { recursive: true, force: true });
    },
    restart: () => launch(dir, Number(new URL(url).port), false),
  };
}
