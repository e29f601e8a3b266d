import { describe, expect, it } from "vitest";
import { admit, limitsFromEnv, takeToken, type Lease } from "./limits";

const lease = (key: string, projectId = "p1", ownerId = "u1"): Lease => ({ key, projectId, ownerId });

describe("concurrency limits", () => {
  it("admit every ready task of a project by default, and name the limit a task waits on", () => {
    const limits = limitsFromEnv({ MAX_CONCURRENT_TASKS: "3", MAX_TASKS_PER_USER: "2" });
    expect(admit(limits, [lease("fe")], lease("be"))).toEqual({ granted: true });
    const user = admit(limits, [lease("fe"), lease("be")], lease("qa", "p2"));
    expect(user).toEqual({
      granted: false,
      reason: expect.stringMatching(/^queued: 2 running, at this user's limit of 2 .*MAX_TASKS_PER_USER/),
    });
    const global = admit(limits, [lease("a", "p1", "u1"), lease("b", "p2", "u2"), lease("c", "p3", "u3")], lease("d", "p4", "u4"));
    expect(global).toMatchObject({ granted: false, reason: expect.stringMatching(/MAX_CONCURRENT_TASKS/) });
    // A lease it already holds is never refused (a resumed executor asks again).
    expect(admit(limits, [lease("a"), lease("b"), lease("c")], lease("a"))).toEqual({ granted: true });
    const perProject = limitsFromEnv({ MAX_TASKS_PER_PROJECT: "1" });
    expect(admit(perProject, [lease("fe")], lease("be"))).toMatchObject({
      granted: false,
      reason: expect.stringMatching(/MAX_TASKS_PER_PROJECT/),
    });
  });

  it("refuse a bad value by name", () => {
    expect(() => limitsFromEnv({ MAX_TASKS_PER_USER: "-1" })).toThrow(/MAX_TASKS_PER_USER/);
  });

  it("spend provider tokens at the configured rate and honour a 429's retry-after", () => {
    const limits = limitsFromEnv({ PROVIDER_RPM: "60", PROVIDER_BURST: "2" });
    let b = { tokens: 2, updatedAt: 0, blockedUntil: 0 };
    const waits: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t = takeToken(limits, b, 0);
      waits.push(t.waitMs);
      if (t.waitMs === 0) b = t.bucket;
    }
    expect(waits).toEqual([0, 0, 1000]);
    expect(takeToken(limits, b, 1000).waitMs).toBe(0);
    expect(takeToken(limits, { ...b, blockedUntil: 5000 }, 1000).waitMs).toBe(4000);
    expect(takeToken(limitsFromEnv({}), { tokens: 0, updatedAt: 0, blockedUntil: 0 }, 0).waitMs).toBe(0);
  });
});
