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

/** A response outside 2xx, with its status and its body (decoded when it is JSON). */
export class ApiError<TBody = unknown> extends Error {
  readonly status: number;
  readonly body: TBody;
  readonly response: Response;

  constructor(response: Response, body: TBody) {
    super(`${response.status} ${response.statusText}${summary(body)}`.trim());
    this.name = "ApiError";
    this.status = response.status;
    this.body = body;
    this.response = response;
  }
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
  body?: { kind: BodyKind; contentType: string; value: unknown };
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
  let body: BodyInit | undefined;
  if (spec.body !== undefined) {
    body = encodeBody(spec.body.kind, spec.body.value);
    // fetch writes the multipart boundary into the header itself.
    if (spec.body.kind !== "multipart") {
      headers.set("Content-Type", spec.body.contentType);
    }
  }
  const auth = await config.auth?.();
  for (const [name, value] of Object.entries(auth ?? {})) {
    headers.set(name, value);
  }
  for (const [name, value] of Object.entries(options?.headers ?? {})) {
    headers.set(name, value);
  }
  const response = await (config.fetch ?? fetch)(url, {
    method: spec.method,
    headers,
    body,
    signal: options?.signal,
  });
  options?.onResponse?.(response);
  if (!response.ok) {
    throw new ApiError(response, await decodeErrorBody(response));
  }
  switch (spec.response) {
    case "none":
      return undefined as T;
    case "text":
      return (await response.text()) as T;
    case "binary":
      return (await response.blob()) as T;
    case "json": {
      const text = await response.text();
      // Some servers answer an empty 200 where the spec promised JSON.
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
    if (Array.isArray(value)) {
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
        if (style === "deepObject") add(`${name}[${key}]`, member);
        else if (style === "explode") add(key, member);
        else add(name, `${key},${String(member)}`);
      }
    } else {
      add(name, value);
    }
  }
  return parts.length === 0 ? "" : `?${parts.join("&")}`;
}

function scalarList(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : [String(value)];
}

function encodeBody(kind: BodyKind, value: unknown): BodyInit {
  switch (kind) {
    case "json":
      return JSON.stringify(value);
    case "form": {
      const form = new URLSearchParams();
      for (const [name, member] of Object.entries(value as object)) {
        if (member === undefined || member === null) continue;
        for (const item of scalarList(member)) form.append(name, item);
      }
      return form;
    }
    case "multipart":
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
