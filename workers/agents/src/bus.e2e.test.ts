import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProjectDetail, ProjectEvent } from "@proximus/contracts";
// @ts-expect-error plain ESM helpers shared with the dev/test scripts
import { applyMigrations, startWorkers } from "../../../scripts/lib/stack.mjs";
// @ts-expect-error plain ESM helpers shared with the dev/test scripts
import { startSandboxHost, freePort } from "../../../scripts/lib/sandbox-host.mjs";

interface Stack {
  url: string;
  kill(signal?: string): Promise<void>;
}

let persistDir = "";
let port = 0;
let vars: Record<string, string> = {};
let stack: Stack;
let sandbox: { url: string; secret: string; stop(): Promise<void> };

const start = async (): Promise<Stack> => (await startWorkers({ port, persistDir, vars, stdio: ["ignore", "ignore", "inherit"] })) as Stack;

async function json<T>(pending: Promise<Response>): Promise<T> {
  const res = await pending;
  if (!res.ok) throw new Error(`${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

const create = (idea: string) =>
  json<ProjectDetail>(
    fetch(`${stack.url}/api/projects`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ idea }) }),
  );
const detail = (id: string) => json<ProjectDetail>(fetch(`${stack.url}/api/projects/${id}`));

async function allEvents(id: string): Promise<ProjectEvent[]> {
  const out: ProjectEvent[] = [];
  for (;;) {
    const page = await json<{ events: ProjectEvent[]; lastSeq: number }>(
      fetch(`${stack.url}/api/projects/${id}/events?since=${out.at(-1)?.seq ?? 0}&limit=1000`),
    );
    out.push(...page.events);
    if (page.events.length < 1000) return out;
  }
}

async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | null>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await probe();
      if (v !== null) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ""}`);
}

const finished = (id: string, timeoutMs: number) =>
  waitFor(`project ${id} to finish`, timeoutMs, async () => {
    const d = await detail(id);
    return ["succeeded", "failed", "cancelled"].includes(d.state) ? d : null;
  });

beforeAll(async () => {
  persistDir = mkdtempSync(path.join(tmpdir(), "proximus-bus-e2e-"));
  port = (await freePort()) as number;
  sandbox = await startSandboxHost();
  vars = { SANDBOX_URL: sandbox.url, SANDBOX_SECRET: sandbox.secret };
  await applyMigrations(path.join(persistDir, "state"));
  persistDir = path.join(persistDir, "state");
  stack = await start();
});

afterAll(async () => {
  await stack?.kill();
  await sandbox?.stop();
  rmSync(path.dirname(persistDir), { recursive: true, force: true });
});

function assertExactlyOnce(d: ProjectDetail, events: ProjectEvent[]): void {
  expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
  for (const t of d.tasks) {
    const succeeded = events.filter((e) => e.taskId === t.id && e.type === "task.state" && e.data.state === "succeeded");
    expect(succeeded, `${t.id} succeeded events`).toHaveLength(1);
  }
}

describe("over the real bus (gateway → dev broker → agents Worker → results router)", () => {
  it("an offline project completes", async () => {
    const p = await create("a booking app for dog groomers");
    const d = await finished(p.id, 300_000);
    expect(d.tasks.filter((t) => t.state !== "succeeded").map((t) => `${t.id}: ${t.error}`)).toEqual([]);
    expect(d.state).toBe("succeeded");
    assertExactlyOnce(d, await allEvents(p.id));
  });

  it("killing the Workers mid-task loses no task and applies no result twice", async () => {
    const p = await create("an inventory tracker for a small bakery");
    // QA runs the generated tests in the sandbox: the longest task, so the kill lands inside it.
    await waitFor("QA to be running", 120_000, async () =>
      (await detail(p.id)).tasks.find((t) => t.id === "qa")?.state === "running" ? true : null,
    );
    await stack.kill("SIGKILL");
    stack = await start();
    const d = await finished(p.id, 400_000);
    expect(d.tasks.filter((t) => t.state !== "succeeded").map((t) => `${t.id}: ${t.error}`)).toEqual([]);
    const events = await allEvents(p.id);
    assertExactlyOnce(d, events);
    // Every attempt's usage was recorded once: a result carries all of its attempt's calls (an agent
    // loop makes several) and is applied in one transaction, so its usage events are one unbroken
    // run of seqs; a result applied twice would leave a second run, i.e. a gap.
    const runs = new Map<string, number[]>();
    for (const e of events)
      if (e.type === "usage.recorded")
        runs.set(`${e.taskId}#${String(e.data.attempt)}`, [...(runs.get(`${e.taskId}#${String(e.data.attempt)}`) ?? []), e.seq]);
    expect(runs.size).toBeGreaterThan(0);
    for (const [attempt, seqs] of runs)
      expect(seqs.at(-1)! - seqs[0]! + 1, `${attempt}: usage at seqs ${seqs.join(",")}`).toBe(seqs.length);
  });
});
