import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";

const BASE = "http://app.test";
const call = (path: string, init?: RequestInit) => exports.default.fetch(new Request(`${BASE}${path}`, init));
const json = (body: unknown, method = "POST"): RequestInit => ({
  method,
  headers: { "content-type": "application/json" },
  body: JSON.stringify(body),
});

describe("items API on D1", () => {
  it("answers the health check", async () => {
    const res = await call("/api/health");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
  });

  it("creates, reads, updates and deletes an item", async () => {
    const created = await call("/api/items", json({ name: "flour" }));
    expect(created.status).toBe(201);
    const { item } = await created.json<{ item: { id: number; name: string; done: boolean } }>();
    expect(item).toMatchObject({ name: "flour", done: false });

    const list = await (await call("/api/items")).json<{ items: { id: number }[] }>();
    expect(list.items.map((i) => i.id)).toContain(item.id);

    const patched = await call(`/api/items/${item.id}`, json({ done: true }, "PATCH"));
    expect(await patched.json()).toMatchObject({ item: { id: item.id, done: true } });

    expect((await call(`/api/items/${item.id}`, { method: "DELETE" })).status).toBe(204);
    expect((await call(`/api/items/${item.id}`)).status).toBe(404);
  });

  it("refuses an item without a name", async () => {
    const res = await call("/api/items", json({ name: " " }));
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: "validation_failed" } });
  });
});
