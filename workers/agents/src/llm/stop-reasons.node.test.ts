import { afterEach, describe, expect, it } from "vitest";
import { AppError } from "@proximus/contracts";
import type { LlmProvider } from "./types";
import { AnthropicProvider } from "./anthropic";
import { BedrockProvider } from "./bedrock";
import { GeminiProvider } from "./gemini";
import { OpenAiProvider } from "./openai";
import { ResilientProvider } from "./resilience";
import { anthropicToolServer } from "./testing/anthropic-server.node";
import { bedrockToolServer } from "./testing/bedrock-server.node";
import { geminiToolServer } from "./testing/gemini-server.node";
import { openAiToolServer } from "./testing/openai-server.node";
import type { Brain, ScriptStop } from "./testing/scripted-model.node";
import { fakeSleep, sendJson, sendSse, startServer, type Handler, type LocalServer } from "./testing/server.node";

let server: LocalServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const AWS = { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", region: "eu-central-1" };
const KEY = "AIzaSyTEST-stop-0000000000000000000";
const messages = [{ role: "user" as const, content: "Write the whole backend." }];

interface Vendor {
  name: string;
  model: string;
  handler(brain: Brain): Handler;
  provider(url: string): LlmProvider;
  /** The vendor's own word for each scripted stop. */
  raw: Record<ScriptStop, string>;
}

const vendors: Vendor[] = [
  {
    name: "openai",
    model: "llama3.1:8b",
    handler: (b) => openAiToolServer(b),
    provider: (url) => new OpenAiProvider({ apiKey: "not-needed", baseUrl: `${url}/v1` }),
    raw: { end: "stop", tool_calls: "tool_calls", max_tokens: "length", content_filter: "content_filter" },
  },
  {
    name: "anthropic",
    model: "claude-haiku-4-5",
    handler: (b) => anthropicToolServer(b),
    provider: (url) => new AnthropicProvider({ apiKey: "k", baseUrl: url }),
    raw: { end: "end_turn", tool_calls: "tool_use", max_tokens: "max_tokens", content_filter: "refusal" },
  },
  {
    name: "bedrock",
    model: "amazon.nova-lite-v1:0",
    handler: (b) => bedrockToolServer(b, AWS),
    provider: (url) => new BedrockProvider({ ...AWS, endpoint: url }),
    raw: { end: "end_turn", tool_calls: "tool_use", max_tokens: "max_tokens", content_filter: "guardrail_intervened" },
  },
  {
    name: "gemini",
    model: "gemini-2.5-flash",
    handler: (b) => geminiToolServer(b),
    provider: (url) => new GeminiProvider({ apiKey: KEY, baseUrl: url }),
    raw: { end: "STOP", tool_calls: "STOP", max_tokens: "MAX_TOKENS", content_filter: "SAFETY" },
  },
];

describe.each(vendors)("stop reasons: $name", (v) => {
  for (const stop of ["max_tokens", "content_filter"] as const) {
    for (const text of ["half an answ", ""]) {
      it(`${stop} ${text ? "with" : "without"} text is returned with its stop reason, streaming and not alike`, async () => {
        server = await startServer(v.handler(() => ({ text, calls: [], stop })));
        const p = v.provider(server.url);
        const once = await p.complete({ model: v.model, messages });
        const streamed = await p.complete({ model: v.model, messages, onToken: () => undefined });
        for (const r of [once, streamed]) {
          expect(r.stopReason).toBe(stop);
          expect(r.rawStopReason).toBe(v.raw[stop]);
          expect(r.text).toBe(text);
        }
      });
    }
  }

  it("a clean end is end, in JSON mode too", async () => {
    server = await startServer(v.handler(() => ({ text: "done", calls: [], stop: "end" })));
    const r = await v.provider(server.url).complete({ model: v.model, messages, onToken: () => undefined });
    expect([r.stopReason, r.rawStopReason]).toEqual(["end", v.raw.end]);
  });
});

describe("OpenAI structured-output refusals", () => {
  it("a message.refusal (JSON and streamed) is the answer's text with stop reason content_filter", async () => {
    const refusal = "I'm sorry, I cannot help with that.";
    server = await startServer((req, res) =>
      req.json().stream === true
        ? sendSse(res, [
            {
              data: JSON.stringify({
                id: "c",
                object: "chat.completion.chunk",
                created: 1,
                model: "gpt-4o",
                choices: [{ index: 0, delta: { role: "assistant", content: null, refusal: "" }, finish_reason: null }],
              }),
            },
            {
              data: JSON.stringify({
                id: "c",
                object: "chat.completion.chunk",
                created: 1,
                model: "gpt-4o",
                choices: [{ index: 0, delta: { refusal }, finish_reason: null }],
              }),
            },
            {
              data: JSON.stringify({
                id: "c",
                object: "chat.completion.chunk",
                created: 1,
                model: "gpt-4o",
                choices: [{ index: 0, delta: {}, finish_reason: "stop" }],
              }),
            },
            { data: "[DONE]" },
          ])
        : sendJson(res, 200, {
            id: "c",
            object: "chat.completion",
            created: 1,
            model: "gpt-4o",
            choices: [{ index: 0, message: { role: "assistant", content: null, refusal }, finish_reason: "stop", logprobs: null }],
            usage: { prompt_tokens: 5, completion_tokens: 9, total_tokens: 14 },
          }),
    );
    const p = new OpenAiProvider({ apiKey: "sk-test-refusal-000000", baseUrl: `${server.url}/v1` });
    const req = { model: "gpt-4o", messages, jsonSchema: { name: "out", schema: { type: "object" } } };
    for (const r of [await p.complete(req), await p.complete({ ...req, onToken: () => undefined })]) {
      expect(r).toMatchObject({ text: refusal, stopReason: "content_filter", rawStopReason: "refusal" });
    }
  });
});

describe("stop reasons in JSON mode (forced tool)", () => {
  it("Anthropic: the forced tool_use is a natural end; max_tokens before it is surfaced, not an error", async () => {
    let stop: "tool_use" | "max_tokens" = "tool_use";
    server = await startServer((_req, res) =>
      sendJson(res, 200, {
        id: "m",
        type: "message",
        role: "assistant",
        model: "claude-haiku-4-5",
        content:
          stop === "tool_use"
            ? [{ type: "tool_use", id: "toolu_1", name: "out", input: { a: 1 } }]
            : [{ type: "text", text: "Let me think about" }],
        stop_reason: stop,
        stop_sequence: null,
        usage: { input_tokens: 1, output_tokens: 1 },
      }),
    );
    const p = new AnthropicProvider({ apiKey: "k", baseUrl: server.url });
    const req = { model: "claude-haiku-4-5", messages, jsonSchema: { name: "out", schema: { type: "object" } } };
    expect(await p.complete(req)).toMatchObject({ text: '{"a":1}', stopReason: "end", rawStopReason: "tool_use" });
    stop = "max_tokens";
    expect(await p.complete(req)).toMatchObject({ text: "", stopReason: "max_tokens", rawStopReason: "max_tokens" });
  });

  it("Bedrock: guardrail_intervened with no toolUse comes back as content_filter", async () => {
    server = await startServer(
      bedrockToolServer(() => ({ text: "Sorry, the model cannot answer this question.", calls: [], stop: "content_filter" }), AWS),
    );
    const p = new BedrockProvider({ ...AWS, endpoint: server.url });
    const r = await p.complete({ model: "amazon.nova-lite-v1:0", messages, jsonSchema: { name: "out", schema: { type: "object" } } });
    expect(r).toMatchObject({ stopReason: "content_filter", rawStopReason: "guardrail_intervened", text: "" });
  });
});

describe("Gemini defects", () => {
  const gemini = (url: string) => new GeminiProvider({ apiKey: KEY, baseUrl: url });

  it("an error chunk as the first SSE event is the vendor's error (429 → rate_limited, retryable)", async () => {
    server = await startServer((_req, res, i) =>
      i <= 1
        ? sendSse(res, [
            {
              data: JSON.stringify({
                error: { code: 429, message: "Resource has been exhausted (e.g. check quota).", status: "RESOURCE_EXHAUSTED" },
              }),
            },
          ])
        : sendSse(res, [
            { data: JSON.stringify({ candidates: [{ content: { role: "model", parts: [{ text: "ok" }] }, finishReason: "STOP" }] }) },
          ]),
    );
    const direct = (await gemini(server.url)
      .complete({ model: "gemini-2.5-flash", messages, onToken: () => undefined })
      .catch((e: unknown) => e)) as AppError;
    expect(direct).toBeInstanceOf(AppError);
    expect(direct.code).toBe("rate_limited");
    expect(direct.details).toMatchObject({ provider: "gemini", status: 429, retryable: true });
    expect(direct.message).toContain("Resource has been exhausted");
    // Through the resilience layer the same frame is retried (nothing was streamed yet).
    const fs = fakeSleep();
    const r = await new ResilientProvider(gemini(server.url), { sleep: fs.sleep }).complete({
      model: "gemini-2.5-flash",
      messages,
      onToken: () => undefined,
    });
    expect(r.text).toBe("ok");
    expect(fs.delays).toHaveLength(1);
  });

  it("an error chunk mid-stream is the vendor's error, marked partial and not retried", async () => {
    server = await startServer((_req, res) =>
      sendSse(res, [
        { data: JSON.stringify({ candidates: [{ content: { role: "model", parts: [{ text: "Half " }] } }] }) },
        {
          data: JSON.stringify({
            error: { code: 503, message: "The model is overloaded. Please try again later.", status: "UNAVAILABLE" },
          }),
        },
      ]),
    );
    const p = new ResilientProvider(gemini(server.url), { sleep: fakeSleep().sleep });
    const e = (await p.complete({ model: "gemini-2.5-flash", messages, onToken: () => undefined }).catch((x: unknown) => x)) as AppError;
    expect(e.code).toBe("upstream_failed");
    expect(e.details).toMatchObject({ status: 503, retryable: true, partial: true });
    expect(e.message).toContain("overloaded");
    expect(server.requests).toHaveLength(1);
  });

  it("an error envelope with only a status maps by the google.rpc code (INVALID_ARGUMENT → 400, not retryable)", async () => {
    server = await startServer((_req, res) =>
      sendSse(res, [{ data: JSON.stringify({ error: { message: "Request contains an invalid argument.", status: "INVALID_ARGUMENT" } }) }]),
    );
    const e = (await gemini(server.url)
      .complete({ model: "gemini-2.5-flash", messages, onToken: () => undefined })
      .catch((x: unknown) => x)) as AppError;
    expect(e.details).toMatchObject({ status: 400, retryable: false });
  });

  it("SAFETY with no text, streamed as the SDK sees it (finishReason + safetyRatings, no parts), agrees with generateContent", async () => {
    const candidate = {
      finishReason: "SAFETY",
      index: 0,
      safetyRatings: [{ category: "HARM_CATEGORY_DANGEROUS_CONTENT", probability: "HIGH", blocked: true }],
    };
    server = await startServer((req, res) =>
      req.url.includes("stream")
        ? sendSse(res, [
            {
              data: JSON.stringify({
                candidates: [candidate],
                usageMetadata: { promptTokenCount: 9, totalTokenCount: 9 },
                modelVersion: "gemini-2.5-flash",
              }),
            },
          ])
        : sendJson(res, 200, {
            candidates: [candidate],
            usageMetadata: { promptTokenCount: 9, totalTokenCount: 9 },
            modelVersion: "gemini-2.5-flash",
          }),
    );
    const once = await gemini(server.url).complete({ model: "gemini-2.5-flash", messages });
    const streamed = await gemini(server.url).complete({ model: "gemini-2.5-flash", messages, onToken: () => undefined });
    expect(streamed).toEqual(once);
    expect(once).toMatchObject({ text: "", stopReason: "content_filter", rawStopReason: "SAFETY", inputTokens: 9 });
  });

  it("tuned models call /v1beta/tunedModels/x, base models /v1beta/models/x", async () => {
    const answer = { candidates: [{ content: { role: "model", parts: [{ text: "hi" }] }, finishReason: "STOP" }] };
    server = await startServer((req, res) =>
      req.url.includes("alt=sse") ? sendSse(res, [{ data: JSON.stringify(answer) }]) : sendJson(res, 200, answer),
    );
    const p = gemini(server.url);
    await p.complete({ model: "tunedModels/my-model-abc123", messages });
    await p.complete({ model: "tunedModels/my-model-abc123", messages, onToken: () => undefined });
    await p.complete({ model: "models/gemini-2.5-pro", messages });
    await p.complete({ model: "gemini-2.5-flash", messages });
    expect(server.requests.map((r) => r.url)).toEqual([
      "/v1beta/tunedModels/my-model-abc123:generateContent",
      "/v1beta/tunedModels/my-model-abc123:streamGenerateContent?alt=sse",
      "/v1beta/models/gemini-2.5-pro:generateContent",
      "/v1beta/models/gemini-2.5-flash:generateContent",
    ]);
  });
});
