import { brokerFetch } from "../../broker/test/harness";
import { afterAll, beforeAll, describe, vi } from "vitest";
import { KafkaRestBus } from "./kafka-rest";
import { pullContract } from "./testing/contract";
import { UpstashBus } from "./upstash";

const BROKER = "http://broker.test";
const toBroker = brokerFetch;

describe("bus contract: kafka-rest adapter → dev broker (REST Proxy v2)", () => {
  const bus = new KafkaRestBus({ baseUrl: BROKER, username: "dev", password: "secret", fetch: toBroker });
  pullContract({ bus, source: bus, die: "session-expiry" });
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
  pullContract({ bus, source: bus, die: "close" });
});
