import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { Isolation, KilledReason } from "@proximus/contracts/sandbox";
import { Cgroup } from "./cgroup";
import { killedLine } from "./limits";
import { launch, unlaunch } from "./launch";
import type { Layout } from "./layout";
import { cpuPlacer } from "./cpus";
import { exitCodeOf, MarkerScanner } from "./markers";
import { CappedOutput } from "./output";

const READY = Buffer.from("\0PXSB-READY\n");
const READY_TIMEOUT_MS = 20_000;
/** How long a sandbox whose supervisor reported may take to exit by itself before it is killed. */
const NATURAL_EXIT_MS = 2_000;
/** Past this much output (both streams), the run is killed rather than drained for its whole timeout. */
const hardOutputLimit = (cap: number) => Math.max(16 * 1024 * 1024, cap * 8);

export type JobFile = { path: string; contentBase64: string; executable: boolean };
export type Job = {
  files: JobFile[];
  argv: string[];
  env: Record<string, string>;
  timeoutMs: number;
  memoryBytes: number;
  maxOutputBytes: number;
  onStdout?: (text: string) => void;
  onStderr?: (text: string) => void;
};
export type ExecOutcome = {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  stdoutBytes: number;
  stderrBytes: number;
  stdoutTruncated: boolean;
  stderrTruncated: boolean;
  durationMs: number;
  peakMemoryBytes: number | null;
  killedReason: KilledReason | null;
  pidsLimitHit: boolean;
};

const CPU_CORES = 1;
/** How often a running job's cgroup is asked whether it reached the task limit (one small sync read). */
const PIDS_POLL_MS = 100;

/**
 * One single-use sandbox. It is started (maybe long before a job: the warm pool), runs exactly
 * one job and is destroyed, so nothing a job leaves behind can reach the next one.
 */
export class Sandbox {
  readonly id: string;
  readonly ready: Promise<void>;
  private proc: ChildProcessWithoutNullStreams | null = null;
  private readonly cgroup: Cgroup;
  private stderrSink: ((b: Buffer) => void) | null = null;
  private stdoutSink: ((b: Buffer) => void) | null = null;
  private exited: Promise<number | null> | null = null;
  private destroyed: Promise<void> | null = null;
  private used = false;
  /** The supervisor reported the job's end and is exiting on its own. */
  private finishedCleanly = false;

  private constructor(
    readonly backend: Isolation,
    private readonly layout: Layout,
    readonly netns: string | null,
    memoryBytes: number,
    private readonly prewarm: boolean,
    /** The CPU it is pinned to, or null when pinning is off. */
    readonly cpu: number | null,
  ) {
    this.id = `pxsb-${layout.instance}-${randomBytes(5).toString("hex")}`;
    this.cgroup = new Cgroup(this.id);
    this.ready = this.boot(memoryBytes);
    // A pool sandbox may fail while nobody awaits it; the failure surfaces when it is used.
    this.ready.catch(() => undefined);
  }

  /**
   * `prewarm` (pool sandboxes): the supervisor runs node and python3 once before it is ready, so
   * the sandbox's caches already hold them when the job comes. Costs boot time, hence not for
   * cold starts, where the job waits for the boot.
   */
  static start(
    backend: Isolation,
    layout: Layout,
    memoryBytes: number,
    opts: { netns?: string; prewarm?: boolean; cpu?: number | null } = {},
  ): Sandbox {
    const cpu = opts.cpu === undefined ? cpuPlacer.pick() : opts.cpu;
    return new Sandbox(backend, layout, opts.netns ?? null, memoryBytes, opts.prewarm ?? false, cpu);
  }

  private async boot(memoryBytes: number): Promise<void> {
    await this.cgroup.create({ pids: this.layout.pidsLimit, cpuCores: CPU_CORES, memoryBytes });
    const proc = await launch(this.backend, this.id, this.layout, this.cgroup, this.netns, this.prewarm, this.cpu);
    this.proc = proc;
    this.exited = new Promise((resolve) => {
      proc.on("error", () => resolve(null));
      proc.on("close", (code, signal) => resolve(code ?? (signal ? 128 + 9 : null)));
    });
    proc.stdin.on("error", () => undefined);
    proc.stdout.on("data", (b: Buffer) => this.stdoutSink?.(b));
    let pending = Buffer.alloc(0);
    let early = "";
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`sandbox did not start in ${READY_TIMEOUT_MS} ms`)), READY_TIMEOUT_MS);
      const onData = (b: Buffer) => {
        if (this.stderrSink) return this.stderrSink(b);
        pending = Buffer.concat([pending, b]);
        const at = pending.indexOf(READY);
        if (at < 0) {
          early = pending.toString("utf8").slice(-2000);
          return;
        }
        clearTimeout(timer);
        const rest = pending.subarray(at + READY.length);
        this.stderrSink = (x) => this.jobStderr?.(x);
        if (rest.length) this.stderrSink(rest);
        resolve();
      };
      proc.stderr.on("data", onData);
      void this.exited?.then((code) => {
        clearTimeout(timer);
        reject(new Error(`sandbox exited during start (code ${code}): ${early.trim() || "no output"}`));
      });
    });
  }

  private jobStderr: ((b: Buffer) => void) | null = null;

  async execute(job: Job): Promise<ExecOutcome> {
    if (this.used) throw new Error("sandbox already used");
    this.used = true;
    const release = cpuPlacer.occupy(this.cpu);
    try {
      return await this.run(job);
    } finally {
      release();
    }
  }

  private async run(job: Job): Promise<ExecOutcome> {
    await this.ready;
    const proc = this.proc;
    const exited = this.exited;
    if (!proc || !exited) throw new Error("sandbox not started");
    this.cgroup.setMemory(job.memoryBytes);
    this.cgroup.resetPeak();

    const out = new CappedOutput(job.maxOutputBytes, job.onStdout);
    const err = new CappedOutput(job.maxOutputBytes, job.onStderr);
    let killedReason: KilledReason | null = null;
    const limit = hardOutputLimit(job.maxOutputBytes);
    const killFor = (reason: KilledReason) => {
      if (killedReason) return;
      killedReason = reason;
      // Kill now (stats stay readable); removal happens in destroy().
      void this.cgroup.killAll().then(() => setTimeout(() => void this.cgroup.killAll(), 50));
    };
    const sink = (c: CappedOutput) => (b: Buffer) => {
      c.push(b);
      if (out.total + err.total > limit) killFor("output_limit");
    };

    const started = performance.now();
    const timer = setTimeout(() => killFor("timeout"), job.timeoutMs);
    // Reaching the task limit ends the run at once: under gVisor-ptrace a sandbox at pids.max is
    // unreliable (it may die, or spin on EAGAIN until the timeout), and the reason must be "pids".
    const pidsWatch = setInterval(() => {
      if (this.cgroup.pidsLimitHit()) killFor("pids");
    }, PIDS_POLL_MS);
    // The supervisor ends each stream with a marker once the job and all it started are gone.
    const nonce = randomBytes(16).toString("hex");
    const ended: { status: string | null } = { status: null };
    let finish: () => void = () => undefined;
    const markersSeen = new Promise<void>((resolve) => (finish = resolve));
    const onMarker = () => {
      if (stdout.done && stderr.done) finish();
    };
    const stdout = new MarkerScanner(nonce, sink(out), onMarker);
    const stderr = new MarkerScanner(nonce, sink(err), (s) => {
      ended.status = s;
      onMarker();
    });
    this.stdoutSink = (b) => stdout.push(b);
    this.jobStderr = (b) => stderr.push(b);
    const line = JSON.stringify({
      nonce,
      files: job.files.map((f) => ({ path: f.path, content: f.contentBase64, executable: f.executable })),
      argv: job.argv,
      env: job.env,
    });
    proc.stdin.end(line + "\n");
    const byMarker = await Promise.race([markersSeen.then(() => true), exited.then(() => false)]);
    let exitCode: number | null;
    if (byMarker && ended.status !== null) {
      exitCode = exitCodeOf(ended.status);
      this.finishedCleanly = true;
    } else {
      // The sandbox ended without the supervisor's word: killed (timeout, memory, pids) or crashed.
      exitCode = await exited;
      stdout.flush();
      stderr.flush();
    }
    clearTimeout(timer);
    clearInterval(pidsWatch);
    const durationMs = performance.now() - started;
    const stats = this.cgroup.stats();
    if (!killedReason && stats.oomKilled) killedReason = "memory";
    if (!killedReason && stats.pidsLimitHit && exitCode !== 0) killedReason = "pids";
    if (killedReason) exitCode = exitCode ?? 137;
    // Say which limit ended the run where every reader looks (QA's feedback quotes stderr).
    const limits = { timeoutMs: job.timeoutMs, memoryBytes: job.memoryBytes, pids: this.layout.pidsLimit, outputBytes: limit };
    const why = killedReason ? killedLine(killedReason, limits) : "";
    if (why) job.onStderr?.(why);
    return {
      exitCode,
      stdout: out.text(),
      stderr: err.text() + why,
      stdoutBytes: out.total,
      stderrBytes: err.total + Buffer.byteLength(why),
      stdoutTruncated: out.truncated,
      stderrTruncated: err.truncated,
      durationMs: Math.round(durationMs * 10) / 10,
      peakMemoryBytes: stats.peakMemoryBytes,
      killedReason,
      pidsLimitHit: stats.pidsLimitHit,
    };
  }

  /**
   * Idempotent: kills the whole sandbox through its cgroup and removes every trace. Not on the
   * request path after a run (the pool retires used sandboxes in the background).
   */
  destroy(): Promise<void> {
    this.destroyed ??= (async () => {
      await this.ready.catch(() => undefined);
      // A supervisor that reported is exiting; letting runsc finish its own teardown is cheaper
      // than racing it with kill/delete. Either way the steps below run and make sure.
      if (this.finishedCleanly && this.exited) await Promise.race([this.exited, sleep(NATURAL_EXIT_MS)]);
      await unlaunch(this.backend, this.id, this.layout);
      await this.cgroup.destroy();
      this.proc?.kill("SIGKILL");
      if (this.exited) await this.exited;
    })();
    return this.destroyed;
  }
}
