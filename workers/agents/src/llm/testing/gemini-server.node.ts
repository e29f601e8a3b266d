import type { ServerResponse } from "node:http";
import { sendJson, sendSse, type Handler, type Recorded } from "./server.node";
import type { Brain, ModelTurn, ModelView } from "./scripted-model.node";

type Part = {
  text?: string;
  thoughtSignature?: string;
  functionCall?: { id?: string; name: string; args?: unknown };
  functionResponse?: { id?: string; name: string; response: Record<string, unknown> };
};
type Content = { role: string; parts: Part[] };

const FINISH: Record<ModelTurn["stop"], string> = { end: "STOP", tool_calls: "STOP", max_tokens: "MAX_TOKENS", content_filter: "SAFETY" };

function invalid(res: ServerResponse, message: string): void {
  sendJson(res, 400, { error: { code: 400, message, status: "INVALID_ARGUMENT" } });
}

/** The signature this server hands out with each function call, as Gemini thinking models do. */
export const signatureFor = (name: string): string => `sig-${name}-Q2lwaGVy`;

/**
 * Gemini's rules for function calling turns: a function response turn follows the model turn with the
 * calls, with as many functionResponse parts, in the same order and with the same names; the call
 * parts carry back their thoughtSignature; no unknown `id` is sent (this model issues none).
 */
function check(contents: Content[], tools: unknown): string | undefined {
  for (const [i, c] of contents.entries()) {
    if (c.role !== "user" && c.role !== "model") return `Please use a valid role: user, model. (contents[${i}])`;
    const calls = c.parts.filter((p) => p.functionCall);
    for (const p of calls) {
      if (p.thoughtSignature !== signatureFor(p.functionCall!.name)) {
        return `Function call is missing a thought_signature in functionCall parts. This is required for tools to work correctly (contents[${i}])`;
      }
      if (p.functionCall!.id !== undefined) return `Invalid value at 'contents[${i}]': unknown function call id ${p.functionCall!.id}`;
    }
    if (calls.length) {
      const next = contents[i + 1];
      const responses = next?.parts.filter((p) => p.functionResponse) ?? [];
      const names = responses.map((p) => p.functionResponse!.name);
      if (next && (responses.length !== calls.length || names.some((n, k) => n !== calls[k]!.functionCall!.name))) {
        return "Please ensure that the number of function response parts is equal to the number of function call parts of the function call turn.";
      }
    }
  }
  if (tools !== undefined) {
    for (const t of tools as { functionDeclarations?: { name?: string; parameters?: Record<string, unknown> }[] }[]) {
      for (const d of t.functionDeclarations ?? []) {
        if ("additionalProperties" in (d.parameters ?? {}))
          return `Invalid JSON payload received. Unknown name "additionalProperties" at 'tools[0].function_declarations[0].parameters'`;
        const props = d.parameters?.properties;
        if (d.parameters?.type === "OBJECT" && (typeof props !== "object" || props === null || Object.keys(props).length === 0)) {
          return "* GenerateContentRequest.tools[0].function_declarations[0].parameters.properties: should be non-empty for OBJECT type";
        }
      }
    }
  }
  return undefined;
}

function viewOf(body: Record<string, unknown>, index: number): ModelView {
  const contents = body.contents as Content[];
  const last = contents[contents.length - 1];
  const tools = (body.tools as { functionDeclarations?: { name: string }[] }[] | undefined) ?? [];
  const mode = (body.toolConfig as { functionCallingConfig?: { mode?: string } } | undefined)?.functionCallingConfig?.mode;
  return {
    results: (last?.parts ?? [])
      .filter((p) => p.functionResponse)
      .map((p) => {
        const r = p.functionResponse!.response;
        const isError = r.error !== undefined;
        return { name: p.functionResponse!.name, content: String(isError ? r.error : r.output), isError };
      }),
    lastUserText: (last?.parts ?? []).map((p) => p.text ?? "").join(""),
    toolNames: tools.flatMap((t) => (t.functionDeclarations ?? []).map((d) => d.name)),
    ...(mode ? { toolChoice: mode } : {}),
    index,
  };
}

const usage = { promptTokenCount: 20, candidatesTokenCount: 10, totalTokenCount: 30 };
const callPart = (c: ModelTurn["calls"][number]): Part => ({
  functionCall: { name: c.name, args: c.args },
  thoughtSignature: signatureFor(c.name),
});

function response(turn: ModelTurn) {
  const parts = [...(turn.text ? [{ text: turn.text }] : []), ...turn.calls.map(callPart)];
  return {
    candidates: [{ content: { role: "model", parts }, finishReason: FINISH[turn.stop], index: 0 }],
    usageMetadata: usage,
    modelVersion: "gemini-2.5-flash",
  };
}

/** Streamed: the text first, then one chunk with the (whole) function calls, the finish reason and usage. */
function chunks(turn: ModelTurn): string[] {
  const out: string[] = [];
  if (turn.text)
    out.push(
      JSON.stringify({
        candidates: [{ content: { role: "model", parts: [{ text: turn.text }] }, index: 0 }],
        modelVersion: "gemini-2.5-flash",
      }),
    );
  out.push(
    JSON.stringify({
      candidates: [{ content: { role: "model", parts: turn.calls.map(callPart) }, finishReason: FINISH[turn.stop], index: 0 }],
      usageMetadata: usage,
      modelVersion: "gemini-2.5-flash",
    }),
  );
  return out;
}

/** `:generateContent` and `:streamGenerateContent?alt=sse` with function calling. */
export function geminiToolServer(brain: Brain): Handler {
  return async (req: Recorded, res: ServerResponse, index: number) => {
    const body = req.json();
    const problem = check(body.contents as Content[], body.tools);
    if (problem) return invalid(res, problem);
    const turn = brain(viewOf(body, index));
    if (req.url.includes(":streamGenerateContent"))
      return sendSse(
        res,
        chunks(turn).map((data) => ({ data })),
      );
    return sendJson(res, 200, response(turn));
  };
}
