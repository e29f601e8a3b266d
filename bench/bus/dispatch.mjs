#!/usr/bin/env node
// Per-task dispatch overhead over the real bus: the full local stack (gateway → dev broker →
// agents Worker → results router → ProjectDO), offline provider, N projects. From each task's
// event log it measures dispatch → agent start and agent finish → result applied (both legs
// cross the bus), and prints p50/p99 — numbers from this one run on this machine.
//
//   node bench/bus/dispatch.mjs        (env: BENCH_PROJECTS=8)
import { benchWithStack, pct } from "../lib/harness.mjs";

const PROJECTS = Number(process.env.BENCH_PROJECTS ?? 8);
// Tasks before QA: they need no sandbox, so the bench measures the bus, not gVisor.
const TASKS = ["ceo", "cto", "engineer_fe", "engineer_be"];

async function events(base, id) {
  const res = await fetch(`${base}/api/projects/${id}/events?since=0&limit=1000`);
  return (await res.json()).events;
}

benchWithStack("dispatch", {}, async (stack) => {
  const toStart = [];
  const toApply = [];
  const totals = [];
  for (let i = 0; i < PROJECTS; i++) {
    const res = await fetch(`${stack.url}/api/projects`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ idea: `a booking app for dog groomers #${i}` }),
    });
    const { id } = await res.json();
    const deadline = Date.now() + 120_000;
    let log = [];
    for (;;) {
      log = await events(stack.url, id);
      const done = TASKS.every((t) =>
        log.some((e) => e.taskId === t && e.type === "task.state" && ["succeeded", "failed"].includes(e.data.state)),
      );
      if (done) break;
      if (Date.now() > deadline) throw new Error(`project ${id} did not get past the engineers in 120 s`);
      await new Promise((r) => setTimeout(r, 100));
    }
    for (const t of TASKS) {
      const mine = log.filter((e) => e.taskId === t);
      const dispatched = mine.find((e) => e.type === "task.state" && e.data.state === "running");
      const agent = mine.filter((e) => e.type === "task.log" || e.type === "task.token");
      const applied = mine.find((e) => e.type === "task.state" && e.data.state === "succeeded");
      if (!dispatched || agent.length === 0 || !applied) continue;
      toStart.push(agent[0].ts - dispatched.ts);
      toApply.push(applied.ts - agent.at(-1).ts);
      totals.push(applied.ts - dispatched.ts);
    }
  }
  const line = (name, xs) => `${name.padEnd(34)} p50 ${String(pct(xs, 50)).padStart(5)} ms   p99 ${String(pct(xs, 99)).padStart(5)} ms`;
  console.log(`dispatch overhead over the bus, ${toStart.length} tasks (${PROJECTS} projects × ${TASKS.length}), offline provider`);
  console.log(line("dispatch → agent start", toStart));
  console.log(line("agent finish → result applied", toApply));
  console.log(line("dispatch → result applied (total)", totals));
  const overhead = toStart.map((x, i) => x + toApply[i]);
  console.log(line("bus overhead (both legs)", overhead));
  console.log(
    `overhead share of task wall time: ${((overhead.reduce((a, b) => a + b, 0) / totals.reduce((a, b) => a + b, 0)) * 100).toFixed(1)}%`,
  );
});
