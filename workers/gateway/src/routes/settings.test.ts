import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { api, createProject, expectEnvelope } from "../../test/helpers";

const put = (path: string, body: unknown) =>
  api(path, { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

describe("provider keys", () => {
  it("are write-only and stored encrypted", async () => {
    const secret = "sk-test-DO-NOT-LEAK-1234567890";
    expect((await put("/api/settings/keys/openai", { apiKey: secret })).status).toBe(204);
    const res = await api("/api/settings/keys");
    const text = await res.text();
    expect(text).not.toContain(secret);
    const body = JSON.parse(text) as { providers: { name: string; configured: boolean }[] };
    expect(body.providers.find((p) => p.name === "openai")!.configured).toBe(true);
    expect(body.providers.find((p) => p.name === "gemini")!.configured).toBe(false);
    const row = await env.DB.prepare("SELECT ciphertext FROM api_keys WHERE provider = 'openai'").first<{ ciphertext: string }>();
    expect(row!.ciphertext).not.toContain("DO-NOT-LEAK");
    expect(atob(row!.ciphertext)).not.toContain("DO-NOT-LEAK");

    expect((await api("/api/settings/keys/openai", { method: "DELETE" })).status).toBe(204);
    const after = await (await api("/api/settings/keys")).json<{ providers: { name: string; configured: boolean }[] }>();
    expect(after.providers.find((p) => p.name === "openai")!.configured).toBe(false);
  });

  it("validates provider and key shape", async () => {
    await expectEnvelope(await put("/api/settings/keys/skynet", { apiKey: "whatever-123" }), 400, "validation_failed");
    const err = await expectEnvelope(await put("/api/settings/keys/openai", { apiKey: "x" }), 400, "validation_failed");
    expect(err.details?.[0]?.field).toBe("apiKey");
    await expectEnvelope(await put("/api/settings/keys/bedrock", { apiKey: "not-an-aws-pair-at-all" }), 400, "validation_failed");
    expect(
      (await put("/api/settings/keys/bedrock", { apiKey: "AKIAABCDEFGHIJKLMNOP:abcdefghijklmnopqrstuvwxyz0123", region: "eu-west-1" }))
        .status,
    ).toBe(204);
    // No vendor is reachable from tests: leave no key behind for later projects to try.
    expect((await api("/api/settings/keys/bedrock", { method: "DELETE" })).status).toBe(204);
  });
});

describe("agent prefs", () => {
  it("round-trip, validate, and become a new project's defaults", async () => {
    await expectEnvelope(await put("/api/settings/agent-prefs", { prefs: { ceo: { provider: "nope" } } }), 400, "validation_failed");
    await expectEnvelope(await put("/api/settings/agent-prefs", { prefs: { janitor: {} } }), 400, "validation_failed");
    const prefs = { ceo: { strategy: "cost-saver" }, finance: { provider: "offline" } };
    expect((await put("/api/settings/agent-prefs", { prefs })).status).toBe(200);
    expect(await (await api("/api/settings/agent-prefs")).json()).toEqual({ prefs });
    // Saved prefs apply to new projects; an explicit override in the request wins for its role.
    const p = await createProject("a todo app", { llm: { finance: { provider: "offline", model: "offline" } } });
    const llm = await runInDurableObject(
      env.PROJECT.getByName(p.id),
      (_o, state) =>
        (JSON.parse(state.storage.sql.exec<{ v: string }>("SELECT v FROM meta WHERE k = 'project'").one().v) as { llm: unknown }).llm,
    );
    expect(llm).toEqual({ ceo: { strategy: "cost-saver" }, finance: { provider: "offline", model: "offline" } });
  });
});
