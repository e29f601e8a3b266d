/**
 * The bus adapter contract: ONE suite, run against every pull transport (kafka-rest and
 * upstash, both against the dev broker). Queues is push-only; its share of the contract
 * (round trip, redelivery, dead-letter) is in queues.contract.test.ts.
 */
import { env } from "cloudflare:workers";
import { expect, it } from "vitest";
import { TOPICS } from "../../../../contracts/task";
import type { TestEnv } from "../../../broker/test/worker";
import { harness } from "../../../broker/test/harness";
import type { BusConsumer, BusRecord, ConsumerConfig, ConsumerSource, TaskBus } from "../types";

export interface PullHarness {
  bus: TaskBus;
  source: ConsumerSource;
  /** How a member "dies" without committing: session expiry when the transport supports it, else leaving. */
  die: "session-expiry" | "close";
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const uid = (): string => crypto.randomUUID().slice(0, 8);

export async function pollUntil(c: BusConsumer, count: number, deadlineMs = 8_000): Promise<BusRecord[]> {
  const out: BusRecord[] = [];
  const end = Date.now() + deadlineMs;
  while (out.length < count && Date.now() < end) out.push(...(await c.poll(100, 200)));
  return out;
}

export function pullContract(h: PullHarness): void {
  const cfg = (group: string, topic: string, extra: Partial<ConsumerConfig> = {}): ConsumerConfig => ({
    group,
    topics: [topic],
    autoOffsetReset: "earliest",
    ...extra,
  });

  it("round-trips key, value and headers (traceparent, idempotency-key)", async () => {
    const topic = `rt-${uid()}`;
    const tp = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    await h.bus.produce(topic, [
      { key: "p1", value: { hello: "world", n: 1 }, headers: { traceparent: tp, "idempotency-key": "t1#1" } },
      { key: "p1", value: "a plain string" },
      { key: "p2", value: 42, headers: { "idempotency-key": "t2#1" } },
    ]);
    const c = await h.source.create(cfg(`g-${uid()}`, topic));
    const got = await pollUntil(c, 3);
    await c.close();
    const byIdem = (k: string): BusRecord | undefined => got.find((r) => r.headers["idempotency-key"] === k);
    expect(got).toHaveLength(3);
    expect(byIdem("t1#1")).toMatchObject({ topic, key: "p1", value: { hello: "world", n: 1 }, headers: { traceparent: tp } });
    expect(got.find((r) => r.value === "a plain string")).toMatchObject({ key: "p1", headers: {} });
    expect(byIdem("t2#1")).toMatchObject({ key: "p2", value: 42 });
  });

  it("keeps order per key and puts one key on one partition", async () => {
    const topic = `ord-${uid()}`;
    const keys = ["a", "b", "c", "d", "e"];
    for (let batch = 0; batch < 4; batch++) {
      await h.bus.produce(topic, keys.map((k) => ({ key: k, value: { k, seq: batch } })));
    }
    const c = await h.source.create(cfg(`g-${uid()}`, topic));
    const got = await pollUntil(c, 20);
    await c.close();
    expect(got).toHaveLength(20);
    for (const k of keys) {
      const mine = got.filter((r) => r.key === k);
      expect(new Set(mine.map((r) => r.partition)).size).toBe(1);
      expect(mine.map((r) => (r.value as { seq: number }).seq)).toEqual([0, 1, 2, 3]);
    }
  });

  it("does not redeliver committed records to the next member", async () => {
    const topic = `cm-${uid()}`;
    const group = `g-${uid()}`;
    await h.bus.produce(topic, [1, 2, 3].map((n) => ({ key: `k${n}`, value: n })));
    const a = await h.source.create(cfg(group, topic));
    const first = await pollUntil(a, 3);
    expect(first).toHaveLength(3);
    await a.commit(first);
    await a.close();
    const b = await h.source.create(cfg(group, topic));
    expect(await b.poll(100, 300)).toEqual([]);
    await h.bus.produce(topic, [{ key: "k4", value: 4 }]);
    const next = await pollUntil(b, 1);
    await b.close();
    expect(next.map((r) => r.value)).toEqual([4]);
  });

  it("redelivers uncommitted records to a new member after the first dies", async () => {
    const topic = `rd-${uid()}`;
    const group = `g-${uid()}`;
    await h.bus.produce(topic, [1, 2, 3, 4].map((n) => ({ key: `k${n}`, value: n })));
    const a = await h.source.create(cfg(group, topic, { sessionTimeoutMs: 600 }));
    const first = await pollUntil(a, 4);
    expect(first).toHaveLength(4);
    await a.commit(first.filter((r) => r.value === 1));
    if (h.die === "close") await a.close();
    else await sleep(900); // no poll for longer than the session timeout
    const b = await h.source.create(cfg(group, topic));
    const again = await pollUntil(b, 3);
    await b.close();
    expect(again.map((r) => r.value).sort()).toEqual([2, 3, 4]);
  });

  it("splits partitions between two members and rebalances when one leaves", async () => {
    const topic = `sp-${uid()}`;
    const group = `g-${uid()}`;
    const a = await h.source.create(cfg(group, topic));
    const b = await h.source.create(cfg(group, topic));
    // Join both before anything is produced, so neither owns all partitions first.
    await a.poll(10, 0);
    await b.poll(10, 0);
    const keys = Array.from({ length: 40 }, (_, i) => `key-${i}`);
    await h.bus.produce(topic, keys.map((k) => ({ key: k, value: k })));
    const got: { a: BusRecord[]; b: BusRecord[] } = { a: [], b: [] };
    const end = Date.now() + 8_000;
    while (got.a.length + got.b.length < 40 && Date.now() < end) {
      const [ra, rb] = await Promise.all([a.poll(100, 200), b.poll(100, 200)]);
      got.a.push(...ra);
      got.b.push(...rb);
    }
    expect(got.a.length + got.b.length).toBe(40);
    const pa = new Set(got.a.map((r) => r.partition));
    const pb = new Set(got.b.map((r) => r.partition));
    expect(pa.size).toBeGreaterThan(0);
    expect(pb.size).toBeGreaterThan(0);
    expect([...pa].filter((p) => pb.has(p))).toEqual([]);
    await a.commit(got.a);
    await b.commit(got.b);
    await b.close();

    await h.bus.produce(topic, keys.map((k) => ({ key: k, value: `${k}-2` })));
    const after = await pollUntil(a, 40);
    await a.close();
    expect(after).toHaveLength(40);
    expect(new Set(after.map((r) => r.partition))).toEqual(new Set([...pa, ...pb]));
  });

  it("long-poll returns early when a record arrives", async () => {
    const topic = `lp-${uid()}`;
    const c = await h.source.create(cfg(`g-${uid()}`, topic));
    expect(await c.poll(10, 0)).toEqual([]);
    const started = Date.now();
    const pending = c.poll(10, 8_000);
    await sleep(300);
    await h.bus.produce(topic, [{ key: "x", value: "arrived" }]);
    const got = await pending;
    const elapsed = Date.now() - started;
    await c.close();
    expect(got.map((r) => r.value)).toEqual(["arrived"]);
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(4_000);
  });

  it("ConsumerLoop: handles in order, dead-letters a poison record after N attempts, commits it", async () => {
    const topic = `dl-${uid()}`;
    const group = `loop-${uid()}`;
    const seen: unknown[] = [];
    harness.loops.set(group, (storage) => ({
      storage,
      source: h.source,
      bus: h.bus,
      config: cfg(group, topic),
      maxAttempts: 3,
      pollTimeoutMs: 200,
      handler: async (r) => {
        if ((r.value as { poison?: boolean }).poison) throw new Error(`cannot digest ${r.key} (attempt ${r.attempt})`);
        seen.push(r.value);
      },
    }));
    await h.bus.produce(topic, [
      { key: "same", value: { n: 1 } },
      { key: "same", value: { n: 2, poison: true }, headers: { "idempotency-key": "bad#1" } },
      { key: "same", value: { n: 3 } },
    ]);
    // The real path: the DO's alarm drives the loop; the test only watches.
    const stub = (env as TestEnv).LOOP.getByName(group);
    await stub.start(group);
    const n = (v: unknown): number => (v as { n: number }).n;
    const until = Date.now() + 10_000;
    while (!seen.some((v) => n(v) === 3) && Date.now() < until) await sleep(50);
    await sleep(500); // room for any wrong redelivery to show up
    await stub.stop(group);
    harness.loops.delete(group);
    const ticks = harness.ticks.filter((t) => t.name === group);
    expect(ticks.reduce((a, t) => a + t.deadLettered, 0)).toBe(1);
    expect(ticks.reduce((a, t) => a + t.failed, 0)).toBe(3);
    // Record 3 waits behind the poison record on its partition, and is handled exactly once after it.
    expect(seen.map(n).filter((x) => x !== 1)).toEqual([3]);
    expect(seen.map(n)).toContain(1);

    const dlq = await h.source.create({ group: `dlq-${uid()}`, topics: [TOPICS.deadLetter], autoOffsetReset: "earliest" });
    const end = Date.now() + 8_000;
    let mine: BusRecord | undefined;
    while (!mine && Date.now() < end) mine = (await dlq.poll(500, 200)).find((r) => (r.value as { source?: { topic?: string } }).source?.topic === topic);
    await dlq.close();
    expect(mine?.headers["idempotency-key"]).toBe("bad#1");
    expect(mine?.value).toMatchObject({ group, attempts: 3, value: { n: 2, poison: true }, error: "cannot digest same (attempt 3)" });

  });
}
