import { env } from "cloudflare:workers";
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { TestEnv } from "../test/worker";
import { brokerConfig } from "./config";
import { BrokerCore } from "./core";

describe("BrokerCore topics", () => {
  it("defaults to 8 partitions and grows a persisted topic to a larger configured count", async () => {
    expect(brokerConfig({} as TestEnv).defaultPartitions).toBeGreaterThanOrEqual(8);
    const stub = (env as TestEnv).BROKER.getByName(`grow-${crypto.randomUUID()}`);
    await runInDurableObject(stub, (_instance, state) => {
      const base = { ...brokerConfig({} as TestEnv), topics: { "ai-org-tasks": 4 } };
      const before = new BrokerCore(state.storage.sql, base);
      before.produce("ai-org-tasks", [{ key: null, value: "old", headers: [], partition: 3 }]);
      expect(before.partitionCount("ai-org-tasks")).toBe(4);
      // A restart with a new BROKER_TOPICS: the topic keeps its records and gains partitions.
      const after = new BrokerCore(state.storage.sql, { ...base, topics: { "ai-org-tasks": 8 } });
      expect(after.partitionCount("ai-org-tasks")).toBe(8);
      const [produced] = after.produce("ai-org-tasks", [{ key: null, value: "new", headers: [], partition: 7 }]);
      expect(produced).toMatchObject({ partition: 7, offset: 0 });
      expect(after.fetch("ai-org-tasks", 3, 0, 10).map((r) => r.value)).toEqual(["old"]);
      // Never shrinks.
      expect(new BrokerCore(state.storage.sql, { ...base, topics: { "ai-org-tasks": 2 } }).partitionCount("ai-org-tasks")).toBe(8);
    });
  });
});
