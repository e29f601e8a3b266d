import { Hono } from "hono";
import { z } from "zod";
import { basicAuth } from "./auth";
import type { StoredRecord } from "./core";
import { BrokerError } from "./errors";
import { body, broker, intParam, unwrap, type AppContext, type AppEnv } from "./http";

/** Confluent REST Proxy v2 subset (json embedded format). */
const V2 = "application/vnd.kafka.v2+json";
const JSON_V2 = "application/vnd.kafka.json.v2+json";
const MAX_RECORDS_PER_POLL = 500;
const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;

function render(status: number, code: number, message: string): Response {
  return new Response(JSON.stringify({ error_code: code, message }), { status, headers: { "content-type": V2 } });
}
function ok(data: unknown, status = 200, contentType = V2): Response {
  return new Response(JSON.stringify(data), { status, headers: { "content-type": contentType } });
}

const ProduceBody = z.object({
  records: z
    .array(
      z.object({
        key: z.unknown().optional(),
        value: z.unknown(),
        partition: z.number().int().nonnegative().optional(),
      }),
    )
    .min(1),
});
const CreateConsumerBody = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9._-]{1,200}$/).optional(),
    format: z.enum(["json", "binary", "avro", "jsonschema", "protobuf"]).default("binary"),
    "auto.offset.reset": z.enum(["earliest", "latest", "none"]).default("latest"),
    "auto.commit.enable": z.union([z.enum(["true", "false"]), z.boolean()]).default("true"),
    // Dev-broker extension (Kafka's consumer config name): lets tests expire members quickly.
    "session.timeout.ms": z.union([z.string(), z.number()]).optional(),
  })
  .default({ format: "binary", "auto.offset.reset": "latest", "auto.commit.enable": "true" });
const TopicPartitionSchema = z.object({ topic: z.string().min(1), partition: z.number().int().nonnegative() });
const OffsetsBody = z.object({ offsets: z.array(TopicPartitionSchema.extend({ offset: z.number().int().nonnegative() })).optional() }).optional();
const PartitionsBody = z.object({ partitions: z.array(TopicPartitionSchema) }).optional();

function requireContentType(c: AppContext, expected: string): void {
  const ct = (c.req.header("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (ct !== expected && ct !== "application/json") throw new BrokerError(415, 415, `Content-Type must be ${expected}.`);
}

/** The json format stores the record's JSON serialization as its bytes, as Kafka's JSON serializer does. */
function parseBytes(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
function toJsonRecord(r: StoredRecord): { topic: string; key: unknown; value: unknown; partition: number; offset: number } {
  return { topic: r.topic, key: parseBytes(r.key), value: parseBytes(r.value), partition: r.partition, offset: r.offset };
}

async function produce(c: AppContext, topic: string, partition?: number): Promise<Response> {
  requireContentType(c, JSON_V2);
  const { records } = await body(c, ProduceBody);
  const produced = unwrap(
    await broker(c.env).produce(
      topic,
      records.map((r) => ({
        key: r.key === undefined || r.key === null ? null : JSON.stringify(r.key),
        value: JSON.stringify(r.value ?? null),
        headers: [],
        ...(partition !== undefined ? { partition } : r.partition !== undefined ? { partition: r.partition } : {}),
      })),
    ),
  );
  return ok({
    key_schema_id: null,
    value_schema_id: null,
    offsets: produced.map((p) => ({ partition: p.partition, offset: p.offset, error_code: null, error: null })),
  });
}

export const restV2 = new Hono<AppEnv>();
restV2.onError((err) => {
  if (err instanceof BrokerError) return render(err.status, err.errorCode, err.message);
  console.error("dev broker internal error", err);
  return render(500, 50001, "Internal server error.");
});
restV2.notFound(() => render(404, 404, "HTTP 404 Not Found"));
restV2.use("*", basicAuth(render));

restV2.get("/topics", async (c) => ok(unwrap(await broker(c.env).listTopics()).map((t) => t.name)));
restV2.get("/topics/:topic", async (c) => {
  const t = unwrap(await broker(c.env).describeTopic(c.req.param("topic")));
  return ok({
    name: t.name,
    configs: {},
    partitions: t.partitions.map((p) => ({ partition: p.partition, leader: 0, replicas: [{ broker: 0, leader: true, in_sync: true }] })),
  });
});
restV2.post("/topics/:topic", (c) => produce(c, c.req.param("topic")));
restV2.post("/topics/:topic/partitions/:partition", (c) => produce(c, c.req.param("topic"), intParam(c.req.param("partition"), 0, 1e6)));

restV2.post("/consumers/:group", async (c) => {
  const group = c.req.param("group");
  const b = await body(c, CreateConsumerBody);
  if (b.format !== "json") throw new BrokerError(422, 42204, `This dev broker supports only the json format, not ${b.format}.`);
  const session = b["session.timeout.ms"] === undefined ? undefined : intParam(String(b["session.timeout.ms"]), 0, 3_600_000) || undefined;
  const instance = unwrap(
    await broker(c.env).createConsumer(group, {
      ...(b.name ? { name: b.name } : {}),
      reset: b["auto.offset.reset"],
      autoCommit: String(b["auto.commit.enable"]) === "true",
      ...(session ? { sessionTimeoutMs: session } : {}),
    }),
  );
  const origin = new URL(c.req.url).origin;
  return ok({ instance_id: instance, base_uri: `${origin}/consumers/${encodeURIComponent(group)}/instances/${encodeURIComponent(instance)}` });
});

const inst = "/consumers/:group/instances/:instance";
restV2.delete(inst, async (c) => {
  unwrap(await broker(c.env).deleteConsumer(c.req.param("group"), c.req.param("instance")));
  return new Response(null, { status: 204 });
});
restV2.post(`${inst}/subscription`, async (c) => {
  const b = await body(c, z.object({ topics: z.array(z.string().min(1)).min(1) }));
  unwrap(await broker(c.env).subscribe(c.req.param("group"), c.req.param("instance"), b.topics));
  return new Response(null, { status: 204 });
});
restV2.get(`${inst}/subscription`, async (c) => ok({ topics: unwrap(await broker(c.env).subscription(c.req.param("group"), c.req.param("instance"))) }));
restV2.delete(`${inst}/subscription`, async (c) => {
  unwrap(await broker(c.env).unsubscribe(c.req.param("group"), c.req.param("instance")));
  return new Response(null, { status: 204 });
});
restV2.get(`${inst}/assignments`, async (c) => ok({ partitions: unwrap(await broker(c.env).assignments(c.req.param("group"), c.req.param("instance"))) }));

restV2.get(`${inst}/records`, async (c) => {
  const accept = c.req.header("accept") ?? JSON_V2;
  if (!accept.includes(JSON_V2) && !accept.includes("*/*") && !accept.includes("application/json")) {
    throw new BrokerError(406, 40601, `This consumer uses the json format; Accept must include ${JSON_V2}.`);
  }
  const timeout = intParam(c.req.query("timeout"), 1_000, 30_000);
  const maxBytes = intParam(c.req.query("max_bytes"), DEFAULT_MAX_BYTES, DEFAULT_MAX_BYTES) || DEFAULT_MAX_BYTES;
  // Dev-broker extension: cap on records per poll (Kafka's max.poll.records).
  const maxRecords = intParam(c.req.query("max_records"), MAX_RECORDS_PER_POLL, MAX_RECORDS_PER_POLL) || MAX_RECORDS_PER_POLL;
  const records = unwrap(await broker(c.env).poll(c.req.param("group"), c.req.param("instance"), { maxRecords, maxBytes }, timeout));
  return ok(records.map(toJsonRecord), 200, JSON_V2);
});

/** Like REST Proxy: the body names the LAST CONSUMED offset; Kafka stores offset + 1. Empty body commits all fetched. */
restV2.post(`${inst}/offsets`, async (c) => {
  const b = await body(c, OffsetsBody);
  const offsets = b?.offsets?.map((o) => ({ topic: o.topic, partition: o.partition, offset: o.offset + 1 }));
  unwrap(await broker(c.env).commit(c.req.param("group"), c.req.param("instance"), offsets));
  return new Response(null, { status: 200 });
});
restV2.get(`${inst}/offsets`, async (c) => {
  // REST Proxy takes `{partitions}` as a GET body; fetch() cannot send one, so no body means "my assignment".
  const b = await body(c, PartitionsBody);
  const offsets = unwrap(await broker(c.env).committed(c.req.param("group"), c.req.param("instance"), b?.partitions));
  return ok({ offsets: offsets.map((o) => ({ ...o, metadata: "" })) });
});
