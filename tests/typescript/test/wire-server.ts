// A loopback HTTP server for the encoding and response checks (specs/wire.yaml). It decodes
// requests with the platform's own parsers (URLSearchParams, the Fetch API's multipart
// parser), so what it reports is what any server would read.
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";

export type WireServer = { url: string; stop: () => Promise<void> };

async function bodyOf(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function startWireServer(): Promise<WireServer> {
  const server = createServer(async (request, response) => {
    const url = new URL(request.url ?? "/", "http://localhost");
    const body = await bodyOf(request);
    const json = (status: number, value: unknown, headers = {}) => {
      response.writeHead(status, {
        "Content-Type": "application/json",
        ...headers,
      });
      response.end(JSON.stringify(value));
    };
    if (request.method === "POST" && url.pathname === "/customers") {
      if (request.headers["content-type"] !== "application/x-www-form-urlencoded") {
        return json(415, { error: request.headers["content-type"] });
      }
      return json(200, [...new URLSearchParams(body.toString("utf8"))]);
    }
    if (request.method === "POST" && url.pathname === "/uploads") {
      const form = await new Request("http://localhost/", {
        method: "POST",
        headers: { "Content-Type": request.headers["content-type"] ?? "" },
        body: new Uint8Array(body),
      }).formData();
      const file = form.get("file");
      if (!(file instanceof File)) return json(400, { error: "no file part" });
      const bytes = new Uint8Array(await file.arrayBuffer());
      return json(201, {
        purpose: form.get("purpose"),
        fileName: file.name,
        contentType: file.type,
        size: bytes.length,
        firstBytes: [...bytes.slice(0, 4)],
      });
    }
    const star = /^\/stars\/(.+)$/.exec(url.pathname);
    if (request.method === "PUT" && star) {
      const repo = decodeURIComponent(star[1]!);
      if (repo === "missing") {
        response.writeHead(404);
        return response.end();
      }
      if (repo === "old") {
        response.writeHead(204);
        return response.end();
      }
      return json(201, { repo });
    }
    if (request.method === "GET" && url.pathname === "/status") {
      return json(200, { state: "maintenance" }, { ETag: '"v7"' });
    }
    json(404, { error: `no route ${request.method} ${url.pathname}` });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
