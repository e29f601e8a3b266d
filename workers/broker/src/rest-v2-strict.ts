import { z } from "zod";
import { BrokerError } from "./errors";

/**
 * Where the real REST Proxy v2 servers refuse a request, the dev broker refuses it too, so a
 * client that only works against the dev broker cannot pass the tests. Each rule is read in the
 * servers' source (confluentinc/kafka-rest, redpanda-data/redpanda src/v/pandaproxy).
 */
export type RestFlavor = "confluent" | "redpanda";

export const V2 = "application/vnd.kafka.v2+json";
export const JSON_V2 = "application/vnd.kafka.json.v2+json";

/**
 * Consumer requests (create, subscribe, commit, DELETE, GET offsets) must say `application/vnd.kafka.v2+json`:
 * Redpanda checks it on every one of them, bodiless DELETE included (415), and Confluent's consumer
 * resource accepts no `application/json`. Produce takes the json embedded format.
 */
export function requireContentType(header: string | undefined, expected: string): void {
  const types = (header ?? "").split(",").map((t) => t.split(";")[0]!.trim().toLowerCase());
  if (!types.includes(expected)) {
    throw new BrokerError(415, 415, `HTTP 415 Unsupported Media Type: Content-Type must be ${expected}, got ${header ?? "none"}.`);
  }
}

const numeric = z.union([z.number().int(), z.string().regex(/^-?\d+$/)]);

/** Confluent: Jackson over CreateConsumerInstanceRequest; an unknown property is a 422. Strings coerce to the int fields. */
const ConfluentCreate = z.strictObject({
  id: z.string().optional(),
  name: z.string().optional(),
  format: z.string().optional(),
  "auto.offset.reset": z.string().optional(),
  "auto.commit.enable": z.union([z.string(), z.boolean()]).optional(),
  "fetch.min.bytes": numeric.optional(),
  "consumer.request.timeout.ms": numeric.optional(),
});

/** Redpanda: a SAX handler with a fixed key list that accepts string values only; anything else is invalid JSON (422). */
const RedpandaCreate = z.strictObject({
  name: z.string().optional(),
  format: z.string().optional(),
  "auto.offset.reset": z.string().optional(),
  "auto.commit.enable": z.string().optional(),
  "fetch.min.bytes": z.string().optional(),
  "consumer.request.timeout.ms": z.string().optional(),
});

export interface CreateConsumer {
  name?: string;
  reset: "earliest" | "latest" | "none";
  autoCommit: boolean;
}

function describe(error: z.ZodError): string {
  return error.issues
    .map((i) =>
      i.code === "unrecognized_keys" ? `Unrecognized field: ${i.keys.join(", ")}` : `${i.path.join(".") || "(body)"}: ${i.message}`,
    )
    .join("; ");
}

export function parseCreateConsumer(flavor: RestFlavor, raw: unknown): CreateConsumer {
  const parsed = (flavor === "redpanda" ? RedpandaCreate : ConfluentCreate).safeParse(raw ?? {});
  if (!parsed.success) throw new BrokerError(422, flavor === "redpanda" ? 42201 : 422, describe(parsed.error));
  const b = parsed.data;
  const name = b.name ?? ("id" in b ? b.id : undefined);
  if (name !== undefined && !/^[A-Za-z0-9._-]{1,200}$/.test(name)) throw new BrokerError(422, 42201, `Invalid consumer name ${name}.`);
  const format = (b.format ?? "binary").toLowerCase();
  const reset = (b["auto.offset.reset"] ?? (flavor === "redpanda" ? "earliest" : "latest")).toLowerCase();
  const autoCommit = String(b["auto.commit.enable"] ?? (flavor === "redpanda" ? "false" : "true")).toLowerCase();
  if (flavor === "redpanda") {
    // pandaproxy's create_consumer: only these values, anything else is a 400 (kafka_bad_request).
    if (format !== "binary" && format !== "json") throw new BrokerError(400, 40002, "format must be 'binary' or 'json'");
    if (reset !== "earliest") throw new BrokerError(400, 40002, "auto.offset must be earliest");
    if (autoCommit !== "false") throw new BrokerError(400, 40002, "auto.commit must be false");
  }
  if (!["binary", "json", "avro", "jsonschema", "protobuf"].includes(format)) throw new BrokerError(422, 42204, "Invalid format type.");
  if (format !== "json") throw new BrokerError(422, 42204, `This dev broker supports only the json format, not ${format}.`);
  if (reset !== "earliest" && reset !== "latest" && reset !== "none") {
    throw new BrokerError(422, 42201, `Invalid auto.offset.reset ${reset}.`);
  }
  if (autoCommit !== "true" && autoCommit !== "false") throw new BrokerError(422, 42201, `Invalid auto.commit.enable ${autoCommit}.`);
  return { ...(name !== undefined ? { name } : {}), reset, autoCommit: autoCommit === "true" };
}

const TopicPartitionOffset = {
  topic: z.string().min(1),
  partition: z.number().int().nonnegative(),
  offset: z.number().int().nonnegative(),
};
// No body, or no `offsets`, commits everything fetched (as all three servers do).
const ConfluentCommit = z
  .object({ offsets: z.array(z.object({ ...TopicPartitionOffset, metadata: z.string().optional() })).optional() })
  .optional();
/** pandaproxy's partition_offsets handler ends an entry only when it has exactly its three keys. */
const RedpandaCommit = z.object({ offsets: z.array(z.strictObject(TopicPartitionOffset)).optional() }).optional();

/**
 * The offsets to store (Kafka's committed offset: the next to read), or undefined for "all fetched".
 * Confluent and Karapace store `offset + 1`; Redpanda stores the offset as sent.
 */
export function parseCommit(flavor: RestFlavor, raw: unknown): { topic: string; partition: number; offset: number }[] | undefined {
  const parsed = (flavor === "redpanda" ? RedpandaCommit : ConfluentCommit).safeParse(raw);
  if (!parsed.success) throw new BrokerError(422, 42201, describe(parsed.error));
  const delta = flavor === "redpanda" ? 0 : 1;
  return parsed.data?.offsets?.map((o) => ({ topic: o.topic, partition: o.partition, offset: o.offset + delta }));
}

/** FNV-1a: which simulated proxy node holds an instance (stable, so no node column is stored). */
export function nodeOf(instance: string, nodes: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < instance.length; i++) h = Math.imul(h ^ instance.charCodeAt(i), 0x01000193) >>> 0;
  return h % nodes;
}
