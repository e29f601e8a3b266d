/**
 * The bus adapter contract: ONE suite, run against every pull transport (kafka-rest against the
 * dev broker's Confluent and Redpanda dialects and against a real Kafka behind Karapace; upstash
 * against the dev broker). Queues is push-only; its share of the contract (round trip,
 * redelivery, dead-letter) is in queues.contract.test.ts.
 */
import { env } from "cloudflare:workers";
import { expect, it } from "vitest";
import { TOPICS } from "@proximus/contracts/task";
import type { TestEnv } from "../../../broker/test/worker";
import { harness } from "../../../broker/test/harness";
import type { ConsumerLoopOptions, TickResult } from "../consumer-loop";
import type { BusConsumer, BusRecord, ConsumerConfig, ConsumerSource, TaskBus } from "../types";

export interface PullHarness {
  bus: TaskBus;
  source: ConsumerSource;
  /**
   * How a member "dies" without committing: the server expiring an idle instance (after
   * `afterMs`), or leaving. Karapace never expires idle instances.
   */
  die: { kind: "instance-expiry"; afterMs: number } | { kind: "close" };
  /**
   * Upper bound for a poll that has a record waiting, which is well under its timeout on servers
   * that answer as soon as records exist. Karapace fills a batch for up to the whole timeout.
   */
  earlyReturnMs: number;
  /** A fresh topic per test. Default: a new name (the dev broker creates topics on first use); Kafka needs them created first. */
  topic?: (prefix: string) => string;
  /** How long members keep polling after joining so the group settles (Kafka's join/sync round trips); default 0. */
  rebalanceMs?: number;
  /**
   * How long a ConsumerLoop test waits for its records; default 15 s. A real Kafka's group join
   * (instance, subscription, assignment) can take longer than that on a loaded 2-core machine.
   */
  loopDeadlineMs?: number;
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
  const newTopic = h.topic ?? ((prefix: string): string => `${prefix}-${uid()}`);
  const cfg = (group: string, topic: string, extra: Partial<ConsumerConfig> = {}): ConsumerConfig => ({
    group,
    topics: [topic],
    autoOffsetReset: "earliest",
    ...extra,
  });

  it("round-trips key, value and headers (traceparent, idempotency-key)", async () => {
    const topic = newTopic("rt");
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
    const topic = newTopic("ord");
    const keys = ["a", "b", "c", "d", "e"];
    for (let batch = 0; batch < 4; batch++) {
      await h.bus.produce(
        topic,
        keys.map((k) => ({ key: k, value: { k, seq: batch } })),
      );
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
    const topic = newTopic("cm");
    const group = `g-${uid()}`;
    await h.bus.produce(
      topic,
      [1, 2, 3].map((n) => ({ key: `k${n}`, value: n })),
    );
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
    const topic = newTopic("rd");
    const group = `g-${uid()}`;
    await h.bus.produce(
      topic,
      [1, 2, 3, 4].map((n) => ({ key: `k${n}`, value: n })),
    );
    const a = await h.source.create(cfg(group, topic));
    const first = await pollUntil(a, 4);
    expect(first).toHaveLength(4);
    await a.commit(first.filter((r) => r.value === 1));
    if (h.die.kind === "close") await a.close();
    else {
      await sleep(h.die.afterMs); // no request for longer than the instance timeout
      await expect(a.poll(10, 0)).rejects.toMatchObject({ details: { errorCode: 40403 } });
    }
    const b = await h.source.create(cfg(group, topic));
    const again = await pollUntil(b, 3);
    await b.close();
    expect(again.map((r) => r.value).sort()).toEqual([2, 3, 4]);
  });

  it("splits partitions between two members and rebalances when one leaves", async () => {
    const topic = newTopic("sp");
    const group = `g-${uid()}`;
    const a = await h.source.create(cfg(group, topic));
    const b = await h.source.create(cfg(group, topic));
    // Join both before anything is produced, so neither owns all partitions first (Kafka needs polls to rebalance).
    const settle = Date.now() + (h.rebalanceMs ?? 0);
    const wait = Math.min(500, h.rebalanceMs ?? 0);
    do await Promise.all([a.poll(10, wait), b.poll(10, wait)]);
    while (Date.now() < settle);
    const keys = Array.from({ length: 40 }, (_, i) => `key-${i}`);
    await h.bus.produce(
      topic,
      keys.map((k) => ({ key: k, value: k })),
    );
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

    await h.bus.produce(
      topic,
      keys.map((k) => ({ key: k, value: `${k}-2` })),
    );
    // At least once: Kafka's eager rebalance rewinds every partition to its committed offset, so records
    // fetched just before it and not committed come again; the dev broker keeps positions that did not move.
    const after = new Map<string, BusRecord>();
    const until = Date.now() + 10_000;
    while (after.size < 40 && Date.now() < until) for (const r of await a.poll(100, 200)) after.set(r.id, r);
    await a.close();
    expect(after.size).toBe(40);
    expect([...after.values()].every((r) => String(r.value).endsWith("-2"))).toBe(true);
    expect(new Set([...after.values()].map((r) => r.partition))).toEqual(new Set([...pa, ...pb]));
  });

  it("long-poll returns early when a record arrives", async () => {
    const topic = newTopic("lp");
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
    expect(elapsed).toBeLessThan(h.earlyReturnMs);
  });

  it("ConsumerLoop: handles in order, dead-letters a poison record after N attempts, commits it", async () => {
    const topic = newTopic("dl");
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
    while (!mine && Date.now() < end)
      mine = (await dlq.poll(500, 200)).find((r) => (r.value as { source?: { topic?: string } }).source?.topic === topic);
    await dlq.close();
    expect(mine?.headers["idempotency-key"]).toBe("bad#1");
    expect(mine?.value).toMatchObject({ group, attempts: 3, value: { n: 2, poison: true }, error: "cannot digest same (attempt 3)" });
  });

  /** Drives a ConsumerLoop from the test DO's alarm until `done()` or the deadline, then stops it; returns its ticks. */
  async function runLoop(
    group: string,
    opts: (storage: DurableObjectStorage) => ConsumerLoopOptions,
    done: () => boolean,
    deadlineMs = h.loopDeadlineMs ?? 15_000,
  ): Promise<(TickResult & { name: string })[]> {
    harness.loops.set(group, opts);
    const stub = (env as TestEnv).LOOP.getByName(group);
    await stub.start(group);
    const until = Date.now() + deadlineMs;
    while (!done() && Date.now() < until) await sleep(50);
    await sleep(400); // room for any wrong redelivery to show up
    await stub.stop(group);
    harness.loops.delete(group);
    return harness.ticks.filter((t) => t.name === group);
  }

  async function committedNothingLeft(group: string, topic: string): Promise<BusRecord[]> {
    const next = await h.source.create(cfg(group, topic));
    const left = await pollUntil(next, 1, 1_500);
    await next.close();
    return left;
  }

  it("ConsumerLoop: takes a batch of any size (max_records is only a hint), handles each record once, commits each", async () => {
    const topic = newTopic("mb");
    const group = `loop-${uid()}`;
    await h.bus.produce(
      topic,
      [1, 2, 3, 4, 5, 6].map((n) => ({ key: "one-key", value: { n } })),
    );
    const seen: number[] = [];
    const ticks = await runLoop(
      group,
      (storage) => ({
        storage,
        source: h.source,
        bus: h.bus,
        config: cfg(group, topic),
        maxRecords: 1,
        pollTimeoutMs: 200,
        handler: async (r) => void seen.push((r.value as { n: number }).n),
      }),
      () => seen.length >= 6,
    );
    expect(seen).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Math.max(...ticks.map((t) => t.polled))).toBeGreaterThan(1);
    expect(await committedNothingLeft(group, topic)).toEqual([]);
  });

  it("ConsumerLoop: bounds a tick's work by time and finishes the batch in later ticks, in order", async () => {
    const topic = newTopic("tb");
    const group = `loop-${uid()}`;
    await h.bus.produce(
      topic,
      [1, 2, 3, 4].map((n) => ({ key: "one-key", value: { n } })),
    );
    const seen: number[] = [];
    const ticks = await runLoop(
      group,
      (storage) => ({
        storage,
        source: h.source,
        bus: h.bus,
        config: cfg(group, topic),
        pollTimeoutMs: 200,
        maxBatchMs: 30,
        handler: async (r) => {
          await sleep(40);
          seen.push((r.value as { n: number }).n);
        },
      }),
      () => seen.length >= 4,
    );
    expect(seen).toEqual([1, 2, 3, 4]);
    expect(ticks.some((t) => t.deferred > 0)).toBe(true);
    expect(ticks.every((t) => t.handled <= 1)).toBe(true);
    expect(await committedNothingLeft(group, topic)).toEqual([]);
  });

  // Needs the server to expire the instance whose DELETE failed: until then it keeps its partitions (Karapace keeps
  // it until Kafka's max.poll.interval.ms, 5 min, drops it from the group).
  const itWithExpiry = it.skipIf(h.die.kind !== "instance-expiry");
  itWithExpiry("ConsumerLoop: a failed DELETE after a failing record never lets a later record be committed past it", async () => {
    const topic = newTopic("fd");
    const group = `loop-${uid()}`;
    // The source's DELETE always fails (as Redpanda's 415 did for a DELETE without Content-Type).
    const stuck: ConsumerSource = {
      create: async (c) => withFailingClose(await h.source.create(c)),
      attach: (c, id) => withFailingClose(h.source.attach(c, id)),
    };
    await h.bus.produce(
      topic,
      [1, 2, 3].map((n) => ({ key: "one-key", value: { n } })),
    );
    const seen: number[] = [];
    let failedOnce = false;
    await runLoop(
      group,
      (storage) => ({
        storage,
        source: stuck,
        bus: h.bus,
        config: cfg(group, topic),
        pollTimeoutMs: 200,
        maxErrorBackoffMs: 500,
        handler: async (r) => {
          const n = (r.value as { n: number }).n;
          if (n === 1 && !failedOnce) {
            failedOnce = true;
            throw new Error("first try fails");
          }
          seen.push(n);
        },
      }),
      () => seen.length >= 3,
      h.die.kind === "instance-expiry" ? h.die.afterMs + 15_000 : 0,
    );
    expect(seen).toEqual([1, 2, 3]);
  });

  if (h.die.kind === "instance-expiry") {
    const expiry = h.die.afterMs;
    it("ConsumerLoop: a record that outlives the instance timeout is committed after a rejoin, not handled twice", async () => {
      const topic = newTopic("ex");
      const group = `loop-${uid()}`;
      await h.bus.produce(
        topic,
        [1, 2].map((n) => ({ key: "one-key", value: { n } })),
      );
      const calls: number[] = [];
      const ticks = await runLoop(
        group,
        (storage) => ({
          storage,
          source: h.source,
          bus: h.bus,
          config: cfg(group, topic),
          pollTimeoutMs: 200,
          handler: async (r) => {
            const n = (r.value as { n: number }).n;
            calls.push(n);
            if (n === 1) await sleep(expiry); // the instance expires while this record runs
          },
        }),
        () => calls.length >= 2,
        expiry + 15_000,
      );
      expect(calls).toEqual([1, 2]);
      expect(ticks.some((t) => t.rejoined)).toBe(true);
      expect(ticks.reduce((a, t) => a + t.skipped, 0)).toBe(1);
      expect(await committedNothingLeft(group, topic)).toEqual([]);
    });
  }
}

function withFailingClose(c: BusConsumer): BusConsumer {
  return {
    instanceId: c.instanceId,
    poll: (max, timeout) => c.poll(max, timeout),
    commit: (records) => c.commit(records),
    close: () => Promise.reject(new Error("HTTP 415 Unsupported Media Type")),
  };
}
