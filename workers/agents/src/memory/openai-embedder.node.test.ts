import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { AppError } from "@proximus/contracts";
import { HashEmbedder } from "./hash-embedder";
import { OpenAiEmbedder } from "./openai-embedder";
import { embedderFromEnv, MemoryEnv } from "./from-env";

/**
 * A local server speaking OpenAI's `POST /v1/embeddings`. Its vectors come from the hash embedder,
 * so they are real, comparable vectors; replies list them in reverse order, as the API allows.
 */
interface Seen {
  path: string;
  auth: string | undefined;
  body: { model: string; input: string[]; encoding_format?: string };
}
const seen: Seen[] = [];
let mode: "ok" | "unauthorized" | "short" = "ok";
let server: Server;
let baseUrl = "";
const hash = new HashEmbedder(16);

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString("utf8")) as unknown;
}

beforeAll(async () => {
  server = createServer((req, res) => {
    void readJson(req).then((raw) => {
      const body = raw as Seen["body"];
      seen.push({ path: req.url ?? "", auth: req.headers.authorization, body });
      res.setHeader("content-type", "application/json");
      if (mode === "unauthorized") {
        res.statusCode = 401;
        res.end(
          JSON.stringify({
            error: { message: "Incorrect API key provided: sk-tes****", type: "invalid_request_error", code: "invalid_api_key" },
          }),
        );
        return;
      }
      const inputs = mode === "short" ? body.input.slice(1) : body.input;
      const data = inputs.map((t, index) => ({ object: "embedding", index, embedding: Array.from(hash.embedOne(t)) })).reverse();
      res.end(JSON.stringify({ object: "list", data, model: body.model, usage: { prompt_tokens: 3, total_tokens: 3 } }));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});
beforeEach(() => {
  seen.length = 0;
  mode = "ok";
});

describe("OpenAiEmbedder against a local /v1/embeddings server", () => {
  it("posts the model and inputs as floats with the bearer key, and pairs vectors by index", async () => {
    const e = new OpenAiEmbedder({ apiKey: "sk-test", baseUrl, model: "nomic-embed-text" });
    expect(e.id).toBe("openai:nomic-embed-text");
    const texts = ["booking calendar", "stripe payments", "booking calendar for groomers"];
    const vs = await e.embed(texts);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({
      path: "/v1/embeddings",
      auth: "Bearer sk-test",
      body: { model: "nomic-embed-text", input: texts, encoding_format: "float" },
    });
    // reversed on the wire, back in input order here
    texts.forEach((t, i) => expect(Array.from(vs[i]!)).toEqual(Array.from(hash.embedOne(t))));
  });

  it("splits large inputs into batches of 64", async () => {
    const e = new OpenAiEmbedder({ apiKey: "sk-test", baseUrl });
    const texts = Array.from({ length: 130 }, (_, i) => `memory number ${i}`);
    const vs = await e.embed(texts);
    expect(seen.map((s) => s.body.input.length)).toEqual([64, 64, 2]);
    expect(seen[0]!.body.model).toBe("text-embedding-3-small");
    expect(Array.from(vs[129]!)).toEqual(Array.from(hash.embedOne("memory number 129")));
  });

  it("maps a 401 to a non-retryable AppError without leaking the key", async () => {
    mode = "unauthorized";
    const e = new OpenAiEmbedder({ apiKey: "sk-test-secret", baseUrl });
    const err = await e.embed(["x"]).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({
      code: "upstream_failed",
      message: expect.stringContaining("HTTP 401"),
      details: { provider: "openai", status: 401, retryable: false },
    });
    expect(seen).toHaveLength(1); // a bad key is not retried
    expect(JSON.stringify({ m: (err as AppError).message, d: (err as AppError).details })).not.toContain("sk-test-secret");
  });

  it("rejects a reply missing a vector instead of pairing texts with the wrong ones", async () => {
    mode = "short";
    const e = new OpenAiEmbedder({ apiKey: "sk-test", baseUrl });
    await expect(e.embed(["a", "b"])).rejects.toThrow(/no vector for input 1/);
  });

  it("is chosen from env only when OPENAI_API_KEY is set (or forced), the offline embedder otherwise", () => {
    const env = (o: Record<string, string>) => MemoryEnv.parse(o);
    expect(embedderFromEnv(env({}))).toBeInstanceOf(HashEmbedder);
    expect(embedderFromEnv(env({ OPENAI_API_KEY: "" }))).toBeInstanceOf(HashEmbedder);
    expect(embedderFromEnv(env({ OPENAI_API_KEY: "sk", OPENAI_EMBEDDING_MODEL: "m" })).id).toBe("openai:m");
    expect(embedderFromEnv(env({ OPENAI_API_KEY: "sk", MEMORY_EMBEDDER: "offline" }))).toBeInstanceOf(HashEmbedder);
    expect(() => embedderFromEnv(env({ MEMORY_EMBEDDER: "openai" }))).toThrow(/needs OPENAI_API_KEY/);
  });
});
