import { z } from "zod";
import type { ChatMessage } from "@proximus/agents/llm/types";

/** The part of an OpenAI Chat Completions request the simulator reads; everything else is accepted and ignored. */
const Text = z.union([z.string(), z.null(), z.array(z.object({ type: z.string(), text: z.string().optional() }).loose())]).optional();
const WireToolCall = z.object({
  id: z.string(),
  type: z.literal("function").optional(),
  function: z.object({ name: z.string(), arguments: z.string() }),
});
const WireMessage = z.union([
  z.object({ role: z.enum(["system", "developer", "user"]), content: Text }).loose(),
  z.object({ role: z.literal("assistant"), content: Text, tool_calls: z.array(WireToolCall).optional() }).loose(),
  z.object({ role: z.literal("tool"), tool_call_id: z.string(), content: Text }).loose(),
]);
const WireTool = z.object({
  type: z.literal("function"),
  function: z.object({ name: z.string(), description: z.string().optional(), parameters: z.record(z.string(), z.unknown()).optional() }),
});

export const ChatCompletionRequest = z
  .object({
    model: z.string(),
    messages: z.array(WireMessage).min(1),
    tools: z.array(WireTool).optional(),
    max_tokens: z.number().int().positive().optional(),
    max_completion_tokens: z.number().int().positive().optional(),
    stream: z.boolean().optional(),
    stream_options: z.object({ include_usage: z.boolean().optional() }).loose().optional(),
    response_format: z
      .union([
        z.object({ type: z.literal("json_schema"), json_schema: z.object({ name: z.string() }).loose() }).loose(),
        z.object({ type: z.enum(["text", "json_object"]) }).loose(),
      ])
      .optional(),
  })
  .loose();
export type ChatCompletionRequest = z.infer<typeof ChatCompletionRequest>;

function text(c: z.infer<typeof Text>): string {
  if (c == null) return "";
  if (typeof c === "string") return c;
  return c.map((p) => p.text ?? "").join("");
}

/** OpenAI wire messages → the agents' ChatMessage (tool turns get their tool's name from the call). */
export function toChatMessages(messages: ChatCompletionRequest["messages"]): ChatMessage[] {
  const names = new Map<string, string>();
  return messages.map((m): ChatMessage => {
    if (m.role === "assistant") {
      const toolCalls = (m.tool_calls ?? []).map((c) => ({ id: c.id, name: c.function.name, arguments: c.function.arguments }));
      for (const c of toolCalls) names.set(c.id, c.name);
      return toolCalls.length
        ? { role: "assistant", content: text(m.content), toolCalls }
        : { role: "assistant", content: text(m.content) };
    }
    if (m.role === "tool")
      return { role: "tool", toolCallId: m.tool_call_id, name: names.get(m.tool_call_id) ?? "", content: text(m.content) };
    return { role: m.role === "developer" ? "system" : m.role, content: text(m.content) };
  });
}
