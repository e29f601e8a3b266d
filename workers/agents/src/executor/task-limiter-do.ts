import { DurableObject } from "cloudflare:workers";
import { z } from "zod";
import { admit, limitsFromEnv, takeToken, type Admission, type Bucket, type Lease, type LimitsConfig } from "./limits";

/** A lease not renewed for this long belongs to an executor that died: its slot is free again. */
export const LEASE_TTL_MS = 5 * 60_000;

const LeaseRow = z.object({ key: z.string(), project_id: z.string(), owner_id: z.string(), expires_at: z.number() });
const BucketRow = z.object({ tokens: z.number(), updated_at: z.number(), blocked_until: z.number() });

/**
 * The deployment's concurrency limits, in one Durable Object (named "limits"): a lease per running
 * attempt (global, per user, per project) and a token bucket per LLM provider. Executors ask
 * before they start and before each LLM call; a refusal names the limit, and the task shows it.
 */
export class TaskLimiterDO extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  private readonly limits: LimitsConfig;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.limits = limitsFromEnv(env as unknown as Record<string, unknown>);
    this.sql
      .exec(`CREATE TABLE IF NOT EXISTS leases (key TEXT PRIMARY KEY, project_id TEXT NOT NULL, owner_id TEXT NOT NULL, expires_at INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS buckets (provider TEXT PRIMARY KEY, tokens REAL NOT NULL, updated_at INTEGER NOT NULL, blocked_until INTEGER NOT NULL);`);
  }

  private running(now: number): Lease[] {
    this.sql.exec("DELETE FROM leases WHERE expires_at < ?", now);
    return this.sql
      .exec("SELECT * FROM leases")
      .toArray()
      .map((r) => LeaseRow.parse(r))
      .map((r) => ({ key: r.key, projectId: r.project_id, ownerId: r.owner_id }));
  }

  /** Takes (or renews) a slot for one attempt, or says which limit it waits on. */
  async acquire(want: Lease): Promise<Admission> {
    const now = Date.now();
    const decision = admit(this.limits, this.running(now), want);
    if (decision.granted) {
      this.sql.exec(
        "INSERT INTO leases (key, project_id, owner_id, expires_at) VALUES (?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET expires_at = excluded.expires_at",
        want.key,
        want.projectId,
        want.ownerId,
        now + LEASE_TTL_MS,
      );
    }
    return decision;
  }

  async release(key: string): Promise<void> {
    this.sql.exec("DELETE FROM leases WHERE key = ?", key);
  }

  private bucket(provider: string, now: number): Bucket {
    const row = this.sql.exec("SELECT tokens, updated_at, blocked_until FROM buckets WHERE provider = ?", provider).toArray()[0];
    if (!row) return { tokens: this.limits.providerBurst, updatedAt: now, blockedUntil: 0 };
    const b = BucketRow.parse(row);
    return { tokens: b.tokens, updatedAt: b.updated_at, blockedUntil: b.blocked_until };
  }

  private save(provider: string, b: Bucket): void {
    this.sql.exec(
      "INSERT INTO buckets (provider, tokens, updated_at, blocked_until) VALUES (?, ?, ?, ?) ON CONFLICT (provider) DO UPDATE SET tokens = excluded.tokens, updated_at = excluded.updated_at, blocked_until = excluded.blocked_until",
      provider,
      b.tokens,
      b.updatedAt,
      b.blockedUntil,
    );
  }

  /**
   * One call's token for `provider`: `waitMs` 0 = call now, otherwise how long to wait first;
   * `paced` false = no per-minute rate is configured (only a vendor's retry-after holds calls).
   */
  async providerToken(provider: string): Promise<{ waitMs: number; paced: boolean }> {
    const now = Date.now();
    const { waitMs, bucket } = takeToken(this.limits, this.bucket(provider, now), now);
    this.save(provider, bucket);
    return { waitMs, paced: this.limits.providerRpm > 0 };
  }

  /** A vendor answered 429 with retry-after: every executor holds off that provider until then. */
  async providerThrottled(provider: string, retryAfterMs: number): Promise<void> {
    const now = Date.now();
    const b = this.bucket(provider, now);
    this.save(provider, { ...b, blockedUntil: Math.max(b.blockedUntil, now + Math.min(retryAfterMs, 10 * 60_000)) });
  }
}
