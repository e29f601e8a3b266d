import type { ProviderName, Role } from "@proximus/contracts";

/**
 * One tool the model may call. `parameters` is a JSON Schema object (from zod via z.toJSONSchema);
 * each provider translates it into its vendor's format (OpenAI `tools`, Anthropic `tools`,
 * Bedrock `toolConfig`, Gemini `functionDeclarations`).
 */
export interface ToolSpec {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
}

/**
 * A tool call exactly as the model sent it. `arguments` is the raw JSON text: models send
 * malformed arguments, and the agent loop (not the provider) answers them with a tool error.
 */
export interface ToolCall {
  id: string;
  name: string;
  arguments: string;
  /**
   * Opaque vendor state that must travel back with the call in later turns (Gemini's
   * `thoughtSignature`, required by thinking models for function calling). Keep it as received.
   */
  signature?: string;
}

export type ChatMessage =
  | { role: "system" | "user"; content: string }
  /** `toolCalls`: what the assistant asked for in this turn (content may be empty then). */
  | { role: "assistant"; content: string; toolCalls?: ToolCall[] }
  /** The answer to one tool call; `isError` marks a failed call (Anthropic `is_error`, Bedrock status "error"). */
  | { role: "tool"; toolCallId: string; name: string; content: string; isError?: boolean };

/**
 * Why the model stopped, normalised across vendors:
 * - end: a natural end of the turn (OpenAI "stop", Anthropic "end_turn"/"stop_sequence", Bedrock "end_turn", Gemini "STOP")
 * - tool_calls: it wants tools run (OpenAI "tool_calls", Anthropic/Bedrock "tool_use")
 * - max_tokens: cut off by the output cap (OpenAI "length", Anthropic/Bedrock "max_tokens", Gemini "MAX_TOKENS")
 * - content_filter: refused or filtered (OpenAI "content_filter" or a `refusal` message, Bedrock "guardrail_intervened"/"content_filtered",
 *   Anthropic "refusal", Gemini "SAFETY"/"RECITATION"/"BLOCKLIST"/"PROHIBITED_CONTENT"/"SPII")
 * - other: anything else (kept in `rawStopReason`)
 */
export type StopReason = "end" | "tool_calls" | "max_tokens" | "content_filter" | "other";

/** What a role agent asks of any provider. */
export interface CompletionRequest {
  model: string;
  messages: ChatMessage[];
  maxTokens?: number;
  temperature?: number;
  /** When set, the provider must ask the vendor for JSON output matching this JSON Schema. */
  jsonSchema?: { name: string; schema: Record<string, unknown> };
  /** Native tool calling; absent = plain completion. */
  tools?: ToolSpec[];
  /** "auto" (default when tools are given) or "required" (the model must call a tool). */
  toolChoice?: "auto" | "required";
  /** Streamed text deltas, turned into `task.token` events by the caller. */
  onToken?: (delta: string) => void;
  signal?: AbortSignal;
  /**
   * The task this call serves. Real vendors ignore it; the offline provider uses it to build
   * deterministic, schema-valid output without any AI.
   */
  task?: { role: Role; idea: string; upstream: Record<string, unknown>; feedback?: string };
}

export interface CompletionResult {
  provider: ProviderName;
  model: string;
  text: string;
  inputTokens: number;
  outputTokens: number;
  /** Tool calls of this turn, in the model's order; empty when it called none. */
  toolCalls?: ToolCall[];
  /** Normalised stop reason; providers always set it (optional only for old test doubles). */
  stopReason?: StopReason;
  /** The vendor's own word for it, for logs and the task's stop reason text. */
  rawStopReason?: string;
  /**
   * Set by the router (routeWithFallback): the answering model's context window in tokens (from the
   * catalog or OPENAI_MODELS), for compaction, and the call's cost with the router's price table
   * (which knows configured local prices; `costUsd()` with the default table does not).
   */
  contextWindow?: number;
  costUsd?: number;
}

export interface LlmProvider {
  readonly name: ProviderName;
  complete(req: CompletionRequest): Promise<CompletionResult>;
}
