import { TOPICS } from "../../../contracts/task";
import { deadLetterRecord } from "./dead-letter";
import { isConsumerGone } from "./kafka-rest";
import type { BusConsumer, BusRecord, ConsumerConfig, ConsumerSource, TaskBus } from "./types";

export interface ConsumerLoopOptions {
  /** The owning Durable Object's storage: holds the instance id and per-record failure counts. */
  storage: DurableObjectStorage;
  source: ConsumerSource;
  /** Where poison records are produced. */
  bus: TaskBus;
  config: ConsumerConfig;
  handler: (record: BusRecord) => Promise<void>;
  maxRecords?: number;
  /** Long-poll wait per alarm when the partitions are idle. */
  pollTimeoutMs?: number;
  /** Handler failures before a record is dead-lettered. */
  maxAttempts?: number;
  deadLetterTopic?: string;
  /** Delay before the next alarm after a tick; the long-poll already paced idle loops. */
  rearmDelayMs?: number;
  /** Backoff ceiling when the broker itself is failing. */
  maxErrorBackoffMs?: number;
}

export interface TickResult {
  polled: number;
  handled: number;
  failed: number;
  deadLettered: number;
  /** True when the instance was dropped so uncommitted records are re-read from the committed offset. */
  rewound: boolean;
  /** The most deliveries any still-failing record has had (paces the retry). */
  worstAttempt: number;
  /** Set when the tick failed before finishing (the alarm was re-armed with backoff). */
  error?: string;
}

const K_INSTANCE = "bus:instance";
const K_ERRORS = "bus:errors";
const failKey = (r: BusRecord): string => `bus:fail:${r.topic}/${r.partition}/${r.offset}`;

/**
 * At-least-once consumption from a Durable Object alarm: Workers cannot hold a Kafka
 * consumer open, so every alarm long-polls once, hands records to the handler in order,
 * commits only what the handler finished, and re-arms.
 *
 * A failing record stops its partition for this tick; the instance is then closed so the
 * next one restarts from the committed offset (REST Proxy v2 and Upstash share no seek).
 * After `maxAttempts` failures the record goes to the dead-letter topic and is committed.
 */
export class ConsumerLoop {
  /** Whether this in-memory loop (this incarnation of the object) has joined the group itself. */
  private joined = false;

  constructor(private readonly o: ConsumerLoopOptions) {}

  /** Arms the alarm if it is not armed; call from the DO when it starts consuming. */
  async start(): Promise<void> {
    if ((await this.o.storage.getAlarm()) === null) await this.o.storage.setAlarm(Date.now());
  }

  /** Leaves the group and stops the alarm. */
  async stop(): Promise<void> {
    await this.o.storage.deleteAlarm();
    const id = await this.o.storage.get<string>(K_INSTANCE);
    if (id !== undefined) {
      await this.o.source.attach(this.o.config, id).close();
      await this.o.storage.delete(K_INSTANCE);
    }
  }

  /** Call from `alarm()`. Never throws: broker failures re-arm with backoff instead of burning alarm retries. */
  async tick(): Promise<TickResult> {
    try {
      const result = await this.runOnce();
      await this.o.storage.delete(K_ERRORS);
      // A record that failed is retried from the committed offset; back off first, so a handler
      // that is down for a moment (a redeploy) does not burn every attempt within seconds.
      const retryDelay = result.rewound ? Math.min(500 * 2 ** Math.max(0, result.worstAttempt - 1), this.o.maxErrorBackoffMs ?? 30_000) : 0;
      await this.o.storage.setAlarm(Date.now() + Math.max(this.o.rearmDelayMs ?? 0, retryDelay));
      return result;
    } catch (e) {
      const errors = ((await this.o.storage.get<number>(K_ERRORS)) ?? 0) + 1;
      await this.o.storage.put(K_ERRORS, errors);
      const backoff = Math.min(250 * 2 ** errors, this.o.maxErrorBackoffMs ?? 30_000);
      const message = e instanceof Error ? e.message : String(e);
      console.error("bus consumer loop tick failed", { group: this.o.config.group, errors, message });
      await this.o.storage.setAlarm(Date.now() + backoff);
      return { polled: 0, handled: 0, failed: 0, deadLettered: 0, rewound: false, worstAttempt: 0, error: message };
    }
  }

  private async consumer(): Promise<BusConsumer> {
    const id = await this.o.storage.get<string>(K_INSTANCE);
    if (id !== undefined && this.joined) return this.o.source.attach(this.o.config, id);
    if (id !== undefined) {
      // First tick of a new incarnation (the object restarted, maybe mid-record after a crash):
      // the old instance's fetch position may be past records it never finished. Leaving the group
      // and joining again restarts from the committed offset, so those records are redelivered.
      await this.o.source.attach(this.o.config, id).close().catch(() => undefined);
      await this.o.storage.delete(K_INSTANCE);
    }
    this.joined = true;
    const created = await this.o.source.create(this.o.config);
    await this.o.storage.put(K_INSTANCE, created.instanceId);
    return created;
  }

  private async poll(): Promise<{ consumer: BusConsumer; records: BusRecord[] }> {
    const max = this.o.maxRecords ?? 50;
    const timeout = this.o.pollTimeoutMs ?? 5_000;
    let consumer = await this.consumer();
    try {
      return { consumer, records: await consumer.poll(max, timeout) };
    } catch (e) {
      if (!isConsumerGone(e)) throw e;
      // The broker expired or lost our instance: join again (a rebalance) and carry on.
      await this.o.storage.delete(K_INSTANCE);
      consumer = await this.consumer();
      return { consumer, records: await consumer.poll(max, timeout) };
    }
  }

  private async runOnce(): Promise<TickResult> {
    const { consumer, records } = await this.poll();
    const result: TickResult = { polled: records.length, handled: 0, failed: 0, deadLettered: 0, rewound: false, worstAttempt: 0 };
    const done: BusRecord[] = [];
    const blocked = new Set<string>();
    const maxAttempts = this.o.maxAttempts ?? 5;
    for (const record of records) {
      const partitionKey = `${record.topic}\u0000${record.partition}`;
      if (blocked.has(partitionKey)) continue;
      const previous = (await this.o.storage.get<number>(failKey(record))) ?? 0;
      const delivered = { ...record, attempt: previous + 1 };
      try {
        await this.o.handler(delivered);
        if (previous > 0) await this.o.storage.delete(failKey(record));
        done.push(record);
        result.handled++;
      } catch (e) {
        result.failed++;
        if (previous + 1 >= maxAttempts) {
          await this.o.bus.produce(this.o.deadLetterTopic ?? TOPICS.deadLetter, [deadLetterRecord(delivered, e, this.o.config.group)]);
          await this.o.storage.delete(failKey(record));
          done.push(record);
          result.deadLettered++;
        } else {
          await this.o.storage.put(failKey(record), previous + 1);
          result.worstAttempt = Math.max(result.worstAttempt, previous + 1);
          blocked.add(partitionKey);
        }
      }
    }
    if (done.length > 0) await consumer.commit(done);
    if (blocked.size > 0) {
      await consumer.close();
      await this.o.storage.delete(K_INSTANCE);
      result.rewound = true;
    }
    return result;
  }
}
