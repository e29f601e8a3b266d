import { AwsClient } from "aws4fetch";
import { z } from "zod";
import type { CompletionRequest, CompletionResult, LlmProvider } from "./types";
import { decodeEventStream, type EventStreamMessage } from "./eventstream";
import { jsonInstruction, safeName, splitSystem } from "./messages";
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
  toolUse: z.object({ name: z.string(), input: z.unknown() }).optional(),
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
const Metadata = z.object({ usage: Usage });

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
    const { system, turns } = splitSystem(req.messages);
    const toolName = req.jsonSchema ? safeName(req.jsonSchema.name) : undefined;
    const sys = req.jsonSchema && toolName ? [system, jsonInstruction(req.jsonSchema.schema, toolName)].filter(Boolean).join("\n\n") : system;
    const inferenceConfig = {
      ...(req.maxTokens === undefined ? {} : { maxTokens: req.maxTokens }),
      ...(req.temperature === undefined ? {} : { temperature: req.temperature }),
    };
    return {
      messages: turns.map((t) => ({ role: t.role, content: [{ text: t.content }] })),
      ...(sys ? { system: [{ text: sys }] } : {}),
      ...(Object.keys(inferenceConfig).length ? { inferenceConfig } : {}),
      ...(req.jsonSchema && toolName
        ? {
            toolConfig: {
              tools: [{ toolSpec: { name: toolName, description: "Return the final answer as this tool's input.", inputSchema: { json: req.jsonSchema.schema } } }],
              toolChoice: { tool: { name: toolName } },
            },
          }
        : {}),
    };
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
    let text: string;
    if (req.jsonSchema) {
      const tool = blocks.find((b) => b.toolUse);
      if (!tool?.toolUse) throw protocolError(this.name, "no toolUse block for JSON output");
      text = JSON.stringify(tool.toolUse.input);
    } else {
      text = blocks.map((b) => b.text ?? "").join("");
    }
    return { provider: this.name, model: req.model, text, inputTokens: parsed.data.usage.inputTokens, outputTokens: parsed.data.usage.outputTokens };
  }

  private async stream(req: CompletionRequest): Promise<CompletionResult> {
    const res = await this.post(req, "converse-stream");
    if (!res.body) throw protocolError(this.name, "converse-stream without a body");
    let text = "";
    let inputTokens = 0;
    let outputTokens = 0;
    let sawStop = false;
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
        if (eventType === "contentBlockDelta") {
          const d = BlockDelta.safeParse(payload);
          if (!d.success) throw protocolError(this.name, "malformed contentBlockDelta");
          // In JSON mode only the tool input is the answer.
          const piece = req.jsonSchema ? (d.data.delta.toolUse?.input ?? "") : (d.data.delta.text ?? "");
          if (piece) {
            text += piece;
            req.onToken?.(piece);
          }
        } else if (eventType === "messageStop") {
          sawStop = true;
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
    return { provider: this.name, model: req.model, text, inputTokens, outputTokens };
  }
}
