import { z } from "zod";
import type { CompletionRequest, CompletionResult, LlmProvider } from "./types";
import { splitSystem } from "./messages";
import { readSseData } from "./sse";
import { toGeminiSchema } from "./gemini-schema";
import { httpError, protocolError, transportError } from "./upstream";

export const GEMINI_DEFAULT_BASE_URL = "https://generativelanguage.googleapis.com";

export interface GeminiProviderOptions {
  apiKey: string;
  baseUrl?: string;
  fetch?: typeof fetch;
}

const Part = z.object({ text: z.string().optional(), thought: z.boolean().optional() });
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
    .filter((p) => !p.thought)
    .map((p) => p.text ?? "")
    .join("");
}

/** Gemini API `generateContent` / `streamGenerateContent?alt=sse` over plain fetch. */
export class GeminiProvider implements LlmProvider {
  readonly name = "gemini" as const;
  private readonly baseUrl: string;
  private readonly fetchFn: typeof fetch;
  private readonly apiKey: string;

  constructor(opts: GeminiProviderOptions) {
    this.baseUrl = (opts.baseUrl ?? GEMINI_DEFAULT_BASE_URL).replace(/\/+$/, "");
    this.fetchFn = opts.fetch ?? ((input, init) => fetch(input, init));
    this.apiKey = opts.apiKey;
  }

  private body(req: CompletionRequest): Record<string, unknown> {
    const { system, turns } = splitSystem(req.messages);
    const generationConfig = {
      ...(req.maxTokens === undefined ? {} : { maxOutputTokens: req.maxTokens }),
      ...(req.temperature === undefined ? {} : { temperature: req.temperature }),
      ...(req.jsonSchema ? { responseMimeType: "application/json", responseSchema: toGeminiSchema(req.jsonSchema.schema) } : {}),
    };
    return {
      contents: turns.map((t) => ({ role: t.role === "assistant" ? "model" : "user", parts: [{ text: t.content }] })),
      ...(system ? { systemInstruction: { parts: [{ text: system }] } } : {}),
      ...(Object.keys(generationConfig).length ? { generationConfig } : {}),
    };
  }

  private async post(req: CompletionRequest, stream: boolean): Promise<Response> {
    const model = req.model.replace(/^models\//, "");
    const url = `${this.baseUrl}/v1beta/models/${encodeURIComponent(model)}:${stream ? "streamGenerateContent?alt=sse" : "generateContent"}`;
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
    const parsed = GenerateContentResponse.safeParse(raw);
    if (!parsed.success) throw protocolError(this.name, "response does not match GenerateContentResponse");
    if (parsed.data.promptFeedback?.blockReason) throw protocolError(this.name, `prompt blocked (${parsed.data.promptFeedback.blockReason})`);
    return parsed.data;
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
    const text = textOf(r);
    if (!text && cand.finishReason && cand.finishReason !== "STOP") throw protocolError(this.name, `no text (finishReason ${cand.finishReason})`);
    const u = usageOf(r) ?? { inputTokens: 0, outputTokens: 0 };
    return { provider: this.name, model: r.modelVersion ?? req.model, text, ...u };
  }

  private async stream(req: CompletionRequest): Promise<CompletionResult> {
    const res = await this.post(req, true);
    if (!res.body) throw protocolError(this.name, "stream without a body");
    let text = "";
    let model = req.model;
    let usage = { inputTokens: 0, outputTokens: 0 };
    let chunks = 0;
    try {
      for await (const data of readSseData(res.body)) {
        let raw: unknown;
        try {
          raw = JSON.parse(data) as unknown;
        } catch {
          throw protocolError(this.name, "SSE data is not JSON");
        }
        const r = this.parse(raw);
        chunks++;
        if (r.modelVersion) model = r.modelVersion;
        const piece = textOf(r);
        if (piece) {
          text += piece;
          req.onToken?.(piece);
        }
        // Each chunk repeats cumulative usage; the last one is final.
        const u = usageOf(r);
        if (u) usage = u;
      }
    } catch (e) {
      throw transportError(this.name, e, [this.apiKey], req.signal);
    }
    if (chunks === 0) throw protocolError(this.name, "empty stream");
    return { provider: this.name, model, text, ...usage };
  }
}
