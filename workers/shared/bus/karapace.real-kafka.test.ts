import { describe, inject } from "vitest";
import { KafkaRestBus } from "./kafka-rest";
import { pullContract } from "./testing/contract";

/**
 * The adapter contract against a real Apache Kafka behind Karapace's REST proxy (Confluent REST
 * Proxy v2), started by testing/real-kafka.setup.ts. Karapace keeps idle instances (no expiry),
 * so a member dies by leaving; a Kafka group needs a few polls to settle after a join.
 */
describe("bus contract: kafka-rest adapter, karapace flavor → Apache Kafka behind Karapace", () => {
  const { restUrl, topics } = inject("realKafka");
  const pool = [...topics];
  const bus = new KafkaRestBus({ baseUrl: restUrl, flavor: "karapace", consumerRequestTimeoutMs: 1_000 });
  pullContract({
    bus,
    source: bus,
    die: { kind: "close" },
    earlyReturnMs: 4_000,
    rebalanceMs: 4_000,
    loopDeadlineMs: 45_000,
    topic: () => {
      const t = pool.shift();
      if (!t) throw new Error("topic pool exhausted: raise TOPIC_POOL in testing/real-kafka.setup.ts");
      return t;
    },
  });
});
