import { z } from "zod";
import { LoopStopReason } from "./stop-reasons";

/** zod mirror of llm/types.ts ChatMessage, so a checkpoint can be validated when it is read back. */
export const ToolCallSchema = z.object({ id: z.string(), name: z.string(), arguments: z.string() });
export const ChatMessageSchema = z.union([
  z.object({ role: z.enum(["system", "user"]), content: z.string() }),
  z.object({ role: z.literal("assistant"), content: z.string(), toolCalls: z.array(ToolCallSchema).optional() }),
  z.object({ role: z.literal("tool"), toolCallId: z.string(), name: z.string(), content: z.string(), isError: z.boolean().optional() }),
]);

export const FinishClaim = z.object({ summary: z.string(), status: z.enum(["done", "tests_failing"]), notes: z.string().optional() });
export type FinishClaim = z.infer<typeof FinishClaim>;

const count = z.number().int().nonnegative();

/**
 * Everything the loop needs to go on after eviction: the conversation and the counters behind
 * every cap and loop breaker. JSON-serialisable; the executor persists it after every step.
 * The workspace is not in here: it is persisted by itself (R2 + index).
 */
export const LoopState = z.object({
  v: z.literal(1),
  messages: z.array(ChatMessageSchema),
  /** One line per tool call id: what replaces its output when the conversation is compacted. */
  toolSummaries: z.record(z.string(), z.string()),
  step: count,
  inputTokens: count,
  outputTokens: count,
  costUsd: z.number().nonnegative(),
  /** Wall time used by earlier runs of this loop (before eviction), in ms. */
  elapsedMs: z.number().nonnegative(),
  /** Output-token cap of the next call (raised once after a max_tokens stop). */
  maxOutputTokens: count,
  /** Consecutive replies cut off by max_tokens. */
  truncations: count,
  /** Consecutive replies without any tool call. */
  noToolReplies: count,
  /** Consecutive steps that changed nothing, ran nothing and read nothing new. */
  idleSteps: count,
  failureCounts: z.record(z.string(), count),
  /** Edit signature → step it was applied at. */
  appliedEdits: z.record(z.string(), count),
  /** Signatures of read-only calls already made (same call again = nothing new learned). */
  seenReads: z.array(z.string()),
  lastRuns: z.record(z.string(), z.object({ ok: z.boolean(), version: count })),
  compactions: count,
  stopped: z.object({ reason: LoopStopReason, detail: z.string(), finish: FinishClaim.optional() }).optional(),
});
export type LoopState = z.infer<typeof LoopState>;
