import { z } from "zod";
import { AppError } from "@proximus/contracts/errors";
import { maxOffsets, unwrapEnvelope, wrap } from "./envelope";
import type { BusConsumer, BusRecord, BusRecordInput, ConsumerConfig, ConsumerSource, FetchFn, TaskBus } from "./types";

const V2 = "application/vnd.kafka.v2+json";
const JSON_V2 = "application/vnd.kafka.json.v2+json";

/**
 * Which REST Proxy v2 server is on the other end. They agree on the wire except where noted
 * (each point read in the servers' source, see workers/shared/bus/README.md):
 * - `confluent` (confluentinc/kafka-rest) and `karapace` commit `offset + 1` (the body names the
 *   last processed record); `redpanda` (pandaproxy) commits the offset exactly as sent.
 * - `fetch.min.bytes` at instance creation is an integer for Confluent and Karapace but a string for
 *   Redpanda; only Confluent needs it (without it a poll always waits its whole timeout), so only
 *   `confluent` sends it.
 * - `strimzi` (strimzi-kafka-bridge, read from its OpenAPI spec and sink endpoint; not run here) names
 *   auto-commit `enable.auto.commit` (a boolean; its schema forbids other keys) and, like Redpanda,
 *   commits the offset as sent. Paths, produce and poll are the v2 ones.
 */
export const KafkaRestFlavor = z.enum(["confluent", "karapace", "redpanda", "strimzi"]);
export type KafkaRestFlavor = z.infer<typeof KafkaRestFlavor>;

export interface KafkaRestOptions {
  baseUrl: string;
  username?: string;
  password?: string;
  /** Default `confluent`. */
  flavor?: KafkaRestFlavor;
  /**
   * Send a consumer instance's requests to the `base_uri` the server returned at creation (default
   * true): behind a load balancer over several proxy nodes only that node holds the instance. Turn
   * off when the proxy advertises an address the Worker cannot reach and `baseUrl` is one node.
   */
  useBaseUri?: boolean;
  /** `consumer.request.timeout.ms` for new instances: the server's cap on one poll's wait. */
  consumerRequestTimeoutMs?: number;
  /** Injectable so a service binding's `fetch` (e.g. to the dev broker) can carry the requests. */
  fetch?: FetchFn;
}

const RestError = z.object({ error_code: z.number(), message: z.string() });
const CreateReply = z.object({ instance_id: z.string().min(1), base_uri: z.string() });
const RecordsReply = z.array(
  z.object({ topic: z.string(), key: z.unknown(), value: z.unknown(), partition: z.number().int(), offset: z.number().int() }),
);
const ProduceReply = z.object({ offsets: z.array(z.object({ error_code: z.number().nullish(), error: z.string().nullish() })) });

/** REST Proxy 40403 "consumer instance not found" (expired, deleted, or on another node): recreate the instance. */
export function isConsumerGone(e: unknown): boolean {
  return e instanceof AppError && e.code === "not_found" && (e.details as { errorCode?: number } | undefined)?.errorCode === 40403;
}

class RestClient {
  readonly base: string;
  private readonly auth: string | undefined;
  private readonly doFetch: FetchFn;

  constructor(o: KafkaRestOptions) {
    this.base = o.baseUrl.replace(/\/+$/, "");
    this.auth = o.username !== undefined && o.username !== "" ? `Basic ${btoa(`${o.username}:${o.password ?? ""}`)}` : undefined;
    this.doFetch = o.fetch ?? ((input, init) => fetch(input, init));
  }

  /**
   * Every request carries a Content-Type, bodiless ones too: Redpanda answers 415 to a consumer
   * DELETE or GET …/offsets without `application/vnd.kafka.v2+json`, and the others accept it.
   */
  async call(method: string, url: string, opts: { body?: unknown; contentType?: string; accept?: string } = {}): Promise<unknown> {
    const headers: Record<string, string> = { accept: opts.accept ?? V2, "content-type": opts.contentType ?? V2 };
    if (this.auth) headers.authorization = this.auth;
    const where = `${method} ${url.startsWith(this.base) ? url.slice(this.base.length) || "/" : url}`;
    let res: Response;
    try {
      res = await this.doFetch(url, { method, headers, ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}) });
    } catch (e) {
      throw new AppError("upstream_failed", `Kafka REST ${where} failed: ${e instanceof Error ? e.message : String(e)}`);
    }
    const text = await res.text();
    const data: unknown = text === "" ? undefined : safeJson(text);
    if (!res.ok) {
      const err = RestError.safeParse(data);
      const errorCode = err.success ? err.data.error_code : res.status;
      const message = err.success ? err.data.message : `HTTP ${res.status}`;
      const code = res.status === 404 ? "not_found" : res.status === 401 ? "unauthorized" : "upstream_failed";
      throw new AppError(code, `Kafka REST ${where}: ${message}`, { status: res.status, errorCode });
    }
    return data;
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

const seg = encodeURIComponent;

/** Confluent REST Proxy v2 with the json embedded format; also Karapace and Redpanda's HTTP Proxy (see `flavor`). */
export class KafkaRestBus implements TaskBus, ConsumerSource {
  readonly mode = "kafka-rest" as const;
  private readonly client: RestClient;
  private readonly flavor: KafkaRestFlavor;
  private readonly useBaseUri: boolean;
  private readonly requestTimeoutMs: number | undefined;

  constructor(options: KafkaRestOptions) {
    this.client = new RestClient(options);
    this.flavor = options.flavor ?? "confluent";
    this.useBaseUri = options.useBaseUri ?? true;
    this.requestTimeoutMs = options.consumerRequestTimeoutMs;
  }

  async produce(topic: string, records: readonly BusRecordInput[]): Promise<void> {
    if (records.length === 0) return;
    const reply = await this.client.call("POST", `${this.client.base}/topics/${seg(topic)}`, {
      contentType: JSON_V2,
      body: { records: records.map((r) => ({ key: r.key, value: wrap(r.value, r.headers) })) },
    });
    // REST Proxy answers 200 even when single records fail; those carry error_code per offset.
    const parsed = ProduceReply.safeParse(reply);
    const failed = parsed.success ? parsed.data.offsets.find((o) => o.error_code != null) : undefined;
    if (failed) throw new AppError("upstream_failed", `Kafka REST produce to ${topic} failed: ${failed.error ?? failed.error_code}`);
  }

  /**
   * Only fields every supported server accepts: Confluent (Jackson, unknown fields → 422) and
   * Redpanda (a fixed key list, string values only) reject anything else, `session.timeout.ms`
   * included. Redpanda also insists on `auto.offset.reset: earliest` and `auto.commit.enable: false`.
   */
  createBody(config: ConsumerConfig, name: string): Record<string, string | number | boolean> {
    const reset = config.autoOffsetReset ?? "earliest";
    if (this.flavor === "strimzi") {
      const body: Record<string, string | number | boolean> = {
        name,
        format: "json",
        "auto.offset.reset": reset,
        "enable.auto.commit": false,
      };
      if (this.requestTimeoutMs !== undefined) body["consumer.request.timeout.ms"] = this.requestTimeoutMs;
      return body;
    }
    return {
      name,
      format: "json",
      "auto.offset.reset": reset,
      "auto.commit.enable": "false",
      ...(this.requestTimeoutMs !== undefined ? { "consumer.request.timeout.ms": String(this.requestTimeoutMs) } : {}),
      ...(this.flavor === "confluent" ? { "fetch.min.bytes": 1 } : {}),
    };
  }

  async create(config: ConsumerConfig): Promise<BusConsumer> {
    const name = `${config.group}-${crypto.randomUUID()}`.slice(0, 200);
    const reply = CreateReply.parse(
      await this.client.call("POST", `${this.client.base}/consumers/${seg(config.group)}`, { body: this.createBody(config, name) }),
    );
    const consumer = this.attach(config, this.handleFor(config, reply));
    try {
      await this.client.call("POST", `${consumer.instanceId}/subscription`, { body: { topics: [...config.topics] } });
    } catch (e) {
      await consumer.close().catch(() => undefined);
      throw e;
    }
    return consumer;
  }

  /**
   * The instance's handle is its absolute URL: `base_uri` (Karapace without `rest_base_uri` sends it
   * relative, so it is resolved against `baseUrl`), or the path rebuilt under `baseUrl` when turned off.
   */
  private handleFor(config: ConsumerConfig, reply: z.infer<typeof CreateReply>): string {
    if (this.useBaseUri && reply.base_uri !== "") {
      const url = new URL(reply.base_uri, `${this.client.base}/`);
      if (url.protocol === "http:" || url.protocol === "https:") return url.href.replace(/\/+$/, "");
    }
    return `${this.client.base}/consumers/${seg(config.group)}/instances/${seg(reply.instance_id)}`;
  }

  /** `handle` is what `create` returned as `instanceId`; a bare instance id (older stored state) is resolved under `baseUrl`. */
  attach(config: ConsumerConfig, handle: string): BusConsumer {
    const url = /^https?:\/\//i.test(handle) ? handle : `${this.client.base}/consumers/${seg(config.group)}/instances/${seg(handle)}`;
    return new KafkaRestConsumer(this.client, url, this.flavor);
  }
}

class KafkaRestConsumer implements BusConsumer {
  constructor(
    private readonly client: RestClient,
    /** The instance's URL; also its handle, which the consumer loop stores. */
    readonly instanceId: string,
    private readonly flavor: KafkaRestFlavor,
  ) {}

  /** `maxRecords` is not part of REST Proxy v2: every server returns whatever batch it has (bounded by bytes). */
  async poll(_maxRecords: number, timeoutMs: number): Promise<BusRecord[]> {
    const q = new URLSearchParams({ timeout: String(timeoutMs) });
    const reply = RecordsReply.parse(await this.client.call("GET", `${this.instanceId}/records?${q}`, { accept: JSON_V2 }));
    return reply.map((r) => {
      const { value, headers } = unwrapEnvelope(r.value);
      return {
        id: `${r.topic}/${r.partition}/${r.offset}`,
        topic: r.topic,
        partition: r.partition,
        offset: r.offset,
        key: r.key === null || r.key === undefined ? null : typeof r.key === "string" ? r.key : JSON.stringify(r.key),
        value,
        headers,
        attempt: 1,
      };
    });
  }

  async commit(records: readonly BusRecord[]): Promise<void> {
    const last = maxOffsets(records);
    if (last.length === 0) return;
    // Confluent and Karapace take the last processed offset and store offset + 1; Redpanda and Strimzi store what they are sent.
    const asSent = this.flavor === "redpanda" || this.flavor === "strimzi";
    const offsets = asSent ? last.map((o) => ({ ...o, offset: o.offset + 1 })) : last;
    await this.client.call("POST", `${this.instanceId}/offsets`, { body: { offsets } });
  }

  async close(): Promise<void> {
    try {
      await this.client.call("DELETE", this.instanceId);
    } catch (e) {
      if (!isConsumerGone(e)) throw e;
    }
  }
}
