import { rangeAssign, type TopicPartition } from "./assign";
import { BrokerError, consumerExists, consumerNotFound, partitionNotFound, topicNotFound, unprocessable } from "./errors";
import { partitionForKey } from "./murmur2";
import { SCHEMA } from "./schema-sql";

export interface StoredHeader {
  key: string;
  value: string;
}
/** Key and value are the record's bytes as UTF-8 text, exactly as a Kafka serializer would emit them. */
export interface ProduceInput {
  key: string | null;
  value: string;
  headers: StoredHeader[];
  partition?: number;
  timestamp?: number;
}
export interface Produced {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
}
export interface StoredRecord extends Produced {
  key: string | null;
  value: string;
  headers: StoredHeader[];
}
export type OffsetReset = "earliest" | "latest" | "none";
export interface ConsumerOptions {
  name?: string;
  reset: OffsetReset;
  autoCommit: boolean;
}
export interface BrokerConfig {
  defaultPartitions: number;
  autoCreateTopics: boolean;
  /** An instance not used for this long is removed (REST Proxy's consumer.instance.timeout.ms); later calls get 40403. */
  instanceTimeoutMs: number;
  /** Server-side cap on records per poll (Kafka's max.poll.records); clients cannot ask for fewer. */
  maxPollRecords: number;
  /** REST proxy nodes simulated behind one URL; an instance is reachable only through its node's base_uri. */
  nodes: number;
  topics: Record<string, number>;
}
export interface TopicPartitionOffset extends TopicPartition {
  offset: number;
}
export interface PollLimits {
  maxBytes: number;
}
interface MemberRow extends Record<string, SqlStorageValue> {
  grp: string;
  instance: string;
  topics: string;
  reset: string;
  auto_commit: number;
  session_ms: number;
  last_seen: number;
}

/**
 * The broker's state machine over DO SQLite. Synchronous on purpose: each public
 * method runs to completion inside one DO turn, so there is no interleaving to reason about.
 * Offsets exposed here are Kafka's: a committed offset is the NEXT offset to read.
 */
export class BrokerCore {
  private roundRobin = 0;
  private fetchRotation = 0;

  constructor(
    private readonly sql: SqlStorage,
    private readonly config: BrokerConfig,
    private readonly now: () => number = Date.now,
  ) {
    for (const stmt of SCHEMA) sql.exec(stmt);
    for (const [name, partitions] of Object.entries(config.topics)) {
      this.createTopic(name, partitions);
      this.growTopic(name, partitions);
    }
  }

  /**
   * Raises a configured topic's partition count on start (as `kafka-topics --alter --partitions` would),
   * so a persisted dev state picks up a new BROKER_TOPICS. Never shrinks (Kafka cannot either); keys move.
   */
  growTopic(name: string, partitions: number): void {
    const existing = this.partitionCount(name);
    if (existing === undefined || existing >= partitions) return;
    this.sql.exec("UPDATE topics SET partitions = ? WHERE name = ?", partitions, name);
    for (let p = existing; p < partitions; p++)
      this.sql.exec("INSERT INTO partitions (topic, partition, next_offset) VALUES (?, ?, 0)", name, p);
  }

  createTopic(name: string, partitions: number): void {
    if (!/^[A-Za-z0-9._-]{1,249}$/.test(name)) throw unprocessable(`Invalid topic name ${name}.`);
    const existing = this.partitionCount(name);
    if (existing !== undefined) return;
    this.sql.exec("INSERT INTO topics (name, partitions, created_at) VALUES (?, ?, ?)", name, partitions, this.now());
    for (let p = 0; p < partitions; p++) this.sql.exec("INSERT INTO partitions (topic, partition, next_offset) VALUES (?, ?, 0)", name, p);
  }

  partitionCount(topic: string): number | undefined {
    const row = this.sql.exec<{ partitions: number }>("SELECT partitions FROM topics WHERE name = ?", topic).toArray()[0];
    return row?.partitions;
  }

  /** Unknown topics are created when auto-create is on (Kafka's auto.create.topics.enable), else 40401. */
  requireTopic(topic: string): number {
    const n = this.partitionCount(topic);
    if (n !== undefined) return n;
    if (!this.config.autoCreateTopics) throw topicNotFound(topic);
    this.createTopic(topic, this.config.defaultPartitions);
    return this.config.defaultPartitions;
  }

  listTopics(): { name: string; partitions: number }[] {
    return this.sql.exec<{ name: string; partitions: number }>("SELECT name, partitions FROM topics ORDER BY name").toArray();
  }

  describeTopic(topic: string): { name: string; partitions: { partition: number; beginningOffset: number; endOffset: number }[] } {
    if (this.partitionCount(topic) === undefined) throw topicNotFound(topic);
    const rows = this.sql
      .exec<{ partition: number; next_offset: number }>(
        "SELECT partition, next_offset FROM partitions WHERE topic = ? ORDER BY partition",
        topic,
      )
      .toArray();
    return { name: topic, partitions: rows.map((r) => ({ partition: r.partition, beginningOffset: 0, endOffset: r.next_offset })) };
  }

  produce(topic: string, inputs: readonly ProduceInput[]): Produced[] {
    const count = this.requireTopic(topic);
    return inputs.map((input) => {
      const partition = input.partition ?? (input.key !== null ? partitionForKey(input.key, count) : this.roundRobin++ % count);
      if (!Number.isInteger(partition) || partition < 0 || partition >= count) throw partitionNotFound(topic, partition);
      const head = this.sql
        .exec<{ next_offset: number }>("SELECT next_offset FROM partitions WHERE topic = ? AND partition = ?", topic, partition)
        .one();
      const offset = head.next_offset;
      const timestamp = input.timestamp ?? this.now();
      this.sql.exec(
        "INSERT INTO records (topic, partition, offset, key, value, headers, ts) VALUES (?, ?, ?, ?, ?, ?, ?)",
        topic,
        partition,
        offset,
        input.key,
        input.value,
        input.headers.length ? JSON.stringify(input.headers) : null,
        timestamp,
      );
      this.sql.exec("UPDATE partitions SET next_offset = ? WHERE topic = ? AND partition = ?", offset + 1, topic, partition);
      return { topic, partition, offset, timestamp };
    });
  }

  createConsumer(group: string, options: ConsumerOptions): string {
    this.expireMembers();
    const instance = options.name ?? `rest-consumer-${crypto.randomUUID()}`;
    const exists = this.sql.exec("SELECT 1 FROM members WHERE grp = ? AND instance = ?", group, instance).toArray().length > 0;
    if (exists) throw consumerExists();
    const now = this.now();
    this.sql.exec(
      "INSERT INTO members (grp, instance, topics, reset, auto_commit, session_ms, last_seen, joined_at) VALUES (?, ?, '[]', ?, ?, ?, ?, ?)",
      group,
      instance,
      options.reset,
      options.autoCommit ? 1 : 0,
      this.config.instanceTimeoutMs,
      now,
      now,
    );
    return instance;
  }

  hasConsumer(group: string, instance: string): boolean {
    this.expireMembers();
    return this.sql.exec("SELECT 1 FROM members WHERE grp = ? AND instance = ?", group, instance).toArray().length > 0;
  }

  deleteConsumer(group: string, instance: string): void {
    this.requireMember(group, instance);
    this.removeMember(group, instance);
  }

  subscribe(group: string, instance: string, topics: readonly string[]): void {
    this.requireMember(group, instance);
    for (const t of topics) if (this.partitionCount(t) === undefined && this.config.autoCreateTopics) this.requireTopic(t);
    this.sql.exec("UPDATE members SET topics = ? WHERE grp = ? AND instance = ?", JSON.stringify([...new Set(topics)]), group, instance);
  }

  subscription(group: string, instance: string): string[] {
    return parseTopics(this.requireMember(group, instance).topics);
  }

  unsubscribe(group: string, instance: string): void {
    this.requireMember(group, instance);
    this.sql.exec("UPDATE members SET topics = '[]' WHERE grp = ? AND instance = ?", group, instance);
    this.sql.exec("DELETE FROM positions WHERE grp = ? AND instance = ?", group, instance);
  }

  assignments(group: string, instance: string): TopicPartition[] {
    this.requireMember(group, instance);
    return this.groupAssignment(group).get(instance) ?? [];
  }

  /** One non-blocking fetch for a member; the DO wraps it in the long-poll wait. */
  poll(group: string, instance: string, limits: PollLimits): StoredRecord[] {
    const member = this.requireMember(group, instance);
    if (member.auto_commit === 1) this.commitPositions(group, instance);
    const mine = this.groupAssignment(group).get(instance) ?? [];
    if (mine.length === 0) return [];
    const out: StoredRecord[] = [];
    let bytes = 0;
    const start = this.fetchRotation++ % mine.length;
    const maxRecords = this.config.maxPollRecords;
    for (let i = 0; i < mine.length && out.length < maxRecords; i++) {
      const tp = mine[(start + i) % mine.length]!;
      const position = this.position(group, instance, tp, member.reset as OffsetReset);
      const rows = this.readRecords(tp.topic, tp.partition, position, maxRecords - out.length);
      let next = position;
      for (const r of rows) {
        const size = r.value.length + (r.key?.length ?? 0);
        if (out.length > 0 && bytes + size > limits.maxBytes) break;
        bytes += size;
        out.push(r);
        next = r.offset + 1;
      }
      if (next !== position) this.setPosition(group, instance, tp, next);
      if (bytes >= limits.maxBytes) break;
    }
    return out;
  }

  /** `offsets` are next-to-read offsets; omitted means "everything this member has fetched". */
  commit(group: string, instance: string, offsets?: readonly TopicPartitionOffset[]): void {
    this.requireMember(group, instance);
    if (offsets === undefined) {
      this.commitPositions(group, instance);
      return;
    }
    for (const o of offsets) {
      const count = this.partitionCount(o.topic);
      if (count === undefined) throw topicNotFound(o.topic);
      if (o.partition < 0 || o.partition >= count) throw partitionNotFound(o.topic, o.partition);
      this.writeCommitted(group, o);
    }
  }

  committed(group: string, instance: string, partitions?: readonly TopicPartition[]): TopicPartitionOffset[] {
    this.requireMember(group, instance);
    const wanted = partitions ?? this.groupAssignment(group).get(instance) ?? [];
    const out: TopicPartitionOffset[] = [];
    for (const tp of wanted) {
      const offset = this.committedOffset(group, tp);
      if (offset !== undefined) out.push({ ...tp, offset });
    }
    return out;
  }

  /** Group-less read (Upstash /fetch). */
  fetch(topic: string, partition: number, offset: number, maxRecords: number): StoredRecord[] {
    const count = this.partitionCount(topic);
    if (count === undefined) throw topicNotFound(topic);
    if (partition < 0 || partition >= count) throw partitionNotFound(topic, partition);
    return this.readRecords(topic, partition, offset, maxRecords);
  }

  offsetsForTime(timestamp: number | "earliest" | "latest", partitions: readonly TopicPartition[]): TopicPartitionOffset[] {
    return partitions.map((tp) => {
      const end = this.sql
        .exec<{ next_offset: number }>("SELECT next_offset FROM partitions WHERE topic = ? AND partition = ?", tp.topic, tp.partition)
        .toArray()[0];
      if (!end) throw partitionNotFound(tp.topic, tp.partition);
      if (timestamp === "earliest") return { ...tp, offset: 0 };
      if (timestamp === "latest") return { ...tp, offset: end.next_offset };
      const row = this.sql
        .exec<{ offset: number }>(
          "SELECT offset FROM records WHERE topic = ? AND partition = ? AND ts >= ? ORDER BY offset LIMIT 1",
          tp.topic,
          tp.partition,
          timestamp,
        )
        .toArray()[0];
      return { ...tp, offset: row?.offset ?? end.next_offset };
    });
  }

  listGroups(): { name: string; instances: { name: string; topics: { topic: string; partitions: number[] }[] }[] }[] {
    this.expireMembers();
    const groups = this.sql.exec<{ grp: string }>("SELECT DISTINCT grp FROM members ORDER BY grp").toArray();
    return groups.map(({ grp }) => {
      const assignment = this.groupAssignment(grp);
      return {
        name: grp,
        instances: [...assignment.entries()].map(([name, tps]) => {
          const byTopic = new Map<string, number[]>();
          for (const tp of tps) byTopic.set(tp.topic, [...(byTopic.get(tp.topic) ?? []), tp.partition]);
          return { name, topics: [...byTopic.entries()].map(([topic, partitions]) => ({ topic, partitions })) };
        }),
      };
    });
  }

  /** Members that stopped polling leave the group; their partitions move on the next poll. */
  expireMembers(): void {
    const dead = this.sql
      .exec<{ grp: string; instance: string }>("SELECT grp, instance FROM members WHERE last_seen + session_ms < ?", this.now())
      .toArray();
    for (const d of dead) this.removeMember(d.grp, d.instance);
  }

  private requireMember(group: string, instance: string): MemberRow {
    this.expireMembers();
    const row = this.sql.exec<MemberRow>("SELECT * FROM members WHERE grp = ? AND instance = ?", group, instance).toArray()[0];
    if (!row) throw consumerNotFound();
    this.sql.exec("UPDATE members SET last_seen = ? WHERE grp = ? AND instance = ?", this.now(), group, instance);
    return row;
  }

  private removeMember(group: string, instance: string): void {
    this.sql.exec("DELETE FROM members WHERE grp = ? AND instance = ?", group, instance);
    this.sql.exec("DELETE FROM positions WHERE grp = ? AND instance = ?", group, instance);
  }

  /**
   * Recomputes the group's assignment and drops fetch positions of partitions that moved,
   * so a partition's new owner starts from the committed offset: uncommitted records are
   * redelivered (at-least-once), exactly what a Kafka rebalance does.
   */
  private groupAssignment(group: string): Map<string, TopicPartition[]> {
    const members = this.sql.exec<MemberRow>("SELECT * FROM members WHERE grp = ?", group).toArray();
    const counts = new Map(this.listTopics().map((t) => [t.name, t.partitions]));
    const assignment = rangeAssign(
      members.map((m) => ({ instance: m.instance, topics: parseTopics(m.topics) })),
      counts,
    );
    const owned = new Set<string>();
    for (const [instance, tps] of assignment) for (const tp of tps) owned.add(`${instance}\u0000${tp.topic}\u0000${tp.partition}`);
    const positions = this.sql
      .exec<{ instance: string; topic: string; partition: number }>("SELECT instance, topic, partition FROM positions WHERE grp = ?", group)
      .toArray();
    for (const p of positions) {
      if (!owned.has(`${p.instance}\u0000${p.topic}\u0000${p.partition}`)) {
        this.sql.exec(
          "DELETE FROM positions WHERE grp = ? AND instance = ? AND topic = ? AND partition = ?",
          group,
          p.instance,
          p.topic,
          p.partition,
        );
      }
    }
    return assignment;
  }

  private position(group: string, instance: string, tp: TopicPartition, reset: OffsetReset): number {
    const row = this.sql
      .exec<{ position: number }>(
        "SELECT position FROM positions WHERE grp = ? AND instance = ? AND topic = ? AND partition = ?",
        group,
        instance,
        tp.topic,
        tp.partition,
      )
      .toArray()[0];
    if (row) return row.position;
    let start = this.committedOffset(group, tp);
    if (start === undefined) {
      if (reset === "none")
        throw new BrokerError(409, 40903, `No committed offset for ${tp.topic}-${tp.partition} and auto.offset.reset is none.`);
      start =
        reset === "earliest"
          ? 0
          : this.sql
              .exec<{ next_offset: number }>("SELECT next_offset FROM partitions WHERE topic = ? AND partition = ?", tp.topic, tp.partition)
              .one().next_offset;
    }
    // Persisted at assignment time so "latest" means "latest when I got the partition", as in Kafka.
    this.setPosition(group, instance, tp, start);
    return start;
  }

  private setPosition(group: string, instance: string, tp: TopicPartition, position: number): void {
    this.sql.exec(
      "INSERT INTO positions (grp, instance, topic, partition, position) VALUES (?, ?, ?, ?, ?) ON CONFLICT (grp, instance, topic, partition) DO UPDATE SET position = excluded.position",
      group,
      instance,
      tp.topic,
      tp.partition,
      position,
    );
  }

  private commitPositions(group: string, instance: string): void {
    const rows = this.sql
      .exec<{ topic: string; partition: number; position: number }>(
        "SELECT topic, partition, position FROM positions WHERE grp = ? AND instance = ?",
        group,
        instance,
      )
      .toArray();
    for (const r of rows) this.writeCommitted(group, { topic: r.topic, partition: r.partition, offset: r.position });
  }

  private writeCommitted(group: string, o: TopicPartitionOffset): void {
    this.sql.exec(
      "INSERT INTO committed (grp, topic, partition, offset) VALUES (?, ?, ?, ?) ON CONFLICT (grp, topic, partition) DO UPDATE SET offset = excluded.offset",
      group,
      o.topic,
      o.partition,
      o.offset,
    );
  }

  private committedOffset(group: string, tp: TopicPartition): number | undefined {
    return this.sql
      .exec<{ offset: number }>("SELECT offset FROM committed WHERE grp = ? AND topic = ? AND partition = ?", group, tp.topic, tp.partition)
      .toArray()[0]?.offset;
  }

  private readRecords(topic: string, partition: number, from: number, limit: number): StoredRecord[] {
    return this.sql
      .exec<{ offset: number; key: string | null; value: string; headers: string | null; ts: number }>(
        "SELECT offset, key, value, headers, ts FROM records WHERE topic = ? AND partition = ? AND offset >= ? ORDER BY offset LIMIT ?",
        topic,
        partition,
        from,
        limit,
      )
      .toArray()
      .map((r) => ({
        topic,
        partition,
        offset: r.offset,
        timestamp: r.ts,
        key: r.key,
        value: r.value,
        headers: r.headers ? (JSON.parse(r.headers) as StoredHeader[]) : [],
      }));
  }
}

function parseTopics(json: string): string[] {
  return JSON.parse(json) as string[];
}
