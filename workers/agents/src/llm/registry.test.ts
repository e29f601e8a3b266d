import { describe, expect, it } from "vitest";
import { createProviders, providersConfigFromEnv } from "./registry";
import { ResilientProvider } from "./resilience";
import type { LlmProvider } from "./types";

const offline: LlmProvider = {
  name: "offline",
  complete: async (r) => ({ provider: "offline", model: r.model, text: "", inputTokens: 0, outputTokens: 0 }),
};

describe("createProviders", () => {
  it("builds only the providers that have credentials, each behind its own breaker", () => {
    const set = createProviders(
      providersConfigFromEnv({ GEMINI_API_KEY: "g-key", AWS_ACCESS_KEY_ID: "AKIA1", AWS_SECRET_ACCESS_KEY: "", OPENAI_API_KEY: "  " }),
      { offline },
    );
    expect(Object.keys(set).sort()).toEqual(["gemini", "offline"]);
    expect(set.gemini).toBeInstanceOf(ResilientProvider);
    expect(set.offline).toBe(offline);
    const all = createProviders({
      openaiApiKey: "k",
      anthropicApiKey: "k",
      awsAccessKeyId: "a",
      awsSecretAccessKey: "s",
      awsRegion: "eu-west-1",
      geminiApiKey: "k",
    });
    expect(Object.keys(all).sort()).toEqual(["anthropic", "bedrock", "gemini", "openai"]);
    const breakers = Object.values(all).map((p) => (p as ResilientProvider).breaker);
    expect(new Set(breakers).size).toBe(4);
  });

  it("enables a key-less OpenAI-compatible server from its base URL alone", () => {
    expect(Object.keys(createProviders(providersConfigFromEnv({ OPENAI_BASE_URL: "http://127.0.0.1:11434/v1" })))).toEqual(["openai"]);
  });

  it("rejects malformed settings", () => {
    expect(() => providersConfigFromEnv({ OPENAI_BASE_URL: "not a url" })).toThrow();
    expect(() => providersConfigFromEnv({ AWS_REGION: "mars" })).toThrow();
  });

  it("passes a custom fetch through to every provider", async () => {
    const seen: string[] = [];
    const fetchFn: typeof fetch = async (input) => {
      seen.push(new Request(input).url);
      return new Response(
        JSON.stringify({
          candidates: [{ content: { parts: [{ text: "hi" }] } }],
          usageMetadata: { promptTokenCount: 1, candidatesTokenCount: 1 },
        }),
        { status: 200 },
      );
    };
    const set = createProviders({ geminiApiKey: "k", geminiBaseUrl: "http://gemini.test", fetch: fetchFn });
    const r = await set.gemini!.complete({ model: "gemini-2.5-flash", messages: [{ role: "user", content: "x" }] });
    expect(r.text).toBe("hi");
    expect(seen).toEqual(["http://gemini.test/v1beta/models/gemini-2.5-flash:generateContent"]);
  });
});
