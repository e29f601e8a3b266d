import { ROLE_REGISTRY, type LlmConfig, type Role } from "@proximus/contracts";

/** USD per 1M tokens [input, output] for the estimate; the agents' price table is the billing source. */
const ESTIMATE_PRICES: Record<string, [number, number]> = {
  offline: [0, 0],
  bedrock: [0.06, 0.24],
  openai: [0.15, 0.6],
  anthropic: [0.8, 4],
  gemini: [0.1, 0.4],
};

/**
 * A deliberately pessimistic pre-dispatch estimate: the DO reserves it before a task runs and
 * releases it when real usage is recorded. With the offline provider nothing is charged.
 * Tokens per role are the registry's typical sizes of each role's prompt and answer.
 */
export function estimateTaskCostUsd(role: Role, llm: LlmConfig, defaultProvider: string): number {
  // Without an explicit provider the router decides; estimate with the deployment's default.
  const provider = llm.provider ?? defaultProvider;
  const [pin, pout] = ESTIMATE_PRICES[provider] ?? [1, 5];
  const t = ROLE_REGISTRY[role].typicalTokens;
  return (t.input * pin + t.output * pout) / 1_000_000;
}
