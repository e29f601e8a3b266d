import { z } from "zod";
import type { CompletionRequest, CompletionResult, LlmProvider, ToolCall } from "./types";
import { argumentsObject, joinText, splitTurns, type Turn, type TurnPart } from "./messages";
import { readSseData } from "./sse";
import { toGeminiSchema } from "./gemini-schema";
import { geminiStopReason } from "./stop-reasons";
import { httpError, protocolError, transportError } from "./upstream";

export const GEMINI_DEFAULT_BASE_URL = "https://generativelanguage.googleapis.com";

export interface GeminiProviderOptions {
  apiKey: string;
  baseUrl?: string;
  fetch?: typeof fetch;
}

const Part = z.object({
  text: z.string().optional(),
  thought: z.boolean().optional(),
  thoughtSignature: z.string().optional(),
  functionCall: z.object({ id: z.string().optional(), name: z.string(), args: z.record(z.string(), z.unknown()).optional() }).optional(),
});
const GenerateContentResponse = z.object({
  candidates: z
    .array(z.object({ content: z.object({ parts: z.array(Part).optional() }).optional(), finishReason: z.string().optional() }))
    .optional(),
  usageMetadata: z
    .object({
      promptTokenCount: z.number().int().optional(),
      candidatesTokenCount: z.number().int().optional(),
      thoughtsTokenCount: z.number().int().optional(),
    })
    .optional(),
  promptFeedback: z.object({ blockReason: z.string().optional() }).optional(),
  modelVersion: z.string().optional(),
});
type GenerateContentResponse = z.infer<typeof GenerateContentResponse>;

/** The google.rpc.Status envelope Gemini sends for errors, also as an SSE chunk inside a 200 stream. */
const ErrorEnvelope = z.object({
  error: z.object({ code: z.number().int().optional(), message: z.string().optional(), status: z.string().optional() }),
});

/** google.rpc canonical codes → HTTP status, for error envelopes that carry only `status`. */
const RPC_STATUS: Record<string, number> = {
  INVALID_ARGUMENT: 400,
  FAILED_PRECONDITION: 400,
  OUT_OF_RANGE: 400,
  UNAUTHENTICATED: 401,
  PERMISSION_DENIED: 403,
  NOT_FOUND: 404,
  ABORTED: 409,
  ALREADY_EXISTS: 409,
  RESOURCE_EXHAUSTED: 429,
  CANCELLED: 499,
  INTERNAL: 500,
  UNKNOWN: 500,
  DATA_LOSS: 500,
  NOT_IMPLEMENTED: 501,
  UNAVAILABLE: 503,
  DEADLINE_EXCEEDED: 504,
};

/** Thinking models bill their hidden thoughts as output tokens. */
function usageOf(r: GenerateContentResponse): { inputTokens: number; outputTokens: number } | undefined {
  const u = r.usageMetadata;
  if (!u) return undefined;
  return { inputTokens: u.promptTokenCount ?? 0, outputTokens: (u.candidatesTokenCount ?? 0) + (u.thoughtsTokenCount ?? 0) };
}

/** Visible answer text of the first candidate; thought summaries are not part of it. */
function textOf(r: GenerateContentResponse): string {
  const parts = r.candidates?.[0]?.content?.parts ?? [];
  return parts
    .filter((p) => !p.thought && !p.functionCall)
    .map((p) => p.text ?? "")
    .join("");
}

/**
 * Gemini's function calls carry no id on most models. Ours are synthesised with this prefix and
 * never sent back; a vendor-sent id is echoed in the call and its functionResponse.
 */
export const SYNTH_ID_PREFIX = "gemini-call-";

function callsOf(r: GenerateContentResponse, newId: () => string): ToolCall[] {
  const out: ToolCall[] = [];
  for (const p of r.candidates?.[0]?.content?.parts ?? []) {
    if (!p.functionCall) continue;
    out.push({
      id: p.functionCall.id ?? newId(),
      name: p.functionCall.name,
      arguments: JSON.stringify(p.functionCall.args ?? {}),
      ...(p.thoughtSignature ? { signature: p.thoughtSignature } : {}),
    });
  }
  return out;
}

/**
 * Gemini rejects an OBJECT schema without properties ("should be non-empty for OBJECT type"):
 * a tool without arguments is declared without `parameters`.
 */
function declarationParameters(schema: Record<string, unknown>): { parameters?: Record<string, unknown> } {
  const p = toGeminiSchema(schema);
  const props = p.properties;
  if (p.type === "OBJECT" && (typeof props !== "object" || props === null || Object.keys(props).length === 0)) return {};
  return { parameters: p };
}

const vendorId = (id: string): { id?: string } => (id.startsWith(SYNTH_ID_PREFIX) ? {} : { id });

/**
 * Our turns as Gemini `contents`: calls as `functionCall` parts of the model turn (with their
 * thoughtSignature), results as `functionResponse` parts of the next user turn, matched to the
 * calls by name and put in the calls' order (Gemini pairs them by position when there is no id).
 */
export function toGeminiContents(turns: readonly Turn[]): { role: "user" | "model"; parts: Record<string, unknown>[] }[] {
  let lastCalls: ToolCall[] = [];
  return turns.map((t) => {
    const text = joinText(t.parts);
    const parts: Record<string, unknown>[] = [];
    if (t.role === "assistant") {
      const calls = t.parts.flatMap((p) => (p.kind === "tool_call" ? [p.call] : []));
      if (text !== "" || calls.length === 0) parts.push({ text });
      for (const c of calls) {
        parts.push({
          functionCall: { ...vendorId(c.id), name: c.name, args: argumentsObject(c.arguments) },
          ...(c.signature ? { thoughtSignature: c.signature } : {}),
        });
      }
      lastCalls = calls;
      return { role: "model", parts };
    }
    const results = t.parts.filter((p): p is Extract<TurnPart, { kind: "tool_result" }> => p.kind === "tool_result");
    const rank = (id: string): number => {
      const i = lastCalls.findIndex((c) => c.id === id);
      return i < 0 ? Number.MAX_SAFE_INTEGER : i;
    };
    for (const r of [...results].sort((a, b) => rank(a.toolCallId) - rank(b.toolCallId))) {
      // The documented keys: "output" for a result, "error" for a failure.
      const response = r.isError ? { error: r.content } : { output: r.content };
      parts.push({ functionResponse: { ...vendorId(r.toolCallId), name: r.name, response } });
    }
    if (text !== "" || parts.length === 0) parts.push({ text });
    lastCalls = [];
    return { role: "user", parts };
  });
}

/**
 * Gemini API `generateContent` / `streamGenerateContent?alt=sse` over plain fetch.
 * Tools: `tools[].functionDeclarations` (parameters in Gemini's schema subset, gemini-schema.ts)
 * and `toolConfig.functionCallingConfig.mode` AUTO / ANY; they take precedence over `jsonSchema`
 * (Gemini rejects a response schema next to function calling on most models).
 */
export class GeminiProvider implements LlmProvider {
  readonly name = "gemini" as const;
  private readonly baseUrl: string;
  private readonly fetchFn: typeof fetch;
  private readonly apiKey: string;
  private readonly newId: () => string;

  constructor(opts: GeminiProviderOptions & { newId?: () => string }) {
    this.baseUrl = (opts.baseUrl ?? GEMINI_DEFAULT_BASE_URL).replace(/\/+$/, "");
    this.fetchFn = opts.fetch ?? ((input, init) => fetch(input, init));
    this.apiKey = opts.apiKey;
    this.newId = opts.newId ?? (() => `${SYNTH_ID_PREFIX}${crypto.randomUUID()}`);
  }

  private body(req: CompletionRequest): Record<string, unknown> {
    const { system, turns } = splitTurns(req.messages);
    const tools = req.tools ?? [];
    const json = req.jsonSchema && tools.length === 0 ? req.jsonSchema : undefined;
    const generationConfig = {
      ...(req.maxTokens === undefined ? {} : { maxOutputTokens: req.maxTokens }),
      ...(req.temperature === undefined ? {} : { temperature: req.temperature }),
      ...(json ? { responseMimeType: "application/json", responseSchema: toGeminiSchema(json.schema) } : {}),
    };
    return {
      contents: toGeminiContents(turns),
      ...(system ? { systemInstruction: { parts: [{ text: system }] } } : {}),
      ...(Object.keys(generationConfig).length ? { generationConfig } : {}),
      ...(tools.length
        ? {
            tools: [
              {
                functionDeclarations: tools.map((t) => ({
                  name: t.name,
                  description: t.description,
                  ...declarationParameters(t.parameters),
                })),
              },
            ],
            toolConfig: { functionCallingConfig: { mode: req.toolChoice === "required" ? "ANY" : "AUTO" } },
          }
        : {}),
    };
  }

  /**
   * `models/x` and bare `x` are base models (`/v1beta/models/x`); tuned models live under their
   * own collection (`tunedModels/x` → `/v1beta/tunedModels/x`). Each segment is escaped, not the slash.
   */
  modelPath(model: string): string {
    const m = /^(models|tunedModels)\/(.+)$/.exec(model);
    const collection = m?.[1] ?? "models";
    const id = m?.[2] ?? model;
    return `${collection}/${id.split("/").map(encodeURIComponent).join("/")}`;
  }

  private async post(req: CompletionRequest, stream: boolean): Promise<Response> {
    const url = `${this.baseUrl}/v1beta/${this.modelPath(req.model)}:${stream ? "streamGenerateContent?alt=sse" : "generateContent"}`;
    let res: Response;
    try {
      res = await this.fetchFn(url, {
        method: "POST",
        // The key goes in a header, never the URL, so it cannot leak through logged URLs.
        headers: { "content-type": "application/json", "x-goog-api-key": this.apiKey },
        body: JSON.stringify(this.body(req)),
        ...(req.signal ? { signal: req.signal } : {}),
      });
    } catch (e) {
      throw transportError(this.name, e, [this.apiKey], req.signal);
    }
    if (!res.ok) {
      const text = await res.text().catch(() => "");
      throw httpError(this.name, res.status, res.headers, text, [this.apiKey]);
    }
    return res;
  }

  async complete(req: CompletionRequest): Promise<CompletionResult> {
    return req.onToken ? this.stream(req) : this.once(req);
  }

  private parse(raw: unknown): GenerateContentResponse {
    // An error envelope in a 200 (first or mid-stream SSE chunk) is the vendor's error, with its status.
    const err = ErrorEnvelope.safeParse(raw);
    if (err.success) {
      const { code, status } = err.data.error;
      throw httpError(this.name, code ?? (status ? RPC_STATUS[status] : undefined) ?? 500, undefined, raw, [this.apiKey]);
    }
    const parsed = GenerateContentResponse.safeParse(raw);
    if (!parsed.success) throw protocolError(this.name, "response does not match GenerateContentResponse");
    if (parsed.data.promptFeedback?.blockReason)
      throw protocolError(this.name, `prompt blocked (${parsed.data.promptFeedback.blockReason})`);
    return parsed.data;
  }

  /**
   * One result shape for both paths, so that streaming and non-streaming agree: an answer that
   * ends with MAX_TOKENS or SAFETY (with or without text) is returned with that stop reason.
   */
  private result(
    model: string,
    text: string,
    toolCalls: ToolCall[],
    finishReason: string | undefined,
    usage: { inputTokens: number; outputTokens: number },
  ): CompletionResult {
    const stopReason = geminiStopReason(finishReason, toolCalls.length > 0);
    return { provider: this.name, model, text, ...usage, toolCalls, stopReason, rawStopReason: finishReason ?? "none" };
  }

  private async once(req: CompletionRequest): Promise<CompletionResult> {
    const res = await this.post(req, false);
    let raw: unknown;
    try {
      raw = await res.json();
    } catch (e) {
      throw transportError(this.name, e, [this.apiKey], req.signal);
    }
    const r = this.parse(raw);
    const cand = r.candidates?.[0];
    if (!cand) throw protocolError(this.name, "no candidates");
    const usage = usageOf(r) ?? { inputTokens: 0, outputTokens: 0 };
    return this.result(r.modelVersion ?? req.model, textOf(r), callsOf(r, this.newId), cand.finishReason, usage);
  }

  private async stream(req: CompletionRequest): Promise<CompletionResult> {
    const res = await this.post(req, true);
    if (!res.body) throw protocolError(this.name, "stream without a body");
    let text = "";
    let model = req.model;
    let usage = { inputTokens: 0, outputTokens: 0 };
    let sawCandidate = false;
    let finishReason: string | undefined;
    const toolCalls: ToolCall[] = [];
    try {
      for await (const data of readSseData(res.body)) {
        let raw: unknown;
        try {
          raw = JSON.parse(data) as unknown;
        } catch {
          throw protocolError(this.name, "SSE data is not JSON");
        }
        const r = this.parse(raw);
        if (r.modelVersion) model = r.modelVersion;
        const cand = r.candidates?.[0];
        if (cand) sawCandidate = true;
        if (cand?.finishReason) finishReason = cand.finishReason;
        const piece = textOf(r);
        if (piece) {
          text += piece;
          req.onToken?.(piece);
        }
        // Function calls arrive whole, one or more per chunk.
        toolCalls.push(...callsOf(r, this.newId));
        // Each chunk repeats cumulative usage; the last one is final.
        const u = usageOf(r);
        if (u) usage = u;
      }
    } catch (e) {
      throw transportError(this.name, e, [this.apiKey], req.signal);
    }
    if (!sawCandidate) throw protocolError(this.name, "no candidates");
    return this.result(model, text, toolCalls, finishReason, usage);
  }
}
