import type { BusRecord, BusRecordInput } from "./types";

/** The ai-org-dlq record shape shared by the queue glue and the Kafka consumer loop. */
export function deadLetterRecord(record: BusRecord, error: unknown, group: string): BusRecordInput {
  return {
    key: record.key ?? record.id,
    headers: record.headers,
    value: {
      v: 1,
      group,
      source: { topic: record.topic, partition: record.partition, offset: record.offset, id: record.id },
      key: record.key,
      value: record.value,
      headers: record.headers,
      attempts: record.attempt,
      error: error instanceof Error ? error.message : String(error),
      failedAt: Date.now(),
    },
  };
}
