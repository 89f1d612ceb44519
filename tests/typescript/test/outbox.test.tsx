// The live outbox's delivery rules (docs/outbox.md) against a real loopback server whose
// answers are scripted: retryable failures keep a write queued, `Retry-After` is honoured,
// two tabs never send a write twice, and one user's queue is never sent for another.
import {
  cleanup,
  configure,
  fireEvent,
  render,
  screen,
  waitFor,
  within,
} from "@testing-library/react";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { clearUserScope, SyncProvider, type SyncConfig } from "#api";
import { ContactList } from "./ContactList";
import { startFlakyServer, type FlakyServer } from "./flaky-server";

configure({ asyncUtilTimeout: 8_000 });

let server: FlakyServer;
beforeAll(async () => {
  server = await startFlakyServer();
});
afterAll(() => server?.stop());
afterEach(() => {
  cleanup();
  localStorage.clear();
  server.script.length = 0;
  server.contacts.length = 0;
  server.attempts.length = 0;
});

function app(name: string, extra: Partial<SyncConfig> = {}) {
  const config: SyncConfig = {
    baseUrl: server.url,
    pollInterval: 200,
    ...extra,
  };
  return (
    <SyncProvider config={config}>
      <ContactList draft={{ name, email: `${name.replace(/\W/g, "")}@example.com` }} />
    </SyncProvider>
  );
}

function names(container: HTMLElement): string[] {
  const list = within(container).getByRole("list", { name: "contacts" });
  return within(list)
    .queryAllByRole("listitem")
    .map((item) => item.textContent ?? "");
}

const attemptsFor = (name: string) =>
  server.attempts.filter((attempt) => attempt.name === name);
const storedFor = (name: string) =>
  server.contacts.filter((contact) => contact.name === name);
const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function queuedText(): string {
  let text = "";
  for (let i = 0; i < localStorage.length; i++) {
    const key = localStorage.key(i)!;
    if (key.startsWith("sync-patterns:outbox:")) text += `${key}=${localStorage.getItem(key)}\n`;
  }
  return text;
}

describe.skipIf(process.env.SYNC_MODE !== "rest")("outbox", () => {
  test("a 503 keeps the write queued; the retry lands it once", async () => {
    const name = "After 503";
    server.script.push({ status: 503 });
    const { container } = render(app(name));
    fireEvent.click(within(container).getByRole("button", { name: "Add" }));
    await waitFor(() => expect(storedFor(name)).toHaveLength(1));
    expect(attemptsFor(name).map((attempt) => attempt.status)).toEqual([503, 201]);
    await waitFor(() => expect(names(container)).toEqual([name]));
    await waitFor(() => expect(queuedText()).toBe(""));
    expect(screen.queryByRole("alert")).toBeNull();
  });

  test("a 429 waits as long as Retry-After asks", async () => {
    const name = "After 429";
    server.script.push({ status: 429, headers: { "Retry-After": "1" } });
    const { container } = render(app(name));
    fireEvent.click(within(container).getByRole("button", { name: "Add" }));
    await waitFor(() => expect(storedFor(name)).toHaveLength(1));
    const [first, second] = attemptsFor(name);
    expect(first!.status).toBe(429);
    expect(second!.status).toBe(201);
    // Without Retry-After the first retry comes within 0.5 s.
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(950);
  });

  test("a definite rejection (400) drops the write and rolls it back", async () => {
    const name = "Rejected 400";
    server.script.push({ status: 400 });
    const { container } = render(app(name));
    fireEvent.click(within(container).getByRole("button", { name: "Add" }));
    await screen.findByRole("alert");
    await waitFor(() => expect(names(container)).not.toContain(name));
    await settle(1_000);
    expect(attemptsFor(name).map((attempt) => attempt.status)).toEqual([400]);
    expect(queuedText()).toBe("");
  });

  test("two tabs sharing storage send each write once", async () => {
    const name = "Two tabs";
    // Tab one's first attempt fails, so the write is still queued when tab two starts and
    // finds it; both then try to deliver it.
    server.script.push({ status: 503 }, { status: 503 });
    const one = render(app(name));
    fireEvent.click(within(one.container).getByRole("button", { name: "Add" }));
    await waitFor(() => expect(attemptsFor(name).length).toBeGreaterThan(0));
    expect(queuedText()).toContain(name);
    const two = render(app("unused"));
    await waitFor(() => expect(names(two.container)).toContain(name));
    await waitFor(() => expect(storedFor(name)).toHaveLength(1));
    await settle(2_500);
    expect(storedFor(name)).toHaveLength(1);
    expect(attemptsFor(name).filter((attempt) => attempt.status === 201)).toHaveLength(1);
    await waitFor(() => expect(names(one.container)).toEqual([name]));
    await waitFor(() => expect(names(two.container)).toEqual([name]));
    expect(queuedText()).toBe("");
  });

  test("another user's queue is neither sent nor readable", async () => {
    const name = "Alice offline";
    const offline: typeof fetch = async (input, init) => {
      if (init?.method === "POST") throw new TypeError("fetch failed");
      return fetch(input, init);
    };
    const alice = render(app(name, { userScope: "alice", fetch: offline }));
    fireEvent.click(within(alice.container).getByRole("button", { name: "Add" }));
    await waitFor(() => expect(names(alice.container)).toContain(name));
    expect(queuedText()).toContain(name);
    alice.unmount();

    const bob = render(app("unused", { userScope: "bob" }));
    await waitFor(() =>
      expect(within(bob.container).getByLabelText("status").textContent).toBe("success"),
    );
    await settle(1_500);
    expect(names(bob.container)).not.toContain(name);
    expect(attemptsFor(name)).toEqual([]);
    // Alice's write is still hers, under her scope, until she signs out.
    expect(queuedText()).toMatch(/:alice:contacts=.*Alice offline/);
    clearUserScope({ baseUrl: server.url, userScope: "alice" });
    expect(queuedText()).toBe("");
  });
});
