import { z } from "zod";

/**
 * Why an agent loop ended; every run ends with exactly one. `content_filter` and `truncated` are
 * the model's own refusals / cut-offs (not provider errors, not our caps), kept apart so the task
 * drawer can say what happened.
 */
export const LOOP_STOP_REASONS = [
  "finished",
  "tests_failing",
  "step_cap",
  "token_cap",
  "budget",
  "wall_time",
  "repeated_failure",
  "provider_error",
  "no_progress",
  "content_filter",
  "truncated",
] as const;
export const LoopStopReason = z.enum(LOOP_STOP_REASONS);
export type LoopStopReason = z.infer<typeof LoopStopReason>;
