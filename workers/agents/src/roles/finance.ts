import { z } from "zod";
import { Summary, storeText, defaultLlm } from "./common";
import { costReport, formatUsd, type CostReport } from "./ledger";
import type { RoleDefinition } from "./types";

/** The model writes words only; the numbers are computed from the ledger by costReport(). */
export const FinanceCommentary = z.object({
  summary: Summary,
  observations: z.array(z.string().min(1).max(1000)).max(20),
  recommendations: z.array(z.string().min(1).max(1000)).max(20),
});
export type FinanceCommentary = z.infer<typeof FinanceCommentary>;

export interface FinanceResult extends FinanceCommentary {
  report: CostReport;
}

function table(rows: { label: string; calls: number; inputTokens: number; outputTokens: number; costUsd: number }[]): string {
  return [
    "| | calls | tokens in | tokens out | cost |",
    "|---|---:|---:|---:|---:|",
    ...rows.map((r) => `| ${r.label} | ${r.calls} | ${r.inputTokens} | ${r.outputTokens} | ${formatUsd(r.costUsd)} |`),
  ].join("\n");
}

function reportMarkdown(r: FinanceResult): string {
  const t = r.report.totals;
  return [
    "# Cost report",
    "",
    r.summary,
    "",
    `Total: ${formatUsd(t.costUsd)} over ${t.calls} LLM calls (${t.inputTokens} tokens in, ${t.outputTokens} tokens out).`,
    r.report.budgetRemainingUsd === null ? "Budget: unlimited." : `Budget remaining: ${formatUsd(r.report.budgetRemainingUsd)}.`,
    "",
    "## By role",
    table(r.report.byRole.map((x) => ({ label: x.role, ...x }))),
    "",
    "## By provider/model",
    table(r.report.byModel.map((x) => ({ label: `${x.provider} ${x.model}`, ...x }))),
    "",
    "## Observations",
    ...r.observations.map((o) => `- ${o}`),
    "",
    "## Recommendations",
    ...r.recommendations.map((o) => `- ${o}`),
    "",
    `Excludes ${r.report.excludes}.`,
    "",
  ].join("\n");
}

export const finance: RoleDefinition<FinanceCommentary> = {
  role: "finance",
  title: "Cost report",
  system:
    "You are the finance lead. You are given the project's LLM usage, already totalled from the metered ledger. " +
    "Write a short summary, observations and cost-saving recommendations. Do not restate or invent numbers: the report's figures are computed separately.",
  schema: FinanceCommentary,
  llm: defaultLlm("finance"),
  async context(ctx) {
    const r = costReport(ctx.msg.usageLedger, ctx.msg.budgetRemainingUsd);
    return `Usage ledger totals (computed, authoritative):\n${JSON.stringify({ totals: r.totals, byRole: r.byRole, byModel: r.byModel }, null, 1)}`;
  },
  async finish(commentary, ctx) {
    const result: FinanceResult = { ...commentary, report: costReport(ctx.msg.usageLedger, ctx.msg.budgetRemainingUsd) };
    const artifacts = [
      await storeText(ctx, "reports/cost-report.json", JSON.stringify(result.report, null, 2), "application/json"),
      await storeText(ctx, "reports/cost-report.md", reportMarkdown(result)),
    ];
    return { ok: true, output: result, artifacts };
  },
};
