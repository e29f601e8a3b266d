#!/usr/bin/env node
// Bus benchmark: starts the dev broker (workers/broker) under `wrangler dev`, produces
// BENCH_RECORDS records through the REST Proxy v2 API while one consumer group member
// long-polls and commits, then prints produce/consume throughput and per-record
// produce→consume latency (p50/p99). Speaks the same wire protocol as the kafka-rest adapter.
//
//   node bench/bus/run.mjs            (env: BENCH_RECORDS=3000 BENCH_BATCH=50 BENCH_PORT=8799)
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT, WRANGLER, spawnNode, killTree, waitForHttp } from "../../scripts/lib/proc.mjs";

const RECORDS = Number(process.env.BENCH_RECORDS ?? 3000);
const BATCH = Number(process.env.BENCH_BATCH ?? 50);
const PORT = Number(process.env.BENCH_PORT ?? 8799);
const BASE = `http://127.0.0.1:${PORT}`;
const V2 = "application/vnd.kafka.v2+json";
const JSON_V2 = "application/vnd.kafka.json.v2+json";
const TOPIC = `bench-${Date.now()}`;
const GROUP = `bench-group-${Date.now()}`;

const persist = mkdtempSync(join(tmpdir(), "proximus-bench-"));
// Its own process group, so stopping it takes workerd down too.
const wrangler = spawnNode(
  WRANGLER,
  [
    "dev",
    "-c",
    join(ROOT, "workers/broker/wrangler.toml"),
    "--port",
    String(PORT),
    "--ip",
    "127.0.0.1",
    "--persist-to",
    persist,
    "--show-interactive-dev-session=false",
    "--log-level",
    "warn",
  ],
  { detached: true, stdio: ["ignore", "pipe", "pipe"], env: { CI: "1" } },
);
let wranglerLog = "";
wrangler.stdout.on("data", (d) => (wranglerLog += d));
wrangler.stderr.on("data", (d) => (wranglerLog += d));

async function stopWrangler() {
  const exited = new Promise((r) => (wrangler.exitCode !== null ? r() : wrangler.once("exit", r)));
  killTree(wrangler, "SIGTERM");
  await Promise.race([exited, sleep(5000)]);
  killTree(wrangler, "SIGKILL");
  rmSync(persist, { recursive: true, force: true });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function call(method, path, body, contentType = V2, accept = V2) {
  const res = await fetch(`${BASE}${path}`, {
    method,
    // Every request says its Content-Type, bodiless DELETE included: real REST proxies (Redpanda) insist.
    headers: { accept, "content-type": contentType },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

async function waitReady() {
  let onExit;
  const exitedEarly = new Promise((_, reject) => wrangler.once("exit", (onExit = () => reject(new Error("wrangler exited early")))));
  exitedEarly.catch(() => undefined);
  try {
    await Promise.race([waitForHttp(`${BASE}/healthz`, 60_000), exitedEarly]);
    wrangler.off("exit", onExit);
  } catch (err) {
    throw new Error(`dev broker did not start (${err instanceof Error ? err.message : String(err)}):\n${wranglerLog}`);
  }
}

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

async function main() {
  await waitReady();
  const created = await call("POST", `/consumers/${GROUP}`, {
    format: "json",
    "auto.offset.reset": "earliest",
    "auto.commit.enable": "false",
  });
  const inst = `/consumers/${GROUP}/instances/${created.instance_id}`;
  await call("POST", `${inst}/subscription`, { topics: [TOPIC] });
  await call("GET", `${inst}/records?timeout=0`, undefined, V2, JSON_V2); // join before producing

  const latencies = [];
  const t0 = performance.now();
  let produceEnd = 0;
  const producer = (async () => {
    for (let sent = 0; sent < RECORDS; sent += BATCH) {
      const n = Math.min(BATCH, RECORDS - sent);
      const now = performance.timeOrigin + performance.now();
      await call(
        "POST",
        `/topics/${TOPIC}`,
        { records: Array.from({ length: n }, (_, i) => ({ key: `project-${(sent + i) % 16}`, value: { seq: sent + i, sentAt: now } })) },
        JSON_V2,
      );
    }
    produceEnd = performance.now();
  })();
  let consumed = 0;
  const consumer = (async () => {
    const deadline = Date.now() + 120_000;
    while (consumed < RECORDS && Date.now() < deadline) {
      const records = await call("GET", `${inst}/records?timeout=1000&max_records=500`, undefined, V2, JSON_V2);
      const at = performance.timeOrigin + performance.now();
      for (const r of records) latencies.push(at - r.value.sentAt);
      consumed += records.length;
      if (records.length) await call("POST", `${inst}/offsets`, {}); // commit everything fetched
    }
  })();
  await Promise.all([producer, consumer]);
  const consumeEnd = performance.now();
  await call("DELETE", inst);

  latencies.sort((a, b) => a - b);
  const produceSecs = (produceEnd - t0) / 1000;
  const totalSecs = (consumeEnd - t0) / 1000;
  console.log(`dev broker bench (wrangler dev, local workerd): ${RECORDS} records, produce batch ${BATCH}, 1 consumer`);
  console.log(`  produced:  ${RECORDS} in ${produceSecs.toFixed(2)} s → ${(RECORDS / produceSecs).toFixed(0)} msg/s`);
  console.log(
    `  consumed:  ${consumed} in ${totalSecs.toFixed(2)} s → ${(consumed / totalSecs).toFixed(0)} msg/s (produce+consume concurrently)`,
  );
  console.log(
    `  latency produce→consume: p50 ${pct(latencies, 50).toFixed(1)} ms, p99 ${pct(latencies, 99).toFixed(1)} ms, max ${latencies.at(-1).toFixed(1)} ms`,
  );
  if (consumed !== RECORDS) throw new Error(`consumed ${consumed} of ${RECORDS}`);
}

let code = 0;
try {
  await main();
} catch (e) {
  console.error(e instanceof Error ? e.message : e);
  code = 1;
} finally {
  await stopWrangler();
}
process.exit(code);
