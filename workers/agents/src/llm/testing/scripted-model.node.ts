/**
 * A scripted "model" for the vendor protocol servers: each server decodes its vendor's request into
 * a ModelView, asks a Brain what to answer, and encodes the ModelTurn in its vendor's wire format
 * (JSON or stream). The servers also enforce the vendor's conversation rules for tools, answering
 * with the vendor's own 400 when a request breaks them, so a wrong mapping fails the test.
 */

export interface ViewResult {
  /** The call id the result names (absent on Gemini, which pairs by name and order). */
  callId?: string;
  name: string;
  content: string;
  isError: boolean;
}

export interface ModelView {
  /** Tool results in the last user turn, in wire order. */
  results: ViewResult[];
  /** Text of the last user turn. */
  lastUserText: string;
  /** Names of the tools offered in this request. */
  toolNames: string[];
  /** The tool choice as the vendor spelled it ("auto", "required", "any", "ANY", …), if any. */
  toolChoice?: string;
  /** How many requests this server has answered before. */
  index: number;
}

export type ScriptStop = "end" | "tool_calls" | "max_tokens" | "content_filter";

export interface ScriptCall {
  id: string;
  name: string;
  args: Record<string, unknown>;
}

export interface ModelTurn {
  text: string;
  calls: ScriptCall[];
  stop: ScriptStop;
}

export type Brain = (view: ModelView) => ModelTurn;

/** Splits a string into `n` roughly equal pieces, as a vendor streams fragments. */
export function fragments(s: string, n = 3): string[] {
  if (s.length <= 1) return [s];
  const size = Math.ceil(s.length / n);
  const out: string[] = [];
  for (let i = 0; i < s.length; i += size) out.push(s.slice(i, i + size));
  return out;
}

export const WEATHER_TOOLS = [
  {
    name: "get_weather",
    description: "Current weather of a city",
    parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"], additionalProperties: false },
  },
  {
    name: "get_time",
    description: "Local time of a city",
    parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
  },
];

/**
 * Asks for both tools in its first turn; once it sees results it answers with them, so the final
 * text proves each result (and its error flag) reached the model.
 */
export const weatherBrain: Brain = (view) => {
  if (view.results.length === 0) {
    return {
      text: "Let me check.",
      calls: [
        { id: "call_w1", name: "get_weather", args: { city: "Paris" } },
        { id: "call_t1", name: "get_time", args: { city: "Paris" } },
      ],
      stop: "tool_calls",
    };
  }
  const parts = view.results.map((r) => `${r.name}=${r.content}${r.isError ? " (failed)" : ""}`);
  return { text: `Paris: ${parts.join("; ")}`, calls: [], stop: "end" };
};
