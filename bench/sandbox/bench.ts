/**
 * Latency of `python3 -c 'print(1)'` and `node -e 1`: a bare process, a warm-pool sandbox
 * (booted and prewarmed ahead, as the pool does; timed from handing it the job to having the
 * result) and a cold sandbox (timed from start to result). Same commands, same binaries (the
 * sandbox's node is SANDBOX_NODE_BIN, so bare runs that one too), interleaved in rotating order,
 * each sandbox torn down and the machine settled before the next measurement.
 * Run as root: node_modules/.bin/tsx bench/sandbox/bench.ts [iterations=15]
 * (SANDBOX_PIN_CPUS=0 to measure without CPU pinning; SANDBOX_NODE_BIN as for the service.)
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { defaultNodeBin } from "../../sandbox-host/src/config";
import { detectBackend } from "../../sandbox-host/src/runner/backend";
import { cpuPlacer } from "../../sandbox-host/src/runner/cpus";
import { HOST_PATH_DIRS, SANDBOX_PATH, ensureLayout } from "../../sandbox-host/src/runner/layout";
import { probeRuntimes } from "../../sandbox-host/src/runner/runtimes";
import { Sandbox } from "../../sandbox-host/src/runner/sandbox";

const N = Number(process.argv[2] ?? 15);
const MEM = 256 * 1024 * 1024;
const SETTLE_MS = 150;
const CASES: Record<string, string[]> = { python: ["python3", "-c", "print(1)"], node: ["node", "-e", "1"] };

const nodeBin = process.env.SANDBOX_NODE_BIN ?? defaultNodeBin();
if (!nodeBin) throw new Error("no node binary: set SANDBOX_NODE_BIN");
const BARE_ENV = { PATH: [dirname(nodeBin), ...HOST_PATH_DIRS].join(":"), HOME: "/tmp" };
const SANDBOX_ENV = { PATH: SANDBOX_PATH, HOME: "/tmp" };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] as number;
};

function bare(argv: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const t = performance.now();
    const p = spawn(argv[0] as string, argv.slice(1), { stdio: ["ignore", "pipe", "pipe"], env: BARE_ENV });
    p.on("error", reject);
    p.on("close", (code) => (code === 0 ? resolve(performance.now() - t) : reject(new Error(`${argv.join(" ")} exited ${code}`))));
  });
}

cpuPlacer.setEnabled(process.env.SANDBOX_PIN_CPUS !== "0");
const backend = await detectBackend(process.env.SANDBOX_FORCE_BACKEND === "bubblewrap" ? "bubblewrap" : undefined);
const runtimes = await probeRuntimes(nodeBin);
const stateDir = await mkdtemp(join(tmpdir(), "pxsb-bench-"));
const layout = await ensureLayout(stateDir, nodeBin);
const job = (argv: string[]) => ({ files: [], argv, env: SANDBOX_ENV, timeoutMs: 20_000, memoryBytes: MEM, maxOutputBytes: 65_536 });

async function sandboxed(argv: string[], warm: boolean): Promise<number> {
  const t0 = performance.now();
  const s = Sandbox.start(backend.isolation, layout, MEM, { prewarm: warm });
  try {
    let t = t0;
    if (warm) {
      await s.ready;
      // A pool sandbox has been idle a while before it is taken; let the boot settle the same way.
      await sleep(300);
      t = performance.now();
    }
    const r = await s.execute(job(argv));
    const elapsed = performance.now() - t;
    if (r.exitCode !== 0) throw new Error(`${argv.join(" ")} exited ${r.exitCode}: ${r.stderr}`);
    return elapsed;
  } finally {
    // The service tears down off the request path; here it is waited for, outside the timing,
    // so no teardown overlaps the next measurement.
    await s.destroy();
  }
}

const pinning = cpuPlacer.enabled ? `pinned over CPUs ${cpuPlacer.cpus.join(",")}` : "not pinned";
console.log(
  `isolation ${backend.isolation} (${backend.platform}), sandboxes ${pinning}; node ${runtimes.node}, python ${runtimes.python}; ${N} interleaved runs each; ms`,
);
try {
  for (const [name, argv] of Object.entries(CASES)) {
    const kinds = { bare: [] as number[], warm: [] as number[], cold: [] as number[] };
    const order = Object.keys(kinds) as (keyof typeof kinds)[];
    for (let i = 0; i < N; i++) {
      for (let k = 0; k < order.length; k++) {
        const kind = order[(i + k) % order.length] as keyof typeof kinds;
        kinds[kind].push(kind === "bare" ? await bare(argv) : await sandboxed(argv, kind === "warm"));
        await sleep(SETTLE_MS);
      }
    }
    const mb = quantile(kinds.bare, 0.5);
    const fmt = (xs: number[]) => {
      const m = quantile(xs, 0.5);
      return `median ${m.toFixed(1).padStart(6)} (p10 ${quantile(xs, 0.1).toFixed(1)}, p90 ${quantile(xs, 0.9).toFixed(1)})`;
    };
    const ratio = (xs: number[]) => (quantile(xs, 0.5) / mb).toFixed(2);
    console.log(`${name.padEnd(6)} bare ${fmt(kinds.bare)}`);
    console.log(
      `${"".padEnd(6)} warm ${fmt(kinds.warm)}  ${ratio(kinds.warm)}x bare  (target <= 3x: ${quantile(kinds.warm, 0.5) <= 3 * mb ? "met" : "NOT met"})`,
    );
    console.log(`${"".padEnd(6)} cold ${fmt(kinds.cold)}  ${ratio(kinds.cold)}x bare`);
  }
} finally {
  await rm(stateDir, { recursive: true, force: true });
}
