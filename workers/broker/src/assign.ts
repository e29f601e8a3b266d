export interface MemberSubscription {
  instance: string;
  topics: readonly string[];
}
export interface TopicPartition {
  topic: string;
  partition: number;
}

/**
 * Kafka's RangeAssignor, per topic: members subscribed to the topic are sorted by
 * id and each gets a contiguous range; the first `partitions % members` get one extra.
 * Deterministic, so the broker never needs to store a generation: every poll
 * recomputes the same answer from the live member set.
 */
export function rangeAssign(
  members: readonly MemberSubscription[],
  partitionCounts: ReadonlyMap<string, number>,
): Map<string, TopicPartition[]> {
  const out = new Map<string, TopicPartition[]>();
  for (const m of members) out.set(m.instance, []);
  const topics = new Set<string>();
  for (const m of members) for (const t of m.topics) topics.add(t);
  for (const topic of [...topics].sort()) {
    const count = partitionCounts.get(topic);
    if (count === undefined) continue;
    const subs = members
      .filter((m) => m.topics.includes(topic))
      .map((m) => m.instance)
      .sort();
    if (subs.length === 0) continue;
    const per = Math.floor(count / subs.length);
    const extra = count % subs.length;
    subs.forEach((instance, i) => {
      const start = per * i + Math.min(i, extra);
      const len = per + (i < extra ? 1 : 0);
      const list = out.get(instance)!;
      for (let p = start; p < start + len; p++) list.push({ topic, partition: p });
    });
  }
  return out;
}
