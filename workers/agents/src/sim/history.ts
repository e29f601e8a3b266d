import type { ChatMessage } from "../llm/types";

/** One tool call the simulated model made earlier, with the answer the loop gave it. */
export interface PastCall {
  name: string;
  raw: string;
  args: Record<string, unknown> | null;
  result?: { content: string; isError: boolean };
  /** Index of the assistant turn it was made in (0-based). */
  turn: number;
}

function parseArgs(raw: string): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(raw);
    return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** What the model "remembers": every call it made and what came back, read off the conversation. */
export function pastCalls(messages: readonly ChatMessage[]): PastCall[] {
  const calls: PastCall[] = [];
  const byId = new Map<string, PastCall>();
  let turn = -1;
  for (const m of messages) {
    if (m.role === "assistant") {
      turn++;
      for (const c of m.toolCalls ?? []) {
        const pc: PastCall = { name: c.name, raw: c.arguments, args: parseArgs(c.arguments), turn };
        calls.push(pc);
        byId.set(c.id, pc);
      }
    } else if (m.role === "tool") {
      const pc = byId.get(m.toolCallId);
      // OpenAI's wire has no error flag on tool turns; the loop prefixes failed results with "ERROR:".
      if (pc) pc.result = { content: m.content, isError: m.isError === true || m.content.startsWith("ERROR:") };
    }
  }
  return calls;
}

export function assistantTurns(messages: readonly ChatMessage[]): number {
  return messages.filter((m) => m.role === "assistant").length;
}

/** Calls that succeeded, by name (and path when given). */
export function succeeded(calls: readonly PastCall[], name: string, path?: string): PastCall[] {
  return calls.filter((c) => c.name === name && c.result && !c.result.isError && (path === undefined || c.args?.path === path));
}

export function lastUserText(messages: readonly ChatMessage[]): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i];
    if (m?.role === "user") return m.content;
  }
  return "";
}
