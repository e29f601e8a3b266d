import { Hono } from "hono";
import { z } from "zod";
import { basicAuth } from "./auth";
import { brokerConfig } from "./config";
import type { StoredRecord } from "./core";
import { BrokerError, consumerNotFound } from "./errors";
import { body, broker, intParam, unwrap, type AppContext, type AppEnv } from "./http";
import { JSON_V2, nodeOf, parseCommit, parseCreateConsumer, requireContentType, V2, type RestFlavor } from "./rest-v2-strict";

/** Confluent REST Proxy v2 subset (json embedded format); `redpanda` answers as Redpanda's HTTP Proxy does. */
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
const TopicPartitionSchema = z.object({ topic: z.string().min(1), partition: z.number().int().nonnegative() });
const PartitionsBody = z.object({ partitions: z.array(TopicPartitionSchema) }).optional();

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
  requireContentType(c.req.header("content-type"), JSON_V2);
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

/**
 * With BROKER_NODES > 1 the dev broker plays N proxy nodes behind one URL: an instance lives on one
 * node, reachable at `/nodes/{n}/…` (its base_uri) only, and the bare URL — a load balancer
 * without stickiness — never reaches it. A client that ignores base_uri gets 40403 every time.
 */
function instanceOnThisNode(c: AppContext): void {
  const { nodes } = brokerConfig(c.env);
  if (nodes <= 1) return;
  const here = c.req.param("node");
  if (here === undefined || Number(here) !== nodeOf(c.req.param("instance") ?? "", nodes)) throw consumerNotFound();
}

function baseUri(c: AppContext, mount: string, group: string, instance: string): string {
  const { nodes } = brokerConfig(c.env);
  const node = nodes > 1 ? `/nodes/${nodeOf(instance, nodes)}` : "";
  return `${new URL(c.req.url).origin}${mount}${node}/consumers/${encodeURIComponent(group)}/instances/${encodeURIComponent(instance)}`;
}

/** `mount` is where the app is routed (for base_uri): "" for Confluent at `/`, "/redpanda" for the Redpanda dialect. */
export function restV2(flavor: RestFlavor, mount: string): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.onError((err) => {
    if (err instanceof BrokerError) return render(err.status, err.errorCode, err.message);
    console.error("dev broker internal error", err);
    return render(500, 50001, "Internal server error.");
  });
  app.notFound(() => render(404, 404, "HTTP 404 Not Found"));
  app.use("*", basicAuth(render));

  app.get("/topics", async (c) => ok(unwrap(await broker(c.env).listTopics()).map((t) => t.name)));
  app.get("/topics/:topic", async (c) => {
    const t = unwrap(await broker(c.env).describeTopic(c.req.param("topic")));
    return ok({
      name: t.name,
      configs: {},
      partitions: t.partitions.map((p) => ({ partition: p.partition, leader: 0, replicas: [{ broker: 0, leader: true, in_sync: true }] })),
    });
  });
  app.post("/topics/:topic", (c) => produce(c, c.req.param("topic")));
  app.post("/topics/:topic/partitions/:partition", (c) => produce(c, c.req.param("topic"), intParam(c.req.param("partition"), 0, 1e6)));

  app.post("/consumers/:group", async (c) => {
    requireContentType(c.req.header("content-type"), V2);
    const group = c.req.param("group");
    const b = parseCreateConsumer(flavor, await body(c, z.unknown()));
    const options = { ...(b.name ? { name: b.name } : {}), reset: b.reset, autoCommit: b.autoCommit };
    const instance = unwrap(await broker(c.env).createConsumer(group, options));
    return ok({ instance_id: instance, base_uri: baseUri(c, mount, group, instance) });
  });

  const inst = "/consumers/:group/instances/:instance";
  const group = (c: AppContext): string => c.req.param("group") ?? "";
  const instance = (c: AppContext): string => c.req.param("instance") ?? "";
  app.use(`${inst}/*`, async (c, next) => {
    instanceOnThisNode(c);
    await next();
  });
  app.use(inst, async (c, next) => {
    instanceOnThisNode(c);
    await next();
  });
  app.delete(inst, async (c) => {
    requireContentType(c.req.header("content-type"), V2);
    unwrap(await broker(c.env).deleteConsumer(group(c), instance(c)));
    return new Response(null, { status: 204 });
  });
  app.post(`${inst}/subscription`, async (c) => {
    requireContentType(c.req.header("content-type"), V2);
    const b = await body(c, z.object({ topics: z.array(z.string().min(1)).min(1) }));
    unwrap(await broker(c.env).subscribe(group(c), instance(c), b.topics));
    return new Response(null, { status: 204 });
  });
  app.get(`${inst}/subscription`, async (c) => ok({ topics: unwrap(await broker(c.env).subscription(group(c), instance(c))) }));
  app.delete(`${inst}/subscription`, async (c) => {
    requireContentType(c.req.header("content-type"), V2);
    unwrap(await broker(c.env).unsubscribe(group(c), instance(c)));
    return new Response(null, { status: 204 });
  });
  app.get(`${inst}/assignments`, async (c) => ok({ partitions: unwrap(await broker(c.env).assignments(group(c), instance(c))) }));

  app.get(`${inst}/records`, async (c) => {
    const accept = c.req.header("accept") ?? JSON_V2;
    if (!accept.includes(JSON_V2) && !accept.includes("*/*")) {
      throw new BrokerError(406, 40601, `This consumer uses the json format; Accept must include ${JSON_V2}.`);
    }
    const timeout = intParam(c.req.query("timeout"), 1_000, 30_000);
    const maxBytes = intParam(c.req.query("max_bytes"), DEFAULT_MAX_BYTES, DEFAULT_MAX_BYTES) || DEFAULT_MAX_BYTES;
    // No max_records: no real server has one. The batch is whatever is there, up to BROKER_MAX_POLL_RECORDS.
    const records = unwrap(await broker(c.env).poll(group(c), instance(c), { maxBytes }, timeout));
    return ok(records.map(toJsonRecord), 200, JSON_V2);
  });

  app.post(`${inst}/offsets`, async (c) => {
    requireContentType(c.req.header("content-type"), V2);
    const offsets = parseCommit(flavor, await body(c, z.unknown()));
    unwrap(await broker(c.env).commit(group(c), instance(c), offsets));
    return new Response(null, { status: flavor === "redpanda" ? 204 : 200 });
  });
  app.get(`${inst}/offsets`, async (c) => {
    requireContentType(c.req.header("content-type"), V2);
    // REST Proxy takes `{partitions}` as a GET body; fetch() cannot send one, so no body means "my assignment".
    const b = await body(c, PartitionsBody);
    const offsets = unwrap(await broker(c.env).committed(group(c), instance(c), b?.partitions));
    return ok({ offsets: offsets.map((o) => ({ ...o, metadata: "" })) });
  });
  return app;
}
