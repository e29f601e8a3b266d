import type { ProviderName } from "@proximus/contracts";

/** USD per 1M tokens. */
export interface Rate {
  input: number;
  output: number;
  /** Some vendors charge more once the prompt passes a size (Gemini Pro above 200k tokens). */
  longContext?: { aboveInputTokens: number; input: number; output: number };
}

export type PriceTable = Record<ProviderName, Record<string, Rate>>;

/**
 * List prices (on-demand, standard tier, USD per 1M tokens) checked 2025-11. Keys are model ids or
 * model-id prefixes: the longest prefix wins, so dated snapshots ("gpt-4o-mini-2024-07-18",
 * "claude-sonnet-4-5-20250929") price like their family.
 */
export const DEFAULT_PRICES: PriceTable = {
  offline: { offline: { input: 0, output: 0 } },
  bedrock: {
    "amazon.nova-micro-v1:0": { input: 0.035, output: 0.14 },
    "amazon.nova-lite-v1:0": { input: 0.06, output: 0.24 },
    "amazon.nova-pro-v1:0": { input: 0.8, output: 3.2 },
  },
  openai: {
    "gpt-4o-mini": { input: 0.15, output: 0.6 },
    "gpt-4o": { input: 2.5, output: 10 },
  },
  anthropic: {
    "claude-haiku-4-5": { input: 1, output: 5 },
    "claude-sonnet-4-5": { input: 3, output: 15 },
  },
  gemini: {
    "gemini-2.5-flash": { input: 0.3, output: 2.5 },
    "gemini-2.5-pro": { input: 1.25, output: 10, longContext: { aboveInputTokens: 200_000, input: 2.5, output: 15 } },
  },
};

/**
 * Rate for a model nobody listed: a frontier "opus"-class price. Over-charging an unknown model
 * only makes the budget stop early; under-charging could let a project overspend real money.
 */
export const UNKNOWN_MODEL_RATE: Rate = { input: 15, output: 75 };

/** Bedrock cross-region inference profiles ("us.amazon.nova-lite-v1:0") bill like the base model. */
function normalizeModel(provider: ProviderName, model: string): string {
  if (provider === "bedrock") return model.replace(/^(us|eu|apac|us-gov|global)\./, "");
  return model;
}

export function rateFor(provider: ProviderName, model: string, table: PriceTable = DEFAULT_PRICES): { rate: Rate; known: boolean } {
  if (provider === "offline") return { rate: { input: 0, output: 0 }, known: true };
  const m = normalizeModel(provider, model);
  const rates = table[provider];
  const exact = rates[m];
  if (exact) return { rate: exact, known: true };
  let best: string | undefined;
  for (const key of Object.keys(rates)) {
    const boundary = m.charAt(key.length);
    if (m.startsWith(key) && (boundary === "-" || boundary === ":" || boundary === "@") && (!best || key.length > best.length)) best = key;
  }
  const found = best === undefined ? undefined : rates[best];
  return found ? { rate: found, known: true } : { rate: UNKNOWN_MODEL_RATE, known: false };
}

/** Cost of one call in USD. Token counts come from the vendor's own usage report. */
export function costUsd(
  provider: ProviderName,
  model: string,
  inputTokens: number,
  outputTokens: number,
  table: PriceTable = DEFAULT_PRICES,
): number {
  const { rate } = rateFor(provider, model, table);
  const lc = rate.longContext;
  const r = lc && inputTokens > lc.aboveInputTokens ? lc : rate;
  return (Math.max(0, inputTokens) * r.input + Math.max(0, outputTokens) * r.output) / 1_000_000;
}
