import { z } from "zod";
import { fail, ok, type Tool } from "./types";

const FinishArgs = z.object({
  summary: z.string().min(1).max(4000).describe("What you built or changed, in one paragraph"),
  status: z.enum(["done", "tests_failing"]).describe('"done" only when the tests pass; otherwise say "tests_failing"'),
  notes: z.string().max(4000).optional().describe("Anything the next person must know (known failures, follow-ups)"),
});

export const finish: Tool<typeof FinishArgs> = {
  name: "finish",
  description:
    'End the task. status "done" when the project\'s tests pass, "tests_failing" when you stop with failing tests (say why in notes).',
  schema: FinishArgs,
  readOnly: false,
  async run(args, ctx) {
    // The claim is checked against what we saw; QA re-runs everything anyway and never trusts it.
    const last = ctx.lastRuns.test;
    if (args.status === "done" && last && !last.ok && last.version === (await ctx.workspace.version())) {
      return fail(
        "finish refused: the last test run on these exact files failed. " +
          'Fix the failures, or finish with status "tests_failing" and say why.',
        "finish refused: tests fail",
        "finish:refused_tests_fail",
      );
    }
    return ok(`finished (${args.status})`, `finish: ${args.status}`, {
      finish: { summary: args.summary, status: args.status, ...(args.notes ? { notes: args.notes } : {}) },
    });
  },
};
