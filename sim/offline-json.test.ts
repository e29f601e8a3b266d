import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Role } from "@proximus/contracts";
import { OpenAiProvider } from "@proximus/agents/llm/openai";
import { runOfflinePipeline } from "@proximus/agents/offline/pipeline";
import { startSimServer, type SimServer } from "./server";

// The role agents' plain JSON-schema completions (no tools) through the real OpenAiProvider and the
// real runtime: the simulator must answer exactly what the offline provider would, after its latency.
// (The Engineers work through tools — an agent loop — so the simulator's scenarios answer them; see
// the loop's tests.)
const IDEA = "a booking app for dog groomers";
const ROLES_WITHOUT_SANDBOX: Role[] = ["ceo", "cto", "devops"];
const LATENCY_MS = 150;

let sim: SimServer;
beforeAll(async () => {
  sim = await startSimServer({ latencyMs: LATENCY_MS });
});
afterAll(async () => {
  await sim.close();
});

describe("plain JSON-schema requests are answered like the offline provider", () => {
  it("every role's output and files equal the offline provider's, each call after the latency, counted by schema", async () => {
    const provider = new OpenAiProvider({ apiKey: "sim", baseUrl: sim.baseUrl });
    const t0 = Date.now();
    const viaSim = await runOfflinePipeline(IDEA, { sandbox: null, provider, roles: ROLES_WITHOUT_SANDBOX });
    const elapsed = Date.now() - t0;
    const offline = await runOfflinePipeline(IDEA, { sandbox: null, roles: ROLES_WITHOUT_SANDBOX });
    for (const role of ROLES_WITHOUT_SANDBOX) {
      const a = viaSim.results.get(role)!;
      const b = offline.results.get(role)!;
      expect(a.error, role).toBeUndefined();
      expect(a.status, role).toBe("succeeded");
      expect(a.output, role).toEqual(b.output);
      expect(
        a.artifacts.map((x) => [x.path, x.sha256]),
        role,
      ).toEqual(b.artifacts.map((x) => [x.path, x.sha256]));
      expect(a.usage[0]?.provider).toBe("openai");
    }
    expect(elapsed).toBeGreaterThanOrEqual(ROLES_WITHOUT_SANDBOX.length * LATENCY_MS);
    const stats = sim.stats();
    expect(stats.bySchema).toEqual(Object.fromEntries(ROLES_WITHOUT_SANDBOX.map((r) => [`${r}_output`, 1])));
    expect(stats.calls).toBe(ROLES_WITHOUT_SANDBOX.length);
    expect(stats.byScenario).toEqual({});
  });

  it("a JSON request whose schema names no role, or with no task prompt, is a 400 in OpenAI's error shape", async () => {
    const post = (body: unknown) =>
      fetch(`${sim.baseUrl}/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    const format = (name: string) => ({ type: "json_schema", json_schema: { name, schema: {} } });
    const noRole = await post({
      model: "m",
      messages: [{ role: "user", content: "Business idea:\nx" }],
      response_format: format("report"),
    });
    expect(noRole.status).toBe(400);
    expect(((await noRole.json()) as { error: { type: string } }).error.type).toBe("invalid_request_error");
    const noTask = await post({ model: "m", messages: [{ role: "user", content: "hi" }], response_format: format("ceo_output") });
    expect(noTask.status).toBe(400);
  });
});
