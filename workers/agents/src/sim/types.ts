import type { ChatMessage, ToolSpec } from "../llm/types";

/** What a simulated model sees: the conversation, the tools offered, the output cap. */
export interface SimRequest {
  messages: ChatMessage[];
  tools: ToolSpec[];
  maxTokens?: number;
  /** How many times this exact conversation was sent before (0 = first): retries after a 429 see 1, 2, … */
  attempt: number;
}

export interface SimToolCall {
  name: string;
  /** Raw JSON text, possibly malformed on purpose. */
  arguments: string;
}

/**
 * A simulated model's answer: a reply (OpenAI finish_reason words), or an HTTP error the
 * server sends and the in-process provider throws.
 */
export type SimReply =
  | { kind: "reply"; text: string; toolCalls: SimToolCall[]; finishReason: "stop" | "tool_calls" | "length" }
  | { kind: "error"; status: number; message: string; retryAfterMs?: number };

/** A scenario is a pure function of the request: same conversation, same answer. */
export type Scenario = (req: SimRequest) => SimReply;
