import { describe, expect, it } from "vitest";
import { anthropicStopReason, bedrockStopReason, geminiStopReason, openAiStopReason } from "./stop-reasons";

describe("vendor stop reasons", () => {
  it("maps every documented value and never reads an unknown one as a clean end", () => {
    expect(["stop", "tool_calls", "function_call", "length", "content_filter", "eos", null].map(openAiStopReason)).toEqual([
      "end",
      "tool_calls",
      "tool_calls",
      "max_tokens",
      "content_filter",
      "other",
      "other",
    ]);
    expect(
      ["end_turn", "stop_sequence", "tool_use", "max_tokens", "refusal", "pause_turn", "model_context_window_exceeded"].map(
        anthropicStopReason,
      ),
    ).toEqual(["end", "end", "tool_calls", "max_tokens", "content_filter", "other", "other"]);
    expect(
      [
        "end_turn",
        "stop_sequence",
        "tool_use",
        "max_tokens",
        "guardrail_intervened",
        "content_filtered",
        "model_context_window_exceeded",
      ].map(bedrockStopReason),
    ).toEqual(["end", "end", "tool_calls", "max_tokens", "content_filter", "content_filter", "other"]);
    const g = (r: string | undefined, calls = false) => geminiStopReason(r, calls);
    expect([
      g("STOP"),
      g("STOP", true),
      g("MAX_TOKENS"),
      g("SAFETY"),
      g("RECITATION"),
      g("BLOCKLIST"),
      g("PROHIBITED_CONTENT"),
      g("SPII"),
      g("MALFORMED_FUNCTION_CALL"),
      g(undefined),
    ]).toEqual([
      "end",
      "tool_calls",
      "max_tokens",
      "content_filter",
      "content_filter",
      "content_filter",
      "content_filter",
      "content_filter",
      "other",
      "other",
    ]);
  });
});
