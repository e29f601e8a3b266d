import { z } from "zod";
import { headTail } from "../truncate";
import { fail, ok, type Tool } from "./types";

export const MAX_SEARCH_RESULTS = 50;
/** Lines longer than this are not matched (minified files; keeps a bad regex cheap). */
const MAX_LINE = 2000;

const SearchArgs = z.object({
  pattern: z.string().min(1).max(500).describe("Text or regular expression to find"),
  regex: z.boolean().optional().describe("Treat pattern as a JavaScript regular expression (default: literal text)"),
  path: z.string().optional().describe("Only files whose path starts with this prefix"),
  ignoreCase: z.boolean().optional(),
});

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

export const search: Tool<typeof SearchArgs> = {
  name: "search",
  description:
    "Search the project's files (grep). Literal text by default, or a regex with regex: true. " +
    `At most ${MAX_SEARCH_RESULTS} matching lines.`,
  schema: SearchArgs,
  readOnly: true,
  async run(args, ctx) {
    let re: RegExp;
    try {
      re = new RegExp(args.regex ? args.pattern : escapeRegex(args.pattern), args.ignoreCase ? "i" : "");
    } catch (e) {
      return fail(`invalid regular expression: ${e instanceof Error ? e.message : String(e)}`);
    }
    const hits: string[] = [];
    let total = 0;
    for (const f of await ctx.workspace.snapshot()) {
      if (args.path && !f.path.startsWith(args.path)) continue;
      const lines = f.content.split("\n");
      for (let i = 0; i < lines.length; i++) {
        const line = lines[i] ?? "";
        if (line.length > MAX_LINE || !re.test(line)) continue;
        total++;
        if (hits.length < MAX_SEARCH_RESULTS) hits.push(`${f.path}:${i + 1}: ${line.trim().slice(0, 300)}`);
      }
    }
    if (!total) return ok(`no matches for ${JSON.stringify(args.pattern)}`, "0 matches");
    const more = total > hits.length ? `\n[${total - hits.length} more matches not shown; narrow the pattern or the path]` : "";
    return ok(headTail(hits.join("\n"), ctx.maxOutputChars) + more, `${total} matches for ${JSON.stringify(args.pattern).slice(0, 60)}`);
  },
};
