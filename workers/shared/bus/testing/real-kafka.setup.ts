/**
 * vitest globalSetup (Node) for the real-Kafka suite: starts Apache Kafka (KRaft, one node) and
 * Karapace's REST proxy from the cache (installing them on first use, see scripts/lib/real-kafka.mjs),
 * creates a pool of topics, hands their URL to the tests, and stops both afterwards.
 */
import type { TestProject } from "vitest/node";
// @ts-expect-error -- a plain ESM script shared with the test runner, no type declarations
import { createTopics, DEFAULT_TOPICS, installRealKafka, startRealKafka } from "../../../../scripts/lib/real-kafka.mjs";

export const TOPIC_POOL = Array.from({ length: 24 }, (_, i) => `contract-${i}`);

declare module "vitest" {
  export interface ProvidedContext {
    realKafka: { restUrl: string; topics: string[] };
  }
}

type Started = { restUrl: string; bootstrap: string; stop: () => Promise<void> };

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const suffix = Date.now().toString(36);
  const topics = TOPIC_POOL.map((t) => `${t}-${suffix}`);
  // Proximus' own topics (ai-org-tasks with 8 partitions, …) for the end-to-end project, plus the pool.
  const wanted = { ...(DEFAULT_TOPICS as Record<string, number>), ...Object.fromEntries(topics.map((t) => [t, 4])) };
  // REAL_KAFKA_REST_URL + REAL_KAFKA_BOOTSTRAP reuse servers started by hand (`node scripts/lib/real-kafka.mjs start`).
  const reuse = process.env.REAL_KAFKA_REST_URL;
  let started: Started | undefined;
  if (reuse) {
    const { python } = (await installRealKafka()) as { python: string };
    createTopics(python, process.env.REAL_KAFKA_BOOTSTRAP, wanted);
  } else {
    started = (await startRealKafka({ topics: wanted })) as Started;
  }
  project.provide("realKafka", { restUrl: reuse ?? started!.restUrl, topics });
  return async () => {
    await started?.stop();
  };
}
