import Anthropic from "@anthropic-ai/sdk";
import type { ContentBlockParam, MessageCreateParamsBase, MessageParam } from "@anthropic-ai/sdk/resources/messages/messages";
import type { CompletionRequest, CompletionResult, LlmProvider, StopReason, ToolCall } from "./types";
import { argumentsObject, joinText, jsonInstruction, resultsFirst, safeName, splitTurns, type Turn } from "./messages";
import { anthropicStopReason } from "./stop-reasons";
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
 * Our turns as Messages API turns: a text-only turn stays a plain string; tool calls become
 * `tool_use` blocks and results `tool_result` blocks (with `is_error`), results first in their turn.
 */
export function toAnthropicMessages(turns: readonly Turn[]): MessageParam[] {
  return turns.map((t): MessageParam => {
    if (t.parts.every((p) => p.kind === "text")) return { role: t.role, content: joinText(t.parts) };
    const blocks: ContentBlockParam[] = [];
    const text = joinText(t.parts);
    const ordered = resultsFirst(t.parts.filter((p) => p.kind !== "text"));
    if (t.role === "assistant" && text !== "") blocks.push({ type: "text", text });
    for (const p of ordered) {
      if (p.kind === "tool_call") {
        blocks.push({ type: "tool_use", id: p.call.id, name: p.call.name, input: argumentsObject(p.call.arguments) });
      } else if (p.kind === "tool_result") {
        blocks.push({ type: "tool_result", tool_use_id: p.toolCallId, content: p.content, ...(p.isError ? { is_error: true } : {}) });
      }
    }
    if (t.role === "user" && text !== "") blocks.push({ type: "text", text });
    return { role: t.role, content: blocks };
  });
}

/**
 * Messages API through the official SDK.
 *
 * JSON output: a single tool whose `input_schema` is the requested schema, forced with
 * `tool_choice: {type: "tool"}`. The tool call's input is the answer; it is the vendor's own
 * schema-guided path (prefill only nudges). While streaming, the tool's `input_json_delta`
 * fragments are the tokens.
 *
 * Native tools (`req.tools`): `tools` + `tool_choice` (`auto`, or `any` for "required"); when
 * tools are given they take precedence over `jsonSchema` (the loop ends with its own tool).
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
    const { system, turns } = splitTurns(req.messages);
    const tools = req.tools ?? [];
    const jsonMode = Boolean(req.jsonSchema) && tools.length === 0;
    const toolName = jsonMode && req.jsonSchema ? safeName(req.jsonSchema.name) : undefined;
    const sys =
      req.jsonSchema && toolName ? [system, jsonInstruction(req.jsonSchema.schema, toolName)].filter(Boolean).join("\n\n") : system;
    const body: MessageCreateParamsBase = {
      model: req.model,
      max_tokens: req.maxTokens ?? DEFAULT_MAX_TOKENS,
      messages: toAnthropicMessages(turns),
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
      ...(tools.length
        ? {
            tools: tools.map((t) => ({
              name: t.name,
              description: t.description,
              input_schema: { ...t.parameters, type: "object" as const },
            })),
            tool_choice: req.toolChoice === "required" ? { type: "any" as const } : { type: "auto" as const },
          }
        : {}),
    };
    try {
      return req.onToken ? await this.stream(body, req, jsonMode) : await this.once(body, req, jsonMode);
    } catch (e) {
      throw fromSdkError(this.name, e, this.secrets, req.signal);
    }
  }

  private async once(body: MessageCreateParamsBase, req: CompletionRequest, jsonMode: boolean): Promise<CompletionResult> {
    const msg = await this.client.messages.create({ ...body, stream: false }, { signal: req.signal });
    let text = "";
    const toolCalls: ToolCall[] = [];
    if (jsonMode) {
      const tool = msg.content.find((b) => b.type === "tool_use");
      if (!tool || tool.type !== "tool_use") {
        // A truncated or refused answer has no tool call; it is surfaced with its stop reason, not hidden.
        if (msg.stop_reason !== "tool_use" && msg.stop_reason !== "end_turn") {
          return this.result(msg.model || req.model, "", [], msg.stop_reason, inputOf(msg.usage), msg.usage.output_tokens, jsonMode);
        }
        throw protocolError(this.name, "no tool_use block for JSON output");
      }
      text = JSON.stringify(tool.input);
    } else {
      for (const b of msg.content) {
        if (b.type === "text") text += b.text;
        else if (b.type === "tool_use") toolCalls.push({ id: b.id, name: b.name, arguments: JSON.stringify(b.input ?? {}) });
      }
    }
    return this.result(msg.model || req.model, text, toolCalls, msg.stop_reason, inputOf(msg.usage), msg.usage.output_tokens, jsonMode);
  }

  /** In JSON mode the forced tool call *is* the answer, so its `tool_use` stop is a natural end. */
  private result(
    model: string,
    text: string,
    toolCalls: ToolCall[],
    raw: string | null | undefined,
    inputTokens: number,
    outputTokens: number,
    jsonMode: boolean,
  ): CompletionResult {
    const mapped: StopReason = anthropicStopReason(raw);
    const stopReason = jsonMode && mapped === "tool_calls" ? "end" : mapped;
    return { provider: this.name, model, text, inputTokens, outputTokens, toolCalls, stopReason, rawStopReason: raw ?? "none" };
  }

  private async stream(body: MessageCreateParamsBase, req: CompletionRequest, jsonMode: boolean): Promise<CompletionResult> {
    const events = await this.client.messages.create({ ...body, stream: true }, { signal: req.signal });
    let text = "";
    let model = req.model;
    let inputTokens = 0;
    let outputTokens = 0;
    let sawStop = false;
    let stopReason: string | null = null;
    // tool_use blocks by content index: id and name from content_block_start, input from input_json_delta.
    const calls = new Map<number, ToolCall>();
    for await (const ev of events) {
      switch (ev.type) {
        case "message_start":
          model = ev.message.model || model;
          inputTokens = inputOf(ev.message.usage);
          outputTokens = ev.message.usage.output_tokens;
          break;
        case "content_block_start":
          if (!jsonMode && ev.content_block.type === "tool_use") {
            calls.set(ev.index, { id: ev.content_block.id, name: ev.content_block.name, arguments: "" });
          }
          break;
        case "content_block_delta": {
          const d = ev.delta;
          const call = calls.get(ev.index);
          if (call && d.type === "input_json_delta") {
            call.arguments += d.partial_json;
            break;
          }
          // In JSON mode only the tool's input is the answer; any preamble text is dropped.
          const piece = d.type === "text_delta" && !jsonMode ? d.text : d.type === "input_json_delta" && jsonMode ? d.partial_json : "";
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
          if (ev.delta.stop_reason) stopReason = ev.delta.stop_reason;
          break;
        case "message_stop":
          sawStop = true;
          break;
        default:
          break;
      }
    }
    if (!sawStop) throw protocolError(this.name, "stream ended before message_stop");
    if (jsonMode && text === "" && (stopReason === "tool_use" || stopReason === "end_turn")) text = "{}";
    // A tool without arguments streams no input_json_delta at all: its input is {}.
    const toolCalls = [...calls.entries()].sort(([a], [b]) => a - b).map(([, c]) => ({ ...c, arguments: c.arguments || "{}" }));
    return this.result(model, text, toolCalls, stopReason, inputTokens, outputTokens, jsonMode);
  }
}
