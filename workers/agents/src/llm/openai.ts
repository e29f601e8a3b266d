import OpenAI from "openai";
import type { ChatCompletionCreateParamsBase, ChatCompletionMessageParam } from "openai/resources/chat/completions/completions";
import type { ChatMessage, CompletionRequest, CompletionResult, LlmProvider, ToolCall } from "./types";
import type { ModelInfo } from "./catalog";
import { repairToolTurns, safeName } from "./messages";
import { openAiStopReason } from "./stop-reasons";
import { isToolsUnsupportedMessage, parseTextToolCalls, textProtocolMessages } from "./text-tools";
import { fromSdkError, protocolError, upstreamDetails } from "./upstream";

export const OPENAI_DEFAULT_BASE_URL = "https://api.openai.com/v1";

export interface OpenAiProviderOptions {
  apiKey: string;
  /** Any OpenAI-compatible server: Ollama (`http://localhost:11434/v1`), vLLM, llama.cpp, OpenRouter. */
  baseUrl?: string;
  fetch?: typeof fetch;
  /** Models that get the text tool protocol (text-tools.ts) instead of native `tools` (OPENAI_MODELS `notools`). */
  textToolModels?: readonly string[];
  /**
   * The models this server serves (OPENAI_MODELS), replacing the catalog's OpenAI entries in the
   * router. Undefined = the official catalog (gpt-4o-mini, gpt-4o).
   */
  models?: readonly ModelInfo[];
}

/** Our conversation in Chat Completions terms: tool calls on the assistant turn, results as `role: "tool"`. */
export function toOpenAiMessages(messages: readonly ChatMessage[]): ChatCompletionMessageParam[] {
  return repairToolTurns(messages).map((m): ChatCompletionMessageParam => {
    switch (m.role) {
      case "tool":
        // Chat Completions has no error flag on tool results; the content says what failed.
        return { role: "tool", tool_call_id: m.toolCallId, content: m.content };
      case "assistant":
        return m.toolCalls?.length
          ? {
              role: "assistant",
              // The API wants null, not "", next to tool_calls (some compatible servers reject "").
              content: m.content === "" ? null : m.content,
              tool_calls: m.toolCalls.map((c) => ({
                id: c.id,
                type: "function" as const,
                function: { name: c.name, arguments: c.arguments },
              })),
            }
          : { role: "assistant", content: m.content };
      default:
        return { role: m.role, content: m.content };
    }
  });
}

/** For servers that send calls without ids: unique across turns, since the loop pairs results by id. */
function newCallId(): string {
  return `call_${crypto.randomUUID().replace(/-/g, "").slice(0, 24)}`;
}

interface PartialCall {
  id: string;
  name: string;
  arguments: string;
}

/**
 * Chat Completions through the official SDK. Retries are ours (resilience.ts), so the SDK's are off.
 * Tools: native `tools` / `tool_calls`; models listed in `textToolModels`, and any model whose
 * server answers "does not support tools", get the text protocol of text-tools.ts instead.
 */
export class OpenAiProvider implements LlmProvider {
  readonly name = "openai" as const;
  private readonly client: OpenAI;
  private readonly secrets: string[];
  private readonly official: boolean;
  /** Models known to need the text protocol: configured, or learned from the server's refusal. */
  private readonly textTools: Set<string>;
  readonly models: readonly ModelInfo[] | undefined;

  constructor(opts: OpenAiProviderOptions) {
    const baseURL = (opts.baseUrl ?? OPENAI_DEFAULT_BASE_URL).replace(/\/+$/, "");
    this.official = baseURL === OPENAI_DEFAULT_BASE_URL;
    this.secrets = [opts.apiKey];
    this.models = opts.models;
    const listedWithoutTools = (opts.models ?? []).filter((m) => m.nativeTools === false).map((m) => m.model);
    this.textTools = new Set([...(opts.textToolModels ?? []), ...listedWithoutTools]);
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
    const tools = req.tools ?? [];
    if (tools.length && this.textTools.has(req.model)) return this.completeWithTextTools(req);
    try {
      return await this.send(req, true);
    } catch (e) {
      const d = upstreamDetails(e);
      // Nothing was streamed yet (the server refused the request itself), so answering again is safe.
      if (tools.length && d?.status !== undefined && d.status >= 400 && e instanceof Error && isToolsUnsupportedMessage(e.message)) {
        this.textTools.add(req.model);
        return this.completeWithTextTools(req);
      }
      throw e;
    }
  }

  private async completeWithTextTools(req: CompletionRequest): Promise<CompletionResult> {
    const r = await this.send({ ...req, messages: textProtocolMessages(req) }, false);
    const { text, toolCalls } = parseTextToolCalls(r.text);
    return toolCalls.length ? { ...r, text, toolCalls, stopReason: "tool_calls" } : r;
  }

  private async send(req: CompletionRequest, nativeTools: boolean): Promise<CompletionResult> {
    const tools = nativeTools ? (req.tools ?? []) : [];
    const body: ChatCompletionCreateParamsBase = {
      model: req.model,
      messages: toOpenAiMessages(req.messages),
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
      ...(tools.length
        ? {
            tools: tools.map((t) => ({
              type: "function" as const,
              function: { name: t.name, description: t.description, parameters: t.parameters },
            })),
            tool_choice: req.toolChoice ?? "auto",
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
    const toolCalls: ToolCall[] = [];
    for (const c of choice.message.tool_calls ?? []) {
      if (c.type === "function") toolCalls.push({ id: c.id || newCallId(), name: c.function.name, arguments: c.function.arguments ?? "" });
    }
    const refused = Boolean(choice.message.refusal);
    const raw = refused ? "refusal" : (choice.finish_reason as string | null);
    return {
      provider: this.name,
      model: res.model || req.model,
      // A refusal is the answer's text: the caller sees why, with stop reason content_filter.
      text: refused ? (choice.message.refusal ?? "") : (choice.message.content ?? ""),
      inputTokens: res.usage?.prompt_tokens ?? 0,
      outputTokens: res.usage?.completion_tokens ?? 0,
      toolCalls,
      stopReason: refused ? "content_filter" : openAiStopReason(raw),
      rawStopReason: raw ?? "none",
    };
  }

  private async stream(body: ChatCompletionCreateParamsBase, req: CompletionRequest): Promise<CompletionResult> {
    const stream = await this.client.chat.completions.create(
      { ...body, stream: true, stream_options: { include_usage: true } },
      { signal: req.signal },
    );
    let text = "";
    let refusal = "";
    let model = req.model;
    let inputTokens = 0;
    let outputTokens = 0;
    let finish: string | null = null;
    // Streamed tool calls arrive as fragments keyed by `index`: id and name first, then argument pieces.
    // Some compatible servers (older Ollama) omit `index` and send each call whole: a new id or name starts a new call.
    const calls = new Map<number, PartialCall>();
    let lastIndex = -1;
    for await (const chunk of stream) {
      if (chunk.model) model = chunk.model;
      const choice = chunk.choices[0];
      const delta = choice?.delta;
      if (delta?.content) {
        text += delta.content;
        req.onToken?.(delta.content);
      }
      if (delta?.refusal) refusal += delta.refusal;
      for (const tc of delta?.tool_calls ?? []) {
        const last = calls.get(lastIndex);
        const starts = !last || (tc.id !== undefined && tc.id !== last.id) || (Boolean(tc.function?.name) && last.name !== "");
        const index = typeof tc.index === "number" ? tc.index : starts ? lastIndex + 1 : lastIndex;
        lastIndex = Math.max(lastIndex, index);
        const call = calls.get(index) ?? { id: "", name: "", arguments: "" };
        if (tc.id) call.id = tc.id;
        if (tc.function?.name) call.name += tc.function.name;
        if (tc.function?.arguments) call.arguments += tc.function.arguments;
        calls.set(index, call);
      }
      if (choice?.finish_reason) finish = choice.finish_reason;
      // With include_usage the last chunk has empty `choices` and the totals.
      if (chunk.usage) {
        inputTokens = chunk.usage.prompt_tokens;
        outputTokens = chunk.usage.completion_tokens;
      }
    }
    const toolCalls = [...calls.entries()]
      .sort(([a], [b]) => a - b)
      .map(([, c]) => ({ id: c.id || newCallId(), name: c.name, arguments: c.arguments }));
    const usage = { inputTokens, outputTokens };
    if (refusal)
      return { provider: this.name, model, text: refusal, ...usage, toolCalls, stopReason: "content_filter", rawStopReason: "refusal" };
    return { provider: this.name, model, text, ...usage, toolCalls, stopReason: openAiStopReason(finish), rawStopReason: finish ?? "none" };
  }
}
