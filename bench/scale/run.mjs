#!/usr/bin/env node
// N projects started together against the model simulator (every LLM call answered after
// --latency ms, like the offline provider would answer it), on the whole local stack with a real
// sandbox host. Prints, per N: per-project wall p50/p99, the round's wall and its ratio to N = 1,
// peak LLM calls in flight (the simulator's /stats), tasks/s, platform overhead per task, and
// FE ∥ BE overlap in one project. Figures from this one run on this machine.
//
//   node bench/scale/run.mjs [--n 1,10,50] [--latency 3000] [--var NAME=VALUE ...] [--state-dir /dev/shm]
import { parseArgs } from "node:util";
import { SIM_MODEL, startScaleStack, runRound, summarize } from "./lib.mjs";

const { values } = parseArgs({
  options: {
    n: { type: "string", default: "1,10,50" },
    latency: { type: "string", default: "3000" },
    var: { type: "string", multiple: true, default: [] },
    "state-dir": { type: "string" },
  },
});
const sizes = values.n.split(",").map(Number);
if (!sizes.every((n) => Number.isInteger(n) && n > 0)) throw new Error(`--n wants positive integers, got ${values.n}`);
// The ratio needs N = 1 first.
if (sizes[0] !== 1) sizes.unshift(1);
const latencyMs = Number(values.latency);
const vars = Object.fromEntries(values.var.map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]));

const ms = (x) => (Number.isFinite(x) ? `${Math.round(x)} ms` : "n/a");
const ctx = await startScaleStack({ latencyMs, vars, ...(values["state-dir"] ? { stateRoot: values["state-dir"] } : {}) });
let exitCode = 0;
try {
  const limits = ["MAX_CONCURRENT_TASKS", "MAX_TASKS_PER_USER", "MAX_TASKS_PER_PROJECT", "AGENT_CONSUMERS"].map(
    (k) => `${k}=${ctx.vars[k] ?? "(wrangler.toml)"}`,
  );
  console.log(
    `bench/scale: simulator at ${latencyMs} ms per call (${ctx.sim.baseUrl}, model ${SIM_MODEL}); ${limits.join(" ")}; state in ${ctx.stateRoot}`,
  );
  let one = null;
  for (const n of sizes) {
    const s = summarize(await runRound(ctx, n, { timeoutMs: Math.max(600_000, n * 30_000) }), latencyMs);
    one ??= s;
    console.log(`\nN = ${n}: ${s.succeeded}/${n} projects succeeded`);
    for (const f of s.failed.slice(0, 5)) console.log(`  FAILED ${f.slice(0, 400)}`);
    console.log(`  per-project wall       p50 ${ms(s.wallP50)}   p99 ${ms(s.wallP99)}`);
    console.log(`  round wall             ${ms(s.roundWall)}   ratio to N = 1: ${(s.roundWall / one.roundWall).toFixed(2)}×`);
    console.log(`  LLM calls in flight    peak ${s.peakInFlight}   (${s.simCalls} calls; routed ${JSON.stringify(s.routed)})`);
    for (const f of s.fallbacks.slice(0, 5)) console.log(`  NOT THE SIMULATOR ${f.slice(0, 300)}`);
    console.log(`  throughput             ${s.tasksPerSec.toFixed(2)} tasks/s (${s.tasks} tasks)`);
    console.log(
      `  overhead per task      p50 ${ms(s.overheadP50)}   p99 ${ms(s.overheadP99)}   (dispatch → result applied − latency; QA excluded)`,
    );
    for (const [leg, v] of Object.entries(s.legs)) console.log(`    ${leg.padEnd(40)} ${v}`);
    console.log(`  queued on a limit      ${s.queuedTasks} tasks`);
    console.log(`  FE ∥ BE overlap        ${ms(s.feBeOverlap)} in the first project`);
    if (s.succeeded !== n) exitCode = 1;
  }
} finally {
  await ctx.stop();
}
process.exit(exitCode);
