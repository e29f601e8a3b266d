import { afterEach, describe, expect, it } from "vitest";
import { AppError } from "@proximus/contracts";
import { GeminiProvider } from "./gemini";
import { ResilientProvider } from "./resilience";
import { fakeSleep, sendJson, sendSse, startServer, type Handler, type LocalServer } from "./testing/server.node";

const KEY = "AIzaSyTEST-0123456789abcdefghijklmn";
let server: LocalServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});
async function serve(handler: Handler): Promise<LocalServer> {
  server = await startServer(handler);
  return server;
}

const response = (text: string, usage = { promptTokenCount: 50, candidatesTokenCount: 12, totalTokenCount: 62 }) => ({
  candidates: [{ content: { parts: [{ text }], role: "model" }, finishReason: "STOP", index: 0 }],
  usageMetadata: usage,
  modelVersion: "gemini-2.5-flash",
});
const messages = [
  { role: "system" as const, content: "You are QA." },
  { role: "user" as const, content: "Review." },
  { role: "assistant" as const, content: "Draft." },
  { role: "user" as const, content: "Again." },
];
const gemini = (url: string) => new GeminiProvider({ apiKey: KEY, baseUrl: url });

describe("GeminiProvider (generateContent wire protocol)", () => {
  it("posts contents + systemInstruction with x-goog-api-key and reads usageMetadata", async () => {
    const s = await serve((_req, res) => sendJson(res, 200, response("LGTM")));
    const r = await gemini(s.url).complete({ model: "gemini-2.5-flash", messages, maxTokens: 256, temperature: 0.3 });
    expect(r).toEqual({
      provider: "gemini",
      model: "gemini-2.5-flash",
      text: "LGTM",
      inputTokens: 50,
      outputTokens: 12,
      toolCalls: [],
      stopReason: "end",
      rawStopReason: "STOP",
    });
    const req = s.requests[0]!;
    expect(req.url).toBe("/v1beta/models/gemini-2.5-flash:generateContent");
    expect(req.headers["x-goog-api-key"]).toBe(KEY);
    expect(req.url).not.toContain(KEY);
    expect(req.json()).toEqual({
      contents: [
        { role: "user", parts: [{ text: "Review." }] },
        { role: "model", parts: [{ text: "Draft." }] },
        { role: "user", parts: [{ text: "Again." }] },
      ],
      systemInstruction: { parts: [{ text: "You are QA." }] },
      generationConfig: { maxOutputTokens: 256, temperature: 0.3 },
    });
  });

  it("asks for JSON with responseMimeType + a Gemini-dialect responseSchema", async () => {
    const s = await serve((_req, res) => sendJson(res, 200, response('{"passed":true}')));
    const schema = {
      $schema: "https://json-schema.org/draft/2020-12/schema",
      type: "object",
      properties: { passed: { type: "boolean" }, note: { type: ["string", "null"] } },
      required: ["passed"],
      additionalProperties: false,
    };
    const r = await gemini(s.url).complete({ model: "gemini-2.5-flash", messages, jsonSchema: { name: "qa", schema } });
    expect(JSON.parse(r.text)).toEqual({ passed: true });
    const gc = s.requests[0]!.json().generationConfig as Record<string, unknown>;
    expect(gc.responseMimeType).toBe("application/json");
    expect(gc.responseSchema).toEqual({
      type: "OBJECT",
      properties: { passed: { type: "BOOLEAN" }, note: { type: "STRING", nullable: true } },
      required: ["passed"],
    });
  });

  it("streams with alt=sse and counts thinking tokens as output", async () => {
    const chunk = (text: string, usage?: Record<string, number>) =>
      JSON.stringify({
        candidates: [{ content: { parts: [{ text }], role: "model" } }],
        ...(usage ? { usageMetadata: usage } : {}),
        modelVersion: "gemini-2.5-pro",
      });
    const s = await serve((_req, res) =>
      sendSse(res, [
        { data: chunk("Looks ", { promptTokenCount: 40, candidatesTokenCount: 1 }) },
        { data: chunk("good.", { promptTokenCount: 40, candidatesTokenCount: 3, thoughtsTokenCount: 20 }) },
      ]),
    );
    const tokens: string[] = [];
    const r = await gemini(s.url).complete({ model: "gemini-2.5-pro", messages, onToken: (t) => tokens.push(t) });
    expect(s.requests[0]!.url).toBe("/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse");
    expect(tokens).toEqual(["Looks ", "good."]);
    expect(r.text).toBe("Looks good.");
    expect([r.inputTokens, r.outputTokens]).toEqual([40, 23]);
  });

  it("maps a 400 INVALID_ARGUMENT without retrying or leaking the key", async () => {
    const s = await serve((_req, res) =>
      sendJson(res, 400, { error: { code: 400, message: `API key not valid: ${KEY}`, status: "INVALID_ARGUMENT" } }),
    );
    const p = new ResilientProvider(gemini(s.url), { sleep: fakeSleep().sleep });
    const e = (await p.complete({ model: "gemini-2.5-flash", messages }).catch((x: unknown) => x)) as AppError;
    expect(e).toBeInstanceOf(AppError);
    expect(e.code).toBe("upstream_failed");
    expect(e.details).toMatchObject({ provider: "gemini", status: 400, retryable: false });
    expect(e.message).toContain("API key not valid");
    expect(e.message).not.toContain(KEY);
    expect(s.requests).toHaveLength(1);
  });

  it("honours retry-after on 429 RESOURCE_EXHAUSTED", async () => {
    const s = await serve((_req, res, i) =>
      i === 0
        ? sendJson(res, 429, { error: { code: 429, message: "Quota exceeded", status: "RESOURCE_EXHAUSTED" } }, { "retry-after": "4" })
        : sendJson(res, 200, response("ok")),
    );
    const fs = fakeSleep();
    const p = new ResilientProvider(gemini(s.url), { sleep: fs.sleep });
    expect((await p.complete({ model: "gemini-2.5-flash", messages })).text).toBe("ok");
    expect(fs.delays).toEqual([4000]);
  });

  it("retries a 500 INTERNAL", async () => {
    const s = await serve((_req, res, i) =>
      i === 0 ? sendJson(res, 500, { error: { code: 500, message: "Internal", status: "INTERNAL" } }) : sendJson(res, 200, response("ok")),
    );
    const p = new ResilientProvider(gemini(s.url), { sleep: fakeSleep().sleep });
    expect((await p.complete({ model: "gemini-2.5-flash", messages })).text).toBe("ok");
    expect(s.requests).toHaveLength(2);
  });

  it("times out", async () => {
    const s = await serve(() => undefined);
    const p = new ResilientProvider(gemini(s.url), { timeoutMs: 120, retry: { maxAttempts: 1 } });
    const e = (await p.complete({ model: "gemini-2.5-flash", messages }).catch((x: unknown) => x)) as AppError;
    expect(e.code).toBe("timeout");
  });

  it("treats a blocked prompt as a failure, not an empty answer", async () => {
    const s = await serve((_req, res) =>
      sendJson(res, 200, { promptFeedback: { blockReason: "SAFETY" }, usageMetadata: { promptTokenCount: 5 } }),
    );
    const e = (await gemini(s.url)
      .complete({ model: "gemini-2.5-flash", messages })
      .catch((x: unknown) => x)) as AppError;
    expect(e.code).toBe("upstream_failed");
    expect(e.message).toContain("SAFETY");
  });
});
