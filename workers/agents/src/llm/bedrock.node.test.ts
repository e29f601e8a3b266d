import type { ServerResponse } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { AppError } from "@proximus/contracts";
import { BedrockProvider } from "./bedrock";
import { ResilientProvider } from "./resilience";
import { bedrockEvent, bedrockException } from "./testing/eventstream-encoder.node";
import { fakeSleep, sendJson, startServer, type Recorded, type LocalServer } from "./testing/server.node";
import { verifySigV4 } from "./testing/sigv4-verify.node";

const AKID = "AKIAIOSFODNN7EXAMPLE";
const SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const REGION = "eu-central-1";
let server: LocalServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

type Reply = (req: Recorded, res: ServerResponse, i: number) => void | Promise<void>;

/** A Bedrock runtime stand-in that, like AWS, refuses anything not signed with the right secret. */
async function bedrock(reply: Reply): Promise<LocalServer> {
  server = await startServer((req, res, i) => {
    const v = verifySigV4(req, { accessKeyId: AKID, secretAccessKey: SECRET, region: REGION, service: "bedrock" });
    if (!v.ok) {
      return sendJson(
        res,
        403,
        { message: `The request signature we calculated does not match the signature you provided (${v.reason})` },
        { "x-amzn-errortype": "InvalidSignatureException" },
      );
    }
    return reply(req, res, i);
  });
  return server;
}

function provider(url: string, secret = SECRET): BedrockProvider {
  return new BedrockProvider({ accessKeyId: AKID, secretAccessKey: secret, region: REGION, endpoint: url });
}

const converse = (content: unknown[], usage = { inputTokens: 120, outputTokens: 33, totalTokens: 153 }) => ({
  output: { message: { role: "assistant", content } },
  stopReason: "end_turn",
  usage,
  metrics: { latencyMs: 321 },
});

/** Writes frames in small odd-sized pieces so frame boundaries never line up with chunks. */
async function sendEventStream(res: ServerResponse, frames: Buffer[], chunk = 7): Promise<void> {
  res.writeHead(200, { "content-type": "application/vnd.amazon.eventstream", "x-amzn-requestid": "req-1" });
  const all = Buffer.concat(frames);
  for (let i = 0; i < all.length; i += chunk) {
    res.write(all.subarray(i, i + chunk));
    if (i % (chunk * 40) === 0) await new Promise((r) => setTimeout(r, 1));
  }
  res.end();
}

const messages = [
  { role: "system" as const, content: "You are Finance." },
  { role: "user" as const, content: "Report costs." },
];

describe("BedrockProvider (Converse API, SigV4, event-stream)", () => {
  it("signs a converse request the server can verify and reads usage", async () => {
    const s = await bedrock((_req, res) => sendJson(res, 200, converse([{ text: "Costs: $0.01" }])));
    const r = await provider(s.url).complete({ model: "amazon.nova-micro-v1:0", messages, maxTokens: 500, temperature: 0.1 });
    expect(r).toEqual({
      provider: "bedrock",
      model: "amazon.nova-micro-v1:0",
      text: "Costs: $0.01",
      inputTokens: 120,
      outputTokens: 33,
      toolCalls: [],
      stopReason: "end",
      rawStopReason: "end_turn",
    });
    const req = s.requests[0]!;
    expect(req.method).toBe("POST");
    expect(req.url).toBe("/model/amazon.nova-micro-v1%3A0/converse");
    expect(req.headers["content-type"]).toBe("application/json");
    const body = req.json();
    expect(body).toEqual({
      messages: [{ role: "user", content: [{ text: "Report costs." }] }],
      system: [{ text: "You are Finance." }],
      inferenceConfig: { maxTokens: 500, temperature: 0.1 },
    });
  });

  it("is rejected by the server when signed with the wrong secret", async () => {
    const s = await bedrock((_req, res) => sendJson(res, 200, converse([{ text: "never" }])));
    const e = (await provider(s.url, "not-the-secret-at-all-0000000000000000000")
      .complete({ model: "amazon.nova-lite-v1:0", messages })
      .catch((x: unknown) => x)) as AppError;
    expect(e).toBeInstanceOf(AppError);
    expect(e.code).toBe("upstream_failed");
    expect(e.details).toMatchObject({ provider: "bedrock", status: 403, retryable: false });
    expect(e.message).toContain("signature mismatch");
    expect(e.message).not.toContain("not-the-secret");
  });

  it("gets JSON through a forced toolUse with the schema as inputSchema.json", async () => {
    const s = await bedrock((_req, res) =>
      sendJson(res, 200, converse([{ toolUse: { toolUseId: "t1", name: "finance_report", input: { totalUsd: 0.5 } } }])),
    );
    const schema = { type: "object", properties: { totalUsd: { type: "number" } }, required: ["totalUsd"] };
    const r = await provider(s.url).complete({ model: "amazon.nova-micro-v1:0", messages, jsonSchema: { name: "finance report", schema } });
    expect(JSON.parse(r.text)).toEqual({ totalUsd: 0.5 });
    const body = s.requests[0]!.json();
    expect(body.toolConfig).toEqual({
      tools: [{ toolSpec: { name: "finance_report", description: expect.any(String), inputSchema: { json: schema } } }],
      toolChoice: { tool: { name: "finance_report" } },
    });
  });

  it("decodes converse-stream binary frames split across chunks", async () => {
    const s = await bedrock((_req, res) =>
      sendEventStream(res, [
        bedrockEvent("messageStart", { role: "assistant" }),
        bedrockEvent("contentBlockDelta", { contentBlockIndex: 0, delta: { text: "Tot" } }),
        bedrockEvent("contentBlockDelta", { contentBlockIndex: 0, delta: { text: "al: ünïcode ✓" } }),
        bedrockEvent("contentBlockStop", { contentBlockIndex: 0 }),
        bedrockEvent("messageStop", { stopReason: "end_turn" }),
        bedrockEvent("metadata", { usage: { inputTokens: 80, outputTokens: 6, totalTokens: 86 }, metrics: { latencyMs: 100 } }),
      ]),
    );
    const tokens: string[] = [];
    const r = await provider(s.url).complete({ model: "amazon.nova-lite-v1:0", messages, onToken: (t) => tokens.push(t) });
    expect(s.requests[0]!.url).toBe("/model/amazon.nova-lite-v1%3A0/converse-stream");
    expect(tokens).toEqual(["Tot", "al: ünïcode ✓"]);
    expect(r.text).toBe("Total: ünïcode ✓");
    expect([r.inputTokens, r.outputTokens]).toEqual([80, 6]);
  });

  it("streams toolUse input deltas in JSON mode", async () => {
    const s = await bedrock((_req, res) =>
      sendEventStream(res, [
        bedrockEvent("messageStart", { role: "assistant" }),
        bedrockEvent("contentBlockStart", { contentBlockIndex: 0, start: { toolUse: { toolUseId: "t", name: "out" } } }),
        bedrockEvent("contentBlockDelta", { contentBlockIndex: 0, delta: { toolUse: { input: '{"ok":' } } }),
        bedrockEvent("contentBlockDelta", { contentBlockIndex: 0, delta: { toolUse: { input: "true}" } } }),
        bedrockEvent("contentBlockStop", { contentBlockIndex: 0 }),
        bedrockEvent("messageStop", { stopReason: "tool_use" }),
        bedrockEvent("metadata", { usage: { inputTokens: 3, outputTokens: 4, totalTokens: 7 }, metrics: { latencyMs: 1 } }),
      ]),
    );
    const r = await provider(s.url).complete({
      model: "amazon.nova-pro-v1:0",
      messages,
      jsonSchema: { name: "out", schema: { type: "object" } },
      onToken: () => undefined,
    });
    expect(JSON.parse(r.text)).toEqual({ ok: true });
  });

  it("fails on a frame with a corrupted checksum", async () => {
    const good = bedrockEvent("contentBlockDelta", { contentBlockIndex: 0, delta: { text: "x" } });
    const bad = Buffer.from(good);
    bad[bad.length - 10] = (bad[bad.length - 10] ?? 0) ^ 0xff;
    const s = await bedrock((_req, res) => sendEventStream(res, [bedrockEvent("messageStart", { role: "assistant" }), bad]));
    const e = (await provider(s.url)
      .complete({ model: "amazon.nova-lite-v1:0", messages, onToken: () => undefined })
      .catch((x: unknown) => x)) as AppError;
    expect(e.code).toBe("upstream_failed");
    expect(e.message).toContain("checksum");
  });

  it("maps an in-stream throttlingException to rate_limited", async () => {
    const s = await bedrock((_req, res) =>
      sendEventStream(res, [
        bedrockEvent("messageStart", { role: "assistant" }),
        bedrockException("throttlingException", "Too many tokens"),
      ]),
    );
    const e = (await provider(s.url)
      .complete({ model: "amazon.nova-lite-v1:0", messages, onToken: () => undefined })
      .catch((x: unknown) => x)) as AppError;
    expect(e.code).toBe("rate_limited");
    expect(e.message).toContain("Too many tokens");
  });

  it("maps a 400 ValidationException without retrying", async () => {
    const s = await bedrock((_req, res) =>
      sendJson(res, 400, { message: "Malformed input request" }, { "x-amzn-errortype": "ValidationException" }),
    );
    const p = new ResilientProvider(provider(s.url), { sleep: fakeSleep().sleep });
    const e = (await p.complete({ model: "amazon.nova-lite-v1:0", messages }).catch((x: unknown) => x)) as AppError;
    expect(e.code).toBe("upstream_failed");
    expect(e.details).toMatchObject({ status: 400, retryable: false });
    expect(e.message).toContain("Malformed input request");
    expect(s.requests).toHaveLength(1);
  });

  it("waits retry-after on a 429 ThrottlingException, re-signs, and succeeds", async () => {
    const s = await bedrock((_req, res, i) =>
      i === 0
        ? sendJson(res, 429, { message: "Too many requests" }, { "x-amzn-errortype": "ThrottlingException", "retry-after": "1" })
        : sendJson(res, 200, converse([{ text: "ok" }])),
    );
    const fs = fakeSleep();
    const p = new ResilientProvider(provider(s.url), { sleep: fs.sleep });
    expect((await p.complete({ model: "amazon.nova-lite-v1:0", messages })).text).toBe("ok");
    expect(fs.delays).toEqual([1000]);
    expect(s.requests).toHaveLength(2);
  });

  it("retries a 500 and a 503, then succeeds", async () => {
    const s = await bedrock((_req, res, i) =>
      i === 0
        ? sendJson(res, 500, { message: "InternalServerException" })
        : i === 1
          ? sendJson(res, 503, { message: "ServiceUnavailable" })
          : sendJson(res, 200, converse([{ text: "ok" }])),
    );
    const fs = fakeSleep();
    const p = new ResilientProvider(provider(s.url), { sleep: fs.sleep, random: () => 0.5, retry: { baseDelayMs: 200 } });
    expect((await p.complete({ model: "amazon.nova-lite-v1:0", messages })).text).toBe("ok");
    expect(fs.delays).toEqual([150, 300]);
  });

  it("times out", async () => {
    const s = await bedrock(() => undefined);
    const p = new ResilientProvider(provider(s.url), { timeoutMs: 120, retry: { maxAttempts: 1 } });
    const e = (await p.complete({ model: "amazon.nova-lite-v1:0", messages }).catch((x: unknown) => x)) as AppError;
    expect(e.code).toBe("timeout");
  });

  it("defaults to the regional bedrock-runtime endpoint", async () => {
    let url = "";
    const p = new BedrockProvider({
      accessKeyId: AKID,
      secretAccessKey: SECRET,
      region: "us-west-2",
      fetch: async (input) => {
        url = new Request(input).url;
        return new Response(JSON.stringify(converse([{ text: "x" }])), { status: 200 });
      },
    });
    await p.complete({ model: "us.amazon.nova-pro-v1:0", messages });
    expect(url).toBe("https://bedrock-runtime.us-west-2.amazonaws.com/model/us.amazon.nova-pro-v1%3A0/converse");
  });
});
