import type { ChatMessage, CompletionRequest, ToolCall, ToolSpec } from "./types";
import { resultHeading } from "./messages";

/**
 * The text tool protocol, for OpenAI-compatible servers whose model has no native tool calling
 * (an Ollama model that answers "does not support tools", vLLM without a tool parser, llama.cpp
 * without --jinja). The tools are described in the system prompt; the model calls one by writing
 *
 *     ```tool_call
 *     {"name": "read_file", "arguments": {"path": "src/app.ts"}}
 *     ```
 *
 * and tool results come back as user turns. Replies are parsed back into ToolCall[], so the agent
 * loop sees the same CompletionResult as with native tools.
 */

export const TOOL_CALL_FENCE = "tool_call";

export function toolProtocolPrompt(tools: readonly ToolSpec[], choice: CompletionRequest["toolChoice"]): string {
  const list = tools.map((t) => `- ${t.name}: ${t.description}\n  arguments (JSON Schema): ${JSON.stringify(t.parameters)}`).join("\n");
  return [
    "You can call tools. To call a tool, write a fenced block tagged tool_call holding one JSON object, like this:",
    "```tool_call",
    '{"name": "<tool name>", "arguments": {<arguments matching its schema>}}',
    "```",
    "You may write several such blocks in one reply. Stop after your tool_call blocks: each result comes back in the next message.",
    choice === "required"
      ? "You must call at least one tool in this reply."
      : "When you need no tool, answer normally without any tool_call block.",
    "Available tools:",
    list,
  ].join("\n");
}

function fence(call: ToolCall): string {
  let args: unknown = call.arguments;
  try {
    args = JSON.parse(call.arguments) as unknown;
  } catch {
    // Malformed arguments are shown as the model wrote them.
  }
  return `\`\`\`${TOOL_CALL_FENCE}\n${JSON.stringify({ name: call.name, arguments: args })}\n\`\`\``;
}

/** The conversation rewritten without tool roles: calls as fenced blocks, results as user turns. */
export function textProtocolMessages(req: CompletionRequest): ChatMessage[] {
  const prompt = toolProtocolPrompt(req.tools ?? [], req.toolChoice);
  const out: ChatMessage[] = [];
  let placed = false;
  for (const m of req.messages) {
    if (m.role === "system") {
      out.push({ role: "system", content: placed ? m.content : `${m.content}\n\n${prompt}` });
      placed = true;
    } else if (m.role === "assistant") {
      const blocks = (m.toolCalls ?? []).map(fence);
      out.push({ role: "assistant", content: [m.content, ...blocks].filter((s) => s !== "").join("\n\n") });
    } else if (m.role === "tool") {
      out.push({ role: "user", content: `${resultHeading(m.name, m.toolCallId, m.isError === true)}\n${m.content}` });
    } else {
      out.push({ role: m.role, content: m.content });
    }
  }
  if (!placed) out.unshift({ role: "system", content: prompt });
  return out;
}

const BLOCK = new RegExp(`\`\`\`${TOOL_CALL_FENCE}[ \\t]*\\r?\\n?([\\s\\S]*?)\`\`\``, "g");

/**
 * Tool calls written as fenced blocks, and the reply's text without them. A block whose JSON is
 * malformed still becomes a call (name found by pattern, raw text as arguments): the loop answers
 * it with a tool error and the model can correct itself, as with native malformed arguments.
 */
export function parseTextToolCalls(reply: string, newId: () => string = defaultId): { text: string; toolCalls: ToolCall[] } {
  const toolCalls: ToolCall[] = [];
  const text = reply.replace(BLOCK, (_all, inner: string) => {
    const body = inner.trim();
    try {
      const v = JSON.parse(body) as unknown;
      if (typeof v === "object" && v !== null && typeof (v as { name?: unknown }).name === "string") {
        const o = v as { name: string; arguments?: unknown };
        const args = typeof o.arguments === "string" ? o.arguments : JSON.stringify(o.arguments ?? {});
        toolCalls.push({ id: newId(), name: o.name, arguments: args });
        return "";
      }
    } catch {
      // fall through to the lenient path
    }
    const name = /"name"\s*:\s*"([^"]+)"/.exec(body)?.[1];
    if (name) {
      toolCalls.push({ id: newId(), name, arguments: body });
      return "";
    }
    return _all;
  });
  return { text: text.replace(/\n{3,}/g, "\n\n").trim(), toolCalls };
}

function defaultId(): string {
  return `call_${crypto.randomUUID().replace(/-/g, "").slice(0, 24)}`;
}

/** The vendor errors that mean "this model/server has no native tool calling". */
const NO_TOOLS = [
  /does not support tools/i, // Ollama
  /tools? (?:are|is) not supported/i,
  /not support(?:ed)? (?:for )?(?:function|tool)/i,
  /--enable-auto-tool-choice/i, // vLLM started without a tool parser
  /tools param requires --jinja/i, // llama.cpp
];

export function isToolsUnsupportedMessage(message: string): boolean {
  return NO_TOOLS.some((r) => r.test(message));
}
