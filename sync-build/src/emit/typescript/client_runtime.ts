/** How the client reaches the API: set once with `configureClient`, or per call. */
export type ClientConfig = {
  /** Prepended to every path, e.g. `https://api.example.com/v1`. */
  baseUrl: string;
  /** Sent with every request. */
  headers?: Record<string, string>;
  /**
   * Called before every request; the headers it returns (e.g. `Authorization`) are added.
   * It may be async, so a token can be refreshed first.
   */
  auth?: () => AuthHeaders | Promise<AuthHeaders>;
  /** The `fetch` to call; the global one by default. */
  fetch?: typeof fetch;
};

/** Headers an `auth` hook adds, or `undefined` for none. */
export type AuthHeaders = Record<string, string> | undefined;

/** Options of one call. */
export type RequestOptions = {
  /** Cancels the request. */
  signal?: AbortSignal;
  /** Added to this request's headers. */
  headers?: Record<string, string>;
  /** Used instead of the configuration set with `configureClient`. */
  client?: ClientConfig;
  /** Sees the response before its body is read, e.g. to read a header. */
  onResponse?: (response: Response) => void;
};

/**
 * A response outside 2xx, with its status and its body (decoded when it is JSON, `undefined`
 * when there is none). A failure without an answer (no connection) is the `TypeError` that
 * `fetch` throws, never an `ApiError`. Each operation's `...Error` type lists the statuses its
 * spec declares, so `if (error.status === 404)` narrows `body` to that status's body.
 */
export class ApiError<
  TBody = unknown,
  TStatus extends number = number,
> extends Error {
  readonly status: TStatus;
  readonly body: TBody;
  readonly response: Response;

  constructor(response: Response, body: TBody) {
    super(`${response.status} ${response.statusText}${summary(body)}`.trim());
    this.name = "ApiError";
    this.status = response.status as TStatus;
    this.body = body;
    this.response = response;
  }
}

/** A call's decoded body with the response it came in, from `withResponse`. */
export type WithResponse<T> = {
  data: T;
  status: number;
  headers: Headers;
  response: Response;
};

/**
 * Runs one call and returns its body together with its status and headers (`Link`, `ETag`,
 * rate limits): `await withResponse((options) => getRepo(params, options))`.
 */
export async function withResponse<T>(
  call: (options: RequestOptions) => Promise<T>,
  options: RequestOptions = {},
): Promise<WithResponse<T>> {
  let seen: Response | undefined;
  const data = await call({
    ...options,
    onResponse: (response) => {
      seen = response;
      options.onResponse?.(response);
    },
  });
  if (seen === undefined) {
    throw new Error("sync-patterns: the call finished without a response");
  }
  return { data, status: seen.status, headers: seen.headers, response: seen };
}

let defaultConfig: ClientConfig = { baseUrl: DEFAULT_BASE_URL };

/** Sets the configuration every call uses unless it passes its own. */
export function configureClient(config: ClientConfig): void {
  defaultConfig = config;
}

/** The configuration set with `configureClient`. */
export function clientConfig(): ClientConfig {
  return defaultConfig;
}

/** A short form of an error body for the error's message. */
function summary(body: unknown): string {
  if (body === undefined || body === null || body === "") return "";
  if (typeof body === "string") return `: ${body.slice(0, 200)}`;
  if (typeof body === "object") {
    const record = body as Record<string, unknown>;
    for (const field of ["detail", "message", "error", "title"]) {
      if (typeof record[field] === "string") return `: ${record[field]}`;
    }
  }
  return `: ${JSON.stringify(body).slice(0, 200)}`;
}

/**
 * How a query parameter is written (OpenAPI `style` and `explode`): `explode` repeats the
 * name for each array item (`a=1&a=2`), `comma`, `space` and `pipe` join the items
 * (`a=1,2`), `deepObject` writes object members as `a[key]=value`.
 */
type QueryStyle = "explode" | "comma" | "space" | "pipe" | "deepObject";

type BodyKind = "json" | "form" | "multipart" | "text" | "binary";

type RequestSpec = {
  method: string;
  /** The path with its parameters already substituted and encoded. */
  path: string;
  query?: Record<string, unknown>;
  /** Styles of the query parameters that are not `explode`. */
  queryStyle?: Record<string, QueryStyle>;
  headers?: Record<string, unknown>;
  cookies?: Record<string, unknown>;
  body?: {
    kind: BodyKind;
    contentType: string;
    value: unknown;
    /** Form properties the spec encodes as `deepObject`: arrays too go in brackets. */
    deep?: readonly string[];
  };
  /** How a success body is read; a response without content is `undefined` whatever this says. */
  response: "json" | "text" | "binary" | "none";
};

async function request<T>(
  options: RequestOptions | undefined,
  spec: RequestSpec,
): Promise<T> {
  const config = options?.client ?? defaultConfig;
  const url =
    config.baseUrl.replace(/\/+$/, "") +
    spec.path +
    queryString(spec.query ?? {}, spec.queryStyle ?? {});
  const headers = new Headers(config.headers);
  if (spec.response === "json") headers.set("Accept", "application/json");
  for (const [name, value] of Object.entries(spec.headers ?? {})) {
    if (value !== undefined && value !== null) {
      headers.set(name, scalarList(value).join(","));
    }
  }
  const cookies = Object.entries(spec.cookies ?? {})
    .filter(([, value]) => value !== undefined && value !== null)
    .map(([name, value]) => `${name}=${encodeURIComponent(String(value))}`);
  if (cookies.length > 0) headers.set("Cookie", cookies.join("; "));
  const init: RequestInit = { method: spec.method, headers };
  if (spec.body !== undefined) {
    init.body = encodeBody(spec.body.kind, spec.body.value, spec.body.deep);
    // fetch writes the multipart boundary into the header itself.
    if (spec.body.kind !== "multipart") {
      headers.set("Content-Type", spec.body.contentType);
    }
  }
  if (options?.signal !== undefined) init.signal = options.signal;
  const auth = await config.auth?.();
  for (const [name, value] of Object.entries(auth ?? {})) {
    headers.set(name, value);
  }
  for (const [name, value] of Object.entries(options?.headers ?? {})) {
    headers.set(name, value);
  }
  const response = await (config.fetch ?? fetch)(url, init);
  options?.onResponse?.(response);
  if (!response.ok) {
    throw new ApiError(response, await decodeErrorBody(response));
  }
  // 204 and 205 never carry content; an operation may answer 201 with a body or 204 without.
  if (
    spec.response === "none" ||
    response.status === 204 ||
    response.status === 205
  ) {
    return undefined as T;
  }
  switch (spec.response) {
    case "text":
      return (await response.text()) as T;
    case "binary":
      return (await response.blob()) as T;
    case "json": {
      const text = await response.text();
      return (text === "" ? undefined : JSON.parse(text)) as T;
    }
  }
}

function queryString(
  query: Record<string, unknown>,
  styles: Record<string, QueryStyle>,
): string {
  const parts: string[] = [];
  const add = (name: string, value: unknown) =>
    parts.push(
      `${encodeURIComponent(name)}=${encodeURIComponent(String(value))}`,
    );
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined || value === null) continue;
    const style = styles[name] ?? "explode";
    if (style === "deepObject" && typeof value === "object") {
      for (const [key, member] of bracketPairs(name, value)) add(key, member);
    } else if (Array.isArray(value)) {
      if (style === "explode") {
        for (const item of value) add(name, item);
      } else {
        const separator = {
          comma: ",",
          space: " ",
          pipe: "|",
          deepObject: ",",
        }[style];
        add(name, value.join(separator));
      }
    } else if (typeof value === "object") {
      for (const [key, member] of Object.entries(value)) {
        if (member === undefined || member === null) continue;
        if (style === "explode") add(key, member);
        else add(name, `${key},${String(member)}`);
      }
    } else {
      add(name, value);
    }
  }
  return parts.length === 0 ? "" : `?${parts.join("&")}`;
}

/**
 * A nested value as `name[key]=value` pairs, the way Stripe and Rails-style servers read them:
 * `metadata[plan]=pro`, `items[0][price]=p_1`, `expand[0]=customer`.
 */
function bracketPairs(name: string, value: unknown): [string, string][] {
  if (value === undefined || value === null) return [];
  if (value instanceof Date) return [[name, value.toISOString()]];
  if (Array.isArray(value)) {
    return value.flatMap((item, index) =>
      bracketPairs(`${name}[${index}]`, item),
    );
  }
  if (typeof value === "object") {
    return Object.entries(value).flatMap(([key, member]) =>
      bracketPairs(`${name}[${key}]`, member),
    );
  }
  return [[name, String(value)]];
}

function scalarList(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : [String(value)];
}

/**
 * A form body: scalars as `name=value`, arrays of scalars repeated (`tag=a&tag=b`, OpenAPI's
 * default), objects and arrays of objects in brackets (`metadata[plan]=pro`), and arrays of
 * `deepObject` properties indexed (`expand[0]=customer`, as Stripe documents).
 */
function encodeForm(
  value: object,
  deep: readonly string[] = [],
): URLSearchParams {
  const form = new URLSearchParams();
  for (const [name, member] of Object.entries(value)) {
    if (member === undefined || member === null) continue;
    const nested =
      (deep.includes(name) && Array.isArray(member)) ||
      (typeof member === "object" &&
        !(member instanceof Date) &&
        (!Array.isArray(member) ||
          member.some((item) => typeof item === "object" && item !== null)));
    if (nested) {
      for (const [key, item] of bracketPairs(name, member))
        form.append(key, item);
    } else {
      for (const item of scalarList(member)) form.append(name, item);
    }
  }
  return form;
}

/**
 * A multipart body: a `Blob` or `File` as a file part (a `File` keeps its name, and either its
 * content type), an array as one part per item, an object as a JSON part, anything else as text.
 */
function encodeMultipart(value: object): FormData {
  if (value instanceof FormData) return value;
  const form = new FormData();
  const append = (name: string, member: unknown) => {
    if (member === undefined || member === null) return;
    if (member instanceof Blob) {
      form.append(name, member, member instanceof File ? member.name : name);
    } else if (typeof member === "object" && !(member instanceof Date)) {
      const json = JSON.stringify(member);
      form.append(name, new Blob([json], { type: "application/json" }));
    } else {
      form.append(
        name,
        member instanceof Date ? member.toISOString() : String(member),
      );
    }
  };
  for (const [name, member] of Object.entries(value)) {
    if (Array.isArray(member)) for (const item of member) append(name, item);
    else append(name, member);
  }
  return form;
}

function encodeBody(
  kind: BodyKind,
  value: unknown,
  deep?: readonly string[],
): BodyInit {
  switch (kind) {
    case "json":
      return JSON.stringify(value);
    case "form":
      return encodeForm(value as object, deep);
    case "multipart":
      return encodeMultipart(value as object);
    case "text":
    case "binary":
      return value as BodyInit;
  }
}

async function decodeErrorBody(response: Response): Promise<unknown> {
  const text = await response.text().catch(() => "");
  if (text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
