#!/usr/bin/env node
// Gateway load test: requests/s of POST /api/projects and GET /api/projects/:id through
// `wrangler dev` (the whole local stack), next to a bare Hono route on the same workerd, printed
// as ratios; then WebSocket fan-out — BENCH_CLIENTS clients on one project, broadcast latency
// p50/p99. Every number comes from this one run on this machine (2 shared cores: noisy).
//
//   node bench/gateway/run.mjs     (env: BENCH_SECONDS=8 BENCH_CONCURRENCY=16 BENCH_CLIENTS=1000 BENCH_BROADCASTS=20)
import { benchWithStack, pct } from "../lib/harness.mjs";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 1000);
const BROADCASTS = Number(process.env.BENCH_BROADCASTS ?? 20);

const ms = (x) => `${x.toFixed(1)} ms`;

/** Closed-loop load: CONCURRENCY workers, each sending the next request when the last answered. */
async function load(name, makeRequest, expectStatus) {
  const latencies = [];
  let errors = 0;
  const end = performance.now() + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < end) {
        const t0 = performance.now();
        try {
          const res = await makeRequest();
          await res.arrayBuffer();
          if (res.status !== expectStatus) errors++;
          else latencies.push(performance.now() - t0);
        } catch {
          errors++;
        }
      }
    }),
  );
  const rps = latencies.length / SECONDS;
  console.log(
    `${name.padEnd(28)} ${rps.toFixed(0).padStart(6)} req/s   p50 ${ms(pct(latencies, 50))}   p99 ${ms(pct(latencies, 99))}   errors ${errors}`,
  );
  return rps;
}

async function fanOut(base, projectId) {
  const wsBase = base.replace(/^http/, "ws");
  const { lastSeq } = await (await fetch(`${base}/api/projects/${projectId}/events?since=0&limit=1`)).json();
  const clients = [];
  const t0 = performance.now();
  for (let i = 0; i < CLIENTS; i++) {
    clients.push(
      new Promise((resolve, reject) => {
        const ws = new WebSocket(`${wsBase}/api/projects/${projectId}/ws?since=${lastSeq + 1_000_000}`);
        const c = { ws, waiting: null };
        ws.onmessage = (m) => {
          const frame = JSON.parse(m.data);
          if (frame.type === "hello") resolve(c);
          else if (frame.type === "event" && c.waiting) c.waiting(performance.now());
        };
        ws.onerror = () => reject(new Error(`client ${i} failed to connect`));
      }),
    );
    // Pace the handshakes a little so the accept queue does not overflow.
    if (i % 100 === 99) await Promise.all(clients.slice(i - 99));
  }
  const connected = await Promise.all(clients);
  console.log(`${CLIENTS} WebSocket clients connected in ${ms(performance.now() - t0)}`);
  const latencies = [];
  let budget = 1;
  for (let b = 0; b < BROADCASTS; b++) {
    const received = connected.map((c) => new Promise((resolve) => (c.waiting = resolve)));
    const sent = performance.now();
    budget += 1;
    const res = await fetch(`${base}/api/projects/${projectId}/budget`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ budgetUsd: budget }),
    });
    if (!res.ok) throw new Error(`budget update failed: ${res.status} ${await res.text()}`);
    const times = await Promise.all(received);
    for (const t of times) latencies.push(t - sent);
    for (const c of connected) c.waiting = null;
  }
  for (const c of connected) c.ws.close(1000);
  console.log(
    `broadcast to ${CLIENTS} clients × ${BROADCASTS}: p50 ${ms(pct(latencies, 50))}   p99 ${ms(pct(latencies, 99))}   (request sent → frame received, every client)`,
  );
}

benchWithStack(
  "gateway",
  { BENCH_BARE_ROUTE: "1", RATE_LIMIT_IP_PER_MIN: "0", RATE_LIMIT_USER_PER_MIN: "0", RATE_LIMIT_AUTH_PER_MIN: "0" },
  async (stack) => {
    const base = stack.url;
    const probe = await fetch(`${base}/__bench/bare`);
    if (probe.status !== 200) throw new Error("the bare bench route is not enabled (BENCH_BARE_ROUTE)");
    console.log(
      `gateway bench: ${SECONDS} s per case, ${CONCURRENCY} concurrent, wrangler dev (workerd) on this machine, rate limits off (one client IP)`,
    );
    const bare = await load("bare Hono route", () => fetch(`${base}/__bench/bare`), 200);
    const created = await (
      await fetch(`${base}/api/projects`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ idea: "a bench project" }),
      })
    ).json();
    // Let its offline agents finish first, so they do not compete with the measurements.
    for (let i = 0; i < 120; i++) {
      const { state } = await (await fetch(`${base}/api/projects/${created.id}`)).json();
      if (state !== "running") break;
      await new Promise((r) => setTimeout(r, 500));
    }
    const get = await load("GET /api/projects/:id", () => fetch(`${base}/api/projects/${created.id}`), 200);
    // A budget below the CEO task's estimate pauses each project at once, so the number is the
    // gateway + D1 + ProjectDO cost of creating a project, not its agents' work on the same cores.
    const paused = JSON.stringify({
      idea: "a load-test project",
      budgetUsd: 0.000001,
      llm: { ceo: { provider: "openai", model: "gpt-4o-mini" } },
    });
    const post = await load(
      "POST /api/projects",
      () => fetch(`${base}/api/projects`, { method: "POST", headers: { "content-type": "application/json" }, body: paused }),
      201,
    );
    console.log(`ratio GET /api/projects/:id ÷ bare: ${(get / bare).toFixed(3)}`);
    console.log(
      `ratio POST /api/projects ÷ bare:    ${(post / bare).toFixed(3)}   (projects created paused at their budget: no agent work)`,
    );
    await fanOut(base, created.id);
  },
);
