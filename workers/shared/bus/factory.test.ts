import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
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
  it("reads the REST server flavor, base_uri use and consumer.request.timeout.ms, and refuses unknown flavors", () => {
    const url = "http://localhost:8788";
    expect(() => createBus({ KAFKA_REST_URL: url, KAFKA_REST_FLAVOR: "strimzi-ish" })).toThrow();
    expect(() => createBus({ KAFKA_REST_URL: url, KAFKA_REST_CONSUMER_REQUEST_TIMEOUT_MS: "soon" })).toThrow();
    const vars = { KAFKA_REST_URL: url, KAFKA_REST_FLAVOR: "redpanda", KAFKA_REST_CONSUMER_REQUEST_TIMEOUT_MS: "5000" };
    const bus = createBus(vars).bus as KafkaRestBus;
    expect(bus.createBody({ group: "g", topics: ["t"] }, "n")).toEqual({
      name: "n",
      format: "json",
      "auto.offset.reset": "earliest",
      "auto.commit.enable": "false",
      "consumer.request.timeout.ms": "5000",
    });
    expect(createBus({ KAFKA_REST_URL: url, KAFKA_REST_FLAVOR: "", KAFKA_REST_USE_BASE_URI: "false" }).bus).toBeInstanceOf(KafkaRestBus);
  });
  it("sends only the dev broker's placeholder host through the BUS_BROKER binding, anything else over the network", async () => {
    const hosts: string[] = [];
    const binding = {
      fetch: async (input: RequestInfo | URL) => (hosts.push(new URL(String(input)).host), Response.json([])),
    } as unknown as Fetcher;
    const dev = createBus({ KAFKA_REST_URL: "http://dev-broker.internal", BUS_BROKER: binding }).bus as KafkaRestBus;
    await dev.attach({ group: "g", topics: ["t"] }, "http://dev-broker.internal/consumers/g/instances/i").poll(1, 0);
    expect(hosts).toEqual(["dev-broker.internal"]);
    // A real URL with the binding still configured: the request leaves the Worker through the global fetch.
    const network = vi.spyOn(globalThis, "fetch").mockImplementation(async () => Response.json([]));
    try {
      const real = createBus({ KAFKA_REST_URL: "http://kafka-rest.example", BUS_BROKER: binding }).bus as KafkaRestBus;
      await real.attach({ group: "g", topics: ["t"] }, "i").poll(1, 0);
      expect(network.mock.calls.map(([input]) => new URL(String(input)).host)).toEqual(["kafka-rest.example"]);
    } finally {
      network.mockRestore();
    }
    expect(hosts).toEqual(["dev-broker.internal"]);
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
