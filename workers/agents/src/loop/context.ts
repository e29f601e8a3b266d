import type { ChatMessage } from "../llm/types";
import { projectMap } from "./project-map";
import type { WorkspaceFile } from "./workspace";

/** An upstream document (PRD, architecture, QA feedback), given once, in the first user turn. */
export interface UpstreamDocument {
  title: string;
  content: string;
}

/**
 * Deliberately pessimistic (most tokenizers give ~4 chars per token for code and English): the
 * estimate feeds the budget reservation and the compaction trigger, where guessing low is the
 * expensive mistake.
 */
export const CHARS_PER_TOKEN = 3;
const PER_MESSAGE_OVERHEAD = 8;

export function estimateTokens(messages: readonly ChatMessage[], extraChars = 0): number {
  let chars = extraChars;
  for (const m of messages) {
    chars += m.content.length;
    if (m.role === "assistant") for (const c of m.toolCalls ?? []) chars += c.name.length + c.arguments.length + 20;
  }
  return Math.ceil(chars / CHARS_PER_TOKEN) + PER_MESSAGE_OVERHEAD * messages.length;
}

export function firstUserTurn(task: string, documents: readonly UpstreamDocument[], files: WorkspaceFile[]): string {
  return [
    "# Task",
    task,
    ...documents.flatMap((d) => ["", `# ${d.title}`, d.content]),
    "",
    "# Project",
    projectMap(files),
    "",
    "Work with the tools: read what you need, write or edit files, run the tests, fix what fails, then call finish.",
  ].join("\n");
}

/** How to work in the loop; appended to the role's system prompt. Each rule answers a failure mode real models have. */
export const TOOL_RULES = [
  "How you work:",
  "- Act only through tool calls; text without a tool call does nothing.",
  "- Read a file (read_file) before you edit it; edit_file needs the exact text, copied without the line numbers.",
  '- write_file takes the COMPLETE file. Never elide code (no "rest of the code remains the same", no "// ..."): such writes are refused.',
  "- Run the tests with run after changing code; read the failures and fix the code they point at.",
  '- Finish with finish: status "done" only when the tests pass, otherwise "tests_failing" with notes on what fails.',
].join("\n");

/** Long string fields of old tool-call arguments (whole files) shrink to this marker. */
function shrinkArguments(args: string): string {
  try {
    const parsed: unknown = JSON.parse(args);
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) return args.length > 200 ? "{}" : args;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(parsed))
      out[k] = typeof v === "string" && v.length > 200 ? `[compacted: ${v.length} characters]` : v;
    return JSON.stringify(out);
  } catch {
    // Malformed arguments stay valid JSON in the history; some vendors parse them.
    return "{}";
  }
}

/** Start of each turn (an assistant message, with the tool results that follow it). */
function turnStarts(messages: readonly ChatMessage[], from: number): number[] {
  const starts: number[] = [];
  for (let i = from; i < messages.length; i++) if (messages[i]?.role === "assistant") starts.push(i);
  return starts;
}

/**
 * Compacts everything before the last `keepTurns` turns: tool results become their one-line
 * summary, old tool-call arguments lose their long strings, old prose is cut. The system prompt
 * and the first user turn (task, upstream documents, map) always stay whole.
 */
export function compactMessages(messages: readonly ChatMessage[], summaries: Record<string, string>, keepTurns: number): ChatMessage[] {
  const head = messages.findIndex((m) => m.role === "user") + 1;
  const starts = turnStarts(messages, head);
  const keepFrom = starts.length > keepTurns ? (starts[starts.length - keepTurns] as number) : 0;
  return messages.map((m, i): ChatMessage => {
    if (i < head || i >= keepFrom) return m;
    if (m.role === "tool") {
      const line = summaries[m.toolCallId] ?? m.content.split("\n")[0]?.slice(0, 200) ?? "";
      return { ...m, content: `[compacted] ${line}` };
    }
    if (m.role === "assistant") {
      const content = m.content.length > 300 ? `${m.content.slice(0, 300)} [compacted]` : m.content;
      return m.toolCalls
        ? { role: "assistant", content, toolCalls: m.toolCalls.map((c) => ({ ...c, arguments: shrinkArguments(c.arguments) })) }
        : { role: "assistant", content };
    }
    return m.content.length > 1000 ? { ...m, content: `${m.content.slice(0, 1000)} [compacted]` } : m;
  });
}
