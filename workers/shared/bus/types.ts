/** Kafka record headers as a flat map; `traceparent` and `idempotency-key` are the ones Proximus sets. */
export type BusHeaders = Record<string, string>;

export const HEADER_TRACEPARENT = "traceparent";
export const HEADER_IDEMPOTENCY_KEY = "idempotency-key";

export interface BusRecordInput {
  key: string;
  value: unknown;
  headers?: BusHeaders;
}

/** A delivered record. Queues has no partitions/offsets: there `partition` and `offset` are -1 and `id` is the message id. */
export interface BusRecord {
  id: string;
  topic: string;
  partition: number;
  offset: number;
  key: string | null;
  value: unknown;
  headers: BusHeaders;
  /** 1 on first delivery; counts redeliveries where the transport or the consumer loop knows them. */
  attempt: number;
}

/** The producer side every transport implements. */
export interface TaskBus {
  readonly mode: BusMode;
  produce(topic: string, records: readonly BusRecordInput[]): Promise<void>;
}

export type BusMode = "kafka-rest" | "upstash" | "queues";

export interface ConsumerConfig {
  group: string;
  topics: readonly string[];
  /** Redpanda's HTTP Proxy accepts only `earliest`. */
  autoOffsetReset?: "earliest" | "latest";
}

/** A group member that pulls. Offsets are committed only for records passed to `commit`. */
export interface BusConsumer {
  /** Opaque handle to store and pass back to `ConsumerSource.attach` (for kafka-rest: the instance's URL). */
  readonly instanceId: string;
  /** `maxRecords` is a hint only some transports honour: callers must handle a batch of any size. */
  poll(maxRecords: number, timeoutMs: number): Promise<BusRecord[]>;
  /** Commits, per partition, the highest offset among `records` (as processed). */
  commit(records: readonly BusRecord[]): Promise<void>;
  /** Leaves the group; uncommitted records go to whoever gets the partitions. */
  close(): Promise<void>;
}

/** Creates consumer instances, or re-attaches to one that a previous DO alarm created. */
export interface ConsumerSource {
  create(config: ConsumerConfig): Promise<BusConsumer>;
  attach(config: ConsumerConfig, instanceId: string): BusConsumer;
}

export type FetchFn = (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>;
