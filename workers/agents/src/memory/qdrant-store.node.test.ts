import { QdrantClient } from "@qdrant/js-client-rest";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { AppError } from "@proximus/contracts";
import { memoryFromEnv } from "./from-env";
import { HashEmbedder } from "./hash-embedder";
import { QdrantProjectMemory, pointId } from "./qdrant-store";
import { FakeQdrant } from "./testing/fake-qdrant";
import type { MemoryItem } from "./types";

const qdrant = new FakeQdrant();
const embedder = new HashEmbedder();
let collectionSeq = 0;
let collection = "";

beforeAll(async () => {
  await qdrant.start();
});
afterAll(async () => {
  await qdrant.stop();
});
beforeEach(() => {
  qdrant.requests.length = 0;
  qdrant.apiKey = undefined;
  // A fresh collection per test: the adapter remembers per isolate which collections it has checked.
  collection = `memory_test_${++collectionSeq}`;
});

const client = () => new QdrantClient({ url: qdrant.url, checkCompatibility: false });
const memory = (projectId: string, c = client()) => new QdrantProjectMemory({ client: c, collection, projectId, embedder });
const item = (id: string, text: string, kind: MemoryItem["kind"] = "summary"): MemoryItem => ({ id, text, kind, taskId: "cto" });

describe("QdrantProjectMemory against a server speaking Qdrant's REST API", () => {
  it("creates the collection on demand with the embedder's size and Cosine, plus a tenant index on projectId", async () => {
    await memory("p1").remember([item("cto:summary", "Architecture: Workers and D1")]);
    const calls = qdrant.requests.map((r) => `${r.method} ${r.path}`);
    expect(calls).toEqual([
      `GET /collections/${collection}`,
      `PUT /collections/${collection}`,
      `PUT /collections/${collection}/index`,
      `PUT /collections/${collection}/points`,
    ]);
    expect(qdrant.requests[1]!.body).toEqual({ vectors: { size: 256, distance: "Cosine" } });
    expect(qdrant.requests[2]!.body).toEqual({ field_name: "projectId", field_schema: { type: "keyword", is_tenant: true } });
    const upsert = qdrant.requests[3]!;
    expect(upsert.query).toMatchObject({ wait: "true" });
    expect(upsert.body).toEqual({
      points: [
        {
          id: await pointId("p1", "cto:summary"),
          vector: expect.any(Array),
          payload: {
            projectId: "p1",
            memoryId: "cto:summary",
            kind: "summary",
            taskId: "cto",
            text: "Architecture: Workers and D1",
            embedder: "offline-hash-v1-256",
          },
        },
      ],
    });
    expect((upsert.body as { points: { vector: number[] }[] }).points[0]!.vector).toHaveLength(256);
  });

  it("checks the collection once per isolate, then goes straight to the points", async () => {
    const m = memory("p1");
    await m.remember([item("a", "first memory")]);
    qdrant.requests.length = 0;
    await m.remember([item("b", "second memory")]);
    await m.recall("memory", 3);
    expect(qdrant.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      `PUT /collections/${collection}/points`,
      `POST /collections/${collection}/points/query`,
    ]);
  });

  it("uses an existing collection of the right size without recreating it", async () => {
    qdrant.collections.set(collection, { size: 256, distance: "Cosine", points: new Map(), payloadSchema: {} });
    await memory("p1").remember([item("a", "x y z")]);
    expect(qdrant.requests.map((r) => r.method)).toEqual(["GET", "PUT"]);
    expect(qdrant.requests[1]!.path).toBe(`/collections/${collection}/points`);
  });

  it("refuses a collection whose vectors have another size", async () => {
    qdrant.collections.set(collection, { size: 1536, distance: "Cosine", points: new Map(), payloadSchema: {} });
    const err = await memory("p1")
      .remember([item("a", "x")])
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).message).toMatch(/1536.*256.*QDRANT_COLLECTION/);
  });

  it("recalls by cosine similarity, best first, with a projectId filter on the query", async () => {
    const m = memory("p1");
    await m.remember([
      item("ceo:summary", "Product: a booking calendar for dog groomers with reminders"),
      item("cto:decisions", "Stack: runtime = Cloudflare Workers; database = D1 with tables for bookings and customers", "decision"),
      item("finance:summary", "Finance: the project spent two cents on language models"),
    ]);
    qdrant.requests.length = 0;
    const hits = await m.recall("which database tables store bookings and customers", 2);
    expect(hits.map((h) => h.id)).toEqual(["cto:decisions", "ceo:summary"]);
    expect(hits[0]).toMatchObject({ kind: "decision", text: expect.stringContaining("D1") });
    expect(hits[0]!.score).toBeGreaterThan(hits[1]!.score);
    const q = qdrant.requests[0]!;
    expect(q.body).toMatchObject({
      query: expect.any(Array),
      limit: 2,
      with_payload: true,
      filter: {
        must: [
          { key: "projectId", match: { value: "p1" } },
          { key: "embedder", match: { value: "offline-hash-v1-256" } },
        ],
      },
    });
  });

  it("keeps projects apart: one never sees another's memories, even with equal memory ids", async () => {
    await memory("p1").remember([item("cto:summary", "secret plan for project one: bookings database")]);
    await memory("p2").remember([item("cto:summary", "project two builds a bookings database too")]);
    const p1 = await memory("p1").recall("bookings database", 10);
    const p2 = await memory("p2").recall("bookings database", 10);
    expect(p1.map((h) => h.text)).toEqual(["secret plan for project one: bookings database"]);
    expect(p2.map((h) => h.text)).toEqual(["project two builds a bookings database too"]);
    expect(await memory("p3").recall("bookings database", 10)).toEqual([]);
    expect(qdrant.collections.get(collection)!.points.size).toBe(2);
  });

  it("replaces a memory re-remembered under the same id (retries are idempotent)", async () => {
    const m = memory("p1");
    await m.remember([item("cto:summary", "first draft of the architecture")]);
    await m.remember([item("cto:summary", "final architecture with queues")]);
    expect(qdrant.collections.get(collection)!.points.size).toBe(1);
    expect((await m.recall("architecture", 5)).map((h) => h.text)).toEqual(["final architecture with queues"]);
  });

  it("sends the api-key header and reports server errors as upstream failures", async () => {
    qdrant.apiKey = "qk-123";
    const keyed = new QdrantClient({ url: qdrant.url, apiKey: "qk-123", checkCompatibility: false });
    await memory("p1", keyed).remember([item("a", "keyed memory")]);
    expect(qdrant.requests.every((r) => r.headers["api-key"] === "qk-123")).toBe(true);
    const err = await memory("p1", client())
      .recall("keyed", 1)
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "upstream_failed", message: expect.stringMatching(/qdrant query failed: HTTP 401/) });
  });

  it("is built from env: MEMORY_BACKEND=qdrant with QDRANT_URL and QDRANT_COLLECTION", async () => {
    const m = memoryFromEnv({ MEMORY_BACKEND: "qdrant", QDRANT_URL: qdrant.url, QDRANT_COLLECTION: collection }, "p9", undefined);
    expect(m).toBeInstanceOf(QdrantProjectMemory);
    await m!.remember([item("x", "configured from the environment")]);
    expect(await m!.recall("environment", 1)).toMatchObject([{ id: "x" }]);
    expect(() => memoryFromEnv({ MEMORY_BACKEND: "qdrant" }, "p9", undefined)).toThrow(/needs QDRANT_URL/);
    expect(memoryFromEnv({ MEMORY_BACKEND: "none" }, "p9", undefined)).toBeNull();
    expect(memoryFromEnv({}, "p9", undefined)).toBeNull(); // d1 default, but no DB binding
    expect(() => memoryFromEnv({ MEMORY_BACKEND: "postgres" }, "p9", undefined)).toThrow(/MEMORY_BACKEND/);
  });
});

describe("pointId", () => {
  it("is a stable UUID per (project, memory id)", async () => {
    const a = await pointId("p1", "cto:summary");
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(await pointId("p1", "cto:summary")).toBe(a);
    expect(await pointId("p2", "cto:summary")).not.toBe(a);
  });
});
