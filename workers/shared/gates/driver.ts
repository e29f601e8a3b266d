import { z } from "zod";

/**
 * The gate driver: a small Node script that runs inside the sandbox, runs a gate's steps one after
 * another, then prints ONE line, `GATE_RESULT_PREFIX` + JSON (`DriverOutput`): each step's exit
 * status and output, the report files the tools wrote (vitest's JSON, wrangler's ND-JSON) and the
 * files of the output directories with their sizes. The tools' own output never reaches the
 * sandbox's stdout, so nothing they print can be mistaken for the result.
 */
export const GATE_DIR = ".proximus";
export const GATE_DRIVER_PATH = `${GATE_DIR}/gate-driver.mjs`;
export const GATE_PLAN_PATH = `${GATE_DIR}/gate-plan.json`;
/** Where the tools write their reports and outputs inside the sandbox (tmpfs, outside the workspace). */
export const GATE_OUT = "/tmp/proximus-gate";
export const GATE_RESULT_PREFIX = "PROXIMUS-GATE-RESULT ";

export const DriverStep = z.object({
  name: z.string(),
  argv: z.array(z.string()).min(1),
  /** Run the next steps even when this one fails (typecheck runs every tsconfig). */
  continueOnFailure: z.boolean().default(false),
});
export type DriverStep = z.infer<typeof DriverStep>;

export const DriverPlan = z.object({
  steps: z.array(DriverStep).min(1),
  /** Files read after the steps (absolute, or relative to the workspace); missing ones come back null. */
  reports: z.array(z.string()).default([]),
  /** Directories whose files are listed with their sizes after the steps. */
  listDirs: z.array(z.string()).default([]),
  /** Per-stream tail of each step's output kept in the result. */
  outputTailChars: z.number().int().positive().default(16_000),
});
export type DriverPlan = z.input<typeof DriverPlan>;

export const DriverStepResult = z.object({
  name: z.string(),
  argv: z.array(z.string()),
  exitCode: z.number().int().nullable(),
  signal: z.string().nullable(),
  /** spawn itself failed (e.g. the command does not exist). */
  error: z.string().nullable(),
  durationMs: z.number().nonnegative(),
  stdout: z.string(),
  stderr: z.string(),
});
export type DriverStepResult = z.infer<typeof DriverStepResult>;

export const DriverOutput = z.object({
  steps: z.array(DriverStepResult),
  reports: z.record(z.string(), z.string().nullable()),
  dirs: z.record(z.string(), z.array(z.object({ path: z.string(), bytes: z.number().int().nonnegative() })).nullable()),
});
export type DriverOutput = z.infer<typeof DriverOutput>;

// Plain ES2022 + node: builtins, no dependencies: it runs with the sandbox's node before anything is installed.
export const GATE_DRIVER_SOURCE = String.raw`import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";

const plan = JSON.parse(readFileSync(process.argv[2], "utf8"));
const tail = (s) => (s.length > plan.outputTailChars ? s.slice(-plan.outputTailChars) : s);
mkdirSync("${GATE_OUT}", { recursive: true });
const steps = [];
for (const step of plan.steps) {
  const started = performance.now();
  const r = spawnSync(step.argv[0], step.argv.slice(1), { encoding: "utf8", maxBuffer: 256 * 1024 * 1024, stdio: ["ignore", "pipe", "pipe"] });
  steps.push({
    name: step.name,
    argv: step.argv,
    exitCode: r.status,
    signal: r.signal,
    error: r.error ? String(r.error.message) : null,
    durationMs: Math.round(performance.now() - started),
    stdout: tail(r.stdout ?? ""),
    stderr: tail(r.stderr ?? ""),
  });
  if (r.status !== 0 && !step.continueOnFailure) break;
}
const reports = {};
for (const p of plan.reports) {
  try { reports[p] = readFileSync(p, "utf8"); } catch { reports[p] = null; }
}
// Sizes from the bytes read, not stat(): this gVisor build's statx is unreliable.
const list = (root, rel = "") => readdirSync(join(root, rel), { withFileTypes: true }).flatMap((e) =>
  e.isDirectory() ? list(root, join(rel, e.name)) : [{ path: join(rel, e.name), bytes: readFileSync(join(root, rel, e.name)).length }]);
const dirs = {};
for (const d of plan.listDirs) {
  try { dirs[d] = list(d); } catch { dirs[d] = null; }
}
process.stdout.write("\n${GATE_RESULT_PREFIX}" + JSON.stringify({ steps, reports, dirs }) + "\n");
`;

/** The driver's result from the sandbox's stdout, or null when it never printed one (killed, crashed). */
export function readDriverOutput(stdout: string): DriverOutput | null {
  const at = stdout.lastIndexOf(`\n${GATE_RESULT_PREFIX}`);
  if (at < 0) return null;
  const line = stdout.slice(at + 1 + GATE_RESULT_PREFIX.length).split("\n")[0] ?? "";
  try {
    const parsed = DriverOutput.safeParse(JSON.parse(line));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
