import {
  QueryClient,
  QueryClientProvider,
  type QueryKey,
  type UseMutationOptions,
  type UseMutationResult,
  type UseQueryOptions,
  type UseQueryResult,
} from "@tanstack/react-query";
import {
  createContext,
  createElement,
  useContext,
  useEffect,
  useRef,
  type ReactNode,
} from "react";
import {
  ApiError,
  clientConfig,
  configureClient,
  type ClientConfig,
} from "./client";

/** What `SyncProvider` is told once for the whole app. */
export type SyncConfig = ClientConfig & {
  /**
   * The Shape endpoint of an ElectricSQL-compatible sync server (e.g.
   * `https://sync.example.com/v1/shape`), for live resources whose rows stream from it.
   */
  shapeUrl?: string;
  /** How often live resources synced through their REST list refetch, in ms (10 s). */
  pollInterval?: number;
  /**
   * How long a live collection no hook uses any more is kept, in ms (5 min), before it is
   * released: a scoped list (`useIssues({ repo })`) visited once does not stay in memory.
   */
  collectionGcTime?: number;
  /** The QueryClient to use; the provider makes one when this is left out. */
  queryClient?: QueryClient;
  /**
   * Whose data this is, e.g. the signed-in user's id. Cached rows and queued writes are kept
   * per base URL and user scope: another user of the same browser sees and sends none of
   * them. Call `clearUserScope` at sign-out to delete the scope's queued writes.
   */
  userScope?: string;
  /**
   * Told when a write left over from an earlier session (made offline, then the app was
   * closed) is rejected by the API on replay; no hook is waiting for it any more.
   */
  onReplayError?: (error: unknown) => void;
};

/** What the generated hooks read from the nearest `SyncProvider`. */
export type Sync = {
  /** The provider's latest config (it may be written inline: it is read at each call). */
  config: SyncConfig;
  queryClient: QueryClient;
  /** Live collections, made once per provider and scope: they hold rows and sync state. */
  collections: Map<string, unknown>;
  /** False once the provider has unmounted: its outboxes stop retrying (as at a reload). */
  active: boolean;
  /** The base URL and user scope that queued writes are stored under. */
  storageScope: string;
};

const SyncContext = createContext<Sync | null>(null);

export type SyncProviderProps = {
  /** Left out, the provider uses what `configureClient` set. */
  config?: SyncConfig;
  children?: ReactNode;
};

/**
 * Gives every hook below it the API's address, auth, sync server and a QueryClient. The config
 * may be a new object at every render: the QueryClient, live collections and outboxes stay the
 * same until `baseUrl`, `userScope`, `shapeUrl` or `queryClient` change. The provider's config
 * is also the one `configureClient` sets, so plain calls and hooks never disagree.
 */
export function SyncProvider({
  config,
  children,
}: SyncProviderProps): ReactNode {
  const effective: SyncConfig = config ?? clientConfig();
  if (config !== undefined && clientConfig() !== config)
    configureClient(config);
  const current = useRef<Sync | null>(null);
  const identity = syncIdentity(effective);
  let sync = current.current;
  if (
    sync === null ||
    syncIdentity(sync.config) !== identity ||
    (effective.queryClient !== undefined &&
      effective.queryClient !== sync.queryClient)
  ) {
    sync = {
      config: effective,
      queryClient: effective.queryClient ?? new QueryClient(),
      collections: new Map(),
      active: true,
      storageScope: storageScope(effective),
    };
    current.current = sync;
  }
  sync.config = effective;
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

function syncIdentity(config: SyncConfig): string {
  return JSON.stringify([config.baseUrl, config.userScope, config.shapeUrl]);
}

function storageScope(config: { baseUrl: string; userScope?: string }): string {
  const base = encodeURIComponent(config.baseUrl.replace(/\/+$/, ""));
  return `${base}:${encodeURIComponent(config.userScope ?? "")}`;
}

/** The nearest `SyncProvider`'s state. */
export function useSync(): Sync {
  const sync = useContext(SyncContext);
  if (sync === null) {
    throw new Error("sync-patterns hooks must be used inside <SyncProvider>.");
  }
  return sync;
}

/** TanStack Query options an operation's query hook takes (it sets the key and function). */
export type QueryHookOptions<
  TQueryFnData,
  TError,
  TData,
  TQueryKey extends QueryKey,
> = Omit<
  UseQueryOptions<TQueryFnData, TError, TData, TQueryKey>,
  "queryKey" | "queryFn"
>;

/** TanStack Query options an operation's mutation hook takes (it sets the function). */
export type MutationHookOptions<TData, TError, TVariables> = Omit<
  UseMutationOptions<TData, TError, TVariables>,
  "mutationFn"
>;

/** Options of a resource's list and item hooks, the same in both sync modes. */
export type ResourceOptions = {
  /** `false` reads nothing (no request, no sync) and keeps the result pending. */
  enabled?: boolean;
};

/** One status for both sync modes. */
export type ResourceStatus = "pending" | "success" | "error";

/** What a list hook returns, whether the resource is push or live. */
export type ListResult<T> = {
  /** The rows; empty until the first load. */
  data: T[];
  status: ResourceStatus;
  isLoading: boolean;
  /** A request for the rows is under way (live: the REST list being refetched). */
  isFetching: boolean;
  isError: boolean;
  error: Error | null;
  /** Loads the rows again from the API (a live shape is already current: it resolves). */
  refetch: () => Promise<unknown>;
};

/**
 * What an item hook returns, whether the resource is push or live. An item the API does not
 * have is `data: undefined` with status `"success"` in both modes: a 404 is no error here.
 */
export type ItemResult<T> = {
  /** The item; `undefined` until it has loaded, or when no item has that key. */
  data: T | undefined;
  status: ResourceStatus;
  isLoading: boolean;
  isFetching: boolean;
  isError: boolean;
  error: Error | null;
  refetch: () => Promise<unknown>;
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
    isFetching: query.isFetching,
    isError: query.isError,
    error: query.error,
    refetch: query.refetch,
  };
}

/** The unified result of a TanStack Query item query (`null` is the API's 404). */
export function itemFromQuery<T>(
  query: UseQueryResult<T | null>,
): ItemResult<T> {
  return {
    data: query.data ?? undefined,
    status: query.status,
    isLoading: query.isLoading,
    isFetching: query.isFetching,
    isError: query.isError,
    error: query.error,
    refetch: query.refetch,
  };
}

/** The item, or `null` when the API answers 404: how push mode matches live mode's miss. */
export async function orNotFound<T>(item: Promise<T>): Promise<T | null> {
  try {
    return await item;
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return null;
    throw error;
  }
}

/** The part of a `useLiveQuery` result the unified results are made from. */
type LiveQueryState<T> = {
  data: T[] | undefined;
  state: ReadonlyMap<string | number, T> | undefined;
  status: string;
  isError: boolean;
};

/** What a live collection tells about its sync, beside its rows (a REST collection's `utils`). */
export type LiveSyncState = {
  lastError: unknown;
  isFetching: boolean;
  refetch: () => Promise<unknown>;
};

/** The sync state of a collection streamed from a Shape: always current, errors in its rows' status. */
export const STREAMED: LiveSyncState = {
  lastError: undefined,
  isFetching: false,
  refetch: () => Promise.resolve(),
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
  live: LiveSyncState,
): ListResult<T> {
  const status = liveStatus(query);
  return {
    data: query.data ?? NO_ROWS,
    status,
    isLoading: status === "pending",
    isFetching: live.isFetching,
    isError: status === "error",
    error: status === "error" ? asError(live.lastError ?? "sync failed") : null,
    refetch: live.refetch,
  };
}

/** The unified result for the row of a live collection with `key`: a lookup, not a scan. */
export function itemFromLive<T>(
  query: LiveQueryState<T>,
  key: string | number,
  live: LiveSyncState,
): ItemResult<T> {
  return { ...listFromLive(query, live), data: query.state?.get(key) };
}

/** The unified result of a TanStack Query mutation. */
export function fromMutation<TVariables, TData>(
  mutation: UseMutationResult<TData, Error, TVariables>,
): MutationResult<TVariables, TData> {
  return {
    // TanStack Query keeps `mutate` the same function across renders; so does this.
    mutate: mutation.mutate,
    mutateAsync: mutation.mutateAsync,
    data: mutation.data,
    status: mutation.status,
    isPending: mutation.isPending,
    isError: mutation.isError,
    error: mutation.error,
    reset: mutation.reset,
  };
}

/** How many mounted hooks use each live collection, and the timer that releases it. */
type Hold = {
  sync: Sync;
  key: string;
  count: number;
  timer?: ReturnType<typeof setTimeout>;
};
const holds = new WeakMap<object, Hold>();

/** The live collection for `key`, made on first use. */
export function collectionFor<T extends object>(
  sync: Sync,
  key: string,
  create: () => T,
): T {
  let collection = sync.collections.get(key) as T | undefined;
  if (collection === undefined) {
    collection = create();
    sync.collections.set(key, collection);
    holds.set(collection, { sync, key, count: 0 });
  }
  return collection;
}

/**
 * Marks `collection` used while the calling component is mounted. Once no component uses it
 * for `collectionGcTime`, the provider forgets it (TanStack DB stops its sync on its own), and
 * the next hook to need it loads it afresh. Queued writes stay in the outbox meanwhile.
 */
export function useHeld(collection: object): void {
  useEffect(() => {
    const hold = holds.get(collection);
    if (hold === undefined) return undefined;
    hold.count++;
    clearTimeout(hold.timer);
    return () => {
      hold.count--;
      if (hold.count > 0) return;
      hold.timer = setTimeout(() => {
        if (
          hold.count === 0 &&
          hold.sync.collections.get(hold.key) === collection
        ) {
          hold.sync.collections.delete(hold.key);
        }
      }, hold.sync.config.collectionGcTime ?? 300_000);
    };
  }, [collection]);
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

const STORAGE_PREFIX = "sync-patterns:outbox:v1:";

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

function removeStorage(key: string): void {
  if (typeof localStorage === "undefined") memoryStorage.delete(key);
  else localStorage.removeItem(key);
}

function storageKeys(): string[] {
  if (typeof localStorage === "undefined") return [...memoryStorage.keys()];
  const keys: string[] = [];
  for (let i = 0; i < localStorage.length; i++) {
    const key = localStorage.key(i);
    if (key !== null) keys.push(key);
  }
  return keys;
}

/**
 * Deletes every write queued for `userScope` at `baseUrl`, sent or not: call it at sign-out.
 * The next user of the browser can neither see nor send them.
 */
export function clearUserScope(config: {
  baseUrl: string;
  userScope?: string;
}): void {
  const prefix = `${STORAGE_PREFIX}${storageScope(config)}:`;
  for (const key of storageKeys()) {
    if (key.startsWith(prefix)) removeStorage(key);
  }
}

/**
 * The writes of one live collection that the API has not confirmed yet, following
 * docs/outbox.md: kept in localStorage (per base URL, user scope and collection) before the
 * first attempt, so a write made offline survives a reload; sent by one tab at a time under
 * a lock, and removed before the lock is released, so no write is sent twice; kept and sent
 * again after a network error, 408, 425, 429 or 5xx (with backoff and `Retry-After`), and
 * dropped only when the API rejects it for good (any other 4xx).
 */
export class Outbox<W> {
  private readonly sync: Sync;
  private readonly storageKey: string;
  private readonly send: Sender<W>;
  /** Tells this outbox's lock holder from another tab's. */
  private readonly owner = newKey();
  /** Entry ids of leftover writes re-applied to the collection, by row key. */
  private readonly adopted = new Map<unknown, string>();

  constructor(sync: Sync, name: string, send: Sender<W>) {
    this.sync = sync;
    this.storageKey = `${STORAGE_PREFIX}${sync.storageScope}:${name}`;
    this.send = send;
  }

  /** The writes not yet confirmed, oldest first. */
  pending(): W[] {
    return this.entries().map((entry) => entry.write);
  }

  /**
   * The id a write is queued under: a leftover re-applied with `adopt` keeps its id (so the
   * tab that queued it and this one never both send it); a new write takes its mutation's.
   */
  entryId(mutation: { mutationId: string; key: unknown }): string {
    const id = this.adopted.get(mutation.key);
    this.adopted.delete(mutation.key);
    return id ?? mutation.mutationId;
  }

  /**
   * Sends `write` until the API takes it or rejects it for good: resolves to its reply (or
   * `undefined` when another tab delivered it), or rejects with the API's error. Stops,
   * keeping the write, when the provider goes away.
   */
  async deliver(id: string, write: W, txids: number[] = []): Promise<unknown> {
    this.put({ id, write });
    for (let attempt = 0; ; attempt++) {
      if (!this.sync.active) {
        throw new Error("sync-patterns: the provider is gone");
      }
      let failure: unknown = undefined;
      if (isOnline()) {
        const outcome = await this.exclusive(async () => {
          // Under the lock: another tab may have sent it while this one waited.
          if (!this.entries().some((entry) => entry.id === id)) {
            return { done: true, reply: undefined };
          }
          try {
            const reply = await this.send(this.sync, write, txids);
            this.remove(id);
            return { done: true, reply };
          } catch (error) {
            if (isRetryable(error)) return { done: false, error };
            this.remove(id);
            throw error;
          }
        });
        if (outcome.done) return outcome.reply;
        failure = outcome.error;
      }
      await waitBeforeRetry(attempt, failure);
    }
  }

  /** The writes an earlier session (or another tab) queued, to be applied here too. */
  leftovers(): Entry<W>[] {
    return this.entries();
  }

  /** Marks the leftover `entry` as the write that re-inserting the row with `key` makes. */
  adopt(key: unknown, entry: Entry<W>): void {
    this.adopted.set(key, entry.id);
  }

  /** Sends a leftover write again, in the background. */
  replay(entry: Entry<W>): void {
    this.watch(this.deliver(entry.id, entry.write));
  }

  /** Reports the failure of a replayed write, which no hook is waiting for. */
  watch(persisted: Promise<unknown>): void {
    persisted.catch((error: unknown) => {
      if (!this.sync.active) return;
      (this.sync.config.onReplayError ?? console.error)(error);
    });
  }

  private entries(): Entry<W>[] {
    const text = readStorage(this.storageKey);
    return text === null ? [] : (JSON.parse(text) as Entry<W>[]);
  }

  private save(entries: Entry<W>[]): void {
    if (entries.length === 0) removeStorage(this.storageKey);
    else writeStorage(this.storageKey, JSON.stringify(entries));
  }

  /** Queues `entry`, keeping its place when it is queued already. */
  private put(entry: Entry<W>): void {
    const entries = this.entries();
    const at = entries.findIndex((queued) => queued.id === entry.id);
    if (at === -1) this.save([...entries, entry]);
  }

  private remove(id: string): void {
    this.save(this.entries().filter((entry) => entry.id !== id));
  }

  /** Runs `task` while no other tab (or outbox of this one) sends from this queue. */
  private exclusive<T>(task: () => Promise<T>): Promise<T> {
    const name = `${this.storageKey}:lock`;
    const locks =
      typeof navigator === "undefined" ? undefined : navigator.locks;
    if (locks === undefined) return withLease(name, this.owner, task);
    // The lock is held until the callback's promise settles, i.e. until `task` is done.
    return new Promise<T>((resolve, reject) => {
      locks.request(name, () => task().then(resolve, reject)).catch(reject);
    });
  }
}

/** How long a fallback lease lasts unless renewed, and how long a claim settles. */
const LEASE_MS = 10_000;
const LEASE_SETTLE_MS = 30;
const LEASE_POLL_MS = 100;

type Lease = { owner: string; until: number };

function readLease(key: string): Lease | null {
  const text = readStorage(key);
  if (text === null) return null;
  try {
    return JSON.parse(text) as Lease;
  } catch {
    return null;
  }
}

/**
 * The lock where the Web Locks API is missing: a lease in localStorage. A tab claims a free or
 * expired lease, waits for a racing claim to land, and goes ahead only if its claim stood; it
 * renews the lease while it works, so a tab that dies frees it within `LEASE_MS`.
 */
async function withLease<T>(
  key: string,
  owner: string,
  task: () => Promise<T>,
): Promise<T> {
  for (;;) {
    const lease = readLease(key);
    if (lease === null || lease.until < Date.now() || lease.owner === owner) {
      writeStorage(
        key,
        JSON.stringify({ owner, until: Date.now() + LEASE_MS }),
      );
      await sleep(LEASE_SETTLE_MS);
      if (readLease(key)?.owner === owner) break;
    } else {
      await sleep(LEASE_POLL_MS);
    }
  }
  const renew = setInterval(() => {
    writeStorage(key, JSON.stringify({ owner, until: Date.now() + LEASE_MS }));
  }, LEASE_MS / 3);
  try {
    return await task();
  } finally {
    clearInterval(renew);
    if (readLease(key)?.owner === owner) removeStorage(key);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
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

/** Statuses that say "not now" rather than "never": the write stays queued. */
function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || status >= 500;
}

function isRetryable(error: unknown): boolean {
  if (error instanceof ApiError) return isRetryableStatus(error.status);
  return isNetworkError(error);
}

/** `Retry-After` in ms (delay-seconds or an HTTP date), when the error carries one. */
function retryAfter(error: unknown): number | undefined {
  if (!(error instanceof ApiError)) return undefined;
  const header = error.response.headers.get("Retry-After");
  if (header === null || header.trim() === "") return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/**
 * Waits before the next attempt: 0.5 s doubling per attempt up to 30 s, with jitter so tabs and
 * devices do not retry in step, and never less than the server's `Retry-After`. After a
 * network error (or while offline) the browser coming back online ends the wait early.
 */
function waitBeforeRetry(attempt: number, failure: unknown): Promise<void> {
  const base = Math.min(30_000, 500 * 2 ** Math.min(attempt, 6));
  const jittered = base / 2 + Math.random() * (base / 2);
  const asked = retryAfter(failure);
  const ms = asked === undefined ? jittered : Math.max(asked, jittered / 4);
  const wakeOnline = !(failure instanceof ApiError);
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      if (wakeOnline && typeof window !== "undefined")
        window.removeEventListener("online", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    if (wakeOnline && typeof window !== "undefined")
      window.addEventListener("online", done);
  });
}
