import { z } from "zod";

/**
 * The per-project scorecard: one entry per gate QA runs in the sandbox over a generated project.
 * Each entry is computed from the tools' machine-readable output (workers/shared/gates/score.ts),
 * never from a model's claim.
 */
export const GATE_IDS = ["typecheck", "tests", "deploy_dry_run", "ui_build", "smoke"] as const;
export const GateId = z.enum(GATE_IDS);
export type GateId = z.infer<typeof GateId>;

/** One precise failure: a type error at a position, a failing test, a route that answered wrongly, a tool error. */
export const GateFailure = z.object({
  message: z.string(),
  /** Workspace-relative path, when the failure has a place. */
  file: z.string().optional(),
  line: z.number().int().positive().optional(),
  column: z.number().int().positive().optional(),
  /** The tool's own code, e.g. "TS2322". */
  code: z.string().optional(),
  /** Full name of a failing test (suite titles and test title). */
  test: z.string().optional(),
});
export type GateFailure = z.infer<typeof GateFailure>;

export const ScorecardEntry = z.object({
  gate: GateId,
  passed: z.boolean(),
  /** Time the gate's sandbox run took (ms). */
  durationMs: z.number().nonnegative(),
  /** One line for people: "3 of 3 tests passed", "2 type errors in 1 file", "bundle 812 KiB". */
  summary: z.string(),
  failures: z.array(GateFailure),
  /** Numbers the gate measured, e.g. {tests: 3, passed: 3} or {bundleBytes: 852707}. */
  metrics: z.record(z.string(), z.number()).default({}),
});
export type ScorecardEntry = z.infer<typeof ScorecardEntry>;

export const Scorecard = z.object({
  passed: z.boolean(),
  entries: z.array(ScorecardEntry),
});
export type Scorecard = z.infer<typeof Scorecard>;

export const scorecardOf = (entries: ScorecardEntry[]): Scorecard => ({
  passed: entries.length > 0 && entries.every((e) => e.passed),
  entries,
});
