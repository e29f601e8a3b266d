import type { TaskView } from "@proximus/contracts/api";
import { ROLE_LABELS } from "@proximus/contracts/roles";

export interface UsageBar {
  key: string;
  label: string;
  costUsd: number;
  inputTokens: number;
  outputTokens: number;
  calls: number;
}

function add(map: Map<string, UsageBar>, key: string, label: string, u: TaskView["usage"][number]): void {
  const bar = map.get(key) ?? { key, label, costUsd: 0, inputTokens: 0, outputTokens: 0, calls: 0 };
  bar.costUsd += u.costUsd;
  bar.inputTokens += u.inputTokens;
  bar.outputTokens += u.outputTokens;
  bar.calls += 1;
  map.set(key, bar);
}

/** Spend grouped by agent role and by provider/model, largest first, for the usage chart. */
export function usageBreakdown(tasks: readonly TaskView[]): { byRole: UsageBar[]; byModel: UsageBar[]; totalUsd: number } {
  const byRole = new Map<string, UsageBar>();
  const byModel = new Map<string, UsageBar>();
  let totalUsd = 0;
  for (const t of tasks) {
    for (const u of t.usage) {
      add(byRole, t.role, ROLE_LABELS[t.role], u);
      add(byModel, `${u.provider}/${u.model}`, `${u.provider} · ${u.model}`, u);
      totalUsd += u.costUsd;
    }
  }
  const sorted = (m: Map<string, UsageBar>) => [...m.values()].sort((a, b) => b.costUsd - a.costUsd || b.outputTokens - a.outputTokens);
  return { byRole: sorted(byRole), byModel: sorted(byModel), totalUsd };
}
