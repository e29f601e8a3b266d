import Anthropic from "@anthropic-ai/sdk";
import type { MessageCreateParamsBase } from "@anthropic-ai/sdk/resources/messages/messages";
import type { CompletionRequest, CompletionResult, LlmProvider } from "./types";
import { jsonInstruction, safeName, splitSystem } from "./messages";
import { fromSdkError, protocolError } from "./upstream";

export interface AnthropicProviderOptions {
  apiKey: string;
  baseUrl?: string;
  fetch?: typeof fetch;
}

/** The Messages API requires max_tokens; this is what we ask for when the task sets none. */
const DEFAULT_MAX_TOKENS = 8192;

interface AnthropicUsage {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
}

/** Cache writes and reads are prompt tokens too; we price them as input (slightly over for reads). */
function inputOf(u: AnthropicUsage): number {
  return (u.input_tokens ?? 0) + (u.cache_creation_input_tokens ?? 0) + (u.cache_read_input_tokens ?? 0);
}

/**
 * Messages API through the official SDK.
 *
 * JSON output: a single tool whose `input_schema` is the requested schema, forced with
 * `tool_choice: {type: "tool"}`. The tool call's input is the answer; it is the vendor's own
 * schema-guided path (prefill only nudges). While streaming, the tool's `input_json_delta`
 * fragments are the tokens.
 */
export class AnthropicProvider implements LlmProvider {
  readonly name = "anthropic" as const;
  private readonly client: Anthropic;
  private readonly secrets: string[];

  constructor(opts: AnthropicProviderOptions) {
    this.secrets = [opts.apiKey];
    this.client = new Anthropic({
      apiKey: opts.apiKey,
      ...(opts.baseUrl ? { baseURL: opts.baseUrl.replace(/\/+$/, "") } : {}),
      maxRetries: 0,
      timeout: 15 * 60_000,
      ...(opts.fetch ? { fetch: opts.fetch } : {}),
    });
  }

  async complete(req: CompletionRequest): Promise<CompletionResult> {
    const { system, turns } = splitSystem(req.messages);
    const toolName = req.jsonSchema ? safeName(req.jsonSchema.name) : undefined;
    const sys = req.jsonSchema && toolName ? [system, jsonInstruction(req.jsonSchema.schema, toolName)].filter(Boolean).join("\n\n") : system;
    const body: MessageCreateParamsBase = {
      model: req.model,
      max_tokens: req.maxTokens ?? DEFAULT_MAX_TOKENS,
      messages: turns,
      ...(sys ? { system: sys } : {}),
      ...(req.temperature === undefined ? {} : { temperature: req.temperature }),
      ...(req.jsonSchema && toolName
        ? {
            tools: [
              {
                name: toolName,
                description: "Return the final answer as this tool's input.",
                input_schema: { ...req.jsonSchema.schema, type: "object" as const },
              },
            ],
            tool_choice: { type: "tool" as const, name: toolName },
          }
        : {}),
    };
    try {
      return req.onToken ? await this.stream(body, req) : await this.once(body, req);
    } catch (e) {
      throw fromSdkError(this.name, e, this.secrets, req.signal);
    }
  }

  private async once(body: MessageCreateParamsBase, req: CompletionRequest): Promise<CompletionResult> {
    const msg = await this.client.messages.create({ ...body, stream: false }, { signal: req.signal });
    let text = "";
    if (req.jsonSchema) {
      const tool = msg.content.find((b) => b.type === "tool_use");
      if (!tool || tool.type !== "tool_use") throw protocolError(this.name, "no tool_use block for JSON output");
      text = JSON.stringify(tool.input);
    } else {
      for (const b of msg.content) if (b.type === "text") text += b.text;
    }
    return { provider: this.name, model: msg.model || req.model, text, inputTokens: inputOf(msg.usage), outputTokens: msg.usage.output_tokens };
  }

  private async stream(body: MessageCreateParamsBase, req: CompletionRequest): Promise<CompletionResult> {
    const events = await this.client.messages.create({ ...body, stream: true }, { signal: req.signal });
    let text = "";
    let model = req.model;
    let inputTokens = 0;
    let outputTokens = 0;
    let sawStop = false;
    for await (const ev of events) {
      switch (ev.type) {
        case "message_start":
          model = ev.message.model || model;
          inputTokens = inputOf(ev.message.usage);
          outputTokens = ev.message.usage.output_tokens;
          break;
        case "content_block_delta": {
          const d = ev.delta;
          // In JSON mode only the tool's input is the answer; any preamble text is dropped.
          const piece = d.type === "text_delta" && !req.jsonSchema ? d.text : d.type === "input_json_delta" && req.jsonSchema ? d.partial_json : "";
          if (piece) {
            text += piece;
            req.onToken?.(piece);
          }
          break;
        }
        case "message_delta":
          // message_delta usage is cumulative for the whole message.
          outputTokens = ev.usage.output_tokens;
          if (ev.usage.input_tokens != null) inputTokens = inputOf(ev.usage);
          break;
        case "message_stop":
          sawStop = true;
          break;
        default:
          break;
      }
    }
    if (!sawStop) throw protocolError(this.name, "stream ended before message_stop");
    if (req.jsonSchema && text === "") text = "{}";
    return { provider: this.name, model, text, inputTokens, outputTokens };
  }
}
