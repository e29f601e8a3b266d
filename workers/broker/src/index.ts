/**
 * proximus-dev-broker — a DEVELOPMENT TOOL. It implements the subset of the Confluent
 * REST Proxy v2 API (at /, and Redpanda's variant at /redpanda) and the Upstash Kafka REST dialect (at /upstash) that the
 * Proximus bus adapters use, on Durable Object SQLite, so the production code path runs
 * offline. It is not Kafka: one DO, no replication, no retention. See README.md.
 */
import { Hono } from "hono";
import type { AppEnv } from "./http";
import { restV2 } from "./rest-v2";
import { upstash } from "./upstash";

export { BrokerDO } from "./broker-do";

const app = new Hono<AppEnv>();
app.get("/healthz", (c) => c.json({ ok: true, service: "proximus-dev-broker", devTool: true }));
app.route("/upstash", upstash);
// Redpanda's HTTP Proxy dialect (commits offsets as sent, string-only consumer config), for the client's `redpanda` flavor.
app.route("/redpanda/nodes/:node", restV2("redpanda", "/redpanda"));
app.route("/redpanda", restV2("redpanda", "/redpanda"));
// BROKER_NODES > 1: the simulated proxy nodes that base_uri points at.
app.route("/nodes/:node", restV2("confluent", ""));
app.route("/", restV2("confluent", ""));

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<AppEnv["Bindings"]>;
