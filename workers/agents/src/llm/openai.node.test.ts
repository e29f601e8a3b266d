import { afterEach, describe, expect, it } from "vitest";
import { AppError } from "@proximus/contracts";
import { OpenAiProvider } from "./openai";
import { ResilientProvider } from "./resilience";
import { fakeSleep, sendJson, sendSse, startServer, type Handler, type LocalServer } from "./testing/server.node";

const KEY = "sk-test-0123456789abcdefSECRET";
let server: LocalServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function serve(handler: Handler): Promise<LocalServer> {
  server = await startServer(handler);
  return server;
}

function completion(text: string, model = "gpt-4o-mini-2024-07-18") {
  return {
    id: "chatcmpl-1",
    object: "chat.completion",
    created: 1,
    model,
    choices: [{ index: 0, message: { role: "assistant", content: text, refusal: null }, finish_reason: "stop", logprobs: null }],
    usage: { prompt_tokens: 42, completion_tokens: 7, total_tokens: 49 },
  };
}

const messages = [
  { role: "system" as const, content: "You are the CEO." },
  { role: "user" as const, content: "Write a PRD." },
];

describe("OpenAiProvider (chat completions wire protocol)", () => {
  it("sends the documented request and reads text + usage", async () => {
    const s = await serve((_req, res) => sendJson(res, 200, completion("Hello PRD")));
    const p = new OpenAiProvider({ apiKey: KEY, baseUrl: `${s.url}/v1` });
    const r = await p.complete({ model: "gpt-4o-mini", messages, maxTokens: 100, temperature: 0.2 });
    expect(r).toEqual({
      provider: "openai",
      model: "gpt-4o-mini-2024-07-18",
      text: "Hello PRD",
      inputTokens: 42,
      outputTokens: 7,
      toolCalls: [],
      stopReason: "end",
      rawStopReason: "stop",
    });
    const req = s.requests[0]!;
    expect(req.method).toBe("POST");
    expect(req.url).toBe("/v1/chat/completions");
    expect(req.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(req.headers["content-type"]).toContain("application/json");
    const body = req.json();
    expect(body.model).toBe("gpt-4o-mini");
    expect(body.messages).toEqual(messages);
    expect(body.temperature).toBe(0.2);
    // A non-OpenAI base URL is a compatible server: it gets the classic field.
    expect(body.max_tokens).toBe(100);
    expect(body.stream).toBeFalsy();
    expect(body.response_format).toBeUndefined();
  });

  it("asks for JSON with response_format json_schema", async () => {
    const s = await serve((_req, res) => sendJson(res, 200, completion('{"title":"x"}')));
    const p = new OpenAiProvider({ apiKey: KEY, baseUrl: `${s.url}/v1` });
    const schema = { type: "object", properties: { title: { type: "string" } }, required: ["title"] };
    const r = await p.complete({ model: "gpt-4o-mini", messages, jsonSchema: { name: "ceo prd", schema } });
    expect(JSON.parse(r.text)).toEqual({ title: "x" });
    expect(s.requests[0]!.json().response_format).toEqual({ type: "json_schema", json_schema: { name: "ceo_prd", schema, strict: false } });
  });

  it("streams deltas to onToken and reads usage from the include_usage chunk", async () => {
    const chunk = (delta: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
      JSON.stringify({
        id: "c",
        object: "chat.completion.chunk",
        created: 1,
        model: "gpt-4o-mini",
        choices: [{ index: 0, delta, finish_reason: null }],
        ...extra,
      });
    const s = await serve((_req, res) =>
      sendSse(res, [
        { data: chunk({ role: "assistant", content: "" }) },
        { data: chunk({ content: "Hel" }) },
        { data: chunk({ content: "lo" }) },
        {
          data: JSON.stringify({
            id: "c",
            object: "chat.completion.chunk",
            created: 1,
            model: "gpt-4o-mini",
            choices: [],
            usage: { prompt_tokens: 11, completion_tokens: 2, total_tokens: 13 },
          }),
        },
        { data: "[DONE]" },
      ]),
    );
    const p = new OpenAiProvider({ apiKey: KEY, baseUrl: `${s.url}/v1` });
    const tokens: string[] = [];
    const r = await p.complete({ model: "gpt-4o-mini", messages, onToken: (t) => tokens.push(t) });
    expect(tokens).toEqual(["Hel", "lo"]);
    expect(r.text).toBe("Hello");
    expect([r.inputTokens, r.outputTokens]).toEqual([11, 2]);
    const body = s.requests[0]!.json();
    expect(body.stream).toBe(true);
    expect(body.stream_options).toEqual({ include_usage: true });
  });

  it("maps a 400 to upstream_failed without retrying and without leaking the key", async () => {
    const s = await serve((_req, res) =>
      sendJson(res, 400, {
        error: { message: `Invalid 'messages' for key ${KEY}`, type: "invalid_request_error", param: "messages", code: null },
      }),
    );
    const p = new ResilientProvider(new OpenAiProvider({ apiKey: KEY, baseUrl: `${s.url}/v1` }), { sleep: fakeSleep().sleep });
    const err = await p.complete({ model: "gpt-4o-mini", messages }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    const e = err as AppError;
    expect(e.code).toBe("upstream_failed");
    expect(e.details).toMatchObject({ provider: "openai", status: 400, retryable: false });
    expect(e.message).toContain("Invalid 'messages'");
    expect(e.message).not.toContain(KEY);
    expect(JSON.stringify(e.toEnvelope())).not.toContain("SECRET");
    expect(s.requests).toHaveLength(1);
  });

  it("waits retry-after on 429, then succeeds", async () => {
    const s = await serve((_req, res, i) =>
      i === 0
        ? sendJson(res, 429, { error: { message: "Rate limit reached", type: "requests" } }, { "retry-after": "2" })
        : sendJson(res, 200, completion("ok")),
    );
    const fs = fakeSleep();
    const p = new ResilientProvider(new OpenAiProvider({ apiKey: KEY, baseUrl: `${s.url}/v1` }), { sleep: fs.sleep });
    const r = await p.complete({ model: "gpt-4o-mini", messages });
    expect(r.text).toBe("ok");
    expect(s.requests).toHaveLength(2);
    expect(fs.delays).toEqual([2000]);
  });

  it("retries a 500 with backoff and gives up with upstream_failed after maxAttempts", async () => {
    const s = await serve((_req, res) => sendJson(res, 500, { error: { message: "boom", type: "server_error" } }));
    const fs = fakeSleep();
    const p = new ResilientProvider(new OpenAiProvider({ apiKey: KEY, baseUrl: `${s.url}/v1` }), {
      sleep: fs.sleep,
      random: () => 1,
      retry: { maxAttempts: 3, baseDelayMs: 100 },
    });
    const err = (await p.complete({ model: "gpt-4o-mini", messages }).catch((e: unknown) => e)) as AppError;
    expect(err.code).toBe("upstream_failed");
    expect(err.details).toMatchObject({ status: 500, retryable: true });
    expect(s.requests).toHaveLength(3);
    expect(fs.delays).toEqual([100, 200]);
  });

  it("recovers when a 500 is followed by a 200", async () => {
    const s = await serve((_req, res, i) =>
      i === 0 ? sendJson(res, 503, { error: { message: "overloaded" } }) : sendJson(res, 200, completion("fine")),
    );
    const p = new ResilientProvider(new OpenAiProvider({ apiKey: KEY, baseUrl: `${s.url}/v1` }), { sleep: fakeSleep().sleep });
    expect((await p.complete({ model: "gpt-4o-mini", messages })).text).toBe("fine");
    expect(s.requests).toHaveLength(2);
  });

  it("times out a hanging server with code timeout", async () => {
    const s = await serve(() => undefined);
    const p = new ResilientProvider(new OpenAiProvider({ apiKey: KEY, baseUrl: `${s.url}/v1` }), {
      timeoutMs: 150,
      retry: { maxAttempts: 2 },
      sleep: fakeSleep().sleep,
    });
    const t0 = Date.now();
    const err = (await p.complete({ model: "gpt-4o-mini", messages }).catch((e: unknown) => e)) as AppError;
    expect(err.code).toBe("timeout");
    expect(s.requests).toHaveLength(2);
    expect(Date.now() - t0).toBeLessThan(3000);
  });

  it("uses max_completion_tokens against the official endpoint", async () => {
    let seen: Record<string, unknown> | undefined;
    const fetchSpy: typeof fetch = async (input, init) => {
      const req = new Request(input, init);
      expect(req.url).toBe("https://api.openai.com/v1/chat/completions");
      seen = (await req.json()) as Record<string, unknown>;
      return new Response(JSON.stringify(completion("x")), { status: 200, headers: { "content-type": "application/json" } });
    };
    const p = new OpenAiProvider({ apiKey: KEY, fetch: fetchSpy });
    await p.complete({ model: "gpt-4o", messages, maxTokens: 50 });
    expect(seen?.max_completion_tokens).toBe(50);
    expect(seen?.max_tokens).toBeUndefined();
  });
});
