// @vitest-environment node
// Encodings and responses as specs declare them, against a real loopback server: the client
// generated from specs/wire.yaml, its requests decoded by the platform's own parsers.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  ApiError,
  createCustomer,
  getStatus,
  star,
  upload,
  withResponse,
  type ClientConfig,
  type StarError,
  type Status,
} from "../.gen/own/wire/index";
import { startWireServer, type WireServer } from "./wire-server";

let server: WireServer;
let client: ClientConfig;
beforeAll(async () => {
  server = await startWireServer();
  client = { baseUrl: server.url };
});
afterAll(() => server?.stop());

describe.skipIf(process.env.SYNC_MODE !== "push")("wire", () => {
  test("form bodies use brackets for nested values, as Stripe documents", async () => {
    const pairs = await createCustomer(
      {
        email: "ada@example.com",
        metadata: { plan: "pro", "seat count": "3" },
        items: [{ price: "price_1", quantity: 2 }, { price: "price_2" }],
        tags: ["a", "b"],
        expand: ["customer", "items.price"],
      },
      { client },
    );
    expect(pairs).toEqual([
      ["email", "ada@example.com"],
      ["metadata[plan]", "pro"],
      ["metadata[seat count]", "3"],
      ["items[0][price]", "price_1"],
      ["items[0][quantity]", "2"],
      ["items[1][price]", "price_2"],
      ["tags", "a"],
      ["tags", "b"],
      // `deepObject` in the spec's `encoding`: indexed, as Stripe documents `expand[]`.
      ["expand[0]", "customer"],
      ["expand[1]", "items.price"],
    ]);
  });

  test("multipart sends a file part with its name, type and bytes", async () => {
    const bytes = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 255, 1]);
    const file = new File([bytes], "logo.png", { type: "image/png" });
    const reply = await upload({ purpose: "logo", file }, { client });
    expect(reply).toEqual({
      purpose: "logo",
      fileName: "logo.png",
      contentType: "image/png",
      size: 7,
      firstBytes: [0x89, 0x50, 0x4e, 0x47],
    });
  });

  test("201 with a body or 204 without one", async () => {
    expect(await star({ repo: "new" }, { client })).toEqual({ repo: "new" });
    expect(await star({ repo: "old" }, { client })).toBeUndefined();
  });

  test("a declared 404 without a body is a typed error", async () => {
    const error: unknown = await star({ repo: "missing" }, { client }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ApiError);
    const typed = error as StarError;
    // `StarError` is `ApiError<undefined, 404>`: its status type is the literal 404.
    const status: 404 = typed.status;
    expect(status).toBe(404);
    expect(typed.body).toBeUndefined();
  });

  test("status and headers of a call", async () => {
    const reply = await withResponse((options) => getStatus(options), {
      client,
    });
    expect(reply.status).toBe(200);
    expect(reply.headers.get("ETag")).toBe('"v7"');
    expect(reply.data.state).toBe("maintenance");
  });

  test("an enum value the spec does not list decodes", async () => {
    const status: Status = await getStatus({ client });
    // Open enums keep the known values for narrowing and admit any other string.
    const known: boolean = status.state === "ok" || status.state === "degraded";
    expect(known).toBe(false);
    expect(status.state).toBe("maintenance");
  });
});
