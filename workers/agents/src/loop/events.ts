import { z } from "zod";
import { FinishClaim } from "./state";
import { LoopStopReason } from "./stop-reasons";

/**
 * Typed events of one agent loop, emitted through `emit` (the lead moves these shapes into
 * contracts/events.ts). Numbers are per step unless named `total*`.
 */
export const LoopToolCallRecord = z.object({
  id: z.string(),
  name: z.string(),
  ok: z.boolean(),
  summary: z.string(),
});

export const LoopStepEvent = z.object({
  type: z.literal("loop.step"),
  step: z.number().int().positive(),
  /** The model's normalised stop reason for this call. */
  modelStop: z.string(),
  /** First characters of any prose the model wrote alongside (or instead of) tool calls. */
  text: z.string(),
  toolCalls: z.array(LoopToolCallRecord),
  inputTokens: z.number().int().nonnegative(),
  outputTokens: z.number().int().nonnegative(),
  costUsd: z.number().nonnegative(),
  changedPaths: z.array(z.string()),
  workspaceVersion: z.number().int().nonnegative(),
});

export const LoopNoticeEvent = z.object({
  type: z.literal("loop.notice"),
  step: z.number().int().nonnegative(),
  kind: z.enum(["max_tokens_continue", "no_tool_call", "compacted"]),
  message: z.string(),
});

export const LoopStoppedEvent = z.object({
  type: z.literal("loop.stopped"),
  reason: LoopStopReason,
  detail: z.string(),
  steps: z.number().int().nonnegative(),
  totalInputTokens: z.number().int().nonnegative(),
  totalOutputTokens: z.number().int().nonnegative(),
  totalCostUsd: z.number().nonnegative(),
  elapsedMs: z.number().nonnegative(),
  finish: FinishClaim.optional(),
});

export const LoopEvent = z.discriminatedUnion("type", [LoopStepEvent, LoopNoticeEvent, LoopStoppedEvent]);
export type LoopEvent = z.infer<typeof LoopEvent>;
export type LoopStepEvent = z.infer<typeof LoopStepEvent>;
