import { readFileSync } from "node:fs";

/** CPUs this process may use (a container or systemd may restrict them), from /proc/self/status. */
export function allowedCpus(status: string): number[] {
  const list = /^Cpus_allowed_list:\s*(\S+)/m.exec(status)?.[1] ?? "";
  const cpus: number[] = [];
  for (const part of list.split(",").filter((p) => /^\d+(-\d+)?$/.test(p))) {
    const [a, b] = part.split("-").map(Number) as [number, number | undefined];
    for (let c = a; c <= (b ?? a); c++) cpus.push(c);
  }
  return cpus;
}

/**
 * Places each sandbox on one CPU. Under gVisor-ptrace every guest syscall and fault is a
 * stop-and-resume between a stub thread and its sentry tracer; on one CPU that is a plain context
 * switch, across CPUs an IPI (a VM exit on a virtual machine). Measured: python3 -c 'print(1)'
 * 43 -> 36 ms warm. The cgroup allows one CPU's worth of time anyway, and affinity is only a
 * placement hint: a job that changes its own (bubblewrap) gains no CPU time.
 * Placement keeps concurrent jobs apart: a job goes to the CPU running the fewest jobs.
 */
export class CpuPlacer {
  private readonly running = new Map<number, number>();
  private turn = 0;
  private on = true;

  constructor(readonly cpus: readonly number[]) {}

  /** Pinning is pointless with one CPU (and impossible with none known). */
  get enabled(): boolean {
    return this.on && this.cpus.length >= 2;
  }

  /**
   * SANDBOX_PIN_CPUS=0 turns pinning off: a pinned sandbox cannot move away from a CPU that
   * other programs keep busy, so on a machine shared with other work it can be slower.
   */
  setEnabled(on: boolean): void {
    this.on = on;
  }

  jobsOn(cpu: number): number {
    return this.running.get(cpu) ?? 0;
  }

  /** The CPU with the lowest `score` (default: running jobs); ties rotate so boots spread out. */
  pick(score: (cpu: number) => number = (c) => this.jobsOn(c)): number | null {
    if (!this.enabled) return null;
    const start = this.turn++ % this.cpus.length;
    let best: number | null = null;
    for (let i = 0; i < this.cpus.length; i++) {
      const cpu = this.cpus[(start + i) % this.cpus.length] as number;
      if (best === null || score(cpu) < score(best)) best = cpu;
    }
    return best;
  }

  /** Marks a job running on `cpu` until the returned function is called. */
  occupy(cpu: number | null): () => void {
    if (cpu === null) return () => undefined;
    this.running.set(cpu, this.jobsOn(cpu) + 1);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.running.set(cpu, Math.max(0, this.jobsOn(cpu) - 1));
    };
  }
}

const fromProc = (): number[] => {
  try {
    return allowedCpus(readFileSync("/proc/self/status", "utf8"));
  } catch {
    return [];
  }
};

/** Process-wide: every sandbox of this process shares the machine's CPUs. */
export const cpuPlacer = new CpuPlacer(fromProc());
