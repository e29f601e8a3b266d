import type { ProviderName, Role } from "../../../../contracts";

/** What the router knows about a model before it has seen any outcome. */
export interface ModelInfo {
  provider: ProviderName;
  model: string;
  /**
   * Prior capability in [0, 1] on our task mix (structured JSON + code). A starting belief only:
   * learned success rates take over as outcomes are recorded.
   */
  quality: number;
  /** Context window in tokens. */
  contextTokens: number;
}

export const OFFLINE_MODEL = "offline";

export const CATALOG: readonly ModelInfo[] = [
  { provider: "bedrock", model: "amazon.nova-micro-v1:0", quality: 0.45, contextTokens: 128_000 },
  { provider: "bedrock", model: "amazon.nova-lite-v1:0", quality: 0.6, contextTokens: 300_000 },
  { provider: "bedrock", model: "amazon.nova-pro-v1:0", quality: 0.75, contextTokens: 300_000 },
  { provider: "openai", model: "gpt-4o-mini", quality: 0.65, contextTokens: 128_000 },
  { provider: "openai", model: "gpt-4o", quality: 0.85, contextTokens: 128_000 },
  { provider: "anthropic", model: "claude-haiku-4-5", quality: 0.75, contextTokens: 200_000 },
  { provider: "anthropic", model: "claude-sonnet-4-5", quality: 0.92, contextTokens: 200_000 },
  { provider: "gemini", model: "gemini-2.5-flash", quality: 0.72, contextTokens: 1_000_000 },
  { provider: "gemini", model: "gemini-2.5-pro", quality: 0.9, contextTokens: 1_000_000 },
  { provider: "offline", model: OFFLINE_MODEL, quality: 0.1, contextTokens: Number.MAX_SAFE_INTEGER },
];

/** The model a provider uses for a role when only the provider is chosen (seed: Nova Micro for Finance, Nova Lite otherwise). */
export function defaultModel(provider: ProviderName, role: Role): string {
  switch (provider) {
    case "bedrock":
      return role === "finance" ? "amazon.nova-micro-v1:0" : "amazon.nova-lite-v1:0";
    case "openai":
      return "gpt-4o-mini";
    case "anthropic":
      return "claude-haiku-4-5";
    case "gemini":
      return "gemini-2.5-flash";
    case "offline":
      return OFFLINE_MODEL;
  }
}

export function modelInfo(provider: ProviderName, model: string): ModelInfo | undefined {
  return CATALOG.find((m) => m.provider === provider && m.model === model);
}
