import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import { TOPICS } from "@proximus/contracts/task";
import type { TestEnv } from "../../broker/test/worker";
import { harness } from "../../broker/test/harness";
import { QueuesBus } from "./queues";
import { sleep } from "./testing/contract";
import type { BusRecord } from "./types";

/**
 * The Queues share of the bus contract, through a real Miniflare queue into the test
 * worker's queue() handler (handleQueueBatch, maxAttempts 3). Queues has no partitions,
 * consumer groups or long-poll, so ordering/rebalance/long-poll cases do not apply.
 */
const testEnv = env as TestEnv;
const topic = "bus-contract";
const bus = new QueuesBus({ [topic]: testEnv.TEST_QUEUE });

async function waitFor(cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await sleep(25);
}

afterEach(() => {
  harness.queueHandler = undefined;
});

describe("bus contract: queues adapter → Miniflare queue", () => {
  it("round-trips key, value and headers", async () => {
    const run = crypto.randomUUID();
    const got: BusRecord[] = [];
    harness.queueHandler = async (r) => {
      if ((r.value as { run?: string }).run === run) got.push(r);
    };
    await bus.produce(topic, [
      {
        key: "p1",
        value: { run, n: 1 },
        headers: { traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "idempotency-key": "t#1" },
      },
      { key: "p2", value: { run, n: 2 } },
    ]);
    await waitFor(() => got.length >= 2);
    expect(got).toHaveLength(2);
    const one = got.find((r) => (r.value as { n: number }).n === 1);
    expect(one).toMatchObject({
      topic,
      key: "p1",
      attempt: 1,
      headers: { "idempotency-key": "t#1", traceparent: expect.stringMatching(/^00-/) },
    });
    expect(got.find((r) => (r.value as { n: number }).n === 2)).toMatchObject({ key: "p2", headers: {} });
  });

  it("redelivers a message whose handler failed (not acked), with a higher attempt", async () => {
    const run = crypto.randomUUID();
    const attempts: number[] = [];
    harness.queueHandler = async (r) => {
      if ((r.value as { run?: string }).run !== run) return;
      attempts.push(r.attempt);
      if (attempts.length === 1) throw new Error("transient");
    };
    await bus.produce(topic, [{ key: "k", value: { run } }]);
    await waitFor(() => attempts.length >= 2);
    await sleep(200);
    expect(attempts).toEqual([1, 2]);
  });

  it("dead-letters a poison message after maxAttempts and stops redelivering it", async () => {
    const run = crypto.randomUUID();
    let calls = 0;
    harness.queueHandler = async (r) => {
      if ((r.value as { run?: string }).run !== run) return;
      calls++;
      throw new Error(`poison ${run}`);
    };
    await bus.produce(topic, [{ key: "bad", value: { run }, headers: { "idempotency-key": "bad#1" } }]);
    const mine = (): unknown[] => harness.queueDlq.filter((m) => JSON.stringify(m).includes(run));
    await waitFor(() => mine().length >= 1);
    await sleep(300);
    expect(calls).toBe(3);
    expect(mine()).toHaveLength(1);
    expect(mine()[0]).toMatchObject({
      topic: TOPICS.deadLetter,
      key: "bad",
      headers: { "idempotency-key": "bad#1" },
      value: { group: "queue-test", attempts: 3, error: `poison ${run}`, value: { run } },
    });
  });

  it("refuses topics with no Queue binding", async () => {
    await expect(bus.produce("nope", [{ key: "k", value: 1 }])).rejects.toThrow(/No Queue binding/);
  });
});
