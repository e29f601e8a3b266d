import OpenAI from "openai";
import { z } from "zod";
import { fromSdkError, protocolError } from "../llm/upstream";
import { OPENAI_DEFAULT_BASE_URL } from "../llm/openai";
import type { Embedder } from "./types";

export const DEFAULT_EMBEDDING_MODEL = "text-embedding-3-small";
/** OpenAI accepts up to 2048 inputs per call; smaller batches keep each request well under body limits. */
const BATCH = 64;

export interface OpenAiEmbedderOptions {
  apiKey: string;
  /** Any server speaking `POST /v1/embeddings`: OpenAI, Ollama, vLLM, llama.cpp, LocalAI. */
  baseUrl?: string;
  model?: string;
  fetch?: typeof fetch;
}

/** Checked because compatible servers vary; a short or misordered reply must not pair texts with wrong vectors. */
const EmbeddingsReply = z.object({
  data: z.array(z.object({ index: z.number().int().nonnegative(), embedding: z.array(z.number()).min(1) })),
});

/** Embeddings through the official SDK (`POST {baseUrl}/embeddings`). */
export class OpenAiEmbedder implements Embedder {
  readonly id: string;
  private readonly client: OpenAI;
  private readonly model: string;
  private readonly secrets: string[];

  constructor(opts: OpenAiEmbedderOptions) {
    this.model = opts.model ?? DEFAULT_EMBEDDING_MODEL;
    this.id = `openai:${this.model}`;
    this.secrets = [opts.apiKey];
    this.client = new OpenAI({
      apiKey: opts.apiKey,
      baseURL: (opts.baseUrl || OPENAI_DEFAULT_BASE_URL).replace(/\/+$/, ""),
      timeout: 30_000,
      ...(opts.fetch ? { fetch: opts.fetch } : {}),
    });
  }

  async embed(texts: string[]): Promise<Float32Array[]> {
    const out: Float32Array[] = [];
    for (let i = 0; i < texts.length; i += BATCH) out.push(...(await this.batch(texts.slice(i, i + BATCH))));
    return out;
  }

  private async batch(input: string[]): Promise<Float32Array[]> {
    let raw: unknown;
    try {
      // "float" explicitly: the SDK otherwise asks for base64, which not every compatible server implements.
      raw = await this.client.embeddings.create({ model: this.model, input, encoding_format: "float" });
    } catch (e) {
      throw fromSdkError("openai", e, this.secrets);
    }
    const parsed = EmbeddingsReply.safeParse(raw);
    if (!parsed.success) throw protocolError("openai", "the embeddings reply does not match the OpenAI schema");
    const byIndex = new Map(parsed.data.data.map((d) => [d.index, d.embedding]));
    return input.map((_, i) => {
      const v = byIndex.get(i);
      if (!v) throw protocolError("openai", `the embeddings reply has no vector for input ${i}`);
      return Float32Array.from(v);
    });
  }
}
