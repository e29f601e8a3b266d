import { afterEach, describe, expect, it } from "vitest";
import { AppError } from "@proximus/contracts";
import { AnthropicProvider } from "./anthropic";
import { ResilientProvider } from "./resilience";
import { fakeSleep, sendJson, sendSse, startServer, type Handler, type LocalServer } from "./testing/server.node";

const KEY = "sk-ant-api03-test-KEY-0123456789";
let server: LocalServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});
async function serve(handler: Handler): Promise<LocalServer> {
  server = await startServer(handler);
  return server;
}

function message(content: unknown[], usage = { input_tokens: 30, output_tokens: 9 }) {
  return {
    id: "msg_1",
    type: "message",
    role: "assistant",
    model: "claude-haiku-4-5-20251001",
    content,
    stop_reason: "end_turn",
    stop_sequence: null,
    usage,
  };
}
const messages = [
  { role: "system" as const, content: "You are the CTO." },
  { role: "user" as const, content: "Design it." },
];
const ev = (event: string, data: Record<string, unknown>) => ({ event, data: JSON.stringify({ type: event, ...data }) });

describe("AnthropicProvider (Messages API wire protocol)", () => {
  it("sends system apart from messages, with the version header, and reads usage", async () => {
    const s = await serve((_req, res) => sendJson(res, 200, message([{ type: "text", text: "Architecture." }])));
    const p = new AnthropicProvider({ apiKey: KEY, baseUrl: s.url });
    const r = await p.complete({ model: "claude-haiku-4-5", messages, temperature: 0 });
    expect(r).toEqual({
      provider: "anthropic",
      model: "claude-haiku-4-5-20251001",
      text: "Architecture.",
      inputTokens: 30,
      outputTokens: 9,
      toolCalls: [],
      stopReason: "end",
      rawStopReason: "end_turn",
    });
    const req = s.requests[0]!;
    expect(req.url).toBe("/v1/messages");
    // @anthropic-ai/sdk 1.x sends the API key as a Bearer token (0.x used x-api-key).
    expect(req.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(req.headers["anthropic-version"]).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const body = req.json();
    expect(body.system).toBe("You are the CTO.");
    expect(body.messages).toEqual([{ role: "user", content: "Design it." }]);
    expect(body.max_tokens).toBe(8192);
    expect(body.temperature).toBe(0);
    expect(body.tools).toBeUndefined();
  });

  it("gets JSON through a forced tool call", async () => {
    const s = await serve((_req, res) =>
      sendJson(res, 200, message([{ type: "tool_use", id: "toolu_1", name: "cto_output", input: { stack: ["hono", "d1"] } }])),
    );
    const p = new AnthropicProvider({ apiKey: KEY, baseUrl: s.url });
    const schema = { type: "object", properties: { stack: { type: "array", items: { type: "string" } } }, required: ["stack"] };
    const r = await p.complete({ model: "claude-haiku-4-5", messages, jsonSchema: { name: "cto.output", schema } });
    expect(JSON.parse(r.text)).toEqual({ stack: ["hono", "d1"] });
    const body = s.requests[0]!.json();
    expect(body.tools).toEqual([{ name: "cto_output", description: expect.any(String), input_schema: schema }]);
    expect(body.tool_choice).toEqual({ type: "tool", name: "cto_output" });
    expect(String(body.system)).toContain('"cto_output"');
  });

  it("streams text_delta events and takes usage from message_start + message_delta", async () => {
    const s = await serve((_req, res) =>
      sendSse(res, [
        ev("message_start", { message: { ...message([], { input_tokens: 25, output_tokens: 1 }) } }),
        ev("content_block_start", { index: 0, content_block: { type: "text", text: "" } }),
        ev("ping", {}),
        ev("content_block_delta", { index: 0, delta: { type: "text_delta", text: "Arch" } }),
        ev("content_block_delta", { index: 0, delta: { type: "text_delta", text: "itecture" } }),
        ev("content_block_stop", { index: 0 }),
        ev("message_delta", { delta: { stop_reason: "end_turn", stop_sequence: null }, usage: { output_tokens: 15 } }),
        ev("message_stop", {}),
      ]),
    );
    const p = new AnthropicProvider({ apiKey: KEY, baseUrl: s.url });
    const tokens: string[] = [];
    const r = await p.complete({ model: "claude-haiku-4-5", messages, onToken: (t) => tokens.push(t) });
    expect(tokens).toEqual(["Arch", "itecture"]);
    expect(r.text).toBe("Architecture");
    expect([r.inputTokens, r.outputTokens]).toEqual([25, 15]);
    expect(s.requests[0]!.json().stream).toBe(true);
  });

  it("streams the tool's input_json_delta in JSON mode", async () => {
    const s = await serve((_req, res) =>
      sendSse(res, [
        ev("message_start", { message: message([], { input_tokens: 5, output_tokens: 1 }) }),
        ev("content_block_start", { index: 0, content_block: { type: "tool_use", id: "t", name: "out", input: {} } }),
        ev("content_block_delta", { index: 0, delta: { type: "input_json_delta", partial_json: '{"a":' } }),
        ev("content_block_delta", { index: 0, delta: { type: "input_json_delta", partial_json: "1}" } }),
        ev("content_block_stop", { index: 0 }),
        ev("message_delta", { delta: { stop_reason: "tool_use", stop_sequence: null }, usage: { output_tokens: 4 } }),
        ev("message_stop", {}),
      ]),
    );
    const p = new AnthropicProvider({ apiKey: KEY, baseUrl: s.url });
    const tokens: string[] = [];
    const r = await p.complete({
      model: "m",
      messages,
      jsonSchema: { name: "out", schema: { type: "object" } },
      onToken: (t) => tokens.push(t),
    });
    expect(JSON.parse(r.text)).toEqual({ a: 1 });
    expect(tokens).toEqual(['{"a":', "1}"]);
  });

  it("maps a 400 error envelope to upstream_failed, once", async () => {
    const s = await serve((_req, res) =>
      sendJson(res, 400, { type: "error", error: { type: "invalid_request_error", message: "max_tokens: too large" } }),
    );
    const p = new ResilientProvider(new AnthropicProvider({ apiKey: KEY, baseUrl: s.url }), { sleep: fakeSleep().sleep });
    const e = (await p.complete({ model: "m", messages }).catch((x: unknown) => x)) as AppError;
    expect(e).toBeInstanceOf(AppError);
    expect(e.code).toBe("upstream_failed");
    expect(e.message).toContain("max_tokens: too large");
    expect(e.details).toMatchObject({ provider: "anthropic", status: 400, retryable: false });
    expect(s.requests).toHaveLength(1);
  });

  it("honours retry-after on 429 and retries a 529 overloaded", async () => {
    const s = await serve((_req, res, i) => {
      if (i === 0)
        return sendJson(res, 429, { type: "error", error: { type: "rate_limit_error", message: "slow down" } }, { "retry-after": "3" });
      if (i === 1) return sendJson(res, 529, { type: "error", error: { type: "overloaded_error", message: "Overloaded" } });
      return sendJson(res, 200, message([{ type: "text", text: "ok" }]));
    });
    const fs = fakeSleep();
    const p = new ResilientProvider(new AnthropicProvider({ apiKey: KEY, baseUrl: s.url }), {
      sleep: fs.sleep,
      random: () => 0,
      retry: { baseDelayMs: 400 },
    });
    expect((await p.complete({ model: "m", messages })).text).toBe("ok");
    expect(s.requests).toHaveLength(3);
    // 3 s from retry-after, then equal-jitter backoff for attempt 2: 800/2 + 0.
    expect(fs.delays).toEqual([3000, 400]);
  });

  it("gives up on 429 when retry-after is longer than we are willing to wait", async () => {
    const s = await serve((_req, res) =>
      sendJson(res, 429, { type: "error", error: { type: "rate_limit_error", message: "later" } }, { "retry-after": "600" }),
    );
    const p = new ResilientProvider(new AnthropicProvider({ apiKey: KEY, baseUrl: s.url }), { sleep: fakeSleep().sleep });
    const e = (await p.complete({ model: "m", messages }).catch((x: unknown) => x)) as AppError;
    expect(e.code).toBe("rate_limited");
    expect(e.details).toMatchObject({ retryAfterMs: 600_000 });
    expect(s.requests).toHaveLength(1);
  });

  it("times out", async () => {
    const s = await serve(() => undefined);
    const p = new ResilientProvider(new AnthropicProvider({ apiKey: KEY, baseUrl: s.url }), { timeoutMs: 120, retry: { maxAttempts: 1 } });
    const e = (await p.complete({ model: "m", messages }).catch((x: unknown) => x)) as AppError;
    expect(e.code).toBe("timeout");
    expect(e.details).toMatchObject({ provider: "anthropic", retryable: true });
  });
});
