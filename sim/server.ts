import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { ToolSpec } from "@proximus/agents/llm/types";
import { offlineJsonScenario } from "@proximus/agents/sim/offline-json";
import { AttemptCounter, respond } from "@proximus/agents/sim/respond";
import { SCENARIO_NAMES, SCENARIOS, isScenarioName, type ScenarioName } from "@proximus/agents/sim/scenarios";
import type { SimReply } from "@proximus/agents/sim/types";
import { ChatCompletionRequest, toChatMessages } from "./wire";

/**
 * An OpenAI-compatible model server whose "models" are the simulator scenarios:
 * POST /v1/chat/completions (streaming and not, tools/tool_calls, usage), GET /v1/models,
 * GET /stats (calls in flight, peak, totals). A request's `model` picks the scenario when it
 * names one ("slip" or "sim-slip"); otherwise the server's default scenario answers. A request
 * without tools that asks for a json_schema `${role}_output` is a role agent's plain completion:
 * it gets what the offline provider would answer for that task (sim/README.md).
 */
export interface SimServerOptions {
  port?: number;
  host?: string;
  /** Added before every answer (makes concurrency visible in /stats). */
  latencyMs?: number;
  scenario?: ScenarioName;
}

export interface SimStats {
  inFlight: number;
  peakInFlight: number;
  calls: number;
  byScenario: Record<string, number>;
  /** Plain JSON-schema requests answered like the offline provider, by schema name. */
  bySchema: Record<string, number>;
  rateLimited: number;
}

export interface SimServer {
  url: string;
  /** Base URL for OpenAI clients: `${url}/v1`. */
  baseUrl: string;
  stats(): SimStats;
  close(): Promise<void>;
}

function scenarioFor(model: string, fallback: ScenarioName): ScenarioName {
  const name = model.replace(/^sim-/, "");
  return isScenarioName(name) ? name : fallback;
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function pieces(s: string, size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < s.length; i += size) out.push(s.slice(i, i + size));
  return out;
}

function wireToolCalls(reply: Extract<SimReply, { kind: "reply" }>, turn: number) {
  return reply.toolCalls.map((c, i) => ({
    id: `call_${turn}_${i}`,
    type: "function" as const,
    function: { name: c.name, arguments: c.arguments },
  }));
}

export async function startSimServer(opts: SimServerOptions = {}): Promise<SimServer> {
  const fallback = opts.scenario ?? "good";
  const attempts = new AttemptCounter();
  const stats: SimStats = { inFlight: 0, peakInFlight: 0, calls: 0, byScenario: {}, bySchema: {}, rateLimited: 0 };

  async function completions(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let raw: unknown;
    try {
      raw = JSON.parse(await readBody(req));
    } catch {
      send(res, 400, { error: { message: "body is not JSON", type: "invalid_request_error", param: null, code: null } });
      return;
    }
    const parsed = ChatCompletionRequest.safeParse(raw);
    if (!parsed.success) {
      send(res, 400, {
        error: {
          message: parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "),
          type: "invalid_request_error",
          param: null,
          code: null,
        },
      });
      return;
    }
    const body = parsed.data;
    const scenario = scenarioFor(body.model, fallback);
    const format = body.response_format;
    const schemaName = !body.tools?.length && format?.type === "json_schema" ? format.json_schema.name : null;
    stats.calls++;
    if (schemaName === null) stats.byScenario[scenario] = (stats.byScenario[scenario] ?? 0) + 1;
    else stats.bySchema[schemaName] = (stats.bySchema[schemaName] ?? 0) + 1;
    if (opts.latencyMs) await new Promise((r) => setTimeout(r, opts.latencyMs));
    const messages = toChatMessages(body.messages);
    const tools: ToolSpec[] = (body.tools ?? []).map((t) => ({
      name: t.function.name,
      description: t.function.description ?? "",
      parameters: t.function.parameters ?? {},
    }));
    const maxTokens = body.max_completion_tokens ?? body.max_tokens;
    const answer = respond(schemaName === null ? SCENARIOS[scenario] : offlineJsonScenario(schemaName), {
      messages,
      tools,
      attempt: attempts.next(messages, scenario),
      ...(maxTokens ? { maxTokens } : {}),
    });
    const { reply } = answer;
    if (reply.kind === "error") {
      if (reply.status === 429) stats.rateLimited++;
      const headers: Record<string, string> =
        reply.retryAfterMs === undefined
          ? {}
          : { "retry-after": String(Math.ceil(reply.retryAfterMs / 1000)), "retry-after-ms": String(reply.retryAfterMs) };
      send(
        res,
        reply.status,
        {
          error: {
            message: reply.message,
            type: reply.status === 429 ? "requests" : reply.status < 500 ? "invalid_request_error" : "server_error",
            param: null,
            code: reply.status === 429 ? "rate_limit_exceeded" : null,
          },
        },
        headers,
      );
      return;
    }
    const id = `chatcmpl-${randomUUID()}`;
    const created = Math.floor(Date.now() / 1000);
    const turn = messages.filter((m) => m.role === "assistant").length;
    const toolCalls = wireToolCalls(reply, turn);
    const usage = {
      prompt_tokens: answer.promptTokens,
      completion_tokens: answer.completionTokens,
      total_tokens: answer.promptTokens + answer.completionTokens,
    };
    if (!body.stream) {
      send(res, 200, {
        id,
        object: "chat.completion",
        created,
        model: body.model,
        choices: [
          {
            index: 0,
            message: {
              role: "assistant",
              content: reply.text || null,
              refusal: null,
              ...(toolCalls.length ? { tool_calls: toolCalls } : {}),
            },
            finish_reason: reply.finishReason,
            logprobs: null,
          },
        ],
        usage,
      });
      return;
    }
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
    const chunk = (choices: unknown[], extra: Record<string, unknown> = {}): void => {
      res.write(`data: ${JSON.stringify({ id, object: "chat.completion.chunk", created, model: body.model, choices, ...extra })}\n\n`);
    };
    chunk([{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }]);
    for (const p of pieces(reply.text, 24)) chunk([{ index: 0, delta: { content: p }, finish_reason: null }]);
    toolCalls.forEach((c, index) => {
      chunk([
        {
          index: 0,
          delta: { tool_calls: [{ index, id: c.id, type: "function", function: { name: c.function.name, arguments: "" } }] },
          finish_reason: null,
        },
      ]);
      for (const p of pieces(c.function.arguments, 64))
        chunk([{ index: 0, delta: { tool_calls: [{ index, function: { arguments: p } }] }, finish_reason: null }]);
    });
    chunk([{ index: 0, delta: {}, finish_reason: reply.finishReason }]);
    if (body.stream_options?.include_usage) chunk([], { usage });
    res.end("data: [DONE]\n\n");
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://sim");
    if (req.method === "GET" && url.pathname === "/stats") return send(res, 200, stats);
    if (req.method === "POST" && url.pathname === "/stats/reset") {
      // Benches measure one round at a time: counters restart, the peak restarts from what is in flight now.
      Object.assign(stats, { peakInFlight: stats.inFlight, calls: 0, byScenario: {}, bySchema: {}, rateLimited: 0 });
      return send(res, 200, stats);
    }
    if (req.method === "GET" && url.pathname === "/v1/models") {
      return send(res, 200, {
        object: "list",
        data: SCENARIO_NAMES.map((s) => ({ id: `sim-${s}`, object: "model", created: 0, owned_by: "proximus-sim" })),
      });
    }
    if (req.method === "POST" && url.pathname === "/v1/chat/completions") {
      stats.inFlight++;
      stats.peakInFlight = Math.max(stats.peakInFlight, stats.inFlight);
      completions(req, res)
        .catch((e: unknown) => {
          if (!res.headersSent) send(res, 500, { error: { message: String(e), type: "server_error", param: null, code: null } });
          else res.end();
        })
        .finally(() => stats.inFlight--);
      return;
    }
    send(res, 404, {
      error: { message: `no route ${req.method} ${url.pathname}`, type: "invalid_request_error", param: null, code: null },
    });
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, opts.host ?? "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://${opts.host ?? "127.0.0.1"}:${port}`;
  return {
    url,
    baseUrl: `${url}/v1`,
    stats: () => structuredClone(stats),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}
