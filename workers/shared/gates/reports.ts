import { z } from "zod";
import type { GateFailure } from "@proximus/contracts/scorecard";

/** Workspace root inside the sandbox; paths in failures are relative to it. */
const WORKSPACE = "/work/";
const ANSI = /\u001b\[[0-9;]*[A-Za-z]/g;
export const stripAnsi = (s: string): string => s.replace(ANSI, "");
export const relativePath = (p: string): string => (p.startsWith(WORKSPACE) ? p.slice(WORKSPACE.length) : p);

// ---- tsc --pretty false ----

const TSC_DIAGNOSTIC = /^(.+?)\((\d+),(\d+)\): (error|warning) (TS\d+): (.*)$/;
const TSC_GLOBAL = /^(error|warning) (TS\d+): (.*)$/;

/** Diagnostics of `tsc --pretty false` (one per line, continuation lines indented), positions 1-based. */
export function parseTscOutput(output: string): GateFailure[] {
  const out: GateFailure[] = [];
  for (const raw of stripAnsi(output).split("\n")) {
    const line = raw.replace(/\r$/, "");
    const m = TSC_DIAGNOSTIC.exec(line);
    if (m) {
      out.push({ file: m[1] as string, line: Number(m[2]), column: Number(m[3]), code: m[5] as string, message: m[6] as string });
      continue;
    }
    const g = TSC_GLOBAL.exec(line);
    if (g) {
      out.push({ code: g[2] as string, message: g[3] as string });
      continue;
    }
    const last = out[out.length - 1];
    if (last && /^\s+\S/.test(line)) last.message += `\n${line.trim()}`;
  }
  return out;
}

// ---- vitest --reporter=json (the Jest-compatible report) ----

const AssertionResult = z.object({
  ancestorTitles: z.array(z.string()).default([]),
  title: z.string(),
  fullName: z.string(),
  status: z.string(),
  failureMessages: z.array(z.string()).default([]),
  location: z.object({ line: z.number().int(), column: z.number().int() }).nullish(),
});
export const VitestJsonReport = z.object({
  numTotalTests: z.number().int(),
  numPassedTests: z.number().int(),
  numFailedTests: z.number().int(),
  numPendingTests: z.number().int().default(0),
  numTodoTests: z.number().int().default(0),
  success: z.boolean(),
  testResults: z.array(
    z.object({
      name: z.string(),
      status: z.string(),
      message: z.string().default(""),
      assertionResults: z.array(AssertionResult).default([]),
    }),
  ),
});
export type VitestJsonReport = z.infer<typeof VitestJsonReport>;

/** The first line of a failure message, plus a few more: enough to fix it, without the stack. */
const firstLines = (s: string, n = 6): string =>
  stripAnsi(s)
    .split("\n")
    .filter((l) => !/^\s+at /.test(l))
    .slice(0, n)
    .join("\n")
    .trim();

export function parseVitestReport(text: string): VitestJsonReport | null {
  try {
    const parsed = VitestJsonReport.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** Each failed test (with file and line) and each test file that failed without running its tests (import or setup error). */
export function vitestFailures(report: VitestJsonReport): GateFailure[] {
  const out: GateFailure[] = [];
  for (const file of report.testResults) {
    const failed = file.assertionResults.filter((a) => a.status === "failed");
    for (const a of failed) {
      out.push({
        file: relativePath(file.name),
        ...(a.location ? { line: a.location.line, column: a.location.column } : {}),
        test: a.fullName,
        message: firstLines(a.failureMessages.join("\n")) || "failed",
      });
    }
    if (file.status === "failed" && failed.length === 0)
      out.push({ file: relativePath(file.name), message: firstLines(file.message) || "test file failed" });
  }
  return out;
}

// ---- wrangler's output file (WRANGLER_OUTPUT_FILE_PATH, ND-JSON) ----

const WranglerEntry = z.object({ type: z.string(), message: z.string().optional(), code: z.union([z.string(), z.number()]).optional() });

/** `command-failed` entries of wrangler's ND-JSON output file. */
export function wranglerErrors(ndjson: string | null): GateFailure[] {
  if (!ndjson) return [];
  const out: GateFailure[] = [];
  for (const line of ndjson.split("\n")) {
    if (!line.trim()) continue;
    try {
      const e = WranglerEntry.safeParse(JSON.parse(line));
      if (e.success && e.data.type === "command-failed") {
        out.push({
          message: stripAnsi(e.data.message ?? "wrangler failed").trim(),
          ...(e.data.code !== undefined ? { code: String(e.data.code) } : {}),
        });
      }
    } catch {
      // A torn last line (killed mid-write) is not a result.
    }
  }
  return out;
}
