import { env } from "cloudflare:workers";
import { getTableConfig } from "drizzle-orm/sqlite-core";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { D1ProjectMemory } from "./d1-store";
import { memoryFromEnv } from "./from-env";
import { HashEmbedder } from "./hash-embedder";
import { memoryVectors } from "./schema";
import { clearMemoryTable, createMemoryTable } from "./testing/d1";
import type { Embedder, MemoryItem } from "./types";
import { decodeVector } from "./vector";

const db = (env as unknown as { DB: D1Database }).DB;
const embedder = new HashEmbedder();
const item = (id: string, text: string, kind: MemoryItem["kind"] = "summary", taskId = "t1"): MemoryItem => ({ id, text, kind, taskId });
const memory = (projectId: string, over: Partial<ConstructorParameters<typeof D1ProjectMemory>[0]> = {}) =>
  new D1ProjectMemory({ db, projectId, embedder, ...over });

beforeAll(async () => {
  await createMemoryTable(db);
});
beforeEach(async () => {
  await clearMemoryTable(db);
});

const MEMORIES = [
  item("ceo:summary", "Product: a booking calendar for dog groomers with SMS reminders"),
  item("cto:decisions", "Stack: Cloudflare Workers; database D1 with tables for bookings and customers", "decision"),
  item("finance:summary", "Finance: the project spent two cents on language models"),
  item("engineer_be:artifact:src/index.ts", "File src/index.ts: Hono routes for bookings", "artifact"),
];

describe("D1ProjectMemory (workerd, real D1)", () => {
  it("stores float32 blobs and recalls by cosine, best first", async () => {
    await memory("p1").remember(MEMORIES);
    const row = await db
      .prepare("SELECT vector, embedder FROM memory_vectors WHERE project_id = 'p1' AND id = 'cto:decisions'")
      .first<{ vector: ArrayBuffer; embedder: string }>();
    expect(row!.embedder).toBe("offline-hash-v1-256");
    const stored = decodeVector(new Uint8Array(row!.vector));
    expect(Array.from(stored)).toEqual(Array.from(embedder.embedOne(MEMORIES[1]!.text)));

    const hits = await memory("p1").recall("database tables for bookings and customers", 3);
    expect(hits[0]).toMatchObject({ id: "cto:decisions", kind: "decision", text: MEMORIES[1]!.text });
    expect(hits.map((h) => h.id)).not.toContain("finance:summary"); // shares no word with the query
    for (let i = 1; i < hits.length; i++) expect(hits[i - 1]!.score).toBeGreaterThanOrEqual(hits[i]!.score);
    expect(hits[0]!.score).toBeGreaterThan(0.35);
    // Texts sharing no word meet only through hash-bucket collisions, which score low.
    const noise = await memory("p1").recall("zebra quantum violin", 3);
    expect(Math.max(0, ...noise.map((h) => h.score))).toBeLessThan(0.25);
    expect(await memory("p1").recall("bookings", 0)).toEqual([]);
  });

  it("keeps projects apart: one never sees another's memories, even with equal ids", async () => {
    await memory("p1").remember([item("cto:summary", "project one: bookings database on D1")]);
    await memory("p2").remember([item("cto:summary", "project two: bookings database on Postgres")]);
    expect((await memory("p1").recall("bookings database", 10)).map((h) => h.text)).toEqual(["project one: bookings database on D1"]);
    expect((await memory("p2").recall("bookings database", 10)).map((h) => h.text)).toEqual(["project two: bookings database on Postgres"]);
    expect(await memory("p3").recall("bookings database", 10)).toEqual([]);
  });

  it("reads in pages and finds the same top k as one big read", async () => {
    const many = Array.from({ length: 40 }, (_, i) =>
      item(`m${String(i).padStart(2, "0")}`, `memory ${i} about ${i % 5 === 0 ? "booking reminders by SMS" : `topic${i}`}`),
    );
    await memory("p1").remember(many);
    const reads: string[] = [];
    const spy = new Proxy(db, {
      get(target, prop) {
        const v = Reflect.get(target, prop) as unknown;
        if (prop === "prepare") return (sql: string) => (reads.push(sql), target.prepare(sql));
        return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
    const paged = await memory("p1", { db: spy, pageSize: 7 }).recall("booking reminders SMS", 5);
    const whole = await memory("p1", { pageSize: 1000 }).recall("booking reminders SMS", 5);
    expect(paged).toEqual(whole);
    expect(paged.map((h) => h.id).sort()).toEqual(["m00", "m05", "m10", "m15", "m20"]);
    // 40 rows in pages of 7 = 6 page reads (the last one short), then one read of the winners' texts
    expect(reads.filter((s) => s.includes("id > ?3"))).toHaveLength(6);
    expect(reads.filter((s) => s.includes("SELECT id, text"))).toHaveLength(1);
  });

  it("replaces a memory re-remembered under the same id", async () => {
    await memory("p1").remember([item("cto:summary", "first draft of the architecture")]);
    await memory("p1").remember([item("cto:summary", "final architecture with queues", "summary", "t2")]);
    const n = await db.prepare("SELECT count(*) AS n FROM memory_vectors WHERE project_id = 'p1'").first<{ n: number }>();
    expect(n!.n).toBe(1);
    expect(await memory("p1").recall("architecture", 5)).toMatchObject([{ id: "cto:summary", text: "final architecture with queues" }]);
  });

  it("evicts a project's oldest memories beyond the cap, leaving other projects alone", async () => {
    let t = 1000;
    const m = memory("p1", { maxVectors: 3, now: () => t++ });
    await memory("p2").remember([item("other", "other project's note about reminders")]);
    for (let i = 0; i < 5; i++) await m.remember([item(`n${i}`, `note ${i} about reminders`)]);
    const ids = await db.prepare("SELECT id FROM memory_vectors WHERE project_id = 'p1' ORDER BY id").all<{ id: string }>();
    expect(ids.results.map((r) => r.id)).toEqual(["n2", "n3", "n4"]);
    expect(await memory("p2").recall("reminders", 5)).toHaveLength(1);
  });

  it("stores many rows per call (more than one INSERT's worth of parameters)", async () => {
    const rows = Array.from({ length: 30 }, (_, i) => item(`r${i}`, `row ${i} about invoices`));
    await memory("p1").remember(rows);
    expect((await memory("p1").recall("invoices", 50)).length).toBe(30);
  });

  it("compares only vectors of the current embedder", async () => {
    const other: Embedder = { id: "other-model", embed: async (ts) => ts.map(() => Float32Array.from({ length: 256 }, () => 1)) };
    await memory("p1", { embedder: other }).remember([item("legacy", "bookings from an older embedder")]);
    await memory("p1").remember([item("current", "bookings from the current embedder")]);
    expect((await memory("p1").recall("bookings", 5)).map((h) => h.id)).toEqual(["current"]);
  });

  it("rejects malformed items before touching the database", async () => {
    await expect(memory("p1").remember([{ id: "", text: "x", kind: "summary", taskId: "t" }])).rejects.toThrow();
    await expect(memory("p1").remember([{ id: "a", text: "x", kind: "gossip" as MemoryItem["kind"], taskId: "t" }])).rejects.toThrow();
  });

  it("is the default backend when a DB binding exists", () => {
    expect(memoryFromEnv({}, "p1", db)).toBeInstanceOf(D1ProjectMemory);
    expect(memoryFromEnv({ MEMORY_BACKEND: "D1 " }, "p1", db)).toBeInstanceOf(D1ProjectMemory);
    expect(memoryFromEnv({ MEMORY_BACKEND: "none" }, "p1", db)).toBeNull();
  });
});

describe("memory_vectors schema", () => {
  it("the drizzle table and the test SQL describe the same columns, key and indexes", async () => {
    const cfg = getTableConfig(memoryVectors);
    const cols = await db
      .prepare("SELECT name, type, \"notnull\" AS nn FROM pragma_table_info('memory_vectors')")
      .all<{ name: string; type: string; nn: number }>();
    expect(cols.results.map((c) => [c.name, c.type.toLowerCase(), c.nn === 1]).sort()).toEqual(
      cfg.columns.map((c) => [c.name, c.getSQLType(), c.notNull]).sort(),
    );
    const pk = await db.prepare("SELECT name FROM pragma_table_info('memory_vectors') WHERE pk > 0 ORDER BY pk").all<{ name: string }>();
    expect(pk.results.map((r) => r.name)).toEqual(cfg.primaryKeys[0]!.columns.map((c) => c.name));
    const idx = await db
      .prepare("SELECT name FROM pragma_index_list('memory_vectors') WHERE origin = 'c' ORDER BY name")
      .all<{ name: string }>();
    expect(idx.results.map((r) => r.name)).toEqual(cfg.indexes.map((i) => i.config.name).sort());
  });
});
