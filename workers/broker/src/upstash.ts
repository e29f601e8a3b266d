import { Hono } from "hono";
import { z } from "zod";
import { basicAuth } from "./auth";
import type { StoredRecord } from "./core";
import { BrokerError } from "./errors";
import { body, broker, intParam, unwrap, type AppContext, type AppEnv } from "./http";

/**
 * The Upstash Kafka REST dialect, exactly as @upstash/kafka 1.3.x calls it (mounted
 * under /upstash so its `GET /topics` does not collide with REST Proxy's).
 * Offsets in /commit and /committed are Kafka's: the next offset to read.
 */
const MAX_RECORDS = 500;

function render(status: number, _code: number, message: string): Response {
  return Response.json({ error: message, status }, { status });
}
const success = (): Response => Response.json({ result: "Success", status: 200 });

const Header = z.object({ key: z.string(), value: z.string() });
const ProduceItem = z.object({
  topic: z.string().min(1),
  value: z.unknown(),
  key: z.string().optional(),
  partition: z.number().int().nonnegative().optional(),
  timestamp: z.number().int().optional(),
  headers: z.array(Header).optional(),
});
const TopicPartition = z.object({ topic: z.string().min(1), partition: z.number().int().nonnegative() });
const TopicPartitionOffset = TopicPartition.extend({ offset: z.number().int().nonnegative() });
const ConsumeBody = z
  .object({
    topic: z.string().min(1).optional(),
    topics: z.array(z.string().min(1)).optional(),
    timeout: z.number().int().nonnegative().optional(),
  })
  .optional();
const FetchBody = z.object({
  topic: z.string().min(1).optional(),
  partition: z.number().int().nonnegative().optional(),
  offset: z.number().int().nonnegative().optional(),
  timeout: z.number().int().nonnegative().optional(),
  topicPartitionOffsets: z.array(TopicPartitionOffset).optional(),
});

function toMessage(r: StoredRecord): {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
  key: string;
  value: string;
  headers: { key: string; value: string }[];
} {
  return {
    topic: r.topic,
    partition: r.partition,
    offset: r.offset,
    timestamp: r.timestamp,
    key: r.key ?? "",
    value: r.value,
    headers: r.headers,
  };
}

async function produceItems(c: AppContext, items: z.infer<typeof ProduceItem>[]): Promise<Response> {
  const stub = broker(c.env);
  const out: { topic: string; partition: number; offset: number; timestamp: number }[] = [];
  // Per item, in order: the SDK maps response[i] to request[i], and items may name different topics.
  for (const item of items) {
    const [p] = unwrap(
      await stub.produce(item.topic, [
        {
          key: item.key ?? null,
          value: typeof item.value === "string" ? item.value : JSON.stringify(item.value ?? null),
          headers: item.headers ?? [],
          ...(item.partition !== undefined ? { partition: item.partition } : {}),
          ...(item.timestamp !== undefined ? { timestamp: item.timestamp } : {}),
        },
      ]),
    );
    out.push(p!);
  }
  return Response.json(out);
}

async function consume(c: AppContext, pathTopic?: string): Promise<Response> {
  const group = c.req.param("group")!;
  const instance = c.req.param("instance")!;
  const b = await body(c, ConsumeBody);
  const topics = pathTopic ? [pathTopic] : (b?.topics ?? (b?.topic ? [b.topic] : []));
  if (topics.length === 0) throw new BrokerError(400, 40002, "topic or topics is required.");
  const timeout = b?.timeout ?? intParam(c.req.query("timeout"), 1_000, 30_000);
  const reset = (c.req.header("Kafka-Auto-Offset-Reset") ?? "latest").toLowerCase();
  if (reset !== "earliest" && reset !== "latest" && reset !== "none")
    throw new BrokerError(400, 40003, `Invalid Kafka-Auto-Offset-Reset ${reset}.`);
  const autoCommit = (c.req.header("Kafka-Enable-Auto-Commit") ?? "true").toLowerCase() !== "false";
  const stub = broker(c.env);
  unwrap(await stub.ensureConsumer(group, instance, { reset, autoCommit }, topics));
  const records = unwrap(await stub.poll(group, instance, { maxBytes: 64 * 1024 * 1024 }, timeout));
  return Response.json(records.map(toMessage));
}

export const upstash = new Hono<AppEnv>();
upstash.onError((err) => {
  if (err instanceof BrokerError) return render(err.status, err.errorCode, err.message);
  console.error("dev broker internal error", err);
  return render(500, 50001, "Internal server error.");
});
upstash.notFound(() => render(404, 404, "Not found."));
upstash.use("*", basicAuth(render));

upstash.post("/produce", async (c) => {
  const b = await body(c, z.union([ProduceItem, z.array(ProduceItem).min(1)]));
  return produceItems(c, Array.isArray(b) ? b : [b]);
});
upstash.post("/produce/:topic", async (c) => {
  const topic = c.req.param("topic");
  const Item = ProduceItem.omit({ topic: true });
  const b = await body(c, z.union([Item, z.array(Item).min(1)]));
  return produceItems(
    c,
    (Array.isArray(b) ? b : [b]).map((i) => ({ ...i, topic })),
  );
});
upstash.post("/consume/:group/:instance", (c) => consume(c));
upstash.post("/consume/:group/:instance/:topic", (c) => consume(c, c.req.param("topic")));
upstash.get("/consume/:group/:instance/:topic", (c) => consume(c, c.req.param("topic")));

upstash.post("/commit/:group/:instance", async (c) => {
  const b = await body(c, z.union([TopicPartitionOffset, z.array(TopicPartitionOffset)]).optional());
  const offsets = b === undefined ? undefined : Array.isArray(b) ? b : [b];
  unwrap(await broker(c.env).commit(c.req.param("group"), c.req.param("instance"), offsets));
  return success();
});
upstash.post("/committed/:group/:instance", async (c) => {
  const b = await body(c, z.array(TopicPartition).optional());
  return Response.json(unwrap(await broker(c.env).committed(c.req.param("group"), c.req.param("instance"), b)));
});
upstash.post("/fetch", async (c) => {
  const b = await body(c, FetchBody);
  const targets = [...(b.topicPartitionOffsets ?? [])];
  if (b.topic !== undefined) targets.push({ topic: b.topic, partition: b.partition ?? 0, offset: b.offset ?? 0 });
  if (targets.length === 0) throw new BrokerError(400, 40002, "topic or topicPartitionOffsets is required.");
  const stub = broker(c.env);
  const out: ReturnType<typeof toMessage>[] = [];
  for (const t of targets) {
    const records = unwrap(
      await stub.fetchFrom(t.topic, t.partition, t.offset, MAX_RECORDS, targets.length === 1 ? (b.timeout ?? 1_000) : 0),
    );
    out.push(...records.map(toMessage));
  }
  return Response.json(out);
});
upstash.get("/topics", async (c) =>
  Response.json(Object.fromEntries(unwrap(await broker(c.env).listTopics()).map((t) => [t.name, t.partitions]))),
);
upstash.get("/consumers", async (c) => Response.json(unwrap(await broker(c.env).listGroups())));
upstash.post("/delete-consumer/:group/:instance", async (c) => {
  const result = await broker(c.env).deleteConsumer(c.req.param("group"), c.req.param("instance"));
  // Idempotent: the SDK retries failures for ~15 s, and "already gone" is the goal anyway.
  if (!result.ok && result.errorCode !== 40403) unwrap(result);
  return success();
});
upstash.post("/offsets/:timestamp", async (c) => {
  const raw = c.req.param("timestamp");
  const ts = raw === "earliest" || raw === "latest" ? raw : intParam(raw, 0, Number.MAX_SAFE_INTEGER);
  const b = await body(c, z.array(TopicPartition));
  return Response.json(unwrap(await broker(c.env).offsetsForTime(ts, b)));
});
