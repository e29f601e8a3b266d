import type { z } from "zod";
import type { ToolSpec } from "../../llm/types";
import type { Runner } from "../runner";
import type { WriteCheckOptions } from "../write-checks";
import type { Workspace } from "../workspace";

/** What a tool may touch while it runs. */
export interface ToolContext {
  workspace: Workspace;
  runner: Runner | null;
  writeChecks?: WriteCheckOptions;
  /** Largest tool output kept in the conversation (head + tail beyond it). */
  maxOutputChars: number;
  /** The last `run` of each command since files last changed; `finish` checks claims against it. */
  lastRuns: Record<string, { ok: boolean; version: number }>;
  /** Edit signature → step it was applied at; the same edit again is refused as a loop. */
  appliedEdits: Record<string, number>;
}

/**
 * A tool's answer. `content` goes back to the model; `summary` is one line for events and for the
 * compacted conversation; `failure` is a stable signature when the call failed (the loop breaker
 * counts repeats of it); `edit` is the signature of a change that landed; `reappliedFrom` = the step
 * at which this exact change was already applied (the call was refused).
 */
export interface ToolOutcome {
  content: string;
  isError: boolean;
  summary: string;
  failure?: string;
  edit?: string;
  reappliedFrom?: number;
  finish?: { summary: string; status: "done" | "tests_failing"; notes?: string };
}

export interface Tool<S extends z.ZodType = z.ZodType> {
  name: string;
  description: string;
  schema: S;
  /** Only reads: calling it again with the same arguments learns nothing new. */
  readOnly: boolean;
  /** Identifies the workspace change this call makes (write/edit), for the loop breaker. */
  editKey?(args: z.infer<S>): string;
  run(args: z.infer<S>, ctx: ToolContext): Promise<ToolOutcome>;
}

export type AnyTool = Tool<z.ZodType>;
export type { ToolSpec };

export function ok(content: string, summary: string, extra: Partial<ToolOutcome> = {}): ToolOutcome {
  return { content, isError: false, summary, ...extra };
}

export function fail(content: string, summary = content, failure = content): ToolOutcome {
  return { content, isError: true, summary: summary.slice(0, 200), failure };
}
