/** Per-task limits of one agent loop. Every one of them ends the loop with its own stop reason. */
export interface LoopCaps {
  /** Model calls (each with the tools it asked for), default 30 → "step_cap". */
  maxSteps: number;
  /** Input + output tokens over the whole task → "token_cap" (checked before each call). */
  maxTokens: number;
  /** USD for this task → "budget" (checked before each call, with the call's worst case). */
  maxUsd: number;
  /** Wall time, including time before an eviction → "wall_time". */
  maxWallMs: number;
  /** Output-token cap per call; raised once (×2, up to the ceiling) after a max_tokens stop. */
  maxOutputTokens: number;
  maxOutputTokensCeiling: number;
  /** The same failure this many times → "repeated_failure". */
  repeatLimit: number;
  /** Steps in a row that change, run and learn nothing → "no_progress". */
  noProgressSteps: number;
  /** Replies in a row without a tool call → "no_progress". */
  maxNoToolReplies: number;
  /** Tool output kept in the conversation (head + tail beyond it). */
  maxToolOutputChars: number;
  /** Turns kept intact when the conversation is compacted. */
  keepRecentTurns: number;
  /** Compact when the estimated prompt + output cap passes this share of the context window. */
  compactAt: number;
}

export const DEFAULT_CAPS: LoopCaps = {
  maxSteps: 30,
  maxTokens: 1_500_000,
  maxUsd: 2,
  maxWallMs: 20 * 60_000,
  maxOutputTokens: 4096,
  maxOutputTokensCeiling: 16_384,
  repeatLimit: 3,
  noProgressSteps: 8,
  maxNoToolReplies: 3,
  maxToolOutputChars: 8000,
  keepRecentTurns: 6,
  compactAt: 0.75,
};

/**
 * The project budget, shared by every task: `reserve` before a call with its worst-case cost
 * (false = it would overrun, the loop stops with "budget" and makes no call); `settle` after it
 * with the real cost (the vendor's usage), which releases the rest of the reservation.
 */
export interface BudgetGate {
  reserve(usd: number): Promise<boolean> | boolean;
  settle(reservedUsd: number, actualUsd: number): Promise<void> | void;
}

/** A budget with a fixed remaining amount, for tests, the bench and single-task runs. */
export function fixedBudget(remainingUsd: number): BudgetGate & { spentUsd(): number; reservedUsd(): number } {
  let spent = 0;
  let reserved = 0;
  return {
    reserve(usd) {
      if (spent + reserved + usd > remainingUsd) return false;
      reserved += usd;
      return true;
    },
    settle(r, actual) {
      reserved -= r;
      spent += actual;
    },
    spentUsd: () => spent,
    reservedUsd: () => reserved,
  };
}
