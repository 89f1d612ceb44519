// The same <ContactList> against a real contacts-server on loopback, once per sync mode:
// `shape` (live, rows streamed over the Electric Shape protocol), `rest` (live, rows from the
// REST list) and `push` (TanStack Query). Requests go over real HTTP; nothing is mocked.
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
import { SyncProvider, type NewContact, type SyncConfig } from "#api";
import { ContactList } from "./ContactList";
import { startContactsServer, type Server } from "./server";

const mode = process.env.SYNC_MODE as "shape" | "rest" | "push";
// Two shared cores in CI: give each wait room; a passing wait still returns at once.
configure({ asyncUtilTimeout: 5_000 });
const live = mode !== "push";

let server: Server;
beforeAll(async () => {
  server = await startContactsServer();
});
afterAll(async () => {
  await server?.stop();
});
afterEach(cleanup);

/** Writes a contact as another client would: plain HTTP, not through the UI under test. */
async function writeElsewhere(contact: NewContact): Promise<void> {
  const response = await fetch(`${server.url}/contacts`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(contact),
  });
  expect(response.status).toBe(201);
}

async function serverNames(): Promise<string[]> {
  const response = await fetch(`${server.url}/contacts`);
  const rows = (await response.json()) as { name: string }[];
  return rows.map((row) => row.name);
}

function listedNames(): string[] {
  const list = screen.getByRole("list", { name: "contacts" });
  return within(list)
    .queryAllByRole("listitem")
    .map((item) => item.textContent ?? "");
}

/** A gate on the app's POST requests: the request is not even sent until it opens. */
function gatedFetch() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  const gated: typeof fetch = async (input, init) => {
    if (init?.method === "POST") await opened;
    return fetch(input, init);
  };
  return { fetch: gated, open };
}

function renderList(draft: NewContact, extra: Partial<SyncConfig> = {}) {
  const config: SyncConfig = {
    baseUrl: server.url,
    shapeUrl: `${server.url}/v1/shape`,
    pollInterval: 200,
    ...extra,
  };
  return render(
    <SyncProvider config={config}>
      <ContactList draft={draft} />
    </SyncProvider>,
  );
}

describe(`ContactList (${mode})`, () => {
  test("shows the server's rows", async () => {
    await writeElsewhere({ name: `Grace ${mode}`, email: "grace@example.com" });
    await writeElsewhere({
      name: `Alan ${mode}`,
      email: "alan@example.com",
      phone: null,
    });
    renderList({ name: "unused", email: "unused@example.com" });
    const expected = await serverNames();
    expect(expected).toContain(`Grace ${mode}`);
    await waitFor(() => expect(listedNames()).toEqual(expected));
    expect(screen.getByLabelText("status").textContent).toBe("success");
  });

  test("adds a row through the API", async () => {
    const name = `Ada ${mode}`;
    const gate = gatedFetch();
    renderList({ name, email: "ada@example.com" }, { fetch: gate.fetch });
    await waitFor(() =>
      expect(screen.getByLabelText("status").textContent).toBe("success"),
    );
    fireEvent.click(screen.getByRole("button", { name: "Add" }));
    if (live) {
      // Optimistic: in the DOM while the POST has not even left the client.
      await waitFor(() => expect(listedNames()).toContain(name));
      expect(await serverNames()).not.toContain(name);
    }
    gate.open();
    await waitFor(async () => expect(await serverNames()).toContain(name));
    await waitFor(() => expect(listedNames()).toContain(name));
    // Once synced, the row is there exactly once (the server's copy replaced the optimistic one).
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(listedNames().filter((listed) => listed === name)).toHaveLength(1);
    expect(screen.queryByRole("alert")).toBeNull();
  });

  test("a rejected write rolls back and shows the error", async () => {
    const name = `Rejected ${mode}`;
    const gate = gatedFetch();
    renderList({ name, email: "not an email" }, { fetch: gate.fetch });
    await waitFor(() =>
      expect(screen.getByLabelText("status").textContent).toBe("success"),
    );
    fireEvent.click(screen.getByRole("button", { name: "Add" }));
    if (live) await waitFor(() => expect(listedNames()).toContain(name));
    gate.open();
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toMatch(/^422 /);
    expect(alert.textContent).toContain("email");
    await waitFor(() => expect(listedNames()).not.toContain(name));
    expect(await serverNames()).not.toContain(name);
  });

  test.skipIf(!live)(
    "writes made offline persist, survive a reload and replay on reconnect",
    async () => {
      const name = `Offline ${mode}`;
      // Queued writes are stored per base URL and user scope, one key per collection.
      const outbox = () => {
        for (let i = 0; i < localStorage.length; i++) {
          const key = localStorage.key(i)!;
          if (key.startsWith("sync-patterns:outbox:") && key.endsWith(":contacts"))
            return localStorage.getItem(key) ?? "[]";
        }
        return "[]";
      };
      const before = renderList({ name, email: "offline@example.com" });
      await waitFor(() =>
        expect(screen.getByLabelText("status").textContent).toBe("success"),
      );
      await server.stop({ keepData: true });
      fireEvent.click(screen.getByRole("button", { name: "Add" }));
      await waitFor(() => expect(listedNames()).toContain(name));
      expect(outbox()).toContain(name);
      // A reload: the app starts again from scratch, still offline, and shows the write.
      before.unmount();
      renderList({ name: "unused", email: "unused@example.com" });
      await waitFor(() => expect(listedNames()).toContain(name));
      // Back online: the write reaches the server once, and the outbox empties.
      server = await server.restart();
      window.dispatchEvent(new Event("online"));
      await waitFor(async () => expect(await serverNames()).toContain(name), {
        timeout: 10_000,
      });
      await waitFor(() => expect(outbox()).toBe("[]"));
      expect(
        (await serverNames()).filter((listed) => listed === name),
      ).toHaveLength(1);
      await waitFor(() => expect(listedNames()).toContain(name));
    },
  );

  test.skipIf(!live)(
    "a row written by another client appears without a reload",
    async () => {
      renderList({ name: "unused", email: "unused@example.com" });
      await waitFor(() =>
        expect(screen.getByLabelText("status").textContent).toBe("success"),
      );
      const name = `Written elsewhere ${mode}`;
      await writeElsewhere({ name, email: "elsewhere@example.com" });
      await waitFor(() => expect(listedNames()).toContain(name), {
        timeout: 5000,
      });
    },
  );
});
