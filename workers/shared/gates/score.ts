import type { RunResult } from "@proximus/contracts/sandbox";
import type { GateFailure, GateId, ScorecardEntry } from "@proximus/contracts/scorecard";
import { readDriverOutput, type DriverOutput, type DriverStepResult } from "./driver";
import { MAIN_STEP, SMOKE_REPORT, TESTS_REPORT, WORKER_OUTDIR, WRANGLER_OUTPUT } from "./plan";
import { parseTscOutput, parseVitestReport, stripAnsi, vitestFailures, wranglerErrors } from "./reports";

const KiB = (n: number) => `${Math.round(n / 1024)} KiB`;
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
/** The end of a step's output: where tools print what went wrong. */
const outputTail = (s: DriverStepResult, chars = 2_000) => stripAnsi(`${s.stdout}\n${s.stderr}`).trim().slice(-chars);
const stepOk = (s: DriverStepResult) => s.exitCode === 0 && s.error === null;

/** A step that failed without any machine-readable detail: its exit status and the end of its output. */
function stepFailure(s: DriverStepResult): GateFailure {
  const how = s.error ? `could not start: ${s.error}` : s.signal ? `killed by ${s.signal}` : `exited with ${s.exitCode}`;
  return { message: `${s.name} ${how}\n${outputTail(s)}`.trim() };
}

type Verdict = Omit<ScorecardEntry, "gate" | "durationMs">;

/**
 * The scorecard entry of one gate from its sandbox run. Counts, positions and sizes come from the
 * tools' reports (tsc diagnostics, vitest's JSON, wrangler's output file, the built files), not
 * from the text they print for people.
 */
export function scoreGate(gate: GateId, run: RunResult): ScorecardEntry {
  const out = readDriverOutput(run.stdout);
  const verdict = out ? scoreOutput(gate, out) : sandboxFailure(run);
  return { gate, durationMs: Math.round(run.durationMs), ...verdict };
}

function sandboxFailure(run: RunResult): Verdict {
  const why = run.killedReason
    ? `the sandbox killed the gate (${run.killedReason})`
    : !run.ran
      ? "the sandbox refused to run it"
      : `the gate driver ended without a result (exit ${run.exitCode})`;
  // Policy findings (e.g. "spawns processes") describe the driver itself, not the project.
  const syntax = run.diagnostics.filter((d) => d.source === "syntax").map((d) => `${d.file}:${d.line}:${d.column} ${d.message}`);
  const detail = [run.stderr.trim().slice(-2_000), ...syntax].filter(Boolean).join("\n");
  return { passed: false, summary: why, failures: [{ message: detail ? `${why}\n${detail}` : why }], metrics: {} };
}

function scoreOutput(gate: GateId, out: DriverOutput): Verdict {
  switch (gate) {
    case "typecheck":
      return typecheck(out);
    case "tests":
      return vitest(out, MAIN_STEP.tests, TESTS_REPORT, "test");
    case "smoke":
      return vitest(out, MAIN_STEP.smoke, SMOKE_REPORT, "route");
    case "ui_build":
      return uiBuild(out);
    case "deploy_dry_run":
      return deployDryRun(out);
  }
}

function typecheck(out: DriverOutput): Verdict {
  const failures: GateFailure[] = [];
  for (const s of out.steps) {
    const diags = parseTscOutput(s.stdout + "\n" + s.stderr);
    failures.push(...diags);
    if (!stepOk(s) && diags.length === 0) failures.push(stepFailure(s));
  }
  const errors = failures.length;
  const files = new Set(failures.map((f) => f.file).filter(Boolean)).size;
  const passed = out.steps.every(stepOk) && errors === 0;
  const programs = plural(out.steps.length, "program");
  return {
    passed,
    summary: passed ? `no type errors (${programs})` : `${plural(errors, "type error")} in ${plural(files, "file")} (${programs})`,
    failures,
    metrics: { errors, programs: out.steps.length },
  };
}

/** A failed preparation step (the UI build before the smoke run or the dry run) fails the gate with its output. */
function failedPrep(out: DriverOutput, main: string): Verdict | null {
  const prep = out.steps.find((s) => s.name !== main && !stepOk(s));
  return prep ? { passed: false, summary: `${prep.name} failed before the gate ran`, failures: [stepFailure(prep)], metrics: {} } : null;
}

function vitest(out: DriverOutput, main: string, reportPath: string, unit: "test" | "route"): Verdict {
  const prep = failedPrep(out, main);
  if (prep) return prep;
  const step = out.steps.find((s) => s.name === main);
  if (!step) return { passed: false, summary: `${main} did not run`, failures: [], metrics: {} };
  const text = out.reports[reportPath] ?? null;
  const report = text === null ? null : parseVitestReport(text);
  if (!report) return { passed: false, summary: "vitest wrote no report", failures: [stepFailure(step)], metrics: {} };
  const failures = vitestFailures(report);
  const total = report.numTotalTests;
  // Unhandled errors fail the run without failing a test: then vitest's exit code and output are the evidence.
  if (!stepOk(step) && failures.length === 0) failures.push(stepFailure(step));
  const passed = stepOk(step) && report.success && report.numFailedTests === 0 && total > 0;
  const what = unit === "test" ? "test" : "route";
  const summary =
    total === 0
      ? `no ${what}s ran`
      : `${report.numPassedTests} of ${plural(total, what)} ${unit === "test" ? "passed" : "answered as specified"}` +
        (report.numFailedTests ? `, ${report.numFailedTests} failed` : "") +
        (passed || failures.length ? "" : " (vitest failed)");
  return {
    passed,
    summary,
    failures,
    metrics: { total, passed: report.numPassedTests, failed: report.numFailedTests, skipped: report.numPendingTests + report.numTodoTests },
  };
}

function uiBuild(out: DriverOutput): Verdict {
  const step = out.steps[0];
  const files = Object.values(out.dirs)[0] ?? null;
  if (!step || !stepOk(step))
    return { passed: false, summary: "vite build failed", failures: step ? [stepFailure(step)] : [], metrics: {} };
  const index = files?.find((f) => f.path === "index.html");
  if (!files || !index)
    return {
      passed: false,
      summary: "vite build wrote no index.html",
      failures: [{ message: "the build output has no index.html" }],
      metrics: {},
    };
  const bytes = files.reduce((n, f) => n + f.bytes, 0);
  return {
    passed: true,
    summary: `UI built: ${plural(files.length, "file")}, ${KiB(bytes)}`,
    failures: [],
    metrics: { files: files.length, assetsBytes: bytes },
  };
}

function deployDryRun(out: DriverOutput): Verdict {
  const prep = failedPrep(out, MAIN_STEP.deploy);
  if (prep) return prep;
  const step = out.steps.find((s) => s.name === MAIN_STEP.deploy);
  const errors = wranglerErrors(out.reports[WRANGLER_OUTPUT] ?? null);
  if (!step || !stepOk(step))
    return {
      passed: false,
      summary: "wrangler deploy --dry-run failed",
      failures: errors.length ? errors : step ? [stepFailure(step)] : [],
      metrics: {},
    };
  const bundle = (out.dirs[WORKER_OUTDIR] ?? []).filter((f) => /\.(m?js|wasm)$/.test(f.path));
  if (bundle.length === 0)
    return { passed: false, summary: "wrangler wrote no bundle", failures: [{ message: `no .js in ${WORKER_OUTDIR}` }], metrics: {} };
  const bytes = bundle.reduce((n, f) => n + f.bytes, 0);
  return {
    passed: true,
    summary: `bundle ${KiB(bytes)} (${bundle.map((f) => f.path).join(", ")})`,
    failures: [],
    metrics: { bundleBytes: bytes },
  };
}
