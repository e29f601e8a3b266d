import { z } from "zod";

export const PROVIDERS = ["offline", "openai", "anthropic", "bedrock", "gemini"] as const;
export const ProviderName = z.enum(PROVIDERS);
export type ProviderName = z.infer<typeof ProviderName>;

/** Which model a task should use. Routing strategy picks when provider/model are absent. */
export const LlmConfig = z
  .object({
    provider: ProviderName.optional(),
    model: z.string().min(1).max(200).optional(),
    temperature: z.number().min(0).max(2).optional(),
    maxTokens: z.number().int().min(1).max(200_000).optional(),
    strategy: z.enum(["balanced", "performance", "cost-saver"]).optional(),
  })
  .strict();
export type LlmConfig = z.infer<typeof LlmConfig>;

/** One LLM call's metered usage: read from the vendor response, priced from the price table. */
export const Usage = z.object({
  provider: ProviderName,
  model: z.string(),
  inputTokens: z.number().int().nonnegative(),
  outputTokens: z.number().int().nonnegative(),
  costUsd: z.number().nonnegative(),
});
export type Usage = z.infer<typeof Usage>;
