import type { LlmConfig, Role } from "../../contracts";

/**
 * A deliberately pessimistic pre-dispatch estimate: the DO reserves it before a task runs and
 * releases it when real usage is recorded. With the offline provider nothing is charged.
 * Tokens per role are typical sizes of each role's prompt and answer.
 */
const TYPICAL_TOKENS: Record<Role, { input: number; output: number }> = {
  ceo: { input: 2_000, output: 2_000 },
  cto: { input: 4_000, output: 3_000 },
  engineer_fe: { input: 6_000, output: 8_000 },
  engineer_be: { input: 6_000, output: 8_000 },
  qa: { input: 10_000, output: 2_000 },
  devops: { input: 4_000, output: 3_000 },
  finance: { input: 2_000, output: 1_000 },
};

/** USD per 1M tokens [input, output] for the estimate; the agents' price table is the billing source. */
const ESTIMATE_PRICES: Record<string, [number, number]> = {
  offline: [0, 0],
  bedrock: [0.06, 0.24],
  openai: [0.15, 0.6],
  anthropic: [0.8, 4],
  gemini: [0.1, 0.4],
};

export function estimateTaskCostUsd(role: Role, llm: LlmConfig, defaultProvider: string): number {
  // Without an explicit provider the router decides; estimate with the deployment's default.
  const provider = llm.provider ?? defaultProvider;
  const [pin, pout] = ESTIMATE_PRICES[provider] ?? [1, 5];
  const t = TYPICAL_TOKENS[role];
  return (t.input * pin + t.output * pout) / 1_000_000;
}
