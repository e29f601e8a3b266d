import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { TestEnv } from "../../broker/test/worker";
import { maxOffsets, unwrapEnvelope, wrap } from "./envelope";
import { createBus } from "./factory";
import { KafkaRestBus } from "./kafka-rest";
import { QueuesBus } from "./queues";
import { UpstashBus } from "./upstash";

describe("createBus", () => {
  it("defaults to kafka-rest and requires KAFKA_REST_URL", () => {
    expect(() => createBus({})).toThrow();
    const b = createBus({ KAFKA_REST_URL: "http://localhost:8788" });
    expect(b.bus).toBeInstanceOf(KafkaRestBus);
    expect(b.consumers).toBe(b.bus);
  });
  it("builds upstash and queues transports from config", () => {
    expect(createBus({ BUS_MODE: "upstash", UPSTASH_KAFKA_REST_URL: "http://localhost:8788/upstash" }).bus).toBeInstanceOf(UpstashBus);
    const q = createBus({ BUS_MODE: "queues", BUS_QUEUE_TASKS: (env as TestEnv).TEST_QUEUE });
    expect(q.bus).toBeInstanceOf(QueuesBus);
    expect(q.consumers).toBeNull();
  });
  it("rejects an unknown BUS_MODE", () => {
    expect(() => createBus({ BUS_MODE: "carrier-pigeon", KAFKA_REST_URL: "http://x" })).toThrow();
  });
});

describe("envelope", () => {
  it("round-trips value and headers and passes foreign values through", () => {
    expect(unwrapEnvelope(wrap({ a: 1 }, { traceparent: "t" }))).toEqual({ value: { a: 1 }, headers: { traceparent: "t" } });
    expect(unwrapEnvelope({ a: 1 })).toEqual({ value: { a: 1 }, headers: {} });
  });
  it("commits the highest offset per partition", () => {
    expect(
      maxOffsets([
        { topic: "t", partition: 0, offset: 3 },
        { topic: "t", partition: 0, offset: 5 },
        { topic: "t", partition: 1, offset: 2 },
        { topic: "u", partition: 0, offset: -1 },
      ]),
    ).toEqual([
      { topic: "t", partition: 0, offset: 5 },
      { topic: "t", partition: 1, offset: 2 },
    ]);
  });
});
