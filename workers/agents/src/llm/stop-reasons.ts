import type { StopReason } from "./types";

/**
 * Every vendor's word for "why the model stopped" → StopReason. Unknown words become "other" and
 * keep their raw value in `rawStopReason`: a new vendor value must never read as a clean ending.
 */

/** OpenAI chat completions `finish_reason` (and compatible servers: Ollama, vLLM, llama.cpp). */
export function openAiStopReason(raw: string | null | undefined): StopReason {
  switch (raw) {
    case "stop":
      return "end";
    case "tool_calls":
    case "function_call":
      return "tool_calls";
    case "length":
      return "max_tokens";
    case "content_filter":
      return "content_filter";
    default:
      return "other";
  }
}

/** Anthropic Messages `stop_reason`. */
export function anthropicStopReason(raw: string | null | undefined): StopReason {
  switch (raw) {
    case "end_turn":
    case "stop_sequence":
      return "end";
    case "tool_use":
      return "tool_calls";
    case "max_tokens":
      return "max_tokens";
    case "refusal":
      return "content_filter";
    default:
      // pause_turn, model_context_window_exceeded, …
      return "other";
  }
}

/** Bedrock Converse `stopReason`. */
export function bedrockStopReason(raw: string | null | undefined): StopReason {
  switch (raw) {
    case "end_turn":
    case "stop_sequence":
      return "end";
    case "tool_use":
      return "tool_calls";
    case "max_tokens":
      return "max_tokens";
    case "guardrail_intervened":
    case "content_filtered":
      return "content_filter";
    default:
      return "other";
  }
}

const GEMINI_FILTERED = new Set(["SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY"]);

/**
 * Gemini `finishReason`. Gemini says STOP even when the turn ends in function calls, so the caller
 * passes whether it saw any.
 */
export function geminiStopReason(raw: string | null | undefined, sawFunctionCall: boolean): StopReason {
  if (raw === "STOP" || raw === undefined || raw === null) return sawFunctionCall ? "tool_calls" : raw === "STOP" ? "end" : "other";
  if (raw === "MAX_TOKENS") return "max_tokens";
  if (GEMINI_FILTERED.has(raw)) return "content_filter";
  // MALFORMED_FUNCTION_CALL, UNEXPECTED_TOOL_CALL, LANGUAGE, OTHER, FINISH_REASON_UNSPECIFIED
  return "other";
}
