import { z } from "zod";
import { parseTestOutput } from "../../roles/test-report";
import { fingerprint } from "../hash";
import { RUN_COMMANDS } from "../runner";
import { headTail } from "../truncate";
import { fail, ok, type Tool } from "./types";

const RunArgs = z.object({ command: z.enum(RUN_COMMANDS).describe("Which project command to run") });

export const run: Tool<typeof RunArgs> = {
  name: "run",
  description:
    "Run the project's tests, typecheck or build in the sandbox on the current files. " +
    "Returns the exit code, parsed failures and the output (head and tail).",
  schema: RunArgs,
  readOnly: false,
  async run(args, ctx) {
    if (!ctx.runner) return fail("no sandbox is available to run commands in this task", "run: no sandbox", "run:no_sandbox");
    const version = await ctx.workspace.version();
    const r = await ctx.runner.run(args.command, await ctx.workspace.snapshot());
    if (typeof r === "string") return fail(r, `run ${args.command}: unavailable`, `run:${args.command}:unavailable`);
    const counts = parseTestOutput(r.stdout, r.stderr);
    const passed = r.exitCode === 0 && !r.timedOut && (args.command !== "test" || (counts.total > 0 && counts.failed === 0));
    ctx.lastRuns[args.command] = { ok: passed, version };
    const head = [
      `$ ${r.argv.join(" ")}`,
      `exit code: ${r.exitCode ?? "none"}${r.timedOut ? " (timed out)" : ""}, ${r.durationMs} ms, isolation: ${r.isolation}`,
      ...(counts.format !== "none" ? [`tests: ${counts.total}, passed: ${counts.passed}, failed: ${counts.failed}`] : []),
      ...(args.command === "test" && counts.total === 0 ? ["no tests ran: add test files (node --test finds *.test.js)"] : []),
      ...counts.failures.flatMap((f) => [`FAILED: ${f.name}`, ...(f.message ? [f.message] : [])]),
    ];
    const output = `${r.stdout}${r.stderr ? `\n[stderr]\n${r.stderr}` : ""}`;
    const content = `${head.join("\n")}\n--- output ---\n${headTail(output, ctx.maxOutputChars)}`;
    const counted = counts.format !== "none" ? `, ${counts.passed}/${counts.total} passed` : "";
    const summary = `${args.command}: exit ${r.exitCode ?? "none"}${counted}`;
    if (passed) return ok(content, summary);
    // The same failure = the same tests failing with the same messages: a different wrong value is a different failure.
    const failed = counts.failures
      .map((f) => `${f.name}=${fingerprint(f.message)}`)
      .sort()
      .join(",");
    return { content, isError: true, summary, failure: `run:${args.command}:${r.exitCode}:${r.timedOut}:${failed}` };
  },
};
