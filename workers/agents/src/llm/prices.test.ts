import { describe, expect, it } from "vitest";
import { DEFAULT_PRICES, UNKNOWN_MODEL_RATE, costUsd, rateFor } from "./prices";

describe("price table", () => {
  it("prices the default models per 1M tokens", () => {
    expect(costUsd("bedrock", "amazon.nova-micro-v1:0", 1_000_000, 1_000_000)).toBeCloseTo(0.035 + 0.14, 10);
    expect(costUsd("bedrock", "amazon.nova-lite-v1:0", 2_000, 1_000)).toBeCloseTo((2_000 * 0.06 + 1_000 * 0.24) / 1e6, 12);
    expect(costUsd("bedrock", "amazon.nova-pro-v1:0", 1_000, 0)).toBeCloseTo(0.0008, 12);
    expect(costUsd("openai", "gpt-4o", 1_000, 1_000)).toBeCloseTo(0.0125, 12);
    expect(costUsd("anthropic", "claude-sonnet-4-5", 10_000, 2_000)).toBeCloseTo(0.06, 12);
    expect(costUsd("gemini", "gemini-2.5-flash", 100_000, 10_000)).toBeCloseTo(0.03 + 0.025, 12);
    expect(costUsd("offline", "anything", 1e9, 1e9)).toBe(0);
  });

  it("prices dated snapshots and cross-region profiles like their family", () => {
    expect(rateFor("openai", "gpt-4o-mini-2024-07-18").rate).toBe(DEFAULT_PRICES.openai["gpt-4o-mini"]);
    expect(rateFor("openai", "gpt-4o-2024-08-06").rate).toBe(DEFAULT_PRICES.openai["gpt-4o"]);
    expect(rateFor("anthropic", "claude-haiku-4-5-20251001").rate).toBe(DEFAULT_PRICES.anthropic["claude-haiku-4-5"]);
    expect(rateFor("bedrock", "us.amazon.nova-lite-v1:0").rate).toBe(DEFAULT_PRICES.bedrock["amazon.nova-lite-v1:0"]);
    // "gpt-4o" must not swallow an unrelated name that merely starts with the same letters.
    expect(rateFor("openai", "gpt-4oz").known).toBe(false);
  });

  it("charges the long-context tier above Gemini Pro's threshold", () => {
    expect(costUsd("gemini", "gemini-2.5-pro", 100_000, 1_000)).toBeCloseTo((100_000 * 1.25 + 1_000 * 10) / 1e6, 12);
    expect(costUsd("gemini", "gemini-2.5-pro", 300_000, 1_000)).toBeCloseTo((300_000 * 2.5 + 1_000 * 15) / 1e6, 12);
  });

  it("prices unknown models at a rate above every listed model", () => {
    const r = rateFor("openai", "llama3.1:8b");
    expect(r.known).toBe(false);
    expect(r.rate).toBe(UNKNOWN_MODEL_RATE);
    for (const rates of Object.values(DEFAULT_PRICES)) {
      for (const rate of Object.values(rates)) {
        expect(UNKNOWN_MODEL_RATE.input).toBeGreaterThanOrEqual(rate.longContext?.input ?? rate.input);
        expect(UNKNOWN_MODEL_RATE.output).toBeGreaterThanOrEqual(rate.longContext?.output ?? rate.output);
      }
    }
  });

  it("accepts an overriding table (e.g. a free local Ollama model)", () => {
    const table = { ...DEFAULT_PRICES, openai: { ...DEFAULT_PRICES.openai, "llama3.1": { input: 0, output: 0 } } };
    expect(costUsd("openai", "llama3.1:8b", 1000, 1000, table)).toBe(0);
  });
});
