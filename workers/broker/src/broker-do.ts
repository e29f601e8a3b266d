import { DurableObject } from "cloudflare:workers";
import type { TopicPartition } from "./assign";
import { brokerConfig } from "./config";
import {
  BrokerCore,
  type ConsumerOptions,
  type PollLimits,
  type Produced,
  type ProduceInput,
  type StoredRecord,
  type TopicPartitionOffset,
} from "./core";
import type { BrokerEnv } from "./env";
import { toResult, type BrokerResult } from "./errors";

/** Upper bound on one long-poll so a stuck client cannot pin the DO forever. */
const MAX_POLL_WAIT_MS = 30_000;

/**
 * DEVELOPMENT TOOL: the whole dev broker (all topics, groups, offsets) is this one
 * Durable Object, named "broker". One DO keeps every operation serial and
 * consistent, which is what a local broker needs; it is not built to scale.
 */
export class BrokerDO extends DurableObject<BrokerEnv> {
  private readonly core: BrokerCore;
  /** Long-polls parked until a produce lands (in memory: a poll lives within one DO activation). */
  private readonly waiters = new Set<() => void>();

  constructor(ctx: DurableObjectState, env: BrokerEnv) {
    super(ctx, env);
    this.core = new BrokerCore(ctx.storage.sql, brokerConfig(env));
  }

  produce(topic: string, records: ProduceInput[]): BrokerResult<Produced[]> {
    const result = toResult(() => this.core.produce(topic, records));
    if (result.ok) this.wake();
    return result;
  }

  listTopics(): BrokerResult<{ name: string; partitions: number }[]> {
    return toResult(() => this.core.listTopics());
  }

  describeTopic(topic: string): BrokerResult<ReturnType<BrokerCore["describeTopic"]>> {
    return toResult(() => this.core.describeTopic(topic));
  }

  createConsumer(group: string, options: ConsumerOptions): BrokerResult<string> {
    return toResult(() => this.core.createConsumer(group, options));
  }

  /** Upstash creates instances implicitly on first consume; this is that upsert. */
  ensureConsumer(group: string, instance: string, options: ConsumerOptions, topics: string[]): BrokerResult<void> {
    return toResult(() => {
      if (!this.core.hasConsumer(group, instance)) this.core.createConsumer(group, { ...options, name: instance });
      const current = this.core.subscription(group, instance);
      if (current.length !== topics.length || current.some((t) => !topics.includes(t))) this.core.subscribe(group, instance, topics);
    });
  }

  deleteConsumer(group: string, instance: string): BrokerResult<void> {
    const result = toResult(() => this.core.deleteConsumer(group, instance));
    // A leave is a rebalance: parked polls of other members must re-check their assignment.
    this.wake();
    return result;
  }

  subscribe(group: string, instance: string, topics: string[]): BrokerResult<void> {
    const result = toResult(() => this.core.subscribe(group, instance, topics));
    this.wake();
    return result;
  }

  subscription(group: string, instance: string): BrokerResult<string[]> {
    return toResult(() => this.core.subscription(group, instance));
  }

  unsubscribe(group: string, instance: string): BrokerResult<void> {
    return toResult(() => this.core.unsubscribe(group, instance));
  }

  assignments(group: string, instance: string): BrokerResult<TopicPartition[]> {
    return toResult(() => this.core.assignments(group, instance));
  }

  commit(group: string, instance: string, offsets?: TopicPartitionOffset[]): BrokerResult<void> {
    return toResult(() => this.core.commit(group, instance, offsets));
  }

  committed(group: string, instance: string, partitions?: TopicPartition[]): BrokerResult<TopicPartitionOffset[]> {
    return toResult(() => this.core.committed(group, instance, partitions));
  }

  offsetsForTime(timestamp: number | "earliest" | "latest", partitions: TopicPartition[]): BrokerResult<TopicPartitionOffset[]> {
    return toResult(() => this.core.offsetsForTime(timestamp, partitions));
  }

  listGroups(): BrokerResult<ReturnType<BrokerCore["listGroups"]>> {
    return toResult(() => this.core.listGroups());
  }

  /** Kafka-style long-poll: return as soon as records exist, else wait up to `timeoutMs`. */
  async poll(group: string, instance: string, limits: PollLimits, timeoutMs: number): Promise<BrokerResult<StoredRecord[]>> {
    const deadline = Date.now() + Math.min(Math.max(timeoutMs, 0), MAX_POLL_WAIT_MS);
    for (;;) {
      const result = toResult(() => this.core.poll(group, instance, limits));
      if (!result.ok || result.value.length > 0) return result;
      const remaining = deadline - Date.now();
      if (remaining <= 0) return result;
      // Wake at least every second: polling refreshes the session and re-reads the assignment.
      await this.waitForProduce(Math.min(remaining, 1_000));
    }
  }

  async fetchFrom(
    topic: string,
    partition: number,
    offset: number,
    maxRecords: number,
    timeoutMs: number,
  ): Promise<BrokerResult<StoredRecord[]>> {
    const deadline = Date.now() + Math.min(Math.max(timeoutMs, 0), MAX_POLL_WAIT_MS);
    for (;;) {
      const result = toResult(() => this.core.fetch(topic, partition, offset, maxRecords));
      if (!result.ok || result.value.length > 0) return result;
      const remaining = deadline - Date.now();
      if (remaining <= 0) return result;
      await this.waitForProduce(Math.min(remaining, 1_000));
    }
  }

  private waitForProduce(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waiters.add(done);
    });
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }
}
