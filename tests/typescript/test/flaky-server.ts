// A loopback contacts API whose next answers to POST /contacts can be scripted (503, 429 with
// Retry-After, ...), and which records every attempt: what the outbox tests need to see how
// often, and when, a write really reached a server.
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";

export type Answer = { status: number; headers?: Record<string, string> };
export type Attempt = { at: number; name: string; status: number };
type Contact = { id: string; name: string; email: string; phone?: string | null };

export type FlakyServer = {
  url: string;
  /** Answers for the next POSTs, in order; once used up, POSTs succeed. */
  script: Answer[];
  attempts: Attempt[];
  contacts: Contact[];
  stop: () => Promise<void>;
};

async function json(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString("utf8") || "null");
}

export async function startFlakyServer(): Promise<FlakyServer> {
  const state: Omit<FlakyServer, "url" | "stop"> = {
    script: [],
    attempts: [],
    contacts: [],
  };
  const server = createServer(async (request, response) => {
    const send = (status: number, value?: unknown, headers = {}) => {
      response.writeHead(status, {
        "Content-Type": "application/json",
        ...headers,
      });
      response.end(value === undefined ? "" : JSON.stringify(value));
    };
    const url = new URL(request.url ?? "/", "http://localhost");
    if (url.pathname !== "/contacts") return send(404, { error: "no route" });
    if (request.method === "GET") return send(200, state.contacts);
    if (request.method !== "POST") return send(405, { error: "method" });
    const body = (await json(request)) as Omit<Contact, "id"> & { id?: string };
    const answer = state.script.shift();
    if (answer !== undefined && answer.status !== 201) {
      state.attempts.push({ at: Date.now(), name: body.name, status: answer.status });
      return send(answer.status, { error: "scripted" }, answer.headers);
    }
    const contact = { ...body, id: body.id ?? randomUUID() };
    state.contacts.push(contact);
    state.attempts.push({ at: Date.now(), name: body.name, status: 201 });
    send(201, contact);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}
