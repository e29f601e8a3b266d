import { brokerFetch } from "../../broker/test/harness";
import { afterAll, beforeAll, describe, vi } from "vitest";
import { KafkaRestBus } from "./kafka-rest";
import { pullContract } from "./testing/contract";
import { UpstashBus } from "./upstash";

const BROKER = "http://broker.test";
const toBroker = brokerFetch;
/** BROKER_INSTANCE_TIMEOUT_MS in workers/broker/vitest.config.ts, plus room for the broker to notice. */
const INSTANCE_EXPIRY = { kind: "instance-expiry", afterMs: 2_600 } as const;

describe("bus contract: kafka-rest adapter → dev broker (Confluent REST Proxy v2, two nodes behind one URL)", () => {
  const bus = new KafkaRestBus({ baseUrl: BROKER, username: "dev", password: "secret", fetch: toBroker });
  pullContract({ bus, source: bus, die: INSTANCE_EXPIRY, earlyReturnMs: 4_000 });
});

describe("bus contract: kafka-rest adapter, redpanda flavor → dev broker's Redpanda HTTP Proxy dialect", () => {
  const bus = new KafkaRestBus({ baseUrl: `${BROKER}/redpanda`, username: "dev", password: "secret", flavor: "redpanda", fetch: toBroker });
  pullContract({ bus, source: bus, die: INSTANCE_EXPIRY, earlyReturnMs: 4_000 });
});

describe("bus contract: upstash adapter (@upstash/kafka) → dev broker's Upstash dialect", () => {
  // @upstash/kafka always calls the global fetch; route only the broker's host into the Worker.
  const realFetch = globalThis.fetch;
  beforeAll(() => {
    vi.spyOn(globalThis, "fetch").mockImplementation((input, init) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      return url.origin === BROKER ? toBroker(input, init) : realFetch(input, init);
    });
  });
  afterAll(() => vi.restoreAllMocks());
  const bus = new UpstashBus({ url: `${BROKER}/upstash`, username: "dev", password: "secret" });
  pullContract({ bus, source: bus, die: { kind: "close" }, earlyReturnMs: 4_000 });
});
