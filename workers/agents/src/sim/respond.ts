import type { ChatMessage, ToolSpec } from "../llm/types";
import type { Scenario, SimReply, SimRequest } from "./types";

/** The simulator's tokenizer: 4 characters per token, like the usual rule of thumb. */
export const SIM_CHARS_PER_TOKEN = 4;

export interface SimAnswer {
  reply: SimReply;
  promptTokens: number;
  completionTokens: number;
}

function promptChars(messages: readonly ChatMessage[], tools: readonly ToolSpec[]): number {
  let n = JSON.stringify(tools).length;
  for (const m of messages) {
    n += m.content.length;
    if (m.role === "assistant") for (const c of m.toolCalls ?? []) n += c.name.length + c.arguments.length;
  }
  return n;
}

/**
 * Runs a scenario and applies what every real model does: an answer longer than `maxTokens` is
 * cut off there (text first, then tool-call arguments mid-string) with finish_reason "length".
 */
export function respond(scenario: Scenario, req: SimRequest): SimAnswer {
  const promptTokens = Math.ceil(promptChars(req.messages, req.tools) / SIM_CHARS_PER_TOKEN);
  const reply = scenario(req);
  if (reply.kind === "error") return { reply, promptTokens: 0, completionTokens: 0 };
  const outChars = reply.text.length + reply.toolCalls.reduce((n, c) => n + c.name.length + c.arguments.length, 0);
  const completionTokens = Math.ceil(outChars / SIM_CHARS_PER_TOKEN);
  if (req.maxTokens === undefined || completionTokens <= req.maxTokens) return { reply, promptTokens, completionTokens };
  let left = req.maxTokens * SIM_CHARS_PER_TOKEN;
  const text = reply.text.slice(0, left);
  left -= text.length;
  const toolCalls = [];
  for (const c of reply.toolCalls) {
    if (left <= c.name.length) break;
    left -= c.name.length;
    toolCalls.push({ name: c.name, arguments: c.arguments.slice(0, left) });
    left -= Math.min(left, c.arguments.length);
  }
  return { reply: { kind: "reply", text, toolCalls, finishReason: "length" }, promptTokens, completionTokens: req.maxTokens };
}

/** A stable key of a conversation, to count retries of the same request (the 429 scenario). */
export function conversationKey(messages: readonly ChatMessage[]): string {
  let h = 0x811c9dc5;
  const s = JSON.stringify(messages);
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return `${(h >>> 0).toString(16)}:${s.length}`;
}

/** Counts attempts per conversation; shared by the HTTP server and the in-process provider. */
export class AttemptCounter {
  private readonly seen = new Map<string, number>();
  /** `scope` keeps counts apart per scenario: two scenarios may well see the same first conversation. */
  next(messages: readonly ChatMessage[], scope = ""): number {
    const key = `${scope}|${conversationKey(messages)}`;
    const n = this.seen.get(key) ?? 0;
    this.seen.set(key, n + 1);
    return n;
  }
}
