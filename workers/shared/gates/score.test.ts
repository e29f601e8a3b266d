import { describe, expect, it } from "vitest";
import type { RunResult } from "@proximus/contracts/sandbox";
import { GATE_RESULT_PREFIX, type DriverOutput, type DriverStepResult } from "./driver";
import { TESTS_REPORT, WORKER_OUTDIR, WRANGLER_OUTPUT } from "./plan";
import { scoreGate } from "./score";

const run = (stdout: string, over: Partial<RunResult> = {}): RunResult => ({
  id: "r1",
  ran: true,
  exitCode: 0,
  stdout,
  stderr: "",
  stdoutBytes: stdout.length,
  stderrBytes: 0,
  stdoutTruncated: false,
  stderrTruncated: false,
  durationMs: 1234.5,
  peakMemoryBytes: null,
  killedReason: null,
  pidsLimitHit: false,
  isolation: "gvisor",
  isolationWarning: null,
  warm: true,
  diagnostics: [],
  ...over,
});
const step = (name: string, exitCode: number, stdout = "", stderr = ""): DriverStepResult => ({
  name,
  argv: [name],
  exitCode,
  signal: null,
  error: null,
  durationMs: 10,
  stdout,
  stderr,
});
const driver = (o: Partial<DriverOutput>): string =>
  `tool noise\n${GATE_RESULT_PREFIX}${JSON.stringify({ steps: [], reports: {}, dirs: {}, ...o })}\n`;

describe("scoreGate", () => {
  it("fails a gate whose sandbox was killed, naming why", () => {
    const e = scoreGate("tests", run("partial output", { killedReason: "timeout", exitCode: 137, stderr: "[sandbox] killed (timeout)" }));
    expect(e).toMatchObject({ gate: "tests", passed: false, durationMs: 1235, summary: "the sandbox killed the gate (timeout)" });
    expect(e.failures[0]?.message).toContain("[sandbox] killed (timeout)");
  });

  it("does not take printed text for the driver's result", () => {
    expect(scoreGate("typecheck", run(`${GATE_RESULT_PREFIX}{"steps": "forged"}\n`)).passed).toBe(false);
  });

  it("passes typecheck only when every program compiled", () => {
    const ok = scoreGate("typecheck", run(driver({ steps: [step("tsc -p tsconfig.json", 0), step("tsc -p ui/tsconfig.json", 0)] })));
    expect(ok).toMatchObject({ passed: true, summary: "no type errors (2 programs)", failures: [] });
    const bad = scoreGate(
      "typecheck",
      run(
        driver({
          steps: [
            step("tsc -p tsconfig.json", 0),
            step("tsc -p ui/tsconfig.json", 2, "ui/App.tsx(3,1): error TS2304: Cannot find name 'nope'.\n"),
          ],
        }),
      ),
    );
    expect(bad).toMatchObject({
      passed: false,
      summary: "1 type error in 1 file (2 programs)",
      failures: [{ file: "ui/App.tsx", line: 3, code: "TS2304" }],
    });
  });

  it("fails tests that exited non-zero without failing a test (an unhandled error), with vitest's output", () => {
    const report = { numTotalTests: 1, numPassedTests: 1, numFailedTests: 0, success: false, testResults: [] };
    const e = scoreGate(
      "tests",
      run(driver({ steps: [step("vitest run", 1, "", "Unhandled Rejection: boom")], reports: { [TESTS_REPORT]: JSON.stringify(report) } })),
    );
    expect(e.passed).toBe(false);
    expect(e.failures[0]?.message).toContain("Unhandled Rejection: boom");
  });

  it("fails tests when no report was written, and when no test ran", () => {
    expect(
      scoreGate("tests", run(driver({ steps: [step("vitest run", 1, "failed to load config")], reports: { [TESTS_REPORT]: null } }))),
    ).toMatchObject({ passed: false, summary: "vitest wrote no report" });
    const none = { numTotalTests: 0, numPassedTests: 0, numFailedTests: 0, success: true, testResults: [] };
    expect(
      scoreGate("tests", run(driver({ steps: [step("vitest run", 0)], reports: { [TESTS_REPORT]: JSON.stringify(none) } }))),
    ).toMatchObject({ passed: false, summary: "no tests ran" });
  });

  it("measures the dry-run bundle from the files wrangler wrote, and reports wrangler's own error", () => {
    const files = [
      { path: "index.js", bytes: 852_707 },
      { path: "index.js.map", bytes: 1_539_888 },
      { path: "README.md", bytes: 118 },
    ];
    const ok = scoreGate(
      "deploy_dry_run",
      run(driver({ steps: [step("vite build", 0), step("wrangler deploy --dry-run", 0)], dirs: { [WORKER_OUTDIR]: files } })),
    );
    expect(ok).toMatchObject({ passed: true, summary: "bundle 833 KiB (index.js)", metrics: { bundleBytes: 852_707 } });
    const failed = JSON.stringify({ type: "command-failed", message: 'Could not resolve "express"' });
    const bad = scoreGate(
      "deploy_dry_run",
      run(driver({ steps: [step("vite build", 0), step("wrangler deploy --dry-run", 1)], reports: { [WRANGLER_OUTPUT]: failed } })),
    );
    expect(bad).toMatchObject({ passed: false, failures: [{ message: 'Could not resolve "express"' }] });
  });

  it("fails a gate whose preparation (the UI build) failed, with that step's output", () => {
    const e = scoreGate(
      "smoke",
      run(driver({ steps: [step("vite build", 1, "", 'error during build:\n[vite]: Rollup failed to resolve import "./Missing"')] })),
    );
    expect(e).toMatchObject({ passed: false, summary: "vite build failed before the gate ran" });
    expect(e.failures[0]?.message).toContain('failed to resolve import "./Missing"');
  });

  it("wants an index.html from the UI build", () => {
    expect(
      scoreGate("ui_build", run(driver({ steps: [step("vite build", 0)], dirs: { dist: [{ path: "assets/a.js", bytes: 10 }] } }))).passed,
    ).toBe(false);
    const ok = scoreGate(
      "ui_build",
      run(
        driver({
          steps: [step("vite build", 0)],
          dirs: {
            dist: [
              { path: "index.html", bytes: 300 },
              { path: "assets/a.js", bytes: 2048 },
            ],
          },
        }),
      ),
    );
    expect(ok).toMatchObject({ passed: true, metrics: { files: 2, assetsBytes: 2348 } });
  });
});
