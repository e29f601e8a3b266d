import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { mkdir, readFile, readdir, rmdir, writeFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";

/** All sandboxes live under this cgroup name, so a restart can find and kill leftovers. */
export const CGROUP_PARENT = "proximus-sandbox";
const ROOT = "/sys/fs/cgroup";
const V1_CONTROLLERS = ["memory", "pids", "cpu"] as const;

export type CgroupLimits = { memoryBytes: number; pids: number; cpuCores: number };
export type CgroupStats = { peakMemoryBytes: number | null; oomKilled: boolean; pidsLimitHit: boolean };

const isV2 = (): boolean => existsSync(`${ROOT}/cgroup.controllers`);

// Synchronous on purpose: cgroupfs reads and writes never block on I/O, and on the request path a
// thread-pool round trip per file cost more (ms under load) than the work itself (µs).
function readNum(file: string): number | null {
  try {
    const n = Number(readFileSync(file, "utf8").trim());
    return Number.isFinite(n) ? n : null;
  } catch {
    return null;
  }
}

function readKey(file: string, key: string): number {
  try {
    const line = readFileSync(file, "utf8")
      .split("\n")
      .find((l) => l.startsWith(`${key} `));
    return line ? Number(line.split(" ")[1]) : 0;
  } catch {
    return 0;
  }
}

/** One sandbox's cgroup: created and limited by us, so runsc joins it instead of owning (and deleting) it. */
export class Cgroup {
  readonly v2 = isV2();
  constructor(readonly name: string) {}

  /** The cgroupsPath for an OCI spec. */
  get specPath(): string {
    return `/${CGROUP_PARENT}/${this.name}`;
  }

  /** Every directory a process must be written into. */
  dirs(): string[] {
    return this.v2 ? [`${ROOT}/${CGROUP_PARENT}/${this.name}`] : V1_CONTROLLERS.map((c) => `${ROOT}/${c}/${CGROUP_PARENT}/${this.name}`);
  }

  private dir(controller: (typeof V1_CONTROLLERS)[number]): string {
    return this.v2 ? `${ROOT}/${CGROUP_PARENT}/${this.name}` : `${ROOT}/${controller}/${CGROUP_PARENT}/${this.name}`;
  }

  async create(limits: CgroupLimits): Promise<void> {
    if (this.v2) {
      await writeFile(`${ROOT}/cgroup.subtree_control`, "+memory +pids +cpu").catch(() => undefined);
      await mkdir(`${ROOT}/${CGROUP_PARENT}`, { recursive: true });
      await writeFile(`${ROOT}/${CGROUP_PARENT}/cgroup.subtree_control`, "+memory +pids +cpu");
    }
    for (const d of this.dirs()) await mkdir(d, { recursive: true });
    this.setMemory(limits.memoryBytes);
    if (this.v2) {
      await writeFile(`${this.dir("pids")}/pids.max`, String(limits.pids));
      await writeFile(`${this.dir("cpu")}/cpu.max`, `${Math.round(limits.cpuCores * 100_000)} 100000`);
      await writeFile(`${this.dir("memory")}/memory.swap.max`, "0").catch(() => undefined);
    } else {
      await writeFile(`${this.dir("pids")}/pids.max`, String(limits.pids));
      await writeFile(`${this.dir("cpu")}/cpu.cfs_period_us`, "100000");
      await writeFile(`${this.dir("cpu")}/cpu.cfs_quota_us`, String(Math.round(limits.cpuCores * 100_000)));
    }
  }

  /** Also used on warm sandboxes just before a job, to apply that job's memory limit. */
  setMemory(bytes: number): void {
    if (this.v2) {
      writeFileSync(`${this.dir("memory")}/memory.max`, String(bytes));
      return;
    }
    const d = this.dir("memory");
    // memsw must stay >= limit, so the order depends on the direction of the change.
    const cur = readNum(`${d}/memory.limit_in_bytes`) ?? 0;
    const setSw = () => {
      try {
        writeFileSync(`${d}/memory.memsw.limit_in_bytes`, String(bytes));
      } catch {
        /* no swap accounting on this kernel */
      }
    };
    if (bytes < cur) {
      writeFileSync(`${d}/memory.limit_in_bytes`, String(bytes));
      setSw();
    } else {
      setSw();
      writeFileSync(`${d}/memory.limit_in_bytes`, String(bytes));
    }
  }

  /** Forget the warm-up's peak so the job reports its own. */
  resetPeak(): void {
    if (this.v2) return;
    try {
      writeFileSync(`${this.dir("memory")}/memory.max_usage_in_bytes`, "0");
    } catch {
      /* best effort: the peak then includes the warm-up */
    }
  }

  /** One small read: has any fork/clone been refused at pids.max? */
  pidsLimitHit(): boolean {
    return readKey(`${this.dir("pids")}/pids.events`, "max") > 0;
  }

  stats(): CgroupStats {
    const m = this.dir("memory");
    const peak = this.v2 ? readNum(`${m}/memory.peak`) : readNum(`${m}/memory.max_usage_in_bytes`);
    const oom = this.v2 ? readKey(`${m}/memory.events`, "oom_kill") : readKey(`${m}/memory.oom_control`, "oom_kill");
    const pidsMax = readKey(`${this.dir("pids")}/pids.events`, "max");
    return { peakMemoryBytes: peak, oomKilled: oom > 0, pidsLimitHit: pidsMax > 0 };
  }

  async pids(): Promise<number[]> {
    const all = new Set<number>();
    for (const d of this.dirs()) {
      try {
        for (const l of (await readFile(`${d}/cgroup.procs`, "utf8")).split("\n")) if (l.trim()) all.add(Number(l));
      } catch {
        /* already gone */
      }
    }
    return [...all];
  }

  /** SIGKILLs every process in the cgroup: the whole sandbox, whatever state runsc believes it is in. */
  async killAll(): Promise<void> {
    if (this.v2) await writeFile(`${this.dirs()[0]}/cgroup.kill`, "1").catch(() => undefined);
    for (const pid of await this.pids()) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        /* exited meanwhile */
      }
    }
  }

  /** Kills what is left and removes the cgroup; retries while the kernel reaps. */
  async destroy(): Promise<void> {
    for (let attempt = 0; attempt < 100; attempt++) {
      await this.killAll();
      let left = 0;
      for (const d of this.dirs()) {
        try {
          await rmdir(d);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== "ENOENT") left++;
        }
      }
      if (left === 0) return;
      await sleep(20);
    }
    throw new Error(`cgroup ${this.name} could not be removed`);
  }
}

/** Names of sandbox cgroups of one sandbox-host instance (see Layout.instance) left by a crash or kill -9. */
export async function leftoverCgroups(instance: string): Promise<string[]> {
  const names = new Set<string>();
  const parents = isV2() ? [`${ROOT}/${CGROUP_PARENT}`] : V1_CONTROLLERS.map((c) => `${ROOT}/${c}/${CGROUP_PARENT}`);
  for (const p of parents) {
    try {
      for (const e of await readdir(p, { withFileTypes: true }))
        if (e.isDirectory() && e.name.startsWith(`pxsb-${instance}-`)) names.add(e.name);
    } catch {
      /* parent absent */
    }
  }
  return [...names];
}
