import { describe, expect, it } from "vitest";
import { AppError } from "@proximus/contracts";
import type { LlmProvider } from "../llm/types";
import { gateProviders, type ProviderGate } from "./provider-gate";

const answer = { provider: "openai" as const, model: "m", text: "ok", inputTokens: 1, outputTokens: 1, stopReason: "end" as const };

describe("provider gate", () => {
  it("waits for a token before each vendor call, shares a 429's retry-after, and leaves the offline provider alone", async () => {
    const asked: string[] = [];
    const throttled: [string, number][] = [];
    let tokens = [30, 0];
    const gate: ProviderGate = {
      token: async (p) => (asked.push(p), { waitMs: tokens.shift() ?? 0, paced: true }),
      throttled: async (p, ms) => void throttled.push([p, ms]),
    };
    let fail = false;
    const openai: LlmProvider & { models: string[] } = {
      name: "openai",
      models: ["m"],
      complete: async () => {
        if (fail) throw new AppError("rate_limited", "429", { provider: "openai", status: 429, retryable: true, retryAfterMs: 7_000 });
        return answer;
      },
    };
    const offline: LlmProvider = { name: "offline", complete: async () => ({ ...answer, provider: "offline" }) };
    const set = gateProviders({ openai, offline }, gate);
    const t0 = Date.now();
    await expect(set.openai!.complete({ model: "m", messages: [] })).resolves.toEqual(answer);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(25);
    expect(asked).toEqual(["openai", "openai"]);
    // Everything but complete is the provider's own (the router reads models and breakers).
    expect((set.openai as typeof openai).models).toEqual(["m"]);
    fail = true;
    await expect(set.openai!.complete({ model: "m", messages: [] })).rejects.toMatchObject({ code: "rate_limited" });
    expect(throttled).toEqual([["openai", 7_000]]);
    tokens = [];
    await set.offline!.complete({ model: "m", messages: [] });
    expect(asked).toHaveLength(3);
  });

  it("without a configured rate, asks the limiter at most once a second per provider, and again right after a 429", async () => {
    let clock = 0;
    let asked = 0;
    const gate: ProviderGate = { token: async () => (asked++, { waitMs: 0, paced: false }), throttled: async () => undefined };
    let fail = false;
    const openai: LlmProvider = {
      name: "openai",
      complete: async () => {
        if (fail) throw new AppError("rate_limited", "429", { provider: "openai", status: 429, retryable: true, retryAfterMs: 5_000 });
        return answer;
      },
    };
    const set = gateProviders({ openai }, gate, () => clock);
    for (let i = 0; i < 5; i++) await set.openai!.complete({ model: "m", messages: [] });
    expect(asked).toBe(1);
    clock = 1_000;
    await set.openai!.complete({ model: "m", messages: [] });
    expect(asked).toBe(2);
    fail = true;
    await expect(set.openai!.complete({ model: "m", messages: [] })).rejects.toMatchObject({ code: "rate_limited" });
    fail = false;
    await set.openai!.complete({ model: "m", messages: [] });
    expect(asked).toBe(3);
  });
});
