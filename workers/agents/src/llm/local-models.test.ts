import { describe, expect, it } from "vitest";
import { AppError } from "@proximus/contracts";
import { parseLocalModels } from "./local-models";
import { contextWindowOf, DEFAULT_CONTEXT_WINDOW } from "./catalog";

const defaults = { inputPrice: 0, outputPrice: 0, tools: true, quality: 0.5 };

describe("OPENAI_MODELS", () => {
  it("reads the comma list from the right, so Ollama names keep their colons", () => {
    expect(parseLocalModels("qwen2.5-coder:7b:32768, llama3.2:3b:8192:notools ,meta-llama/Llama-3.1-8B-Instruct:131072:0.1:0.2")).toEqual([
      { name: "qwen2.5-coder:7b", contextWindow: 32768, ...defaults },
      { name: "llama3.2:3b", contextWindow: 8192, ...defaults, tools: false },
      { name: "meta-llama/Llama-3.1-8B-Instruct", contextWindow: 131072, ...defaults, inputPrice: 0.1, outputPrice: 0.2 },
    ]);
  });

  it("reads JSON with defaults", () => {
    expect(parseLocalModels('[{"name":"gpt-oss:20b","contextWindow":131072,"quality":0.7}]')).toEqual([
      { name: "gpt-oss:20b", contextWindow: 131072, ...defaults, quality: 0.7 },
    ]);
  });

  it("rejects bad values with an error that names the variable", () => {
    for (const bad of ["llama3", "llama3:0", '[{"name":"x"}]', "[oops", "", "a:100,a:200"]) {
      const e = (() => {
        try {
          parseLocalModels(bad);
        } catch (x) {
          return x;
        }
        return undefined;
      })();
      expect(e, bad).toBeInstanceOf(AppError);
      expect((e as AppError).message).toContain("OPENAI_MODELS");
    }
  });
});

describe("contextWindowOf", () => {
  it("knows every catalog model, dated snapshots and vendor spellings included", () => {
    expect(contextWindowOf("openai", "gpt-4o-mini-2024-07-18")).toBe(128_000);
    expect(contextWindowOf("anthropic", "claude-sonnet-4-5-20250929")).toBe(200_000);
    expect(contextWindowOf("bedrock", "us.amazon.nova-pro-v1:0")).toBe(300_000);
    expect(contextWindowOf("gemini", "models/gemini-2.5-pro")).toBe(1_048_576);
  });

  it("uses a given catalog (the router's, with local models) and a small default for unknown models", () => {
    const local = [{ provider: "openai" as const, model: "qwen2.5-coder:7b", quality: 0.5, contextTokens: 32_768 }];
    expect(contextWindowOf("openai", "qwen2.5-coder:7b", local)).toBe(32_768);
    expect(contextWindowOf("openai", "mystery-model")).toBe(DEFAULT_CONTEXT_WINDOW);
  });
});
