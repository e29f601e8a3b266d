import { z } from "zod";
import { TOPICS } from "@proximus/contracts/task";
import { KafkaRestBus, KafkaRestFlavor } from "./kafka-rest";
import { QueuesBus } from "./queues";
import type { ConsumerSource, FetchFn, TaskBus } from "./types";
import { UpstashBus } from "./upstash";

/** The bindings and vars `createBus` reads. Every field is optional; which are required depends on BUS_MODE. */
export interface BusEnv {
  BUS_MODE?: string;
  KAFKA_REST_URL?: string;
  KAFKA_REST_USERNAME?: string;
  KAFKA_REST_PASSWORD?: string;
  /** `confluent` (default), `karapace` or `redpanda`: see kafka-rest.ts and README.md. */
  KAFKA_REST_FLAVOR?: string;
  /** `false` sends instance requests to KAFKA_REST_URL instead of the server's `base_uri`. */
  KAFKA_REST_USE_BASE_URI?: string;
  /** `consumer.request.timeout.ms` for new consumer instances (the server's cap on one poll's wait). */
  KAFKA_REST_CONSUMER_REQUEST_TIMEOUT_MS?: string;
  /** Optional service binding to the dev broker; when present it carries the kafka-rest requests. */
  BUS_BROKER?: Fetcher;
  UPSTASH_KAFKA_REST_URL?: string;
  UPSTASH_KAFKA_REST_USERNAME?: string;
  UPSTASH_KAFKA_REST_PASSWORD?: string;
  BUS_QUEUE_TASKS?: Queue<unknown>;
  BUS_QUEUE_RESULTS?: Queue<unknown>;
  BUS_QUEUE_EVENTS?: Queue<unknown>;
  BUS_QUEUE_DLQ?: Queue<unknown>;
}

export interface Bus {
  bus: TaskBus;
  /** Pull consumers (for ConsumerLoop); null for Queues, which pushes into `queue()` (see handleQueueBatch). */
  consumers: ConsumerSource | null;
}

const KafkaRestVars = z.object({
  KAFKA_REST_URL: z.url(),
  KAFKA_REST_USERNAME: z.string().optional(),
  KAFKA_REST_PASSWORD: z.string().optional(),
  KAFKA_REST_FLAVOR: z.preprocess((v) => (v === "" ? undefined : v), KafkaRestFlavor.default("confluent")),
  KAFKA_REST_USE_BASE_URI: z.preprocess((v) => (v === "" ? undefined : v), z.enum(["true", "false"]).default("true")),
  KAFKA_REST_CONSUMER_REQUEST_TIMEOUT_MS: z.preprocess((v) => (v === "" ? undefined : v), z.coerce.number().int().positive().optional()),
});
const UpstashVars = z.object({
  UPSTASH_KAFKA_REST_URL: z.url(),
  UPSTASH_KAFKA_REST_USERNAME: z.string().default(""),
  UPSTASH_KAFKA_REST_PASSWORD: z.string().default(""),
});

/** The host the dev broker's service binding answers for (wrangler.toml's KAFKA_REST_URL in development). */
export const DEV_BROKER_HOST = "dev-broker.internal";

/**
 * Only requests for DEV_BROKER_HOST go through the BUS_BROKER binding; any other URL (a real
 * KAFKA_REST_URL, or a base_uri naming another host) goes over the network. So a real proxy URL
 * is never silently answered by a dev broker binding someone forgot to remove.
 */
function viaDevBroker(binding: Fetcher): FetchFn {
  return (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    return url.hostname === DEV_BROKER_HOST ? binding.fetch(input, init) : fetch(input, init);
  };
}

/** BUS_MODE → transport. Default kafka-rest, the production protocol. Throws on missing config so misconfiguration fails at startup. */
export function createBus(env: BusEnv, overrides: { fetch?: FetchFn } = {}): Bus {
  const mode = z.enum(["kafka-rest", "upstash", "queues"]).parse(env.BUS_MODE || "kafka-rest");
  if (mode === "kafka-rest") {
    const vars = KafkaRestVars.parse(env);
    const binding = env.BUS_BROKER;
    const fetchFn: FetchFn | undefined = overrides.fetch ?? (binding ? viaDevBroker(binding) : undefined);
    const bus = new KafkaRestBus({
      baseUrl: vars.KAFKA_REST_URL,
      ...(vars.KAFKA_REST_USERNAME ? { username: vars.KAFKA_REST_USERNAME, password: vars.KAFKA_REST_PASSWORD ?? "" } : {}),
      flavor: vars.KAFKA_REST_FLAVOR,
      useBaseUri: vars.KAFKA_REST_USE_BASE_URI === "true",
      ...(vars.KAFKA_REST_CONSUMER_REQUEST_TIMEOUT_MS !== undefined
        ? { consumerRequestTimeoutMs: vars.KAFKA_REST_CONSUMER_REQUEST_TIMEOUT_MS }
        : {}),
      ...(fetchFn ? { fetch: fetchFn } : {}),
    });
    return { bus, consumers: bus };
  }
  if (mode === "upstash") {
    const vars = UpstashVars.parse(env);
    const bus = new UpstashBus({
      url: vars.UPSTASH_KAFKA_REST_URL,
      username: vars.UPSTASH_KAFKA_REST_USERNAME,
      password: vars.UPSTASH_KAFKA_REST_PASSWORD,
    });
    return { bus, consumers: bus };
  }
  return {
    bus: new QueuesBus({
      [TOPICS.tasks]: env.BUS_QUEUE_TASKS,
      [TOPICS.results]: env.BUS_QUEUE_RESULTS,
      [TOPICS.events]: env.BUS_QUEUE_EVENTS,
      [TOPICS.deadLetter]: env.BUS_QUEUE_DLQ,
    }),
    consumers: null,
  };
}
