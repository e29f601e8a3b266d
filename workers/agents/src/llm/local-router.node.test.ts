import { afterEach, describe, expect, it } from "vitest";
import type { LlmProvider } from "./types";
import { createProviders, providersConfigFromEnv } from "./registry";
import { routeWithFallback } from "./router";
import { openAiToolServer } from "./testing/openai-server.node";
import { WEATHER_TOOLS, weatherBrain } from "./testing/scripted-model.node";
import { fakeSleep, startServer, type LocalServer } from "./testing/server.node";

let server: LocalServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const offline: LlmProvider = {
  name: "offline",
  complete: async (r) => ({ provider: "offline", model: r.model, text: "offline", inputTokens: 0, outputTokens: 0, stopReason: "end" }),
};
const features = { role: "engineer_be" as const, contextChars: 4000, producesCode: true };
const request = { messages: [{ role: "user" as const, content: "Weather?" }], tools: WEATHER_TOOLS };
const resilience = { sleep: fakeSleep().sleep };

describe("a local OpenAI-compatible server (only OPENAI_BASE_URL set)", () => {
  it("routes to the OPENAI_MODELS list, never gpt-4o-mini, and reports window and a zero cost", async () => {
    server = await startServer(openAiToolServer(weatherBrain));
    const env = { OPENAI_BASE_URL: `${server.url}/v1`, OPENAI_MODELS: "qwen2.5-coder:7b:32768" };
    const providers = createProviders(providersConfigFromEnv(env), { offline, resilience });
    const routed = await routeWithFallback({ features, providers, request });
    expect(routed.candidate).toMatchObject({ provider: "openai", model: "qwen2.5-coder:7b" });
    expect(server.requests.map((r) => r.json().model)).toEqual(["qwen2.5-coder:7b"]);
    expect(routed.result).toMatchObject({ stopReason: "tool_calls", contextWindow: 32_768, costUsd: 0 });
    expect(routed.usage[0]?.costUsd).toBe(0);
  });

  it("with the provider chosen explicitly, its first listed model is the default", async () => {
    server = await startServer(openAiToolServer(weatherBrain));
    const env = {
      OPENAI_BASE_URL: `${server.url}/v1`,
      OPENAI_MODELS: '[{"name":"llama3.1:8b","contextWindow":131072},{"name":"phi3:mini","contextWindow":4096}]',
    };
    const providers = createProviders(providersConfigFromEnv(env), { offline, resilience });
    const routed = await routeWithFallback({ features, providers, request, llm: { provider: "openai" } });
    expect(routed.candidate.model).toBe("llama3.1:8b");
  });

  it("without OPENAI_MODELS sends no catalog model to it (only a model the task names)", async () => {
    server = await startServer(openAiToolServer(weatherBrain));
    const providers = createProviders(providersConfigFromEnv({ OPENAI_BASE_URL: `${server.url}/v1` }), { offline, resilience });
    const routed = await routeWithFallback({ features, providers, request });
    expect(routed.candidate.provider).toBe("offline");
    expect(server.requests).toHaveLength(0);
    const named = await routeWithFallback({ features, providers, request, llm: { model: "mistral:7b" } });
    expect(named.candidate).toMatchObject({ provider: "openai", model: "mistral:7b" });
    expect(server.requests.map((r) => r.json().model)).toEqual(["mistral:7b"]);
  });

  it("a model listed with notools gets the text tool protocol from its first request", async () => {
    server = await startServer(
      openAiToolServer(() => ({ text: '```tool_call\n{"name":"get_time","arguments":{"city":"Oslo"}}\n```', calls: [], stop: "end" }), {
        rejectTools: true,
      }),
    );
    const providers = createProviders(
      providersConfigFromEnv({ OPENAI_BASE_URL: `${server.url}/v1`, OPENAI_MODELS: "phi3:mini:8192:notools" }),
      { offline, resilience },
    );
    const routed = await routeWithFallback({ features, providers, request });
    expect(routed.result.toolCalls?.map((c) => c.name)).toEqual(["get_time"]);
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]!.json().tools).toBeUndefined();
  });

  it("the official endpoint keeps the catalog models", () => {
    const providers = createProviders(providersConfigFromEnv({ OPENAI_API_KEY: "sk-x" }), { offline });
    expect((providers.openai as { models?: unknown }).models).toBeUndefined();
  });
});
