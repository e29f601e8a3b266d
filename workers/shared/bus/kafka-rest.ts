import { z } from "zod";
import { AppError } from "../../../contracts/errors";
import { maxOffsets, unwrapEnvelope, wrap } from "./envelope";
import type { BusConsumer, BusRecord, BusRecordInput, ConsumerConfig, ConsumerSource, FetchFn, TaskBus } from "./types";

const V2 = "application/vnd.kafka.v2+json";
const JSON_V2 = "application/vnd.kafka.json.v2+json";

export interface KafkaRestOptions {
  baseUrl: string;
  username?: string;
  password?: string;
  /** Injectable so a service binding's `fetch` (e.g. to the dev broker) can carry the requests. */
  fetch?: FetchFn;
}

const RestError = z.object({ error_code: z.number(), message: z.string() });
const CreateReply = z.object({ instance_id: z.string(), base_uri: z.string() });
const RecordsReply = z.array(
  z.object({ topic: z.string(), key: z.unknown(), value: z.unknown(), partition: z.number().int(), offset: z.number().int() }),
);

/** REST Proxy 40403 "consumer instance not found": the consumer loop recreates the instance. */
export function isConsumerGone(e: unknown): boolean {
  return e instanceof AppError && e.code === "not_found" && (e.details as { errorCode?: number } | undefined)?.errorCode === 40403;
}

class RestClient {
  private readonly base: string;
  private readonly auth: string | undefined;
  private readonly doFetch: FetchFn;

  constructor(o: KafkaRestOptions) {
    this.base = o.baseUrl.replace(/\/+$/, "");
    this.auth = o.username !== undefined && o.username !== "" ? `Basic ${btoa(`${o.username}:${o.password ?? ""}`)}` : undefined;
    this.doFetch = o.fetch ?? ((input, init) => fetch(input, init));
  }

  async call(method: string, path: string, opts: { body?: unknown; contentType?: string; accept?: string } = {}): Promise<unknown> {
    const headers: Record<string, string> = { accept: opts.accept ?? V2 };
    if (this.auth) headers.authorization = this.auth;
    if (opts.body !== undefined) headers["content-type"] = opts.contentType ?? V2;
    let res: Response;
    try {
      res = await this.doFetch(`${this.base}${path}`, {
        method,
        headers,
        ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
      });
    } catch (e) {
      throw new AppError("upstream_failed", `Kafka REST ${method} ${path} failed: ${e instanceof Error ? e.message : String(e)}`);
    }
    const text = await res.text();
    const data: unknown = text === "" ? undefined : safeJson(text);
    if (!res.ok) {
      const err = RestError.safeParse(data);
      const errorCode = err.success ? err.data.error_code : res.status;
      const message = err.success ? err.data.message : `HTTP ${res.status}`;
      throw new AppError(res.status === 404 ? "not_found" : res.status === 401 ? "unauthorized" : "upstream_failed", `Kafka REST ${method} ${path}: ${message}`, {
        status: res.status,
        errorCode,
      });
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

/** Confluent REST Proxy v2 (also Redpanda HTTP Proxy, Karapace, Strimzi bridge) with the json embedded format. */
export class KafkaRestBus implements TaskBus, ConsumerSource {
  readonly mode = "kafka-rest" as const;
  private readonly client: RestClient;

  constructor(options: KafkaRestOptions) {
    this.client = new RestClient(options);
  }

  async produce(topic: string, records: readonly BusRecordInput[]): Promise<void> {
    if (records.length === 0) return;
    const reply = await this.client.call("POST", `/topics/${seg(topic)}`, {
      contentType: JSON_V2,
      body: { records: records.map((r) => ({ key: r.key, value: wrap(r.value, r.headers) })) },
    });
    // REST Proxy answers 200 even when single records fail; those carry error_code per offset.
    const parsed = z.object({ offsets: z.array(z.object({ error_code: z.number().nullish(), error: z.string().nullish() })) }).safeParse(reply);
    const failed = parsed.success ? parsed.data.offsets.find((o) => o.error_code != null) : undefined;
    if (failed) throw new AppError("upstream_failed", `Kafka REST produce to ${topic} failed: ${failed.error ?? failed.error_code}`);
  }

  async create(config: ConsumerConfig): Promise<BusConsumer> {
    const name = `${config.group}-${crypto.randomUUID()}`.slice(0, 200);
    const reply = CreateReply.parse(
      await this.client.call("POST", `/consumers/${seg(config.group)}`, {
        body: {
          name,
          format: "json",
          "auto.offset.reset": config.autoOffsetReset ?? "earliest",
          "auto.commit.enable": "false",
          ...(config.sessionTimeoutMs !== undefined ? { "session.timeout.ms": String(config.sessionTimeoutMs) } : {}),
        },
      }),
    );
    const consumer = this.attach(config, reply.instance_id);
    await this.client.call("POST", `${instancePath(config.group, reply.instance_id)}/subscription`, { body: { topics: [...config.topics] } });
    return consumer;
  }

  /** Paths are rebuilt from the group and id rather than `base_uri`, which proxies behind a load balancer often get wrong. */
  attach(config: ConsumerConfig, instanceId: string): BusConsumer {
    return new KafkaRestConsumer(this.client, instancePath(config.group, instanceId), instanceId);
  }
}

function instancePath(group: string, instance: string): string {
  return `/consumers/${seg(group)}/instances/${seg(instance)}`;
}

class KafkaRestConsumer implements BusConsumer {
  constructor(
    private readonly client: RestClient,
    private readonly path: string,
    readonly instanceId: string,
  ) {}

  async poll(maxRecords: number, timeoutMs: number): Promise<BusRecord[]> {
    // max_records is a dev-broker extension; real proxies ignore it and may return more.
    const q = new URLSearchParams({ timeout: String(timeoutMs), max_records: String(maxRecords) });
    const reply = RecordsReply.parse(await this.client.call("GET", `${this.path}/records?${q}`, { accept: JSON_V2 }));
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
    const offsets = maxOffsets(records);
    if (offsets.length === 0) return;
    // REST Proxy v2 takes the last processed offset and commits offset + 1 itself.
    await this.client.call("POST", `${this.path}/offsets`, { body: { offsets } });
  }

  async close(): Promise<void> {
    try {
      await this.client.call("DELETE", this.path);
    } catch (e) {
      if (!isConsumerGone(e)) throw e;
    }
  }
}
