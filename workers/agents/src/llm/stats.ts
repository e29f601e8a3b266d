import { z } from "zod";
import { ProviderName, Role } from "@proximus/contracts";

/** Observed outcomes of one (role, provider, model): the counts of a Beta posterior. */
export interface OutcomeCounts {
  successes: number;
  failures: number;
}

export function statsKey(provider: ProviderName, model: string): string {
  return `${provider}|${model}`;
}

/** Learned success rates. Async so a D1-backed store fits the same shape as the in-memory one. */
export interface RouterStats {
  /** Counts for every (provider, model) seen for this role, keyed by `statsKey`. */
  countsFor(role: Role): Promise<ReadonlyMap<string, OutcomeCounts>>;
  recordOutcome(role: Role, provider: ProviderName, model: string, success: boolean): Promise<void>;
}

/** One row of the persisted form: flat columns, so it maps 1:1 to a SQL table. */
export const StatsRow = z.object({
  role: Role,
  provider: ProviderName,
  model: z.string().min(1).max(200),
  successes: z.number().int().nonnegative(),
  failures: z.number().int().nonnegative(),
  updated_at: z.number().int(),
});
export type StatsRow = z.infer<typeof StatsRow>;

export const ROUTER_STATS_DDL = `CREATE TABLE IF NOT EXISTS router_stats (
  role TEXT NOT NULL,
  provider TEXT NOT NULL,
  model TEXT NOT NULL,
  successes INTEGER NOT NULL DEFAULT 0,
  failures INTEGER NOT NULL DEFAULT 0,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (role, provider, model)
)`;

/** Increment, not overwrite: concurrent agent isolates each add their own outcomes. */
export const ROUTER_STATS_UPSERT = `INSERT INTO router_stats (role, provider, model, successes, failures, updated_at)
VALUES (?1, ?2, ?3, ?4, ?5, ?6)
ON CONFLICT (role, provider, model) DO UPDATE SET
  successes = successes + excluded.successes,
  failures = failures + excluded.failures,
  updated_at = excluded.updated_at`;

export const ROUTER_STATS_SELECT = `SELECT role, provider, model, successes, failures, updated_at FROM router_stats WHERE role = ?1`;

export class InMemoryRouterStats implements RouterStats {
  private readonly rows = new Map<string, StatsRow>();

  constructor(private readonly now: () => number = Date.now) {}

  async countsFor(role: Role): Promise<ReadonlyMap<string, OutcomeCounts>> {
    const out = new Map<string, OutcomeCounts>();
    for (const r of this.rows.values())
      if (r.role === role) out.set(statsKey(r.provider, r.model), { successes: r.successes, failures: r.failures });
    return out;
  }

  async recordOutcome(role: Role, provider: ProviderName, model: string, success: boolean): Promise<void> {
    const key = `${role}|${statsKey(provider, model)}`;
    const row = this.rows.get(key) ?? { role, provider, model, successes: 0, failures: 0, updated_at: 0 };
    if (success) row.successes += 1;
    else row.failures += 1;
    row.updated_at = this.now();
    this.rows.set(key, row);
  }

  toRows(): StatsRow[] {
    return [...this.rows.values()].map((r) => ({ ...r }));
  }

  /** Rows from storage are a boundary: validated, bad rows rejected. */
  static fromRows(rows: unknown, now?: () => number): InMemoryRouterStats {
    const parsed = z.array(StatsRow).parse(rows);
    const s = new InMemoryRouterStats(now);
    for (const r of parsed) s.rows.set(`${r.role}|${statsKey(r.provider, r.model)}`, { ...r });
    return s;
  }
}

/** The subset of Cloudflare D1's API this store uses (so tests can back it with any SQLite). */
export interface SqlDatabase {
  prepare(sql: string): SqlStatement;
}
export interface SqlStatement {
  bind(...values: unknown[]): SqlStatement;
  run(): Promise<unknown>;
  all<T = Record<string, unknown>>(): Promise<{ results: T[] }>;
}

/** D1-backed stats: one row per (role, provider, model), incremented in SQL. */
export class SqlRouterStats implements RouterStats {
  constructor(
    private readonly db: SqlDatabase,
    private readonly now: () => number = Date.now,
  ) {}

  async countsFor(role: Role): Promise<ReadonlyMap<string, OutcomeCounts>> {
    const { results } = await this.db.prepare(ROUTER_STATS_SELECT).bind(role).all();
    const rows = z.array(StatsRow).parse(results);
    return new Map(rows.map((r) => [statsKey(r.provider, r.model), { successes: r.successes, failures: r.failures }]));
  }

  async recordOutcome(role: Role, provider: ProviderName, model: string, success: boolean): Promise<void> {
    await this.db
      .prepare(ROUTER_STATS_UPSERT)
      .bind(role, provider, model, success ? 1 : 0, success ? 0 : 1, this.now())
      .run();
  }
}
