import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { api, expectEnvelope } from "../../test/helpers";

const post = (body: unknown, key?: string) =>
  api("/api/projects", {
    method: "POST",
    headers: { "content-type": "application/json", ...(key ? { "idempotency-key": key } : {}) },
    body: JSON.stringify(body),
  });

describe("Idempotency-Key on POST /api/projects", () => {
  it("returns the same project for the same key and body, and 409 for another body", async () => {
    const key = `k-${crypto.randomUUID()}`;
    const idea = `an idempotent idea ${key}`;
    const a = await post({ idea }, key);
    expect(a.status).toBe(201);
    const first = await a.json<{ id: string }>();
    const b = await post({ idea }, key);
    expect(b.status).toBe(201);
    expect(b.headers.get("idempotency-replayed")).toBe("true");
    expect((await b.json<{ id: string }>()).id).toBe(first.id);
    const count = await env.DB.prepare("SELECT COUNT(*) AS n FROM projects WHERE idea = ?").bind(idea).first<{ n: number }>();
    expect(count!.n).toBe(1);
    await expectEnvelope(await post({ idea, budgetUsd: 2 }, key), 409, "conflict");
    // Without a key, every POST is a new project.
    const c = await (await post({ idea })).json<{ id: string }>();
    expect(c.id).not.toBe(first.id);
  });

  it("validates the key and does not spend it on an invalid body", async () => {
    await expectEnvelope(await post({ idea: "ok idea" }, "x".repeat(256)), 400, "validation_failed");
    const key = `k-${crypto.randomUUID()}`;
    await expectEnvelope(await post({ idea: 42 }, key), 400, "validation_failed");
    expect((await post({ idea: "now valid" }, key)).status).toBe(201);
  });
});
