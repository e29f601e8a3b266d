import { describe, expect, it } from "vitest";
import { AppError, type ProviderName } from "@proximus/contracts";
import { CircuitBreaker, ResilientProvider } from "./resilience";
import { featuresOf, rankCandidates, routeWithFallback, type TaskFeatures } from "./router";
import { InMemoryRouterStats } from "./stats";
import type { CompletionRequest, CompletionResult, LlmProvider } from "./types";
import type { UpstreamDetails } from "./upstream";

const ALL: ProviderName[] = ["bedrock", "openai", "anthropic", "gemini"];
const finance: TaskFeatures = { role: "finance", contextChars: 4_000, producesCode: false };
const backend: TaskFeatures = { role: "engineer_be", contextChars: 20_000, producesCode: true };
const ceo: TaskFeatures = { role: "ceo", contextChars: 2_000, producesCode: false };

const models = (cs: { provider: string; model: string }[]) => cs.map((c) => `${c.provider}/${c.model}`);

describe("rankCandidates", () => {
  it("balanced with only Bedrock reproduces the seed defaults: Nova Micro for Finance, Nova Lite otherwise", async () => {
    const f = await rankCandidates({ features: finance, configured: ["bedrock"] });
    expect(f[0]).toMatchObject({ provider: "bedrock", model: "amazon.nova-micro-v1:0" });
    for (const features of [backend, ceo]) {
      const r = await rankCandidates({ features, configured: ["bedrock"] });
      expect(r[0]).toMatchObject({ provider: "bedrock", model: "amazon.nova-lite-v1:0" });
    }
  });

  it("only offers providers with credentials, offline always last", async () => {
    const r = await rankCandidates({ features: ceo, configured: ["gemini"] });
    expect(new Set(r.map((c) => c.provider))).toEqual(new Set(["gemini", "offline"]));
    expect(r.at(-1)).toMatchObject({ provider: "offline", model: "offline", reason: "last resort" });
    expect(models(await rankCandidates({ features: ceo, configured: [] }))).toEqual(["offline/offline"]);
  });

  it("performance puts the strongest model first; cost-saver the cheapest per success", async () => {
    const perf = await rankCandidates({ features: backend, configured: ALL, strategy: "performance" });
    expect(perf[0]).toMatchObject({ provider: "anthropic", model: "claude-sonnet-4-5" });
    const saver = await rankCandidates({ features: backend, configured: ALL, strategy: "cost-saver" });
    expect(saver[0]?.provider).toBe("bedrock");
    expect(saver[0]!.estCostUsd).toBeLessThan(perf[0]!.estCostUsd / 10);
    // The task's own LlmConfig strategy overrides the default.
    const viaConfig = await rankCandidates({
      features: backend,
      configured: ALL,
      strategy: "cost-saver",
      llm: { strategy: "performance" },
    });
    expect(viaConfig[0]?.model).toBe("claude-sonnet-4-5");
  });

  it("bigger, code-producing tasks cost more and lower every model's success estimate", async () => {
    const small = await rankCandidates({ features: ceo, configured: ["openai"] });
    const big = await rankCandidates({ features: { ...backend, contextChars: 400_000 }, configured: ["openai"] });
    const pick = (cs: typeof small, m: string) => cs.find((c) => c.model === m)!;
    expect(pick(big, "gpt-4o").estCostUsd).toBeGreaterThan(pick(small, "gpt-4o").estCostUsd);
    expect(pick(big, "gpt-4o").successRate).toBeLessThan(pick(small, "gpt-4o").successRate);
  });

  it("drops models whose context window cannot hold the task", async () => {
    const huge: TaskFeatures = { role: "cto", contextChars: 2_000_000, producesCode: false };
    const r = await rankCandidates({ features: huge, configured: ALL });
    expect(new Set(r.map((c) => c.provider))).toEqual(new Set(["gemini", "offline"]));
  });

  it("respects the remaining budget and leans on cost when it is tight", async () => {
    const unlimited = await rankCandidates({ features: backend, configured: ALL, strategy: "performance" });
    const sonnetCost = unlimited[0]!.estCostUsd;
    const capped = await rankCandidates({
      features: backend,
      configured: ALL,
      strategy: "performance",
      budgetRemainingUsd: sonnetCost / 2,
    });
    expect(capped.every((c) => c.estCostUsd <= sonnetCost / 2)).toBe(true);
    expect(capped[0]!.estCostUsd).toBeLessThan(unlimited[0]!.estCostUsd);
    // Under pressure even "performance" moves to a much cheaper model.
    const tight = await rankCandidates({ features: backend, configured: ALL, strategy: "performance", budgetRemainingUsd: 0.05 });
    expect(tight[0]!.estCostUsd).toBeLessThan(0.01);
    expect(models(await rankCandidates({ features: backend, configured: ALL, budgetRemainingUsd: 0 }))).toEqual(["offline/offline"]);
  });

  it("learns: repeated failures of a model for a role push it down, for that role only", async () => {
    const stats = new InMemoryRouterStats();
    const before = await rankCandidates({ features: backend, configured: ["bedrock"], stats });
    expect(before[0]?.model).toBe("amazon.nova-lite-v1:0");
    for (let i = 0; i < 12; i++) await stats.recordOutcome("engineer_be", "bedrock", "amazon.nova-lite-v1:0", false);
    const after = await rankCandidates({ features: backend, configured: ["bedrock"], stats });
    expect(after[0]?.model).not.toBe("amazon.nova-lite-v1:0");
    expect(after.find((c) => c.model === "amazon.nova-lite-v1:0")!.successRate).toBeLessThan(before[0]!.successRate / 3);
    const otherRole = await rankCandidates({ features: { ...backend, role: "engineer_fe" }, configured: ["bedrock"], stats });
    expect(otherRole[0]?.model).toBe("amazon.nova-lite-v1:0");
  });

  it("learns: successes raise a model's estimate", async () => {
    const stats = new InMemoryRouterStats();
    const before = (await rankCandidates({ features: backend, configured: ["bedrock"], stats })).find(
      (c) => c.model === "amazon.nova-micro-v1:0",
    )!;
    for (let i = 0; i < 20; i++) await stats.recordOutcome("engineer_be", "bedrock", "amazon.nova-micro-v1:0", true);
    const after = await rankCandidates({ features: backend, configured: ["bedrock"], stats });
    expect(after[0]?.model).toBe("amazon.nova-micro-v1:0");
    expect(after[0]!.successRate).toBeGreaterThan(before.successRate + 0.5);
  });

  it("an explicit provider + model wins, even outside the catalog", async () => {
    const r = await rankCandidates({
      features: backend,
      configured: ALL,
      strategy: "performance",
      llm: { provider: "openai", model: "llama3.1:8b" },
    });
    expect(r[0]).toMatchObject({ provider: "openai", model: "llama3.1:8b", reason: "explicit" });
    expect(r.slice(1).every((c) => !(c.provider === "openai" && c.model === "llama3.1:8b"))).toBe(true);
    expect(r[1]?.reason).toMatch(/^fallback/);
  });

  it("an explicit provider alone uses that provider's role default first", async () => {
    const r = await rankCandidates({ features: finance, configured: ALL, llm: { provider: "bedrock" } });
    expect(models(r.slice(0, 3))).toEqual([
      "bedrock/amazon.nova-micro-v1:0",
      "bedrock/amazon.nova-lite-v1:0",
      "bedrock/amazon.nova-pro-v1:0",
    ]);
  });

  it("an explicit model alone finds its provider; an unconfigured explicit provider is ignored", async () => {
    expect((await rankCandidates({ features: ceo, configured: ALL, llm: { model: "gemini-2.5-pro" } }))[0]).toMatchObject({
      provider: "gemini",
      reason: "explicit",
    });
    const r = await rankCandidates({ features: ceo, configured: ["bedrock"], llm: { provider: "anthropic", model: "claude-sonnet-4-5" } });
    expect(r.some((c) => c.provider === "anthropic")).toBe(false);
    expect((await rankCandidates({ features: ceo, configured: ALL, llm: { provider: "offline" } }))[0]?.provider).toBe("offline");
  });

  it("derives features from a task", () => {
    const f = featuresOf({
      role: "engineer_fe",
      idea: "x".repeat(100),
      upstream: { cto: { a: "y".repeat(50) } },
      feedback: "z".repeat(10),
    });
    expect(f.producesCode).toBe(true);
    expect(f.contextChars).toBe(100 + JSON.stringify({ cto: { a: "y".repeat(50) } }).length + 10);
    expect(featuresOf({ role: "ceo", idea: "", upstream: {} }).producesCode).toBe(false);
  });
});

type Behaviour = "ok" | "500" | "400" | "abort";
function fake(name: ProviderName, behaviour: Behaviour | ((req: CompletionRequest) => Behaviour), calls: string[]): LlmProvider {
  return {
    name,
    async complete(req: CompletionRequest): Promise<CompletionResult> {
      calls.push(`${name}/${req.model}`);
      const b = typeof behaviour === "function" ? behaviour(req) : behaviour;
      if (b === "ok") return { provider: name, model: req.model, text: `${name} answer`, inputTokens: 1_000, outputTokens: 500 };
      if (b === "abort")
        throw new AppError("upstream_failed", "aborted", { provider: name, retryable: false, aborted: true } satisfies UpstreamDetails);
      const status = b === "500" ? 500 : 400;
      throw new AppError("upstream_failed", `HTTP ${status}`, {
        provider: name,
        status,
        retryable: status === 500,
      } satisfies UpstreamDetails);
    },
  };
}
const request = { messages: [{ role: "user" as const, content: "go" }] };

describe("routeWithFallback", () => {
  it("falls back to the next candidate when a provider fails, and records outcomes", async () => {
    const calls: string[] = [];
    const stats = new InMemoryRouterStats();
    const out = await routeWithFallback({
      features: finance,
      providers: { bedrock: fake("bedrock", "500", calls), openai: fake("openai", "ok", calls) },
      request,
      stats,
      maxCandidates: 10,
    });
    expect(out.result.provider).toBe("openai");
    expect(calls.slice(0, 3)).toEqual([
      "bedrock/amazon.nova-micro-v1:0",
      "bedrock/amazon.nova-lite-v1:0",
      expect.stringMatching(/^(openai|bedrock)\//),
    ]);
    expect(out.attempts.filter((a) => a.outcome === "failed").every((a) => a.provider === "bedrock" && a.status === 500)).toBe(true);
    expect(out.attempts.at(-1)).toMatchObject({ provider: "openai", outcome: "succeeded" });
    expect(out.usage).toEqual([
      { provider: "openai", model: out.candidate.model, inputTokens: 1_000, outputTokens: 500, costUsd: expect.any(Number) },
    ]);
    expect(out.usage[0]!.costUsd).toBeGreaterThan(0);
    const counts = await stats.countsFor("finance");
    expect(counts.get("bedrock|amazon.nova-micro-v1:0")).toEqual({ successes: 0, failures: 1 });
    expect(counts.get(`openai|${out.candidate.model}`)).toEqual({ successes: 1, failures: 0 });
  });

  it("skips a provider whose breaker is open without calling it", async () => {
    const calls: string[] = [];
    const breaker = new CircuitBreaker({ failureThreshold: 1, openMs: 60_000 });
    breaker.onFailure();
    const out = await routeWithFallback({
      features: finance,
      providers: { bedrock: new ResilientProvider(fake("bedrock", "ok", calls), { breaker }), gemini: fake("gemini", "ok", calls) },
      request,
    });
    expect(out.result.provider).toBe("gemini");
    expect(calls.every((c) => c.startsWith("gemini/"))).toBe(true);
    expect(out.attempts[0]).toMatchObject({ provider: "bedrock", outcome: "skipped", code: "breaker_open" });
  });

  it("ends at the offline provider when every vendor fails", async () => {
    const calls: string[] = [];
    const out = await routeWithFallback({
      features: ceo,
      providers: { openai: fake("openai", "500", calls), offline: fake("offline", "ok", calls) },
      request,
    });
    expect(out.result.provider).toBe("offline");
    expect(out.usage[0]!.costUsd).toBe(0);
    expect(calls.at(-1)).toBe("offline/offline");
  });

  it("a rejected answer (validate=false) is billed, counted as a failure, and the next candidate is tried", async () => {
    const calls: string[] = [];
    const stats = new InMemoryRouterStats();
    const out = await routeWithFallback({
      features: finance,
      providers: { bedrock: fake("bedrock", "ok", calls) },
      request,
      stats,
      validate: (r) => r.model !== "amazon.nova-micro-v1:0",
    });
    expect(out.result.model).toBe("amazon.nova-lite-v1:0");
    expect(out.usage.map((u) => u.model)).toEqual(["amazon.nova-micro-v1:0", "amazon.nova-lite-v1:0"]);
    expect(out.attempts[0]).toMatchObject({ outcome: "rejected", code: "validation_failed" });
    expect((await stats.countsFor("finance")).get("bedrock|amazon.nova-micro-v1:0")).toEqual({ successes: 0, failures: 1 });
  });

  it("does not fall back when the caller aborted", async () => {
    const calls: string[] = [];
    const e = await routeWithFallback({
      features: ceo,
      providers: { openai: fake("openai", "abort", calls), gemini: fake("gemini", "ok", calls) },
      request,
      llm: { provider: "openai", model: "gpt-4o" },
    }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(AppError);
    expect((e as AppError).details).toMatchObject({ aborted: true });
    expect(calls).toEqual(["openai/gpt-4o"]);
  });

  it("throws upstream_failed listing every attempt when nothing works", async () => {
    const calls: string[] = [];
    const e = (await routeWithFallback({ features: ceo, providers: { anthropic: fake("anthropic", "400", calls) }, request }).catch(
      (x: unknown) => x,
    )) as AppError;
    expect(e.code).toBe("upstream_failed");
    expect([...calls].sort()).toEqual(["anthropic/claude-haiku-4-5", "anthropic/claude-sonnet-4-5"]);
    expect((e.details as { attempts: unknown[] }).attempts).toHaveLength(2);
    const none = (await routeWithFallback({ features: ceo, providers: {}, request }).catch((x: unknown) => x)) as AppError;
    expect(none.message).toContain("no LLM provider");
  });

  it("honours an explicit provider + model first", async () => {
    const calls: string[] = [];
    const out = await routeWithFallback({
      features: backend,
      providers: { openai: fake("openai", "ok", calls), anthropic: fake("anthropic", "ok", calls) },
      request,
      llm: { provider: "openai", model: "gpt-4o" },
      strategy: "performance",
    });
    expect(calls).toEqual(["openai/gpt-4o"]);
    expect(out.candidate.reason).toBe("explicit");
  });
});
