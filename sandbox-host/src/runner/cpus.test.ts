import { describe, expect, it } from "vitest";
import { CpuPlacer, allowedCpus } from "./cpus";

describe("allowedCpus", () => {
  it("expands /proc/self/status Cpus_allowed_list ranges", () => {
    expect(allowedCpus("Name:\tx\nCpus_allowed_list:\t0-1\n")).toEqual([0, 1]);
    expect(allowedCpus("Cpus_allowed_list:\t2,4-6,9\n")).toEqual([2, 4, 5, 6, 9]);
    expect(allowedCpus("Cpus_allowed:\tff\n")).toEqual([]);
  });
});

describe("CpuPlacer", () => {
  it("is off with fewer than two CPUs, or when turned off", () => {
    expect(new CpuPlacer([0]).pick()).toBeNull();
    expect(new CpuPlacer([]).pick()).toBeNull();
    const p = new CpuPlacer([0, 1]);
    p.setEnabled(false);
    expect(p.pick()).toBeNull();
    p.setEnabled(true);
    expect(p.pick()).not.toBeNull();
  });

  it("puts a job on the CPU running the fewest jobs and frees it once, when the job ends", () => {
    const p = new CpuPlacer([0, 1, 2]);
    const a = p.occupy(0);
    const b = p.occupy(2);
    expect(p.pick()).toBe(1);
    const c = p.occupy(1);
    a();
    a(); // a second release must not free someone else's slot
    expect(p.jobsOn(0)).toBe(0);
    expect(p.pick()).toBe(0);
    b();
    c();
    expect([0, 1, 2].map((x) => p.jobsOn(x))).toEqual([0, 0, 0]);
  });

  it("rotates ties, so boots with equal scores spread over the CPUs", () => {
    const p = new CpuPlacer([4, 7]);
    expect(new Set([p.pick(), p.pick()])).toEqual(new Set([4, 7]));
    const pooled: number[] = [];
    for (let i = 0; i < 4; i++) pooled.push(p.pick((c) => pooled.filter((x) => x === c).length) as number);
    expect(pooled.filter((x) => x === 4)).toHaveLength(2);
  });
});
