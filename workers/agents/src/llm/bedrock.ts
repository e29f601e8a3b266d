import { AwsClient } from "aws4fetch";
import { z } from "zod";
import type { CompletionRequest, CompletionResult, LlmProvider, ToolCall } from "./types";
import { decodeEventStream, type EventStreamMessage } from "./eventstream";
import { argumentsObject, joinText, jsonInstruction, resultsFirst, safeName, splitTurns, type Turn } from "./messages";
import { bedrockStopReason } from "./stop-reasons";
import { httpError, protocolError, transportError } from "./upstream";

export interface BedrockProviderOptions {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  region?: string;
  /** Defaults to `https://bedrock-runtime.{region}.amazonaws.com` (override for VPC endpoints or tests). */
  endpoint?: string;
  fetch?: typeof fetch;
}

const Usage = z.object({ inputTokens: z.number().int().nonnegative(), outputTokens: z.number().int().nonnegative() });
const ContentBlock = z.object({
  text: z.string().optional(),
  toolUse: z.object({ toolUseId: z.string().optional(), name: z.string(), input: z.unknown() }).optional(),
});
const ConverseResponse = z.object({
  output: z.object({ message: z.object({ content: z.array(ContentBlock) }) }),
  stopReason: z.string().optional(),
  usage: Usage,
});
const BlockDelta = z.object({
  contentBlockIndex: z.number().int().optional(),
  delta: z.object({ text: z.string().optional(), toolUse: z.object({ input: z.string() }).optional() }),
});
const BlockStart = z.object({
  contentBlockIndex: z.number().int(),
  start: z.object({ toolUse: z.object({ toolUseId: z.string(), name: z.string() }).optional() }).optional(),
});
const MessageStop = z.object({ stopReason: z.string().optional() });
const Metadata = z.object({ usage: Usage });

/**
 * Our turns as Converse messages: `text`, `toolUse` (input as an object) and `toolResult` blocks
 * (`status: "error"` for a failed call). Converse rejects blank text blocks, so none are sent
 * unless the turn would otherwise be empty.
 */
export function toConverseMessages(turns: readonly Turn[]): { role: "user" | "assistant"; content: Record<string, unknown>[] }[] {
  return turns.map((t) => {
    const text = joinText(t.parts);
    const blocks: Record<string, unknown>[] = [];
    for (const p of resultsFirst(t.parts)) {
      if (p.kind === "tool_call") {
        blocks.push({ toolUse: { toolUseId: p.call.id, name: p.call.name, input: argumentsObject(p.call.arguments) } });
      }
      if (p.kind === "tool_result") {
        // `status` only when it says something: the Converse docs list it as a Claude-only field.
        // Blank text is rejected here too, and a tool may well print nothing.
        const content = [{ text: p.content.trim() === "" ? "(no output)" : p.content }];
        blocks.push({ toolResult: { toolUseId: p.toolCallId, content, ...(p.isError ? { status: "error" } : {}) } });
      }
    }
    // Text leads an assistant turn (it explains the calls) and follows the results in a user turn.
    if (text !== "" || blocks.length === 0) {
      if (t.role === "assistant") blocks.unshift({ text });
      else blocks.push({ text });
    }
    return { role: t.role, content: blocks };
  });
}

/** Stream exception names → the HTTP status the same failure has on the non-streaming API. */
const EXCEPTION_STATUS: Record<string, number> = {
  throttlingException: 429,
  internalServerException: 500,
  modelStreamErrorException: 500,
  serviceUnavailableException: 503,
  modelTimeoutException: 408,
  validationException: 400,
  accessDeniedException: 403,
  resourceNotFoundException: 404,
};

const utf8 = new TextDecoder();

function headerString(m: EventStreamMessage, name: string): string | undefined {
  const v = m.headers[name];
  return typeof v === "string" ? v : undefined;
}

function parseJson(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(utf8.decode(bytes)) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * Amazon Bedrock Converse API (`/model/{id}/converse`, `/converse-stream`), SigV4-signed with
 * aws4fetch (service "bedrock"). JSON output: a forced tool (`toolChoice.tool`) whose
 * `inputSchema.json` is the schema; the tool input is the answer.
 */
export class BedrockProvider implements LlmProvider {
  readonly name = "bedrock" as const;
  private readonly aws: AwsClient;
  private readonly endpoint: string;
  private readonly fetchFn: typeof fetch;
  private readonly secrets: string[];

  constructor(opts: BedrockProviderOptions) {
    const region = opts.region ?? "us-east-1";
    this.endpoint = (opts.endpoint ?? `https://bedrock-runtime.${region}.amazonaws.com`).replace(/\/+$/, "");
    // retries: 0 — aws4fetch retries 5xx/429 ten times by default; ours are in resilience.ts.
    this.aws = new AwsClient({
      accessKeyId: opts.accessKeyId,
      secretAccessKey: opts.secretAccessKey,
      ...(opts.sessionToken ? { sessionToken: opts.sessionToken } : {}),
      service: "bedrock",
      region,
      retries: 0,
    });
    this.fetchFn = opts.fetch ?? ((input, init) => fetch(input, init));
    this.secrets = [opts.secretAccessKey, opts.accessKeyId, ...(opts.sessionToken ? [opts.sessionToken] : [])];
  }

  private body(req: CompletionRequest): Record<string, unknown> {
    const { system, turns } = splitTurns(req.messages);
    const tools = req.tools ?? [];
    // Native tools take precedence over JSON mode (which is itself a forced tool).
    const toolName = req.jsonSchema && tools.length === 0 ? safeName(req.jsonSchema.name) : undefined;
    const sys =
      req.jsonSchema && toolName ? [system, jsonInstruction(req.jsonSchema.schema, toolName)].filter(Boolean).join("\n\n") : system;
    const inferenceConfig = {
      ...(req.maxTokens === undefined ? {} : { maxTokens: req.maxTokens }),
      ...(req.temperature === undefined ? {} : { temperature: req.temperature }),
    };
    return {
      messages: toConverseMessages(turns),
      ...(sys ? { system: [{ text: sys }] } : {}),
      ...(Object.keys(inferenceConfig).length ? { inferenceConfig } : {}),
      ...(req.jsonSchema && toolName
        ? {
            toolConfig: {
              tools: [
                {
                  toolSpec: {
                    name: toolName,
                    description: "Return the final answer as this tool's input.",
                    inputSchema: { json: req.jsonSchema.schema },
                  },
                },
              ],
              toolChoice: { tool: { name: toolName } },
            },
          }
        : {}),
      ...(tools.length
        ? {
            toolConfig: {
              tools: tools.map((t) => ({ toolSpec: { name: t.name, description: t.description, inputSchema: { json: t.parameters } } })),
              toolChoice: req.toolChoice === "required" ? { any: {} } : { auto: {} },
            },
          }
        : {}),
    };
  }

  /** JSON mode's forced tool call is the answer: its `tool_use` stop is a natural end there. */
  private stop(raw: string | undefined, jsonMode: boolean): Pick<CompletionResult, "stopReason" | "rawStopReason"> {
    const mapped = bedrockStopReason(raw);
    return { stopReason: jsonMode && mapped === "tool_calls" ? "end" : mapped, rawStopReason: raw ?? "none" };
  }

  private async post(req: CompletionRequest, action: "converse" | "converse-stream"): Promise<Response> {
    const url = `${this.endpoint}/model/${encodeURIComponent(req.model)}/${action}`;
    let res: Response;
    try {
      const signed = await this.aws.sign(url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          accept: action === "converse" ? "application/json" : "application/vnd.amazon.eventstream",
        },
        body: JSON.stringify(this.body(req)),
      });
      res = await this.fetchFn(signed, req.signal ? { signal: req.signal } : {});
    } catch (e) {
      throw transportError(this.name, e, this.secrets, req.signal);
    }
    if (!res.ok) {
      const text = await res.text().catch(() => "");
      throw httpError(this.name, res.status, res.headers, text, this.secrets);
    }
    return res;
  }

  async complete(req: CompletionRequest): Promise<CompletionResult> {
    return req.onToken ? this.stream(req) : this.once(req);
  }

  private async once(req: CompletionRequest): Promise<CompletionResult> {
    const res = await this.post(req, "converse");
    let raw: unknown;
    try {
      raw = await res.json();
    } catch (e) {
      throw transportError(this.name, e, this.secrets, req.signal);
    }
    const parsed = ConverseResponse.safeParse(raw);
    if (!parsed.success) throw protocolError(this.name, "converse response does not match the Converse schema");
    const blocks = parsed.data.output.message.content;
    const jsonMode = Boolean(req.jsonSchema) && !req.tools?.length;
    const stop = this.stop(parsed.data.stopReason, jsonMode);
    const usage = { inputTokens: parsed.data.usage.inputTokens, outputTokens: parsed.data.usage.outputTokens };
    let text: string;
    const toolCalls: ToolCall[] = [];
    if (jsonMode) {
      const tool = blocks.find((b) => b.toolUse);
      if (!tool?.toolUse) {
        // Truncated or stopped by a guardrail: surfaced with its stop reason, not hidden as an error.
        if (stop.stopReason !== "end" && stop.stopReason !== "tool_calls") {
          return { provider: this.name, model: req.model, text: "", ...usage, toolCalls, ...stop };
        }
        throw protocolError(this.name, "no toolUse block for JSON output");
      }
      text = JSON.stringify(tool.toolUse.input);
    } else {
      text = blocks.map((b) => b.text ?? "").join("");
      blocks.forEach((b, i) => {
        if (!b.toolUse) return;
        toolCalls.push({
          id: b.toolUse.toolUseId ?? `tooluse_${i}`,
          name: b.toolUse.name,
          arguments: JSON.stringify(b.toolUse.input ?? {}),
        });
      });
    }
    return { provider: this.name, model: req.model, text, ...usage, toolCalls, ...stop };
  }

  private async stream(req: CompletionRequest): Promise<CompletionResult> {
    const res = await this.post(req, "converse-stream");
    if (!res.body) throw protocolError(this.name, "converse-stream without a body");
    const jsonMode = Boolean(req.jsonSchema) && !req.tools?.length;
    let text = "";
    let inputTokens = 0;
    let outputTokens = 0;
    let sawStop = false;
    let stopReason: string | undefined;
    // toolUse blocks by contentBlockIndex: id and name from contentBlockStart, input pieces from deltas.
    const calls = new Map<number, ToolCall>();
    try {
      for await (const msg of decodeEventStream(res.body)) {
        const messageType = headerString(msg, ":message-type");
        if (messageType === "exception") {
          const kind = headerString(msg, ":exception-type") ?? "internalServerException";
          throw httpError(this.name, EXCEPTION_STATUS[kind] ?? 500, undefined, parseJson(msg.payload) ?? kind, this.secrets);
        }
        if (messageType === "error") {
          throw httpError(this.name, 500, undefined, headerString(msg, ":error-message") ?? "stream error", this.secrets);
        }
        const eventType = headerString(msg, ":event-type");
        const payload = parseJson(msg.payload);
        if (eventType === "contentBlockStart") {
          const b = BlockStart.safeParse(payload);
          if (!b.success) throw protocolError(this.name, "malformed contentBlockStart");
          const tu = b.data.start?.toolUse;
          if (tu && !jsonMode) calls.set(b.data.contentBlockIndex, { id: tu.toolUseId, name: tu.name, arguments: "" });
        } else if (eventType === "contentBlockDelta") {
          const d = BlockDelta.safeParse(payload);
          if (!d.success) throw protocolError(this.name, "malformed contentBlockDelta");
          const call = d.data.contentBlockIndex === undefined ? undefined : calls.get(d.data.contentBlockIndex);
          if (call && d.data.delta.toolUse) {
            call.arguments += d.data.delta.toolUse.input;
            continue;
          }
          // In JSON mode only the tool input is the answer.
          const piece = jsonMode ? (d.data.delta.toolUse?.input ?? "") : (d.data.delta.text ?? "");
          if (piece) {
            text += piece;
            req.onToken?.(piece);
          }
        } else if (eventType === "messageStop") {
          sawStop = true;
          const m = MessageStop.safeParse(payload);
          if (m.success) stopReason = m.data.stopReason;
        } else if (eventType === "metadata") {
          const m = Metadata.safeParse(payload);
          if (m.success) {
            inputTokens = m.data.usage.inputTokens;
            outputTokens = m.data.usage.outputTokens;
          }
        }
      }
    } catch (e) {
      throw transportError(this.name, e, this.secrets, req.signal);
    }
    if (!sawStop) throw protocolError(this.name, "stream ended before messageStop");
    const toolCalls = [...calls.entries()].sort(([a], [b]) => a - b).map(([, c]) => ({ ...c, arguments: c.arguments || "{}" }));
    return { provider: this.name, model: req.model, text, inputTokens, outputTokens, toolCalls, ...this.stop(stopReason, jsonMode) };
  }
}
