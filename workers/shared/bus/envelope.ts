import { z } from "zod";
import type { BusHeaders } from "./types";

/**
 * REST Proxy v2 and Queues carry no record headers (v3 and Kafka do), so those adapters wrap
 * the value: `{"proximus.bus":1, headers, value}`. Values from foreign producers that are not
 * in this envelope are delivered as-is with no headers.
 */
const ENVELOPE_MARK = "proximus.bus";

export const Envelope = z.object({
  [ENVELOPE_MARK]: z.literal(1),
  headers: z.record(z.string(), z.string()),
  value: z.unknown(),
});

export function wrap(value: unknown, headers: BusHeaders | undefined): Record<string, unknown> {
  return { [ENVELOPE_MARK]: 1, headers: headers ?? {}, value };
}

export function unwrapEnvelope(raw: unknown): { value: unknown; headers: BusHeaders } {
  const parsed = Envelope.safeParse(raw);
  if (parsed.success) return { value: parsed.data.value, headers: parsed.data.headers };
  return { value: raw, headers: {} };
}

/** Per partition, the highest offset in `records`: what a commit must name. */
export function maxOffsets(
  records: readonly { topic: string; partition: number; offset: number }[],
): { topic: string; partition: number; offset: number }[] {
  const best = new Map<string, { topic: string; partition: number; offset: number }>();
  for (const r of records) {
    if (r.offset < 0) continue;
    const k = `${r.topic}\u0000${r.partition}`;
    const cur = best.get(k);
    if (!cur || r.offset > cur.offset) best.set(k, { topic: r.topic, partition: r.partition, offset: r.offset });
  }
  return [...best.values()];
}
