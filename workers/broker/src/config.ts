import type { BrokerConfig } from "./core";
import type { BrokerEnv } from "./env";

function intVar(raw: string | undefined, fallback: number): number {
  const n = raw === undefined || raw === "" ? NaN : Number(raw);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

/** Vars → config; bad values fall back to defaults rather than bricking a dev tool. */
export function brokerConfig(env: BrokerEnv): BrokerConfig {
  const defaultPartitions = intVar(env.BROKER_PARTITIONS, 8);
  const topics: Record<string, number> = {};
  for (const entry of (env.BROKER_TOPICS ?? "").split(",")) {
    const [name, parts] = entry.trim().split(":");
    if (name) topics[name] = intVar(parts, defaultPartitions);
  }
  return {
    defaultPartitions,
    topics,
    autoCreateTopics: (env.BROKER_AUTO_CREATE_TOPICS ?? "true") !== "false",
    // BROKER_SESSION_TIMEOUT_MS is the old name of the same setting.
    instanceTimeoutMs: intVar(env.BROKER_INSTANCE_TIMEOUT_MS, intVar(env.BROKER_SESSION_TIMEOUT_MS, 30_000)),
    maxPollRecords: intVar(env.BROKER_MAX_POLL_RECORDS, 500),
    nodes: intVar(env.BROKER_NODES, 1),
  };
}
