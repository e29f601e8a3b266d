import { DatabaseSync } from "node:sqlite";
import { describe, expect, it } from "vitest";
import { InMemoryRouterStats, ROUTER_STATS_DDL, SqlRouterStats, type SqlDatabase, type SqlStatement } from "./stats";

/** D1's prepare/bind/run/all shape over a real SQLite, so the SQL itself is exercised. */
function d1Like(db: DatabaseSync): SqlDatabase {
  return {
    prepare(sql: string): SqlStatement {
      let values: unknown[] = [];
      const stmt: SqlStatement = {
        bind: (...v: unknown[]) => {
          values = v;
          return stmt;
        },
        run: async () => db.prepare(sql).run(...(values as (string | number)[])),
        all: async <T>() => ({
          results: db
            .prepare(sql)
            .all(...(values as (string | number)[]))
            .map((r) => ({ ...r })) as T[],
        }),
      };
      return stmt;
    },
  };
}

describe("RouterStats", () => {
  it("in-memory stats round-trip through rows", async () => {
    const s = new InMemoryRouterStats(() => 42);
    await s.recordOutcome("qa", "openai", "gpt-4o-mini", true);
    await s.recordOutcome("qa", "openai", "gpt-4o-mini", false);
    await s.recordOutcome("qa", "openai", "gpt-4o-mini", true);
    await s.recordOutcome("cto", "bedrock", "amazon.nova-pro-v1:0", false);
    const rows = s.toRows();
    expect(rows).toContainEqual({ role: "qa", provider: "openai", model: "gpt-4o-mini", successes: 2, failures: 1, updated_at: 42 });
    const back = InMemoryRouterStats.fromRows(JSON.parse(JSON.stringify(rows)));
    expect((await back.countsFor("qa")).get("openai|gpt-4o-mini")).toEqual({ successes: 2, failures: 1 });
    expect((await back.countsFor("cto")).get("bedrock|amazon.nova-pro-v1:0")).toEqual({ successes: 0, failures: 1 });
    expect(() =>
      InMemoryRouterStats.fromRows([{ role: "janitor", provider: "openai", model: "m", successes: 1, failures: 0, updated_at: 1 }]),
    ).toThrow();
  });

  it("SQL stats increment per (role, provider, model) in real SQLite", async () => {
    const db = new DatabaseSync(":memory:");
    db.exec(ROUTER_STATS_DDL);
    const a = new SqlRouterStats(d1Like(db), () => 1);
    const b = new SqlRouterStats(d1Like(db), () => 2);
    await a.recordOutcome("finance", "bedrock", "amazon.nova-micro-v1:0", true);
    await b.recordOutcome("finance", "bedrock", "amazon.nova-micro-v1:0", true);
    await b.recordOutcome("finance", "bedrock", "amazon.nova-micro-v1:0", false);
    await a.recordOutcome("ceo", "bedrock", "amazon.nova-micro-v1:0", false);
    expect((await a.countsFor("finance")).get("bedrock|amazon.nova-micro-v1:0")).toEqual({ successes: 2, failures: 1 });
    expect((await a.countsFor("ceo")).get("bedrock|amazon.nova-micro-v1:0")).toEqual({ successes: 0, failures: 1 });
    expect(db.prepare("SELECT updated_at FROM router_stats WHERE role = 'finance'").get()).toMatchObject({ updated_at: 2 });
    db.close();
  });
});
