// Projects at scale against the model simulator: the local stack (wrangler dev: gateway + agents +
// dev broker), a real sandbox host and `npm run sim-llm` as the only LLM (OPENAI_BASE_URL), then
// N projects started together and measured from the API's own timestamps. Shared by
// bench/scale/run.mjs and workers/agents/src/scale.e2e.test.ts, so both measure the same thing.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { ROOT, TSX, VITE, killTree, run, spawnNode, waitForHttp } from "../../scripts/lib/proc.mjs";
import { freePort, startSandboxHost } from "../../scripts/lib/sandbox-host.mjs";
import { applyMigrations, startWorkers } from "../../scripts/lib/stack.mjs";

/**
 * Where the Workers' local state goes: tmpfs when there is one. Locally every Durable Object, D1
 * and R2 write is a SQLite file write; on this shared disk they made 50 projects wait on I/O
 * (50 % iowait, overhead per task 5.6 s → 1.7 s on tmpfs), which is the dev machine's disk, not
 * the platform.
 */
export const DEFAULT_STATE_ROOT = existsSync("/dev/shm") ? "/dev/shm" : tmpdir();

/** The simulator's model as OPENAI_MODELS lists it: 128k context, price 0 (in and out). */
export const SIM_MODEL = "sim-good";
const TERMINAL = ["succeeded", "failed", "cancelled"];

export const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] : NaN;
};

/** `npm run sim-llm` as a child process in its own group (killed with it). */
async function startSim(latencyMs) {
  const port = await freePort();
  const child = spawnNode(TSX, [path.join(ROOT, "sim/main.ts"), "--port", String(port), "--latency", String(latencyMs)], {
    detached: true,
    stdio: ["ignore", "ignore", "inherit"],
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${url}/stats`, 60_000);
  } catch (err) {
    killTree(child, "SIGKILL");
    throw err;
  }
  return {
    url,
    baseUrl: `${url}/v1`,
    stats: async () => (await fetch(`${url}/stats`)).json(),
    reset: async () => (await fetch(`${url}/stats/reset`, { method: "POST" })).json(),
    stop: async () => {
      killTree(child, "SIGTERM");
      await new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.once("exit", r)));
    },
  };
}

/**
 * Everything a scale run needs, torn down together by `stop()`. `vars` reach the Workers (limits,
 * AGENT_CONSUMERS, …). Local mode has one user, standing in for N users: by default its per-user
 * limit is lifted (MAX_TASKS_PER_USER=0) so the deployment-wide limit is the one that counts.
 */
export async function startScaleStack({ latencyMs, vars = {}, sandboxEnv = {}, stateRoot = DEFAULT_STATE_ROOT }) {
  if (!existsSync(path.join(ROOT, "web/dist/index.html"))) {
    // The gateway serves the dashboard's assets; wrangler refuses to start without the directory.
    if ((await run(VITE, ["build", "--config", "web/vite.config.ts", "--logLevel", "warn"])) !== 0)
      throw new Error("dashboard build failed");
  }
  // The Workers' local state (Durable Objects, D1, R2: SQLite files) lives under `stateRoot`.
  const dir = mkdtempSync(path.join(stateRoot, "proximus-scale-"));
  const persistDir = path.join(dir, "state");
  const started = [];
  const stop = async () => {
    for (const s of started.reverse()) await s.stop().catch((e) => console.error("stop failed:", e));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const sim = await startSim(latencyMs);
    started.push(sim);
    const sandbox = await startSandboxHost({ env: sandboxEnv });
    started.push(sandbox);
    await applyMigrations(persistDir);
    const allVars = {
      SANDBOX_URL: sandbox.url,
      SANDBOX_SECRET: sandbox.secret,
      OPENAI_BASE_URL: sim.baseUrl,
      OPENAI_API_KEY: "sim-dummy-key",
      OPENAI_MODELS: `${SIM_MODEL}:128000:0:0`,
      // The simulator serves chat completions only; the offline embedder keeps memory off the wire.
      MEMORY_EMBEDDER: "offline",
      MAX_TASKS_PER_USER: "0",
      ...vars,
    };
    const stack = await startWorkers({ port: await freePort(), persistDir, vars: allVars, stdio: ["ignore", "ignore", "inherit"] });
    started.push({ stop: () => stack.kill() });
    return { url: stack.url, sim, sandbox, vars: allVars, sandboxEnv, stateRoot, latencyMs, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function json(pending) {
  const res = await pending;
  if (!res.ok) throw new Error(`${res.status} ${await res.text()}`);
  return res.json();
}

async function allEvents(base, id) {
  const out = [];
  for (;;) {
    const page = await json(fetch(`${base}/api/projects/${id}/events?since=${out.at(-1)?.seq ?? 0}&limit=1000`));
    out.push(...page.events);
    if (page.events.length < 1000) return out;
  }
}

/**
 * Where a task's time goes besides the model, from its event log (QA left out, as it also runs the
 * sandbox): dispatch → agent started; started → the router's log line (written once the answer is
 * in) minus the latency; that line → the agent's last log (validation, files, memory); → result applied.
 */
function legsOf(round, latencyMs) {
  const legs = { toStart: [], aroundLlm: [], afterLlm: [], toApplied: [], queued: 0 };
  for (const d of round.details) {
    const log = round.events.get(d.id) ?? [];
    for (const t of d.tasks) {
      if (t.role === "qa" || !t.dispatchedAt || !t.startedAt || !t.finishedAt) continue;
      const mine = log.filter((e) => e.taskId === t.id);
      if (mine.some((e) => e.type === "task.state" && String(e.data.waitingFor ?? "").startsWith("queued"))) legs.queued++;
      const logs = mine.filter((e) => e.type === "task.log");
      const router = logs.filter((e) => String(e.data.text ?? "").startsWith("router:")).at(-1);
      const last = logs.at(-1);
      if (!router || !last) continue;
      legs.toStart.push(t.startedAt - t.dispatchedAt);
      legs.aroundLlm.push(router.ts - t.startedAt - latencyMs * Math.max(1, t.usage.length));
      legs.afterLlm.push(last.ts - router.ts);
      legs.toApplied.push(t.finishedAt - last.ts);
    }
  }
  return legs;
}

/** Starts `n` projects together and waits for every one; returns their final details and the simulator's stats. */
export async function runRound(ctx, n, { timeoutMs = 600_000, ideaPrefix = "a booking app for dog groomers" } = {}) {
  await ctx.sim.reset();
  const created = await Promise.all(
    Array.from({ length: n }, (_, i) =>
      json(
        fetch(`${ctx.url}/api/projects`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ idea: `${ideaPrefix} #${i + 1}` }),
        }),
      ),
    ),
  );
  const ids = new Set(created.map((p) => p.id));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const list = await json(fetch(`${ctx.url}/api/projects`));
    const mine = (list.projects ?? list).filter((p) => ids.has(p.id));
    if (mine.length === n && mine.every((p) => TERMINAL.includes(p.state))) break;
    if (Date.now() > deadline)
      throw new Error(`${mine.filter((p) => !TERMINAL.includes(p.state)).length} of ${n} projects unfinished after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 500));
  }
  const details = [];
  for (const id of ids) details.push(await json(fetch(`${ctx.url}/api/projects/${id}`)));
  const events = new Map();
  for (const id of ids) events.set(id, await allEvents(ctx.url, id));
  // Why a call did not go to the simulator: the router's own log line names what it tried first.
  const fallbacks = [];
  for (const [, log] of events) {
    for (const e of log) {
      const text = String(e.data?.text ?? "");
      if (e.type === "task.log" && text.startsWith("router:") && !text.startsWith("router: openai/"))
        fallbacks.push(`${e.taskId}: ${text}`);
    }
  }
  return { n, details, events, fallbacks, sim: await ctx.sim.stats() };
}

const lastFinish = (d) => Math.max(...d.tasks.map((t) => t.finishedAt ?? 0));

/** FE ∥ BE: how long both engineers ran at the same time (agent start → result applied), in ms. */
export function engineerOverlapMs(d) {
  const fe = d.tasks.find((t) => t.role === "engineer_fe");
  const be = d.tasks.find((t) => t.role === "engineer_be");
  if (!fe?.startedAt || !be?.startedAt || !fe.finishedAt || !be.finishedAt) return NaN;
  return Math.min(fe.finishedAt, be.finishedAt) - Math.max(fe.startedAt, be.startedAt);
}

/**
 * Figures of one round, all from the API's timestamps (server clocks, not the poller's): project
 * wall = its creation → its last task's result applied; round wall = first creation → last result.
 * Platform overhead of a task = dispatch → result applied minus the simulator's latency per LLM
 * call (QA is left out: it also runs the generated tests in the sandbox).
 */
export function summarize(round, latencyMs) {
  const { details } = round;
  const walls = details.map((d) => lastFinish(d) - d.createdAt);
  const roundWall = Math.max(...details.map(lastFinish)) - Math.min(...details.map((d) => d.createdAt));
  const tasks = details.flatMap((d) => d.tasks);
  const calls = tasks.flatMap((t) => t.usage);
  const routed = {};
  for (const u of calls) routed[`${u.provider}/${u.model}`] = (routed[`${u.provider}/${u.model}`] ?? 0) + 1;
  const measured = tasks.filter((t) => t.role !== "qa" && t.state === "succeeded" && t.dispatchedAt && t.startedAt && t.finishedAt);
  const overhead = measured.map((t) => t.finishedAt - t.dispatchedAt - latencyMs * Math.max(1, t.usage.length));
  const legs = legsOf(round, latencyMs);
  const p50s = (xs) => `p50 ${pct(xs, 50)} / p90 ${pct(xs, 90)} ms`;
  return {
    n: round.n,
    succeeded: details.filter((d) => d.state === "succeeded").length,
    failed: details
      .filter((d) => d.state !== "succeeded")
      .map(
        (d) =>
          `${d.id}: ${d.state} ${d.tasks
            .filter((t) => t.state !== "succeeded")
            .map((t) => `${t.id}=${t.state} ${t.error ?? ""}`)
            .join("; ")}`,
      ),
    wallP50: pct(walls, 50),
    wallP99: pct(walls, 99),
    roundWall,
    peakInFlight: round.sim.peakInFlight,
    simCalls: round.sim.calls,
    routed,
    tasks: tasks.filter((t) => t.state === "succeeded").length,
    tasksPerSec: tasks.filter((t) => t.state === "succeeded").length / (roundWall / 1000),
    overheadP50: pct(overhead, 50),
    overheadP99: pct(overhead, 99),
    legs: {
      "dispatch → agent started": p50s(legs.toStart),
      "started → answer in, beyond the latency": p50s(legs.aroundLlm),
      "answer → agent done": p50s(legs.afterLlm),
      "agent done → result applied": p50s(legs.toApplied),
    },
    queuedTasks: legs.queued,
    feBeOverlap: engineerOverlapMs(details[0]),
    fallbacks: round.fallbacks,
  };
}
