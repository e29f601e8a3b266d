import { z } from "zod";
import type { ArtifactRef } from "@proximus/contracts";
import type { SandboxRunner } from "../runtime";
import { Summary, bullet, storeText, defaultLlm } from "./common";
import { parseTestOutput, type TestFailure } from "./test-report";
import type { ProjectFile, RoleDefinition, RoleRunContext } from "./types";
import { sandboxUnavailable } from "../tools/sandbox-client";

export const QaReview = z.object({
  summary: Summary,
  findings: z
    .array(
      z.object({
        severity: z.enum(["info", "minor", "major", "critical"]),
        file: z.string().max(300).optional(),
        message: z.string().min(1).max(2000),
      }),
    )
    .max(50),
});
export type QaReview = z.infer<typeof QaReview>;

export interface TestRun {
  command: string[];
  runtime: "node" | "python";
  exitCode: number | null;
  timedOut: boolean;
  killedReason?: string;
  durationMs: number;
  isolation: string;
  total: number;
  passedCount: number;
  failedCount: number;
  format: string;
  failures: TestFailure[];
  outputTail: string;
}

/** QA's task output. `passed: false` + `feedback` is what the orchestrator sends back to the Engineers. */
export interface QaResult extends QaReview {
  passed: boolean;
  tests: TestRun | null;
  /** Same as tests.failures, at the top level where the orchestrator looks. */
  failures: TestFailure[];
  /** Ready-to-send instructions for the Engineers' fix round; present only when QA did not pass. */
  feedback?: string;
  /** Project files the failing output names (test files, stack frames): whose authors must fix them. */
  implicatedPaths?: string[];
}

/** The project's files that a failing run's output mentions: the orchestrator sends the fix round to their authors. */
export function implicatedPaths(files: readonly ProjectFile[], tests: TestRun | null): string[] {
  if (!tests) return [];
  const text = [tests.outputTail, ...tests.failures.flatMap((f) => [f.name, f.message])].join("\n");
  return files.map((f) => f.path).filter((p) => !p.startsWith("reports/") && text.includes(p));
}

export const QA_TIMEOUT_MS = 60_000;
const PROMPT_FILE_BUDGET = 60_000;
const TAIL = 4000;

/** Picks how to run the project's tests from the files alone; the model never chooses the command. */
export function testPlan(files: ProjectFile[]): { runtime: "node" | "python"; command: string[] } | null {
  if (files.some((f) => f.path === "package.json" || /\.(m|c)?js$/.test(f.path))) {
    // TAP is stable across Node versions and is what parseTestOutput reads best.
    return { runtime: "node", command: ["node", "--test", "--test-reporter=tap"] };
  }
  if (files.some((f) => f.path.endsWith(".py"))) return { runtime: "python", command: ["python3", "-m", "unittest", "discover", "-v"] };
  return null;
}

function tail(s: string): string {
  return s.length > TAIL ? `…${s.slice(-TAIL)}` : s;
}

export async function runProjectTests(sandbox: SandboxRunner, files: ProjectFile[]): Promise<TestRun | null> {
  const plan = testPlan(files);
  if (!plan) return null;
  const r = await sandbox.run({ files, command: plan.command, runtime: plan.runtime, timeoutMs: QA_TIMEOUT_MS });
  const counts = parseTestOutput(r.stdout, r.stderr);
  return {
    command: plan.command,
    runtime: plan.runtime,
    exitCode: r.exitCode,
    timedOut: r.timedOut,
    ...(r.killedReason ? { killedReason: r.killedReason } : {}),
    durationMs: r.durationMs,
    isolation: r.isolation,
    total: counts.total,
    passedCount: counts.passed,
    failedCount: counts.failed,
    format: counts.format,
    failures: counts.failures,
    outputTail: tail(`${r.stdout}${r.stderr ? `\n[stderr]\n${r.stderr}` : ""}`),
  };
}

/** Passing means the runner itself said so: exit 0, no timeout, at least one test, none failed. */
export function testsPassed(t: TestRun | null): boolean {
  return t !== null && t.exitCode === 0 && !t.timedOut && t.total > 0 && t.failedCount === 0;
}

function feedbackFor(t: TestRun | null, review: QaReview): string {
  const lines: string[] = [];
  if (!t) lines.push("QA found no runnable tests (no package.json/JS or Python files). Add tests that exercise the API end to end.");
  else if (t.timedOut) lines.push(`QA: the test run timed out after ${t.durationMs} ms${t.killedReason ? ` (${t.killedReason})` : ""}.`);
  else if (t.total === 0) lines.push(`QA: the test command (${t.command.join(" ")}) exited ${t.exitCode} but ran no tests.`);
  else lines.push(`QA: ${t.failedCount} of ${t.total} tests failed (exit code ${t.exitCode}).`);
  for (const f of t?.failures ?? []) lines.push(`- ${f.name}${f.message ? `: ${f.message}` : ""}`);
  const serious = review.findings.filter((f) => f.severity === "major" || f.severity === "critical");
  if (serious.length) lines.push("Review findings:", ...serious.map((f) => `- [${f.severity}] ${f.file ?? ""} ${f.message}`));
  if (t) lines.push("Test output (tail):", t.outputTail);
  return lines.join("\n").slice(0, 20_000);
}

function qaMarkdown(r: QaResult): string {
  const t = r.tests;
  return [
    `# QA report: ${r.passed ? "PASSED" : "FAILED"}`,
    "",
    r.summary,
    "",
    "## Test run",
    t
      ? bullet([
          `command: \`${t.command.join(" ")}\` (${t.runtime}, isolation: ${t.isolation})`,
          `exit code: ${t.exitCode}${t.timedOut ? " (timed out)" : ""}, ${t.durationMs} ms`,
          `tests: ${t.total}, passed: ${t.passedCount}, failed: ${t.failedCount}`,
        ])
      : "No runnable tests found.",
    ...(t?.failures.length ? ["", "## Failures", ...t.failures.map((f) => `### ${f.name}\n\`\`\`\n${f.message}\n\`\`\``)] : []),
    "",
    "## Review findings",
    r.findings.length ? bullet(r.findings.map((f) => `[${f.severity}] ${f.file ? `${f.file}: ` : ""}${f.message}`)) : "None.",
    "",
  ].join("\n");
}

/** Reports and deploy files written by QA/DevOps are not part of the project under test. */
export function projectFiles(files: ProjectFile[]): ProjectFile[] {
  return files.filter((f) => !f.path.startsWith("reports/") && !f.path.startsWith("deploy/"));
}

async function filesForPrompt(ctx: RoleRunContext): Promise<string> {
  const files = projectFiles(await ctx.upstreamFiles());
  let budget = PROMPT_FILE_BUDGET;
  const parts: string[] = [`Files produced by the engineers (${files.length}):`];
  for (const f of files) {
    const body = f.content.length > budget ? `${f.content.slice(0, Math.max(0, budget))}\n…(truncated)` : f.content;
    budget -= body.length;
    parts.push(`--- ${f.path}\n${body}`);
  }
  parts.push("The tests will be run in a sandbox after your review; report only what you can see in the code.");
  return parts.join("\n");
}

export const qa: RoleDefinition<QaReview> = {
  role: "qa",
  title: "Review and run tests",
  system:
    "You are the QA engineer. Review the engineers' files against the PRD and architecture: missing features, wrong SQL, " +
    "unhandled errors, missing validation, tests that do not test anything. Report concrete findings with severities. " +
    "You do not decide whether tests pass: they are executed for real after your review.",
  schema: QaReview,
  llm: defaultLlm("qa"),
  preflight(ctx) {
    return ctx.deps.sandbox
      ? null
      : "sandbox unavailable: QA cannot run the project's tests without a sandbox, so it refuses to report a result";
  },
  context: filesForPrompt,
  async finish(review, ctx) {
    const sandbox = ctx.deps.sandbox;
    if (!sandbox) return { ok: false, error: "sandbox unavailable", permanent: true, artifacts: [] };
    const files = projectFiles(await ctx.upstreamFiles());
    ctx.deps.emit("tool", `running tests in sandbox (${files.length} files)`);
    let tests: TestRun | null;
    try {
      tests = await runProjectTests(sandbox, files);
    } catch (e) {
      // The sandbox service failing says nothing about the project: the task waits for the host
      // (without using up an attempt) instead of blaming the engineers.
      const unavailable = sandboxUnavailable(e);
      const error = `sandbox run failed: ${e instanceof Error ? e.message : String(e)}`;
      return { ok: false, error, permanent: false, artifacts: [], ...(unavailable ? { waitFor: unavailable } : {}) };
    }
    const passed = testsPassed(tests);
    ctx.deps.emit("tool", tests ? `tests: exit ${tests.exitCode}, ${tests.passedCount}/${tests.total} passed` : "no runnable tests");
    const verdict = tests
      ? `Tests ${passed ? "passed" : "FAILED"}: ${tests.passedCount}/${tests.total} passed, exit code ${tests.exitCode}${tests.timedOut ? ", timed out" : ""}.`
      : "FAILED: no runnable tests found.";
    const result: QaResult = {
      ...review,
      summary: `${verdict} ${review.summary}`,
      passed,
      tests,
      failures: tests?.failures ?? [],
      ...(passed ? {} : { feedback: feedbackFor(tests, review), implicatedPaths: implicatedPaths(files, tests) }),
    };
    const artifacts: ArtifactRef[] = [await storeText(ctx, "reports/qa-report.md", qaMarkdown(result))];
    if (tests) artifacts.push(await storeText(ctx, "reports/test-output.txt", tests.outputTail, "text/plain"));
    return { ok: true, output: result, artifacts };
  },
};
