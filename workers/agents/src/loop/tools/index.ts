import { z } from "zod";
import type { ToolCall, ToolSpec } from "../../llm/types";
import { deleteFile, editFile, listFiles, readFile, writeFile } from "./files";
import { finish } from "./finish";
import { run } from "./run";
import { search } from "./search";
import { fail, type AnyTool, type ToolContext, type ToolOutcome } from "./types";

/** Every tool an Engineer gets, in the order the model sees them. */
export const ENGINEER_TOOLS: readonly AnyTool[] = [listFiles, readFile, writeFile, editFile, deleteFile, search, run, finish] as AnyTool[];
/** QA reads and runs, never writes: it re-runs every gate itself. */
export const QA_TOOLS: readonly AnyTool[] = [listFiles, readFile, search, run, finish] as AnyTool[];

export function toolSpec(tool: AnyTool): ToolSpec {
  const { $schema: _ignored, ...parameters } = z.toJSONSchema(tool.schema) as Record<string, unknown>;
  return { name: tool.name, description: tool.description, parameters };
}

function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `field "${i.path.length ? i.path.join(".") : "(arguments)"}": ${i.message}`).join("; ");
}

/**
 * Runs one tool call as the model sent it. Bad JSON, unknown tools and wrong argument types
 * become tool errors that name the problem; a tool that throws becomes a tool error too, so a
 * model can never crash the loop.
 */
export async function executeToolCall(call: ToolCall, tools: readonly AnyTool[], ctx: ToolContext): Promise<ToolOutcome> {
  const tool = tools.find((t) => t.name === call.name);
  if (!tool)
    return fail(
      `unknown tool "${call.name}"; available: ${tools.map((t) => t.name).join(", ")}`,
      `unknown tool ${call.name}`,
      `unknown:${call.name}`,
    );
  let raw: unknown;
  try {
    raw = call.arguments.trim() === "" ? {} : JSON.parse(call.arguments);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    return fail(
      `the arguments of ${call.name} are not valid JSON (${why}). Send one JSON object matching the tool's schema; nothing was done.`,
      `${call.name}: malformed JSON arguments`,
      `${call.name}:malformed_json`,
    );
  }
  const parsed = tool.schema.safeParse(raw);
  if (!parsed.success) {
    const issues = describeIssues(parsed.error);
    return fail(
      `invalid arguments for ${call.name}: ${issues}. Nothing was done.`,
      `${call.name}: invalid arguments`,
      `${call.name}:invalid:${issues}`,
    );
  }
  const editKey = tool.editKey?.(parsed.data);
  const appliedAt = editKey === undefined ? undefined : ctx.appliedEdits[editKey];
  if (appliedAt !== undefined) {
    return {
      ...fail(
        `${call.name} refused: this exact change was already applied at step ${appliedAt} and did not help; nothing was done.`,
        `${call.name}: same change as step ${appliedAt}`,
      ),
      reappliedFrom: appliedAt,
    };
  }
  try {
    const outcome = await tool.run(parsed.data, ctx);
    return !outcome.isError && editKey !== undefined ? { ...outcome, edit: editKey } : outcome;
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    return fail(`${call.name} failed: ${why}`, `${call.name} failed`, `${call.name}:threw:${why}`);
  }
}
