import { TOPICS } from "@proximus/contracts/task";
import { deadLetterRecord } from "./dead-letter";
import { isConsumerGone } from "./kafka-rest";
import type { BusConsumer, BusRecord, ConsumerConfig, ConsumerSource, TaskBus } from "./types";

export interface ConsumerLoopOptions {
  /** The owning Durable Object's storage: holds the instance handle, per-record failure counts and handled-but-uncommitted marks. */
  storage: DurableObjectStorage;
  source: ConsumerSource;
  /** Where poison records are produced. */
  bus: TaskBus;
  config: ConsumerConfig;
  handler: (record: BusRecord) => Promise<void>;
  /** A hint for transports that honour it (the dev broker's Upstash dialect); REST Proxy v2 servers return any batch size. */
  maxRecords?: number;
  /** Long-poll wait per alarm when the partitions are idle. */
  pollTimeoutMs?: number;
  /**
   * Wall time one tick may spend handling a batch (default 20 s). Records left over wait in memory
   * for the next tick, which follows at once; keep it far below the server's instance timeout
   * (Confluent `consumer.instance.timeout.ms`, Redpanda `consumer_instance_timeout_ms`: 5 min).
   */
  maxBatchMs?: number;
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
  /** Redelivered records that had been handled before their commit failed: committed without running the handler again. */
  skipped: number;
  failed: number;
  deadLettered: number;
  /** Records fetched but left for the next tick because the tick ran out of `maxBatchMs`. */
  deferred: number;
  /** True when the instance was dropped so uncommitted records are re-read from the committed offset. */
  rewound: boolean;
  /** True when the server had forgotten the instance (40403 on poll or commit) and the loop joined again. */
  rejoined: boolean;
  /** The most deliveries any still-failing record has had (paces the retry). */
  worstAttempt: number;
  /** Set when the tick failed before finishing (the alarm was re-armed with backoff). */
  error?: string;
}

const K_INSTANCE = "bus:instance";
const K_ERRORS = "bus:errors";
const failKey = (r: BusRecord): string => `bus:fail:${r.topic}/${r.partition}/${r.offset}`;
/** The highest offset of a partition whose record was handled but whose commit is not confirmed yet. */
const doneKey = (r: BusRecord): string => `bus:done:${r.topic}/${r.partition}`;

const emptyResult = (): TickResult => ({
  polled: 0,
  handled: 0,
  skipped: 0,
  failed: 0,
  deadLettered: 0,
  deferred: 0,
  rewound: false,
  rejoined: false,
  worstAttempt: 0,
});

/**
 * At-least-once consumption from a Durable Object alarm: Workers cannot hold a Kafka
 * consumer open, so every alarm long-polls once, hands records to the handler one by one in
 * order, commits each record right after its handler finished, and re-arms.
 *
 * A failing record stops its partition; the instance is then forgotten (and deleted, best
 * effort) so the next one restarts from the committed offset (REST Proxy v2 and Upstash share
 * no seek). Nothing after a failed record is ever committed on its partition, whether or not
 * the DELETE reached the server. After `maxAttempts` failures the record goes to the
 * dead-letter topic and is committed.
 *
 * When a commit finds the instance gone (40403: it expired while a record ran long), the loop
 * joins again; the record comes back from the committed offset and, being marked as handled in
 * storage, is committed without running the handler twice.
 */
export class ConsumerLoop {
  /** Whether this in-memory loop (this incarnation of the object) has joined the group itself. */
  private joined = false;
  /** Fetched records not handled yet (the last tick ran out of time), and the instance they came from. */
  private backlog: { instance: string; records: BusRecord[] } | null = null;

  constructor(private readonly o: ConsumerLoopOptions) {}

  /** Arms the alarm if it is not armed; call from the DO when it starts consuming. */
  async start(): Promise<void> {
    if ((await this.o.storage.getAlarm()) === null) await this.o.storage.setAlarm(Date.now());
  }

  /** Leaves the group and stops the alarm. */
  async stop(): Promise<void> {
    await this.o.storage.deleteAlarm();
    this.backlog = null;
    const id = await this.o.storage.get<string>(K_INSTANCE);
    if (id !== undefined) await this.forget(this.o.source.attach(this.o.config, id));
  }

  /** Call from `alarm()`. Never throws: broker failures re-arm with backoff instead of burning alarm retries. */
  async tick(): Promise<TickResult> {
    try {
      const result = await this.runOnce();
      await this.o.storage.delete(K_ERRORS);
      // A record that failed is retried from the committed offset; back off first, so a handler
      // that is down for a moment (a redeploy) does not burn every attempt within seconds.
      const retryDelay = result.rewound ? Math.min(500 * 2 ** Math.max(0, result.worstAttempt - 1), this.o.maxErrorBackoffMs ?? 30_000) : 0;
      const delay = result.deferred > 0 ? 0 : Math.max(this.o.rearmDelayMs ?? 0, retryDelay);
      await this.o.storage.setAlarm(Date.now() + delay);
      return result;
    } catch (e) {
      const errors = ((await this.o.storage.get<number>(K_ERRORS)) ?? 0) + 1;
      await this.o.storage.put(K_ERRORS, errors);
      const backoff = Math.min(250 * 2 ** errors, this.o.maxErrorBackoffMs ?? 30_000);
      const message = e instanceof Error ? e.message : String(e);
      console.error("bus consumer loop tick failed", { group: this.o.config.group, errors, message });
      await this.o.storage.setAlarm(Date.now() + backoff);
      return { ...emptyResult(), error: message };
    }
  }

  private async consumer(): Promise<BusConsumer> {
    const id = await this.o.storage.get<string>(K_INSTANCE);
    if (id !== undefined && this.joined) return this.o.source.attach(this.o.config, id);
    if (id !== undefined) {
      // First tick of a new incarnation (the object restarted, maybe mid-record after a crash):
      // the old instance's fetch position may be past records it never finished. Leaving the group
      // and joining again restarts from the committed offset, so those records are redelivered.
      await this.forget(this.o.source.attach(this.o.config, id));
    }
    this.joined = true;
    const created = await this.o.source.create(this.o.config);
    await this.o.storage.put(K_INSTANCE, created.instanceId);
    return created;
  }

  /**
   * Stops using an instance: first locally (so no later tick can commit through its fetch
   * position), then on the server, best effort — a DELETE that fails leaves an instance the
   * server expires on its own, and whose partitions it holds until then.
   */
  private async forget(consumer: BusConsumer): Promise<void> {
    this.backlog = null;
    await this.o.storage.delete(K_INSTANCE);
    await consumer.close().catch((e: unknown) => {
      console.warn("bus consumer instance not deleted; the server will expire it", {
        group: this.o.config.group,
        message: e instanceof Error ? e.message : String(e),
      });
    });
  }

  private async poll(result: TickResult): Promise<{ consumer: BusConsumer; records: BusRecord[] }> {
    const max = this.o.maxRecords ?? 50;
    const timeout = this.o.pollTimeoutMs ?? 5_000;
    let consumer = await this.consumer();
    if (this.backlog && this.backlog.instance === consumer.instanceId) {
      const records = this.backlog.records;
      this.backlog = null;
      return { consumer, records };
    }
    this.backlog = null;
    try {
      return { consumer, records: await consumer.poll(max, timeout) };
    } catch (e) {
      if (!isConsumerGone(e)) throw e;
      // The server expired or lost our instance: join again (a rebalance) and carry on.
      await this.o.storage.delete(K_INSTANCE);
      result.rejoined = true;
      consumer = await this.consumer();
      return { consumer, records: await consumer.poll(max, timeout) };
    }
  }

  private async runOnce(): Promise<TickResult> {
    const result = emptyResult();
    const { consumer, records } = await this.poll(result);
    result.polled = records.length;
    try {
      return await this.handleBatch(consumer, records, result);
    } catch (e) {
      // The instance's fetch position is past records this tick never finished: rewind before reporting.
      await this.forget(consumer);
      throw e;
    }
  }

  private async handleBatch(consumer: BusConsumer, records: readonly BusRecord[], result: TickResult): Promise<TickResult> {
    const started = Date.now();
    const budget = this.o.maxBatchMs ?? 20_000;
    const blocked = new Set<string>();
    const maxAttempts = this.o.maxAttempts ?? 5;
    for (let i = 0; i < records.length; i++) {
      const record = records[i]!;
      const partitionKey = `${record.topic}\u0000${record.partition}`;
      if (blocked.has(partitionKey)) continue;
      if (Date.now() - started >= budget) {
        const rest = records.slice(i).filter((r) => !blocked.has(`${r.topic}\u0000${r.partition}`));
        if (blocked.size === 0) this.backlog = { instance: consumer.instanceId, records: rest };
        result.deferred = rest.length;
        break;
      }
      const handledBefore = await this.o.storage.get<number>(doneKey(record));
      if (handledBefore !== undefined && record.offset <= handledBefore) {
        result.skipped++;
      } else {
        const previous = (await this.o.storage.get<number>(failKey(record))) ?? 0;
        const delivered = { ...record, attempt: previous + 1 };
        try {
          await this.o.handler(delivered);
          if (previous > 0) await this.o.storage.delete(failKey(record));
          result.handled++;
        } catch (e) {
          result.failed++;
          if (previous + 1 < maxAttempts) {
            await this.o.storage.put(failKey(record), previous + 1);
            result.worstAttempt = Math.max(result.worstAttempt, previous + 1);
            blocked.add(partitionKey);
            continue;
          }
          await this.o.bus.produce(this.o.deadLetterTopic ?? TOPICS.deadLetter, [deadLetterRecord(delivered, e, this.o.config.group)]);
          await this.o.storage.delete(failKey(record));
          result.deadLettered++;
        }
        await this.o.storage.put(doneKey(record), record.offset);
      }
      if (!(await this.commit(consumer, record))) {
        result.rejoined = true;
        result.deferred = 0;
        return result;
      }
    }
    if (blocked.size > 0) {
      await this.forget(consumer);
      result.rewound = true;
    }
    return result;
  }

  /** Commits one handled record; false when the instance was gone (40403) and has been forgotten. */
  private async commit(consumer: BusConsumer, record: BusRecord): Promise<boolean> {
    try {
      await consumer.commit([record]);
    } catch (e) {
      if (!isConsumerGone(e)) throw e;
      // The mark stays: the record comes back from the committed offset and is committed unhandled.
      this.backlog = null;
      await this.o.storage.delete(K_INSTANCE);
      return false;
    }
    if ((await this.o.storage.get<number>(doneKey(record))) === record.offset) await this.o.storage.delete(doneKey(record));
    return true;
  }
}
