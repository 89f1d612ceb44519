// Operation hooks and the provider against the real contacts-server, in every sync mode.
import {
  cleanup,
  configure,
  fireEvent,
  render,
  screen,
  waitFor,
} from "@testing-library/react";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import {
  SyncProvider,
  useContacts,
  useCreateContact,
  useSync,
  type Sync,
  type SyncConfig,
} from "#api";
import { AnalyticsBadge } from "./Analytics";
import { startContactsServer, type Server } from "./server";

configure({ asyncUtilTimeout: 5_000 });

let server: Server;
let requests: string[] = [];
beforeAll(async () => {
  server = await startContactsServer();
});
afterAll(() => server?.stop());
afterEach(() => {
  cleanup();
  requests = [];
});

/** The global fetch, noting each URL it is asked for. */
const countingFetch: typeof fetch = (input, init) => {
  requests.push(String(input));
  return fetch(input, init);
};

function config(): SyncConfig {
  // A new object on every call: what an inline `config={{ ... }}` gives at every render.
  return {
    baseUrl: server.url,
    shapeUrl: `${server.url}/v1/shape`,
    fetch: countingFetch,
  };
}

describe(`operation hooks (${process.env.SYNC_MODE})`, () => {
  test("enabled: false sends nothing; enabling loads, and select shapes the data", async () => {
    render(
      <SyncProvider config={config()}>
        <AnalyticsBadge />
      </SyncProvider>,
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(screen.getByLabelText("analytics status").textContent).toBe("pending/idle");
    expect(requests.filter((url) => url.includes("/analytics"))).toEqual([]);
    fireEvent.click(screen.getByRole("button", { name: "Load" }));
    const expected = (await (await fetch(`${server.url}/analytics`)).json()) as {
      total_contacts: number;
    };
    await waitFor(() =>
      expect(screen.getByLabelText("total").textContent).toBe(String(expected.total_contacts)),
    );
    expect(screen.getByLabelText("analytics status").textContent).toBe("success/idle");
    fireEvent.click(screen.getByRole("button", { name: "Reload" }));
    await waitFor(() =>
      expect(requests.filter((url) => url.includes("/analytics"))).toHaveLength(2),
    );
  });
});

describe(`resource hooks (${process.env.SYNC_MODE})`, () => {
  test("enabled: false reads nothing in either mode", async () => {
    function Rows({ enabled }: { enabled: boolean }) {
      const contacts = useContacts({ enabled });
      return <p aria-label="rows">{contacts.status}</p>;
    }
    const tree = (enabled: boolean) => (
      <SyncProvider config={config()}>
        <Rows enabled={enabled} />
      </SyncProvider>
    );
    const view = render(tree(false));
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(screen.getByLabelText("rows").textContent).toBe("pending");
    expect(requests.filter((url) => /\/contacts|\/v1\/shape/.test(url))).toEqual([]);
    view.rerender(tree(true));
    await waitFor(() => expect(screen.getByLabelText("rows").textContent).toBe("success"));
  });
});

describe(`SyncProvider (${process.env.SYNC_MODE})`, () => {
  test("an inline config keeps one QueryClient, its data and stable mutate", async () => {
    const seen: Sync[] = [];
    const mutates: unknown[] = [];
    function Probe() {
      seen.push(useSync());
      mutates.push(useCreateContact().mutate);
      return null;
    }
    const tree = () => (
      <SyncProvider config={config()}>
        <Probe />
        <AnalyticsBadge />
      </SyncProvider>
    );
    const view = render(tree());
    fireEvent.click(screen.getByRole("button", { name: "Load" }));
    await waitFor(() => expect(screen.getByLabelText("total").textContent).not.toBe("-"));
    const loaded = requests.length;
    for (let i = 0; i < 5; i++) view.rerender(tree());
    expect(seen.length).toBeGreaterThanOrEqual(6);
    expect(new Set(seen.map((sync) => sync.queryClient)).size).toBe(1);
    expect(new Set(seen).size).toBe(1);
    expect(new Set(mutates).size).toBe(1);
    // The data is still there, and no render refetched it.
    expect(screen.getByLabelText("total").textContent).not.toBe("-");
    expect(requests.length).toBe(loaded);
    // Another user scope is another cache.
    view.rerender(
      <SyncProvider config={{ ...config(), userScope: "someone else" }}>
        <Probe />
      </SyncProvider>,
    );
    expect(seen.at(-1)!.queryClient).not.toBe(seen[0]!.queryClient);
  });
});

describe.skipIf(process.env.SYNC_MODE === "push")(
  `live collections (${process.env.SYNC_MODE})`,
  () => {
    test("a collection no hook uses any more is released", async () => {
      let sync: Sync | undefined;
      function List({ show }: { show: boolean }) {
        sync = useSync();
        return show ? <Rows /> : null;
      }
      function Rows() {
        const contacts = useContacts();
        return <p aria-label="rows">{contacts.status}</p>;
      }
      const tree = (show: boolean) => (
        <SyncProvider config={{ ...config(), collectionGcTime: 100 }}>
          <List show={show} />
        </SyncProvider>
      );
      const view = render(tree(true));
      await waitFor(() => expect(screen.getByLabelText("rows").textContent).toBe("success"));
      expect(sync!.collections.size).toBe(1);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(sync!.collections.size).toBe(1);
      view.rerender(tree(false));
      await waitFor(() => expect(sync!.collections.size).toBe(0));
    });
  },
);
