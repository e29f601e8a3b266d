import { z } from "zod";
import { fingerprint } from "../hash";
import { headTail } from "../truncate";
import { checkPath, checkWrite } from "../write-checks";
import { fail, ok, type Tool } from "./types";

const Path = z.string().min(1).describe("Relative path inside the project, e.g. src/index.js");
/** read_file shows at most this many lines per call; the model asks for the next range. */
export const MAX_READ_LINES = 400;

export function numberLines(lines: string[], first: number): string {
  const width = String(first + lines.length - 1).length;
  return lines.map((l, i) => `${String(first + i).padStart(width, " ")} | ${l}`).join("\n");
}

function countOccurrences(haystack: string, needle: string): number {
  let count = 0;
  for (let at = haystack.indexOf(needle); at !== -1; at = haystack.indexOf(needle, at + needle.length)) count++;
  return count;
}

const ListArgs = z.object({});
export const listFiles: Tool<typeof ListArgs> = {
  name: "list_files",
  description: "List every file in the project with its size in bytes.",
  schema: ListArgs,
  readOnly: true,
  async run(_args, ctx) {
    const files = await ctx.workspace.list();
    if (!files.length) return ok("The project has no files yet.", "0 files");
    return ok(headTail(files.map((f) => `${f.path} (${f.bytes} bytes)`).join("\n"), ctx.maxOutputChars), `${files.length} files`);
  },
};

const ReadArgs = z.object({
  path: Path,
  startLine: z.number().int().min(1).optional().describe("First line to show (1-based, default 1)"),
  endLine: z.number().int().min(1).optional().describe("Last line to show (inclusive)"),
});
export const readFile: Tool<typeof ReadArgs> = {
  name: "read_file",
  description:
    `Read a file with numbered lines ("12 | code"); optionally only lines startLine..endLine. ` +
    `At most ${MAX_READ_LINES} lines per call.`,
  schema: ReadArgs,
  readOnly: true,
  async run(args, ctx) {
    const content = await ctx.workspace.read(args.path);
    if (content === null)
      return fail(`${args.path} does not exist; list_files shows the project's files`, `read_file ${args.path}: missing`);
    const lines = content.split("\n");
    const start = args.startLine ?? 1;
    if (start > lines.length) return fail(`${args.path} has only ${lines.length} lines; startLine ${start} is past the end`);
    const end = Math.min(lines.length, args.endLine ?? lines.length, start + MAX_READ_LINES - 1);
    if (end < start) return fail(`endLine ${end} is before startLine ${start}`);
    const shown = numberLines(lines.slice(start - 1, end), start);
    const more = end < lines.length ? `\n[lines ${start}-${end} of ${lines.length}; read on with startLine ${end + 1}]` : "";
    return ok(headTail(shown, ctx.maxOutputChars) + more, `read ${args.path} lines ${start}-${end} of ${lines.length}`);
  },
};

const WriteArgs = z.object({
  path: Path,
  content: z.string().describe("The COMPLETE file content: never elide or abbreviate existing code"),
});
export const writeFile: Tool<typeof WriteArgs> = {
  name: "write_file",
  description: "Create or replace a whole file. Write the complete content; placeholders and elided code are rejected.",
  schema: WriteArgs,
  readOnly: false,
  editKey: (args) => `write:${args.path}:${fingerprint(args.content)}`,
  async run(args, ctx) {
    const errors = checkWrite(args.path, args.content, ctx.writeChecks);
    if (errors.length)
      return fail(
        `write_file ${args.path} refused, nothing was written:\n- ${errors.join("\n- ")}`,
        `write ${args.path} refused`,
        `write_file:${args.path}:${errors.join("|")}`,
      );
    const before = await ctx.workspace.read(args.path);
    await ctx.workspace.write(args.path, args.content);
    const lines = args.content.split("\n").length;
    return ok(`wrote ${args.path} (${lines} lines${before === null ? ", new file" : ""})`, `wrote ${args.path} (${lines} lines)`);
  },
};

const EditArgs = z.object({
  path: Path,
  search: z.string().min(1).describe("Exact text to find (copy it from read_file, without the line numbers); must occur exactly once"),
  replace: z.string().describe("Text to put in its place"),
});
export const editFile: Tool<typeof EditArgs> = {
  name: "edit_file",
  description: "Replace one exact occurrence of `search` with `replace` in a file. Fails if the text is missing or occurs more than once.",
  schema: EditArgs,
  readOnly: false,
  editKey: (args) => `edit:${args.path}:${fingerprint(args.search)}:${fingerprint(args.replace)}`,
  async run(args, ctx) {
    const pathError = checkPath(args.path);
    if (pathError) return fail(pathError);
    const content = await ctx.workspace.read(args.path);
    if (content === null) return fail(`${args.path} does not exist; use write_file to create it`, `edit ${args.path}: missing`);
    const count = countOccurrences(content, args.search);
    if (count === 0) {
      const loose = countOccurrences(content.replace(/\s+/g, " "), args.search.replace(/\s+/g, " ").trim());
      const hint = loose
        ? " (it does occur with different whitespace: copy the exact lines from read_file)"
        : "; read_file it first and copy the exact text";
      return fail(
        `edit_file ${args.path}: the search text was not found${hint}`,
        `edit ${args.path}: search text not found`,
        `edit_file:${args.path}:not_found:${fingerprint(args.search)}`,
      );
    }
    if (count > 1) {
      return fail(
        `edit_file ${args.path}: the search text matches ${count} times; include more surrounding lines so it matches exactly once`,
        `edit ${args.path}: ${count} matches`,
        `edit_file:${args.path}:ambiguous:${fingerprint(args.search)}`,
      );
    }
    const at = content.indexOf(args.search);
    const next = content.slice(0, at) + args.replace + content.slice(at + args.search.length);
    const errors = checkWrite(args.path, next, ctx.writeChecks);
    if (errors.length)
      return fail(
        `edit_file ${args.path} refused, nothing was changed:\n- ${errors.join("\n- ")}`,
        `edit ${args.path} refused`,
        `edit_file:${args.path}:${errors.join("|")}`,
      );
    await ctx.workspace.write(args.path, next);
    const line = content.slice(0, at).split("\n").length;
    return ok(`edited ${args.path} at line ${line}`, `edited ${args.path}:${line}`);
  },
};

const DeleteArgs = z.object({ path: Path });
export const deleteFile: Tool<typeof DeleteArgs> = {
  name: "delete_file",
  description: "Delete a file.",
  schema: DeleteArgs,
  readOnly: false,
  async run(args, ctx) {
    const pathError = checkPath(args.path);
    if (pathError) return fail(pathError);
    const had = await ctx.workspace.delete(args.path);
    return had ? ok(`deleted ${args.path}`, `deleted ${args.path}`) : fail(`${args.path} does not exist`, `delete ${args.path}: missing`);
  },
};
