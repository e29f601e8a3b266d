import { Kafka } from "@upstash/kafka";
import { maxOffsets } from "./envelope";
import type { BusConsumer, BusHeaders, BusRecord, BusRecordInput, ConsumerConfig, ConsumerSource, TaskBus } from "./types";

export interface UpstashOptions {
  url: string;
  username: string;
  password: string;
}

/** Values travel as their JSON text so strings, numbers and objects all round-trip exactly. */
function decode(value: string): unknown {
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}

/**
 * The Upstash Kafka REST dialect via @upstash/kafka. That SDK always uses the global
 * `fetch` (no injection) and retries failed calls with backoff, so errors surface slowly.
 * Record headers are native in this dialect.
 */
export class UpstashBus implements TaskBus, ConsumerSource {
  readonly mode = "upstash" as const;
  private readonly kafka: Kafka;

  constructor(options: UpstashOptions) {
    this.kafka = new Kafka(options);
  }

  async produce(topic: string, records: readonly BusRecordInput[]): Promise<void> {
    if (records.length === 0) return;
    await this.kafka.producer().produceMany(
      records.map((r) => ({
        topic,
        key: r.key,
        value: JSON.stringify(r.value ?? null),
        headers: Object.entries(r.headers ?? {}).map(([key, value]) => ({ key, value })),
      })),
    );
  }

  /** Upstash creates the instance on its first consume call, so creating is just picking an id. */
  create(config: ConsumerConfig): Promise<BusConsumer> {
    return Promise.resolve(this.attach(config, `${config.group}-${crypto.randomUUID()}`));
  }

  attach(config: ConsumerConfig, instanceId: string): BusConsumer {
    return new UpstashConsumer(this.kafka, config, instanceId);
  }
}

class UpstashConsumer implements BusConsumer {
  constructor(
    private readonly kafka: Kafka,
    private readonly config: ConsumerConfig,
    readonly instanceId: string,
  ) {}

  async poll(_maxRecords: number, timeoutMs: number): Promise<BusRecord[]> {
    const messages = await this.kafka.consumer().consume({
      consumerGroupId: this.config.group,
      instanceId: this.instanceId,
      topics: [...this.config.topics],
      timeout: timeoutMs,
      autoCommit: false,
      autoOffsetReset: this.config.autoOffsetReset ?? "earliest",
    });
    return messages.map((m) => {
      const headers: BusHeaders = {};
      for (const h of m.headers ?? []) headers[h.key] = h.value;
      return {
        id: `${m.topic}/${m.partition}/${m.offset}`,
        topic: m.topic,
        partition: m.partition,
        offset: m.offset,
        key: m.key === "" ? null : m.key,
        value: decode(m.value),
        headers,
        attempt: 1,
      };
    });
  }

  async commit(records: readonly BusRecord[]): Promise<void> {
    const offsets = maxOffsets(records).map((o) => ({ ...o, offset: o.offset + 1 }));
    if (offsets.length === 0) return;
    // Upstash /commit takes Kafka's committed offset: the next one to read.
    await this.kafka.consumer().commit({ consumerGroupId: this.config.group, instanceId: this.instanceId, offset: offsets });
  }

  async close(): Promise<void> {
    await this.kafka.admin().removeConsumerInstance(this.config.group, this.instanceId);
  }
}
