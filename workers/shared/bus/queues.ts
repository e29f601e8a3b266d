import { z } from "zod";
import { Envelope, wrap } from "./envelope";
import { deadLetterRecord } from "./dead-letter";
import type { BusRecord, BusRecordInput, TaskBus } from "./types";

/** Queues caps a batch at 100 messages. */
const MAX_BATCH = 100;

/** Topic name → Queue binding. Queues has no keys or partitions: `key` travels in the body, ordering is not guaranteed. */
export class QueuesBus implements TaskBus {
  readonly mode = "queues" as const;

  constructor(private readonly queues: Readonly<Record<string, Queue<unknown> | undefined>>) {}

  async produce(topic: string, records: readonly BusRecordInput[]): Promise<void> {
    const queue = this.queues[topic];
    if (!queue) throw new Error(`No Queue binding for topic ${topic}`);
    for (let i = 0; i < records.length; i += MAX_BATCH) {
      await queue.sendBatch(
        records
          .slice(i, i + MAX_BATCH)
          .map((r) => ({ body: { topic, key: r.key, ...wrap(r.value, r.headers) }, contentType: "json" as const })),
      );
    }
  }
}

const QueueBody = Envelope.extend({ topic: z.string(), key: z.string() });

export interface QueueBatchOptions {
  handler: (record: BusRecord) => Promise<void>;
  /** After this many failed deliveries the message goes to the dead-letter topic and is acked. */
  maxAttempts: number;
  deadLetter?: { bus: TaskBus; topic: string; group: string };
  retryDelaySeconds?: number;
}

export interface QueueBatchOutcome {
  acked: number;
  retried: number;
  deadLettered: number;
}

/**
 * Glue for a `queue()` handler: each message becomes the same BusRecord the Kafka consumer
 * loop hands out; success acks, failure retries, and the Nth failure dead-letters then acks.
 * Messages are handled one by one so a batch keeps its order.
 */
export async function handleQueueBatch(batch: MessageBatch<unknown>, opts: QueueBatchOptions): Promise<QueueBatchOutcome> {
  const outcome: QueueBatchOutcome = { acked: 0, retried: 0, deadLettered: 0 };
  for (const msg of batch.messages) {
    const parsed = QueueBody.safeParse(msg.body);
    const record: BusRecord = parsed.success
      ? {
          id: msg.id,
          topic: parsed.data.topic,
          partition: -1,
          offset: -1,
          key: parsed.data.key,
          value: parsed.data.value,
          headers: parsed.data.headers,
          attempt: msg.attempts,
        }
      : { id: msg.id, topic: batch.queue, partition: -1, offset: -1, key: null, value: msg.body, headers: {}, attempt: msg.attempts };
    try {
      await opts.handler(record);
      msg.ack();
      outcome.acked++;
    } catch (e) {
      if (msg.attempts >= opts.maxAttempts && opts.deadLetter) {
        await opts.deadLetter.bus.produce(opts.deadLetter.topic, [deadLetterRecord(record, e, opts.deadLetter.group)]);
        msg.ack();
        outcome.deadLettered++;
      } else {
        msg.retry(opts.retryDelaySeconds !== undefined ? { delaySeconds: opts.retryDelaySeconds } : undefined);
        outcome.retried++;
      }
    }
  }
  return outcome;
}
