import type { ProviderName, Role } from "@proximus/contracts";
import type { Rate } from "./prices";

/** What the router knows about a model before it has seen any outcome. */
export interface ModelInfo {
  provider: ProviderName;
  model: string;
  /**
   * Prior capability in [0, 1] on our task mix (structured JSON + code). A starting belief only:
   * learned success rates take over as outcomes are recorded.
   */
  quality: number;
  /** Context window in tokens (prompt + output). */
  contextTokens: number;
  /** Price when it is not in the price table (configured local models; 0 by default). */
  price?: Rate;
  /** Whether the model calls tools natively; false = the text tool protocol (text-tools.ts). Default true. */
  nativeTools?: boolean;
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
  { provider: "gemini", model: "gemini-2.5-flash", quality: 0.72, contextTokens: 1_048_576 },
  { provider: "gemini", model: "gemini-2.5-pro", quality: 0.9, contextTokens: 1_048_576 },
  { provider: "offline", model: OFFLINE_MODEL, quality: 0.1, contextTokens: Number.MAX_SAFE_INTEGER },
];

/**
 * The window assumed for a model nobody listed: small on purpose (an unconfigured Ollama model
 * often runs with 4–8k). Compacting too early wastes a little; overflowing fails the call.
 */
export const DEFAULT_CONTEXT_WINDOW = 8_192;

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

/** Vendor spellings of the same model: Bedrock region profiles, Gemini's `models/` prefix. */
function normalize(provider: ProviderName, model: string): string {
  if (provider === "bedrock") return model.replace(/^(us|eu|apac|us-gov|global)\./, "");
  if (provider === "gemini") return model.replace(/^models\//, "");
  return model;
}

/**
 * The catalog entry for a model: exact name first, then the longest family prefix, so dated
 * snapshots ("gpt-4o-mini-2024-07-18", "claude-haiku-4-5-20251001") find their family.
 */
export function modelInfo(provider: ProviderName, model: string, catalog: readonly ModelInfo[] = CATALOG): ModelInfo | undefined {
  const m = normalize(provider, model);
  const own = catalog.filter((e) => e.provider === provider);
  const exact = own.find((e) => e.model === model || e.model === m);
  if (exact) return exact;
  let best: ModelInfo | undefined;
  for (const e of own) {
    const boundary = m.charAt(e.model.length);
    const family = m.startsWith(e.model) && (boundary === "-" || boundary === "@" || boundary === ":");
    if (family && (!best || e.model.length > best.model.length)) best = e;
  }
  return best;
}

/**
 * Context window in tokens of a (provider, model), for the agent loop's compaction. Pass the
 * router's catalog (which includes the configured local models); unknown models get
 * DEFAULT_CONTEXT_WINDOW.
 */
export function contextWindowOf(provider: ProviderName, model: string, catalog: readonly ModelInfo[] = CATALOG): number {
  return modelInfo(provider, model, catalog)?.contextTokens ?? DEFAULT_CONTEXT_WINDOW;
}
