import { z } from "zod";

/**
 * How many task attempts may run at once, and how fast each LLM provider may be called. Read from
 * the agents Worker's vars; 0 = no limit at that level. Tasks over a limit wait (queued, with the
 * limit named) instead of failing.
 */
export const LimitsConfig = z.object({
  /** Every attempt in flight on this deployment. */
  global: z.number().int().nonnegative(),
  /** Attempts of one user's projects. */
  perUser: z.number().int().nonnegative(),
  /** Attempts of one project (0: every ready task runs, e.g. Engineer FE ∥ BE). */
  perProject: z.number().int().nonnegative(),
  /** Calls per minute per provider (token bucket refill), and the bucket's size. */
  providerRpm: z.number().int().nonnegative(),
  providerBurst: z.number().int().positive(),
});
export type LimitsConfig = z.infer<typeof LimitsConfig>;

const int = (v: unknown, fallback: number, name: string): number => {
  if (v === undefined || v === "") return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got ${String(v)}`);
  return n;
};

export function limitsFromEnv(env: Record<string, unknown>): LimitsConfig {
  return LimitsConfig.parse({
    global: int(env.MAX_CONCURRENT_TASKS, 64, "MAX_CONCURRENT_TASKS"),
    perUser: int(env.MAX_TASKS_PER_USER, 16, "MAX_TASKS_PER_USER"),
    perProject: int(env.MAX_TASKS_PER_PROJECT, 0, "MAX_TASKS_PER_PROJECT"),
    providerRpm: int(env.PROVIDER_RPM, 0, "PROVIDER_RPM"),
    providerBurst: Math.max(1, int(env.PROVIDER_BURST, 10, "PROVIDER_BURST")),
  });
}

export interface Lease {
  key: string;
  projectId: string;
  ownerId: string;
}

export type Admission = { granted: true } | { granted: false; reason: string };

/** Whether one more attempt may start next to `running`; the first limit it would break is the reason. */
export function admit(limits: LimitsConfig, running: readonly Lease[], want: Lease): Admission {
  if (running.some((l) => l.key === want.key)) return { granted: true };
  const checks: [number, number, string][] = [
    [limits.global, running.length, `the deployment's limit of ${limits.global} tasks at once (MAX_CONCURRENT_TASKS)`],
    [
      limits.perUser,
      running.filter((l) => l.ownerId === want.ownerId).length,
      `this user's limit of ${limits.perUser} tasks at once (MAX_TASKS_PER_USER)`,
    ],
    [
      limits.perProject,
      running.filter((l) => l.projectId === want.projectId).length,
      `this project's limit of ${limits.perProject} tasks at once (MAX_TASKS_PER_PROJECT)`,
    ],
  ];
  for (const [limit, count, what] of checks) {
    if (limit > 0 && count >= limit) return { granted: false, reason: `queued: ${count} running, at ${what}` };
  }
  return { granted: true };
}

export interface Bucket {
  tokens: number;
  updatedAt: number;
  /** A 429's retry-after: no call before this time. */
  blockedUntil: number;
}

/**
 * One call's token from a provider's bucket: how long to wait before calling (0 = now), and the
 * bucket after taking it. With providerRpm = 0 only a vendor's retry-after throttles.
 */
export function takeToken(limits: LimitsConfig, b: Bucket, now: number): { waitMs: number; bucket: Bucket } {
  if (now < b.blockedUntil) return { waitMs: b.blockedUntil - now, bucket: b };
  if (limits.providerRpm === 0) return { waitMs: 0, bucket: { ...b, updatedAt: now } };
  const perMs = limits.providerRpm / 60_000;
  const tokens = Math.min(limits.providerBurst, b.tokens + (now - b.updatedAt) * perMs);
  if (tokens >= 1) return { waitMs: 0, bucket: { tokens: tokens - 1, updatedAt: now, blockedUntil: b.blockedUntil } };
  return { waitMs: Math.ceil((1 - tokens) / perMs), bucket: { tokens, updatedAt: now, blockedUntil: b.blockedUntil } };
}
