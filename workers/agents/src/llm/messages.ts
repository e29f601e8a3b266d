import type { ChatMessage, ToolCall } from "./types";

/** One piece of a vendor turn: text, a tool call the assistant made, or the result of one. */
export type TurnPart =
  | { kind: "text"; text: string }
  | { kind: "tool_call"; call: ToolCall }
  | { kind: "tool_result"; toolCallId: string; name: string; content: string; isError: boolean };

export interface Turn {
  role: "user" | "assistant";
  parts: TurnPart[];
}

/** The heading of a tool result sent as plain text (orphan results here, the text tool protocol). */
export function resultHeading(name: string, id: string, isError: boolean): string {
  return `Result of tool call ${name} (id ${id})${isError ? " — the call FAILED" : ""}:`;
}

/** What a call that never got a result is answered with, so the conversation stays valid for every vendor. */
export const NOT_RUN = "This tool call was not run.";

/**
 * Makes tool turns valid for every vendor, whatever the history went through (compaction dropping
 * an assistant turn, a loop stopped between a call and its result): a tool result whose call is
 * not in the assistant turn before it becomes plain user text, and a call left without a result
 * gets an error result saying it was not run. All four vendors reject both with a 400 otherwise.
 */
export function repairToolTurns(messages: readonly ChatMessage[]): ChatMessage[] {
  const out: ChatMessage[] = [];
  let pending = new Map<string, ToolCall>();
  const close = (): void => {
    for (const c of pending.values()) out.push({ role: "tool", toolCallId: c.id, name: c.name, content: NOT_RUN, isError: true });
    pending = new Map();
  };
  for (const m of messages) {
    if (m.role === "tool") {
      if (pending.delete(m.toolCallId)) out.push(m);
      else out.push({ role: "user", content: `${resultHeading(m.name, m.toolCallId, m.isError === true)}\n${m.content}` });
      continue;
    }
    if (m.role === "system") {
      out.push(m);
      continue;
    }
    close();
    out.push(m);
    if (m.role === "assistant") for (const c of m.toolCalls ?? []) pending.set(c.id, c);
  }
  close();
  return out;
}

/**
 * Anthropic, Bedrock and Gemini take the system prompt apart from the turns and require turns to
 * alternate user/assistant starting with user. Tool results travel inside a user turn (all three
 * vendors do it that way), and adjacent same-role turns are merged to satisfy the alternation.
 */
export function splitTurns(messages: readonly ChatMessage[]): { system: string; turns: Turn[] } {
  const system = messages
    .filter((m) => m.role === "system")
    .map((m) => m.content)
    .join("\n\n");
  const turns: Turn[] = [];
  const push = (role: Turn["role"], parts: TurnPart[]): void => {
    const last = turns[turns.length - 1];
    if (last && last.role === role) last.parts.push(...parts);
    else turns.push({ role, parts });
  };
  for (const m of repairToolTurns(messages)) {
    switch (m.role) {
      case "system":
        break;
      case "user":
        push("user", [{ kind: "text", text: m.content }]);
        break;
      case "assistant":
        push("assistant", [
          ...(m.content !== "" || !m.toolCalls?.length ? [{ kind: "text" as const, text: m.content }] : []),
          ...(m.toolCalls ?? []).map((call) => ({ kind: "tool_call" as const, call })),
        ]);
        break;
      case "tool":
        push("user", [{ kind: "tool_result", toolCallId: m.toolCallId, name: m.name, content: m.content, isError: m.isError === true }]);
        break;
    }
  }
  if (turns[0]?.role !== "user") turns.unshift({ role: "user", parts: [{ kind: "text", text: "Begin." }] });
  return { system, turns };
}

/** Adjacent text parts of a turn joined the way the old string turns were (blank line between). */
export function joinText(parts: readonly TurnPart[]): string {
  return parts
    .filter((p): p is Extract<TurnPart, { kind: "text" }> => p.kind === "text")
    .map((p) => p.text)
    .join("\n\n");
}

/**
 * Tool results first, then the rest: Anthropic rejects a user turn whose text precedes its
 * `tool_result` blocks, and the others do not mind.
 */
export function resultsFirst(parts: readonly TurnPart[]): TurnPart[] {
  return [...parts.filter((p) => p.kind === "tool_result"), ...parts.filter((p) => p.kind !== "tool_result")];
}

/**
 * Vendors that take tool input as an object (Anthropic, Bedrock, Gemini) need the raw argument text
 * parsed back. Malformed or non-object arguments (which the loop answered with a tool error) are
 * sent as `{}`: the vendor would reject the whole request otherwise.
 */
export function argumentsObject(raw: string): Record<string, unknown> {
  try {
    const v = JSON.parse(raw) as unknown;
    return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** Vendors restrict tool / schema names to `[a-zA-Z0-9_-]{1,64}`. */
export function safeName(name: string): string {
  const s = name.replace(/[^a-zA-Z0-9_-]/g, "_").slice(0, 64);
  return s || "output";
}

/** Tells the model, in words, what the JSON must look like (for vendors whose JSON mode is a tool call). */
export function jsonInstruction(schema: Record<string, unknown>, toolName: string): string {
  return `Respond by calling the tool "${toolName}" exactly once. Its input is your whole answer and must match this JSON Schema:\n${JSON.stringify(schema)}`;
}
