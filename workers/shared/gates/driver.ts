import { z } from "zod";

/**
 * The gate driver, in two parts that run inside the sandbox. A POSIX shell script runs the gate's
 * steps one after another, each tool's output into files (a shell, not a Node parent, because under
 * gVisor-ptrace every thread counts against the sandbox's 128-process limit, and a Node parent's
 * threads on top of vitest + workerd went over it). Then it execs a small Node collector that prints
 * ONE line, `GATE_RESULT_PREFIX` + JSON (`DriverOutput`): each step's exit status, time and output,
 * the report files the tools wrote (vitest's JSON, wrangler's ND-JSON) and the files of the output
 * directories with their sizes. The tools' own output never reaches the sandbox's stdout, so
 * nothing they print can be mistaken for the result.
 */
export const GATE_DIR = ".proximus";
export const GATE_DRIVER_PATH = `${GATE_DIR}/gate-driver.sh`;
export const GATE_COLLECT_PATH = `${GATE_DIR}/gate-collect.mjs`;
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

const DriverPlanSchema = z.object({
  steps: z.array(DriverStep).min(1),
  /** Files read after the steps (absolute, or relative to the workspace); missing ones come back null. */
  reports: z.array(z.string()).default([]),
  /** Directories whose files are listed with their sizes after the steps. */
  listDirs: z.array(z.string()).default([]),
  /** Per-stream tail of each step's output kept in the result. */
  outputTailChars: z.number().int().positive().default(16_000),
});
export const DriverPlan = DriverPlanSchema;
export type DriverPlan = z.input<typeof DriverPlanSchema>;

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

const shQuote = (a: string): string => `'${a.replace(/'/g, `'\\''`)}'`;

/**
 * The shell part for one plan. Only sh builtins, `date` and `mkdir` (no `ls`/`stat`: coreutils'
 * statx calls fail under this gVisor build). Step i leaves `i.out`, `i.err` and `i.status`
 * ("<exit code> <ms>") in GATE_OUT; a failed step stops the rest unless it may continue.
 */
export function renderDriverScript(input: DriverPlan): string {
  const plan = DriverPlanSchema.parse(input);
  const lines = [
    "#!/bin/sh",
    `O=${shQuote(GATE_OUT)}`,
    'mkdir -p "$O" || exit 90',
    'step() { n=$1; shift; s=$(date +%s%3N); "$@" >"$O/$n.out" 2>"$O/$n.err" </dev/null; c=$?; echo "$c $(($(date +%s%3N) - s))" >"$O/$n.status"; return $c; }',
    `collect() { exec node ${shQuote(GATE_COLLECT_PATH)} ${shQuote(GATE_PLAN_PATH)}; }`,
    ...plan.steps.map((st, i) => `step ${i} ${st.argv.map(shQuote).join(" ")}${st.continueOnFailure ? " || true" : " || collect"}`),
    "collect",
    "",
  ];
  return lines.join("\n");
}

// Plain ES2022 + node: builtins, no dependencies.
export const GATE_COLLECT_SOURCE = String.raw`import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";

const plan = JSON.parse(readFileSync(process.argv[2], "utf8"));
const read = (p) => { try { return readFileSync(p, "utf8"); } catch { return null; } };
const tail = (s) => (s.length > plan.outputTailChars ? s.slice(-plan.outputTailChars) : s);
const steps = [];
plan.steps.forEach((step, i) => {
  const status = read("${GATE_OUT}/" + i + ".status");
  if (status === null) return; // not run: an earlier step failed
  const [code, ms] = status.trim().split(" ").map(Number);
  steps.push({
    name: step.name,
    argv: step.argv,
    exitCode: code,
    signal: null,
    error: code === 127 ? "command not found" : null,
    durationMs: ms,
    stdout: tail(read("${GATE_OUT}/" + i + ".out") ?? ""),
    stderr: tail(read("${GATE_OUT}/" + i + ".err") ?? ""),
  });
});
const reports = {};
for (const p of plan.reports) reports[p] = read(p);
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
