import { ROLES, type Role, type TaskMessage } from "@proximus/contracts";

export type LedgerEntry = TaskMessage["usageLedger"][number];

export interface UsageTotals {
  calls: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}
export interface CostReport {
  currency: "USD";
  entries: number;
  totals: UsageTotals;
  byRole: (UsageTotals & { role: Role | "unknown" })[];
  byModel: (UsageTotals & { provider: string; model: string })[];
  byTask: (UsageTotals & { taskId: string })[];
  budgetRemainingUsd: number | null;
  /** This Finance task's own LLM call is not in the ledger it was given; it is metered in its result's usage. */
  excludes: string;
}

// Longest first so "engineer_fe_fix1" maps to engineer_fe, not a shorter prefix.
const BY_LENGTH = [...ROLES].sort((a, b) => b.length - a.length);

/** The orchestrator names tasks after their role ("qa", "qa_2", "engineer_be_fix1"); the ledger carries only task ids. */
export function roleOfTask(taskId: string): Role | "unknown" {
  return BY_LENGTH.find((r) => taskId === r || taskId.startsWith(`${r}_`)) ?? "unknown";
}

/**
 * Costs are summed in integer nano-dollars so every grouping adds up to exactly the same total,
 * whatever order floating-point addition would have taken.
 */
const NANO = 1e9;
const toNano = (usd: number) => Math.round(usd * NANO);

interface Acc {
  calls: number;
  inputTokens: number;
  outputTokens: number;
  nano: number;
}
const empty = (): Acc => ({ calls: 0, inputTokens: 0, outputTokens: 0, nano: 0 });
function add(a: Acc, e: LedgerEntry): void {
  a.calls++;
  a.inputTokens += e.inputTokens;
  a.outputTokens += e.outputTokens;
  a.nano += toNano(e.costUsd);
}
const out = (a: Acc): UsageTotals => ({ calls: a.calls, inputTokens: a.inputTokens, outputTokens: a.outputTokens, costUsd: a.nano / NANO });

function group<K extends string>(ledger: readonly LedgerEntry[], key: (e: LedgerEntry) => K): Map<K, Acc> {
  const m = new Map<K, Acc>();
  for (const e of ledger) {
    const k = key(e);
    const acc = m.get(k) ?? empty();
    add(acc, e);
    m.set(k, acc);
  }
  return m;
}

/** The cost report: every number here is computed from the ledger, none comes from a model. */
export function costReport(ledger: readonly LedgerEntry[], budgetRemainingUsd: number | null): CostReport {
  const total = empty();
  for (const e of ledger) add(total, e);
  const byCost = <T extends { costUsd: number }>(a: T, b: T) => b.costUsd - a.costUsd;
  return {
    currency: "USD",
    entries: ledger.length,
    totals: out(total),
    byRole: [...group(ledger, (e) => roleOfTask(e.taskId))].map(([role, a]) => ({ role, ...out(a) })).sort(byCost),
    byModel: [...group(ledger, (e) => `${e.provider}\u0000${e.model}`)]
      .map(([k, a]) => {
        const [provider = "", model = ""] = k.split("\u0000");
        return { provider, model, ...out(a) };
      })
      .sort(byCost),
    byTask: [...group(ledger, (e) => e.taskId)].map(([taskId, a]) => ({ taskId, ...out(a) })),
    budgetRemainingUsd,
    excludes: "the Finance task's own LLM call (reported in its own usage)",
  };
}

export function formatUsd(usd: number): string {
  return `$${usd.toFixed(6)}`;
}
