import {
  QueryClient,
  QueryClientProvider,
  type UseMutationResult,
  type UseQueryResult,
} from "@tanstack/react-query";
import {
  createContext,
  createElement,
  useContext,
  useEffect,
  useMemo,
  type ReactNode,
} from "react";
import type { ClientConfig } from "./client";

/** What `SyncProvider` is told once for the whole app. */
export type SyncConfig = ClientConfig & {
  /**
   * The Shape endpoint of an ElectricSQL-compatible sync server (e.g.
   * `https://sync.example.com/v1/shape`), for live resources whose rows stream from it.
   */
  shapeUrl?: string;
  /** How often live resources synced through their REST list refetch, in ms (10 s). */
  pollInterval?: number;
  /** The QueryClient to use; the provider makes one when this is left out. */
  queryClient?: QueryClient;
  /**
   * Told when a write left over from an earlier session (made offline, then the app was
   * closed) is rejected by the API on replay; no hook is waiting for it any more.
   */
  onReplayError?: (error: unknown) => void;
};

/** What the generated hooks read from the nearest `SyncProvider`. */
export type Sync = {
  config: SyncConfig;
  queryClient: QueryClient;
  /** Live collections, made once per provider and scope: they hold rows and sync state. */
  collections: Map<string, unknown>;
  /** False once the provider has unmounted: its outboxes stop retrying (as at a reload). */
  active: boolean;
};

const SyncContext = createContext<Sync | null>(null);

export type SyncProviderProps = {
  config: SyncConfig;
  children?: ReactNode;
};

/** Gives every hook below it the API's address, auth, sync server and a QueryClient. */
export function SyncProvider({
  config,
  children,
}: SyncProviderProps): ReactNode {
  const sync = useMemo<Sync>(
    () => ({
      config,
      queryClient: config.queryClient ?? new QueryClient(),
      collections: new Map(),
      active: true,
    }),
    [config],
  );
  useEffect(() => {
    sync.active = true;
    return () => {
      sync.active = false;
    };
  }, [sync]);
  return createElement(
    QueryClientProvider,
    { client: sync.queryClient },
    createElement(SyncContext.Provider, { value: sync }, children),
  );
}

/** The nearest `SyncProvider`'s state. */
export function useSync(): Sync {
  const sync = useContext(SyncContext);
  if (sync === null) {
    throw new Error("sync-patterns hooks must be used inside <SyncProvider>.");
  }
  return sync;
}

/** One status for both sync modes. */
export type ResourceStatus = "pending" | "success" | "error";

/** What a list hook returns, whether the resource is push or live. */
export type ListResult<T> = {
  /** The rows; empty until the first load. */
  data: T[];
  status: ResourceStatus;
  isLoading: boolean;
  isError: boolean;
  error: Error | null;
};

/** What an item hook returns, whether the resource is push or live. */
export type ItemResult<T> = {
  /** The item; `undefined` until it has loaded, or when no item has that key. */
  data: T | undefined;
  status: ResourceStatus;
  isLoading: boolean;
  isError: boolean;
  error: Error | null;
};

/** What a mutation hook returns, whether the resource is push or live. */
export type MutationResult<TVariables, TData> = {
  /** Starts the mutation; its outcome shows in `status` and `error`. */
  mutate: (variables: TVariables) => void;
  /** Starts the mutation and resolves to the API's reply, or rejects with its error. */
  mutateAsync: (variables: TVariables) => Promise<TData>;
  data: TData | undefined;
  status: "idle" | "pending" | "success" | "error";
  isPending: boolean;
  isError: boolean;
  error: Error | null;
  reset: () => void;
};

/** The variables of an update hook: which item, and its new field values. */
export type UpdateVariables<TKey, TChanges> = {
  key: TKey;
  changes: TChanges;
};

// Shared so an empty list keeps its identity between renders.
const NO_ROWS: never[] = [];

/** The unified result of a TanStack Query list query. */
export function listFromQuery<T>(query: UseQueryResult<T[]>): ListResult<T> {
  return {
    data: query.data ?? NO_ROWS,
    status: query.status,
    isLoading: query.isLoading,
    isError: query.isError,
    error: query.error,
  };
}

/** The unified result of a TanStack Query item query. */
export function itemFromQuery<T>(query: UseQueryResult<T>): ItemResult<T> {
  return {
    data: query.data,
    status: query.status,
    isLoading: query.isLoading,
    isError: query.isError,
    error: query.error,
  };
}

/** The part of a `useLiveQuery` result the unified results are made from. */
type LiveQueryState<T> = {
  data: T[] | undefined;
  status: string;
  isError: boolean;
};

function liveStatus(query: LiveQueryState<unknown>): ResourceStatus {
  if (query.isError) return "error";
  return query.status === "ready" ? "success" : "pending";
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

/** The unified result of a live list; `error` is the collection's last sync error. */
export function listFromLive<T>(
  query: LiveQueryState<T>,
  error: unknown,
): ListResult<T> {
  const status = liveStatus(query);
  return {
    data: query.data ?? NO_ROWS,
    status,
    isLoading: status === "pending",
    isError: status === "error",
    error: status === "error" ? asError(error ?? "sync failed") : null,
  };
}

/**
 * The unified result for the row of a live list that `matches`. A scan, which stays cheap at
 * the sizes a client keeps locally and needs no index per key field.
 */
export function itemFromLive<T>(
  query: LiveQueryState<T>,
  matches: (row: T) => boolean,
  error: unknown,
): ItemResult<T> {
  const list = listFromLive(query, error);
  return { ...list, data: list.data.find(matches) };
}

/** The unified result of a TanStack Query mutation. */
export function fromMutation<TVariables, TData>(
  mutation: UseMutationResult<TData, Error, TVariables>,
): MutationResult<TVariables, TData> {
  return {
    mutate: (variables) => mutation.mutate(variables),
    mutateAsync: mutation.mutateAsync,
    data: mutation.data,
    status: mutation.status,
    isPending: mutation.isPending,
    isError: mutation.isError,
    error: mutation.error,
    reset: mutation.reset,
  };
}

/** The live collection for `key`, made on first use. */
export function collectionFor<T>(sync: Sync, key: string, create: () => T): T {
  let collection = sync.collections.get(key) as T | undefined;
  if (collection === undefined) {
    collection = create();
    sync.collections.set(key, collection);
  }
  return collection;
}

/**
 * The fields of `row` that the request schema names. Rows of a live collection also carry
 * TanStack DB's virtual `$synced`, `$origin`, ... props and fields only the server sets;
 * neither may be sent back.
 */
export function pick<T>(row: object, fields: readonly string[]): T {
  const source = row as Record<string, unknown>;
  const picked: Record<string, unknown> = {};
  for (const field of fields) {
    if (source[field] !== undefined) picked[field] = source[field];
  }
  return picked as T;
}

/** `row` without TanStack DB's virtual props, for bodies whose schema has no field list. */
export function withoutVirtualProps<T>(row: object): T {
  const copy: Record<string, unknown> = { ...row };
  for (const name of VIRTUAL_PROPS) delete copy[name];
  return copy as T;
}

const VIRTUAL_PROPS = [
  "$hasPendingWrites",
  "$synced",
  "$origin",
  "$key",
  "$collectionId",
];

/** A key made on this client, so a new row can be shown before the server has it. */
export function newKey(): string {
  return crypto.randomUUID();
}

/**
 * A temporary key for a new row of a resource with numeric keys: negative, so it cannot
 * collide with the server's; the server's row replaces it once synced.
 */
export function temporaryNumericKey(): number {
  return -Date.now() - Math.floor(Math.random() * 1000);
}

/**
 * A new row as shown until the server's version arrives: the fields the user gave plus the
 * key. Fields only the server fills in (ids, timestamps) are missing until then, which the
 * row type cannot express, hence the cast.
 */
export function optimisticRow<T>(fields: object, key: object): T {
  return { ...fields, ...key } as T;
}

// What the API answered each live write, so `mutateAsync` resolves to the same reply in both
// modes. Keyed by the TanStack DB transaction, which the mutation handler also receives.
const replies = new WeakMap<object, unknown>();

/** Remembers the API's reply to the write in `transaction`. */
export function keepReply(transaction: object, reply: unknown): void {
  replies.set(transaction, reply);
}

/** Waits until the write in `transaction` is persisted, then returns the API's reply. */
export async function persisted<T>(transaction: {
  isPersisted: { promise: Promise<unknown> };
}): Promise<T> {
  await transaction.isPersisted.promise;
  return replies.get(transaction) as T;
}

/** The transaction ids an ElectricSQL-compatible server reports for a write. */
export function readTxids(response: Response, into: number[]): void {
  const header = response.headers.get("x-electric-txid") ?? "";
  for (const part of header.split(",")) {
    const txid = Number(part.trim());
    if (part.trim() !== "" && Number.isSafeInteger(txid)) into.push(txid);
  }
}

/** The sync server's Shape endpoint, which live resources with a shape need. */
export function shapeUrl(sync: Sync): string {
  if (sync.config.shapeUrl === undefined) {
    throw new Error(
      "This live resource streams from a sync server: set `shapeUrl` in <SyncProvider config>.",
    );
  }
  return sync.config.shapeUrl;
}

/** Whether `value` is there: for lists whose spec lets entries be `null`. */
export function present<T>(value: T | null | undefined): value is T {
  return value !== null && value !== undefined;
}

/** Sends one write to the API; `txids` collects the transaction ids a sync server reports. */
export type Sender<W> = (
  sync: Sync,
  write: W,
  txids: number[],
) => Promise<unknown>;

/** A write of a live resource on its way to the API, as kept in an outbox. */
type Entry<W> = { id: string; write: W };

// Where outboxes keep their writes when the platform has no localStorage (server rendering).
const memoryStorage = new Map<string, string>();

function readStorage(key: string): string | null {
  if (typeof localStorage === "undefined")
    return memoryStorage.get(key) ?? null;
  return localStorage.getItem(key);
}

function writeStorage(key: string, value: string): void {
  if (typeof localStorage === "undefined") memoryStorage.set(key, value);
  else localStorage.setItem(key, value);
}

/**
 * The writes of one live collection that the API has not confirmed yet. They are kept in
 * localStorage before the first attempt, so a write made offline survives a reload; while the
 * network is down, delivery waits for the `online` event or a backoff, whichever comes first.
 */
export class Outbox<W> {
  private readonly sync: Sync;
  private readonly storageKey: string;
  private readonly send: Sender<W>;

  constructor(sync: Sync, name: string, send: Sender<W>) {
    this.sync = sync;
    this.storageKey = `sync-patterns:outbox:${name}`;
    this.send = send;
  }

  /** The writes not yet confirmed, oldest first. */
  pending(): W[] {
    return this.entries().map((entry) => entry.write);
  }

  /**
   * Sends `write` until the API answers: resolves to its reply, or rejects with its error
   * (a 4xx or 5xx is not retried). Stops, keeping the write, when the provider goes away.
   */
  async deliver(id: string, write: W, txids: number[] = []): Promise<unknown> {
    this.save([
      ...this.entries().filter((entry) => entry.id !== id),
      { id, write },
    ]);
    for (let attempt = 0; ; attempt++) {
      if (!this.sync.active) {
        throw new Error("sync-patterns: the provider is gone");
      }
      if (isOnline()) {
        try {
          const reply = await this.send(this.sync, write, txids);
          this.remove(id);
          return reply;
        } catch (error) {
          if (!isNetworkError(error)) {
            this.remove(id);
            throw error;
          }
        }
      }
      await backoff(attempt);
    }
  }

  /** Takes the writes an earlier session left, to be applied again. */
  takeLeftovers(): W[] {
    const writes = this.pending();
    this.save([]);
    return writes;
  }

  /** Sends a leftover write again, in the background. */
  replay(write: W): void {
    this.watch(this.deliver(newKey(), write));
  }

  /** Reports the failure of a replayed write, which no hook is waiting for. */
  watch(persisted: Promise<unknown>): void {
    persisted.catch((error: unknown) => {
      (this.sync.config.onReplayError ?? console.error)(error);
    });
  }

  private entries(): Entry<W>[] {
    const text = readStorage(this.storageKey);
    return text === null ? [] : (JSON.parse(text) as Entry<W>[]);
  }

  private save(entries: Entry<W>[]): void {
    writeStorage(this.storageKey, JSON.stringify(entries));
  }

  private remove(id: string): void {
    this.save(this.entries().filter((entry) => entry.id !== id));
  }
}

function isOnline(): boolean {
  return typeof navigator === "undefined" || navigator.onLine !== false;
}

/** A failed `fetch` (no connection), as opposed to an answer from the API or a bug. */
function isNetworkError(error: unknown): boolean {
  return (
    error instanceof TypeError &&
    /fetch|network|load failed/i.test(error.message)
  );
}

/** Waits 0.5 s, doubling per attempt up to 30 s, or until the browser is back online. */
function backoff(attempt: number): Promise<void> {
  const ms = Math.min(30_000, 500 * 2 ** Math.min(attempt, 6));
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      if (typeof window !== "undefined")
        window.removeEventListener("online", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    if (typeof window !== "undefined") window.addEventListener("online", done);
  });
}
