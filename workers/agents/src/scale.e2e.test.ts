import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProjectDetail } from "@proximus/contracts";
// @ts-expect-error plain ESM helpers shared with bench/scale
import { SIM_MODEL, startScaleStack, runRound, summarize } from "../../../bench/scale/lib.mjs";

/**
 * Platform scale over the real stack (wrangler dev: gateway + agents + dev broker, a real sandbox
 * host) with the model simulator as the only LLM: every call answered after LATENCY_MS like the
 * offline provider would answer it. 3 s, as issue 13's acceptance states it: at 1.5 s the fixed
 * costs on this 2-core machine (QA's ten sandbox runs at once, the CPU of streaming every answer)
 * weigh twice as much and the ratio measured 2.2×. The whole test takes 60–80 s.
 */
const LATENCY_MS = 3_000;
const N = 10;
/**
 * Issue 13's bar for FE ∥ BE: both engineers' calls in flight together for more than 2 s (one after
 * the other they would not overlap at all). Not "more than the latency": each engineer runs its
 * 3 s call plus ~0.1 s of its own work, so the overlap is 3 s + that − the gap between their starts.
 */
const MIN_OVERLAP_MS = 2_000;

interface Summary {
  n: number;
  succeeded: number;
  failed: string[];
  roundWall: number;
  wallP50: number;
  wallP99: number;
  peakInFlight: number;
  simCalls: number;
  routed: Record<string, number>;
  tasks: number;
  overheadP50: number;
  overheadP99: number;
  feBeOverlap: number;
}
interface ScaleStack {
  stop(): Promise<void>;
}
type Round = { n: number; details: ProjectDetail[] };

let ctx: ScaleStack;
beforeAll(async () => {
  ctx = (await startScaleStack({ latencyMs: LATENCY_MS })) as ScaleStack;
});
afterAll(async () => {
  await ctx?.stop();
});

const measure = async (n: number): Promise<Summary> => {
  const round = (await runRound(ctx, n, { timeoutMs: 150_000 })) as Round;
  const s = summarize(round, LATENCY_MS) as Summary;
  console.log(
    `[scale e2e] N=${n}: ${s.succeeded}/${n} succeeded, round wall ${s.roundWall} ms (project p50 ${s.wallP50} p99 ${s.wallP99}), ` +
      `peak ${s.peakInFlight} LLM calls in flight, ${s.simCalls} calls, overhead/task p50 ${s.overheadP50} p99 ${s.overheadP99} ms, ` +
      `FE∥BE overlap ${s.feBeOverlap} ms`,
  );
  return s;
};

describe(`${N} projects against the model simulator (${LATENCY_MS} ms per call)`, () => {
  it(`all succeed within 1.5× one project's time, ≥ 10 LLM calls in flight, FE ∥ BE overlap > 2 s`, async () => {
    const one = await measure(1);
    expect(one.failed).toEqual([]);
    // Every call reached the simulator (the router picked it, not the offline provider).
    expect(one.routed).toEqual({ [`openai/${SIM_MODEL}`]: one.simCalls });
    expect(one.feBeOverlap).toBeGreaterThan(MIN_OVERLAP_MS);

    const many = await measure(N);
    expect(many.failed).toEqual([]);
    expect(many.succeeded).toBe(N);
    expect(many.routed).toEqual({ [`openai/${SIM_MODEL}`]: many.simCalls });
    expect(many.peakInFlight).toBeGreaterThanOrEqual(10);
    expect(many.feBeOverlap).toBeGreaterThan(MIN_OVERLAP_MS);
    console.log(`[scale e2e] ratio ${N} projects / 1 project: ${(many.roundWall / one.roundWall).toFixed(2)}×`);
    expect(many.roundWall).toBeLessThanOrEqual(1.5 * one.roundWall);
  });
});
