/**
 * Median exec latency of `python3 -c 'print(1)'` and `node -e 1`: bare process, cold sandbox
 * (start + run) and warm-pool sandbox (already booted, waiting for its job), with ratios to bare.
 * Run as root: node_modules/.bin/tsx bench/sandbox/bench.ts [iterations]
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { detectBackend } from "../../sandbox-host/src/runner/backend";
import { ensureLayout } from "../../sandbox-host/src/runner/layout";
import { Sandbox } from "../../sandbox-host/src/runner/sandbox";

const N = Number(process.argv[2] ?? 9);
const MEM = 256 * 1024 * 1024;
const ENV = { PATH: "/usr/local/bin:/usr/bin:/bin", HOME: "/tmp" };
const CASES: Record<string, string[]> = { python: ["python3", "-c", "print(1)"], node: ["node", "-e", "1"] };

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
};

function bare(argv: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const t = performance.now();
    const p = spawn(argv[0] as string, argv.slice(1), { stdio: ["ignore", "pipe", "pipe"], env: ENV });
    p.on("error", reject);
    p.on("close", (code) => (code === 0 ? resolve(performance.now() - t) : reject(new Error(`${argv.join(" ")} exited ${code}`))));
  });
}

const backend = await detectBackend();
const stateDir = await mkdtemp(join(tmpdir(), "pxsb-bench-"));
const layout = await ensureLayout(stateDir);
const job = (argv: string[]) => ({ files: [], argv, env: ENV, timeoutMs: 20_000, memoryBytes: MEM, maxOutputBytes: 65_536 });

async function sandboxed(argv: string[], warm: boolean): Promise<number> {
  const s = Sandbox.start(backend.isolation, layout, MEM);
  try {
    if (warm) {
      await s.ready;
      // A pool sandbox has been idle a while before it is taken; let the boot settle the same way.
      await new Promise((r) => setTimeout(r, 300));
    }
    const t = performance.now();
    const r = await s.execute(job(argv));
    const elapsed = performance.now() - t;
    if (r.exitCode !== 0) throw new Error(`${argv.join(" ")} exited ${r.exitCode}: ${r.stderr}`);
    return elapsed;
  } finally {
    await s.destroy();
  }
}

console.log(`isolation: ${backend.isolation} (${backend.platform}); ${N} iterations each; median ms`);
try {
  for (const [name, argv] of Object.entries(CASES)) {
    const b: number[] = [];
    const c: number[] = [];
    const w: number[] = [];
    for (let i = 0; i < N; i++) {
      b.push(await bare(argv));
      c.push(await sandboxed(argv, false));
      w.push(await sandboxed(argv, true));
    }
    const [mb, mc, mw] = [median(b), median(c), median(w)];
    console.log(
      `${name.padEnd(7)} bare ${mb.toFixed(1).padStart(6)}  cold ${mc.toFixed(1).padStart(6)} (${(mc / mb).toFixed(2)}x)  warm ${mw.toFixed(1).padStart(6)} (${(mw / mb).toFixed(2)}x)  target warm <= 3x: ${mw <= 3 * mb ? "met" : "NOT met"}`,
    );
  }
} finally {
  await rm(stateDir, { recursive: true, force: true });
}
