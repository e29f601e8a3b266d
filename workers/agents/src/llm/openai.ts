import OpenAI from "openai";
import type { ChatCompletionCreateParamsBase } from "openai/resources/chat/completions/completions";
import type { CompletionRequest, CompletionResult, LlmProvider } from "./types";
import { safeName } from "./messages";
import { fromSdkError, protocolError } from "./upstream";

export const OPENAI_DEFAULT_BASE_URL = "https://api.openai.com/v1";

export interface OpenAiProviderOptions {
  apiKey: string;
  /** Any OpenAI-compatible server: Ollama (`http://localhost:11434/v1`), vLLM, llama.cpp, OpenRouter. */
  baseUrl?: string;
  fetch?: typeof fetch;
}

/** Chat Completions through the official SDK. Retries are ours (resilience.ts), so the SDK's are off. */
export class OpenAiProvider implements LlmProvider {
  readonly name = "openai" as const;
  private readonly client: OpenAI;
  private readonly secrets: string[];
  private readonly official: boolean;

  constructor(opts: OpenAiProviderOptions) {
    const baseURL = (opts.baseUrl ?? OPENAI_DEFAULT_BASE_URL).replace(/\/+$/, "");
    this.official = baseURL === OPENAI_DEFAULT_BASE_URL;
    this.secrets = [opts.apiKey];
    this.client = new OpenAI({
      apiKey: opts.apiKey,
      baseURL,
      maxRetries: 0,
      // The deadline is enforced by the caller's AbortSignal; this only stops the SDK's own 10-minute default.
      timeout: 15 * 60_000,
      ...(opts.fetch ? { fetch: opts.fetch } : {}),
    });
  }

  async complete(req: CompletionRequest): Promise<CompletionResult> {
    const body: ChatCompletionCreateParamsBase = {
      model: req.model,
      // Tool turns are mapped by the tool-calling implementation; until then they travel as user text.
      messages: req.messages.map((m) => (m.role === "tool" ? { role: "user" as const, content: m.content } : { role: m.role, content: m.content })),
      ...(req.temperature === undefined ? {} : { temperature: req.temperature }),
      // OpenAI's newer models reject `max_tokens`; most compatible servers only know `max_tokens`.
      ...(req.maxTokens === undefined ? {} : this.official ? { max_completion_tokens: req.maxTokens } : { max_tokens: req.maxTokens }),
      ...(req.jsonSchema
        ? {
            response_format: {
              type: "json_schema" as const,
              // Non-strict: role schemas have optional fields, which strict mode forbids.
              json_schema: { name: safeName(req.jsonSchema.name), schema: req.jsonSchema.schema, strict: false },
            },
          }
        : {}),
    };
    try {
      return req.onToken ? await this.stream(body, req) : await this.once(body, req);
    } catch (e) {
      throw fromSdkError(this.name, e, this.secrets, req.signal);
    }
  }

  private async once(body: ChatCompletionCreateParamsBase, req: CompletionRequest): Promise<CompletionResult> {
    const res = await this.client.chat.completions.create({ ...body, stream: false }, { signal: req.signal });
    const choice = res.choices[0];
    if (!choice) throw protocolError(this.name, "no choices");
    const text = choice.message.content ?? "";
    if (choice.message.refusal) throw protocolError(this.name, "the model refused");
    return {
      provider: this.name,
      model: res.model || req.model,
      text,
      inputTokens: res.usage?.prompt_tokens ?? 0,
      outputTokens: res.usage?.completion_tokens ?? 0,
    };
  }

  private async stream(body: ChatCompletionCreateParamsBase, req: CompletionRequest): Promise<CompletionResult> {
    const stream = await this.client.chat.completions.create(
      { ...body, stream: true, stream_options: { include_usage: true } },
      { signal: req.signal },
    );
    let text = "";
    let model = req.model;
    let inputTokens = 0;
    let outputTokens = 0;
    for await (const chunk of stream) {
      if (chunk.model) model = chunk.model;
      const delta = chunk.choices[0]?.delta.content;
      if (delta) {
        text += delta;
        req.onToken?.(delta);
      }
      // With include_usage the last chunk has empty `choices` and the totals.
      if (chunk.usage) {
        inputTokens = chunk.usage.prompt_tokens;
        outputTokens = chunk.usage.completion_tokens;
      }
    }
    return { provider: this.name, model, text, inputTokens, outputTokens };
  }
}
