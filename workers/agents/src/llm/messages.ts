import type { ChatMessage } from "./types";

/**
 * Anthropic, Bedrock and Gemini take the system prompt apart from the turns and require turns to
 * alternate user/assistant starting with user; adjacent same-role turns are merged to satisfy that.
 */
export function splitSystem(messages: readonly ChatMessage[]): { system: string; turns: { role: "user" | "assistant"; content: string }[] } {
  const system = messages
    .filter((m) => m.role === "system")
    .map((m) => m.content)
    .join("\n\n");
  const turns: { role: "user" | "assistant"; content: string }[] = [];
  for (const m of messages) {
    if (m.role === "system") continue;
    const role = m.role === "tool" ? "user" : m.role;
    const last = turns[turns.length - 1];
    if (last && last.role === role) last.content += `\n\n${m.content}`;
    else turns.push({ role, content: m.content });
  }
  if (turns[0]?.role !== "user") turns.unshift({ role: "user", content: "Begin." });
  return { system, turns };
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
