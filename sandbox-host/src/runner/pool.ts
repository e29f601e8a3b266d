import type { Isolation } from "@proximus/contracts/sandbox";
import type { Layout } from "./layout";
import { cpuPlacer } from "./cpus";
import { Sandbox } from "./sandbox";

/**
 * Sandboxes started ahead of demand (prewarmed, spread over the CPUs), each already waiting in
 * its supervisor for one job. Taking one removes it; retiring it after the job tears it down and
 * boots a replacement, both in the background.
 */
export class WarmPool {
  private ready: Sandbox[] = [];
  private readonly booting = new Set<Sandbox>();
  private closed = false;
  /** Used sandboxes still being torn down; close() waits for them. */
  private readonly retiring = new Set<Promise<void>>();

  constructor(
    private readonly backend: Isolation,
    private readonly layout: Layout,
    readonly target: number,
    private readonly memoryBytes: number,
  ) {}

  get readyCount(): number {
    return this.ready.length;
  }

  fill(): void {
    while (!this.closed && this.ready.length + this.booting.size < this.target) {
      // Spread the pool over the CPUs, so two jobs taken at once run on different ones.
      const pooled = [...this.ready, ...this.booting];
      const cpu = cpuPlacer.pick((c) => pooled.filter((p) => p.cpu === c).length);
      const s = Sandbox.start(this.backend, this.layout, this.memoryBytes, { prewarm: true, cpu });
      this.booting.add(s);
      s.ready.then(
        () => {
          this.booting.delete(s);
          if (this.closed) void s.destroy();
          else this.ready.push(s);
        },
        () => {
          this.booting.delete(s);
          void s.destroy();
          // No immediate refill: a backend that cannot boot would otherwise spin.
        },
      );
    }
  }

  /** No refill here: booting a replacement would compete for the CPU with the job about to run. */
  take(): Sandbox | null {
    if (this.ready.length === 0) return null;
    // The one on the CPU running the fewest jobs right now.
    let best = 0;
    const load = (s: Sandbox) => (s.cpu === null ? 0 : cpuPlacer.jobsOn(s.cpu));
    for (let i = 1; i < this.ready.length; i++) if (load(this.ready[i] as Sandbox) < load(this.ready[best] as Sandbox)) best = i;
    return this.ready.splice(best, 1)[0] ?? null;
  }

  /**
   * Tears a used sandbox down and boots a replacement, both off the request path. Failures are
   * left to the sweep at the next start; the teardown itself kills through the cgroup first.
   */
  retire(s: Sandbox): void {
    const p = s
      .destroy()
      .catch(() => undefined)
      .finally(() => this.retiring.delete(p));
    this.retiring.add(p);
    this.fill();
  }

  get retiringCount(): number {
    return this.retiring.size;
  }

  /** Resolves when every retired sandbox is gone; for tests, benchmarks and shutdown. */
  async drain(): Promise<void> {
    while (this.retiring.size) await Promise.all([...this.retiring]);
  }

  /** Resolves once `n` sandboxes are ready (or the time is up); for tests and benchmarks. */
  async waitReady(n = this.target, timeoutMs = 30_000): Promise<boolean> {
    const end = Date.now() + timeoutMs;
    while (this.ready.length < n && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    return this.ready.length >= n;
  }

  async close(): Promise<void> {
    this.closed = true;
    const all = this.ready.splice(0);
    await Promise.all(all.map((s) => s.destroy()));
    await this.drain();
    while (this.booting.size > 0) await new Promise((r) => setTimeout(r, 20));
  }
}
