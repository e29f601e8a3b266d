import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { TestEnv } from "../../broker/test/worker";
import { brokerFetch } from "../../broker/test/harness";
import { ConsumerLoop } from "./consumer-loop";
import { KafkaRestBus } from "./kafka-rest";
import type { BusRecord } from "./types";

const testEnv = env as TestEnv;
const toBroker = brokerFetch;
const bus = new KafkaRestBus({ baseUrl: "http://broker.test", username: "dev", password: "secret", fetch: toBroker });

describe("ConsumerLoop (in a Durable Object, against the dev broker)", () => {
  it("recreates its consumer instance after the broker forgot it (40403) and keeps consuming", async () => {
    const topic = `re-${crypto.randomUUID().slice(0, 8)}`;
    const group = `g-${crypto.randomUUID().slice(0, 8)}`;
    const seen: BusRecord[] = [];
    const stub = testEnv.LOOP.getByName(`manual-${group}`);
    await runInDurableObject(stub, async (_instance, state) => {
      const loop = new ConsumerLoop({
        storage: state.storage,
        source: bus,
        bus,
        config: { group, topics: [topic], autoOffsetReset: "earliest" },
        pollTimeoutMs: 100,
        handler: async (r) => {
          seen.push(r);
        },
      });
      const t1 = await loop.tick();
      expect(t1.error).toBeUndefined();
      expect(t1.polled).toBe(0);
      const first = await state.storage.get<string>("bus:instance");
      expect(first).toBeTypeOf("string");
      expect(await state.storage.getAlarm()).not.toBeNull();

      // The stored handle is the instance's base_uri (on one of the broker's two simulated nodes).
      expect(first).toMatch(new RegExp(`^http://broker\\.test/nodes/\\d/consumers/${group}/instances/`));
      const del = await toBroker(first!, {
        method: "DELETE",
        headers: { authorization: `Basic ${btoa("dev:secret")}`, "content-type": "application/vnd.kafka.v2+json" },
      });
      expect(del.status).toBe(204);
      await bus.produce(topic, [{ key: "k", value: { ok: true }, headers: { "idempotency-key": "x#1" } }]);

      expect(await loop.tick()).toMatchObject({ polled: 1, handled: 1 });
      const second = await state.storage.get<string>("bus:instance");
      expect(second).toBeTypeOf("string");
      expect(second).not.toBe(first);
      await loop.stop();
      expect(await state.storage.getAlarm()).toBeNull();
    });
    expect(seen.map((r) => [r.value, r.headers["idempotency-key"]])).toEqual([[{ ok: true }, "x#1"]]);
  });

  it("does not throw when the broker is down: reports the error and re-arms with backoff", async () => {
    const down = new KafkaRestBus({
      baseUrl: "http://broker.test",
      fetch: () => Promise.reject(new Error("connection refused")),
    });
    const stub = testEnv.LOOP.getByName(`down-${crypto.randomUUID()}`);
    await runInDurableObject(stub, async (_instance, state) => {
      const loop = new ConsumerLoop({
        storage: state.storage,
        source: down,
        bus: down,
        config: { group: "g", topics: ["t"] },
        handler: async () => {},
      });
      const before = Date.now();
      const r1 = await loop.tick();
      expect(r1.error).toMatch(/connection refused/);
      const a1 = (await state.storage.getAlarm())!;
      expect(a1 - before).toBeGreaterThanOrEqual(500);
      await loop.tick();
      const a2 = (await state.storage.getAlarm())!;
      expect(a2 - Date.now()).toBeGreaterThan(a1 - before); // backoff grows
      await state.storage.deleteAlarm();
    });
  });
});
