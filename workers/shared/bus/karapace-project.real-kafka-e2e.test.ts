import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { ProjectDetail } from "@proximus/contracts";
// @ts-expect-error plain ESM helpers shared with the dev/test scripts
import { applyMigrations, startWorkers } from "../../../scripts/lib/stack.mjs";
// @ts-expect-error plain ESM helpers shared with the dev/test scripts
import { freePort, startSandboxHost } from "../../../scripts/lib/sandbox-host.mjs";

/**
 * One project end to end with Apache Kafka behind Karapace as the bus: `wrangler dev` (gateway +
 * agents) with KAFKA_REST_URL pointing at Karapace. The BUS_BROKER binding is still configured,
 * but it only carries requests for dev-broker.internal, so every produce, poll and commit goes to
 * Karapace (checked afterwards by reading the project's tasks and results back from Kafka).
 */
interface Stack {
  url: string;
  kill(signal?: string): Promise<void>;
}

const V2 = "application/vnd.kafka.v2+json";
const JSON_V2 = "application/vnd.kafka.json.v2+json";
let dir = "";
let stack: Stack | undefined;
let sandbox: { url: string; secret: string; stop(): Promise<void> } | undefined;
const { restUrl } = inject("realKafka");

async function json<T>(pending: Promise<Response>): Promise<T> {
  const res = await pending;
  if (!res.ok) throw new Error(`${res.status} ${await res.text()}`);
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

/** Every record of `topic` from the start, through a throwaway consumer group on Karapace. */
async function readAll(topic: string): Promise<{ value: { value?: { projectId?: string } } }[]> {
  const call = (method: string, url: string, body?: unknown, accept = V2): Promise<unknown> =>
    json(fetch(url, { method, headers: { "content-type": V2, accept }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) }));
  const group = `e2e-check-${Date.now()}`;
  const created = (await call("POST", `${restUrl}/consumers/${group}`, { name: "r", format: "json", "auto.offset.reset": "earliest" })) as {
    base_uri: string;
  };
  const at = new URL(created.base_uri, `${restUrl}/`).href;
  await call("POST", `${at}/subscription`, { topics: [topic] });
  const out: { value: { value?: { projectId?: string } } }[] = [];
  let empty = 0;
  while (empty < 3) {
    const batch = (await call("GET", `${at}/records?timeout=1500`, undefined, JSON_V2)) as typeof out;
    out.push(...batch);
    empty = batch.length === 0 ? empty + 1 : 0;
  }
  await call("DELETE", at);
  return out;
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "proximus-kafka-e2e-"));
  sandbox = await startSandboxHost();
  await applyMigrations(path.join(dir, "state"));
  const vars = { SANDBOX_URL: sandbox!.url, SANDBOX_SECRET: sandbox!.secret, KAFKA_REST_URL: restUrl };
  stack = (await startWorkers({
    port: await freePort(),
    persistDir: path.join(dir, "state"),
    vars,
    stdio: ["ignore", "ignore", "inherit"],
  })) as Stack;
});

afterAll(async () => {
  await stack?.kill();
  await sandbox?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("one project over Apache Kafka behind Karapace", () => {
  it("an offline project completes, its tasks and results travelling through Kafka", async () => {
    const base = stack!.url;
    const p = await json<ProjectDetail>(
      fetch(`${base}/api/projects`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ idea: "a booking app for dog groomers" }),
      }),
    );
    const deadline = Date.now() + 400_000;
    let d = p;
    while (!["succeeded", "failed", "cancelled"].includes(d.state) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500));
      d = await json<ProjectDetail>(fetch(`${base}/api/projects/${p.id}`));
    }
    expect(d.tasks.filter((t) => t.state !== "succeeded").map((t) => `${t.id}: ${t.error}`)).toEqual([]);
    expect(d.state).toBe("succeeded");
    const mine = (records: { value: { value?: { projectId?: string } } }[]): number =>
      records.filter((r) => r.value.value?.projectId === p.id).length;
    expect(mine(await readAll("ai-org-tasks"))).toBeGreaterThanOrEqual(d.tasks.length);
    expect(mine(await readAll("ai-org-results"))).toBeGreaterThanOrEqual(d.tasks.length);
  });
});
