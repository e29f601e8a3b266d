import { z } from "zod";
import { ProviderName, type Usage } from "@proximus/contracts";

export type UsageEntry = Usage & { taskId: string; attempt: number };

const UsageFromRow = z
  .object({
    task_id: z.string(),
    attempt: z.number().int(),
    provider: ProviderName,
    model: z.string(),
    input_tokens: z.number().int(),
    output_tokens: z.number().int(),
    cost_usd: z.number(),
  })
  .transform((r): UsageEntry => ({
    taskId: r.task_id,
    attempt: r.attempt,
    provider: r.provider,
    model: r.model,
    inputTokens: r.input_tokens,
    outputTokens: r.output_tokens,
    costUsd: r.cost_usd,
  }));

/** Owner of the `usage` ledger: every metered LLM call, in the order it was recorded. */
export class UsageTable {
  constructor(private readonly sql: SqlStorage) {}

  add(taskId: string, attempt: number, u: Usage, ts: number): void {
    this.sql.exec(
      "INSERT INTO usage (task_id, attempt, provider, model, input_tokens, output_tokens, cost_usd, ts) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      taskId,
      attempt,
      u.provider,
      u.model,
      u.inputTokens,
      u.outputTokens,
      u.costUsd,
      ts,
    );
  }

  all(): UsageEntry[] {
    return this.sql
      .exec("SELECT * FROM usage ORDER BY id")
      .toArray()
      .map((r) => UsageFromRow.parse(r));
  }

  ofAttempt(taskId: string, attempt: number): UsageEntry[] {
    return this.sql
      .exec("SELECT * FROM usage WHERE task_id = ? AND attempt = ? ORDER BY id", taskId, attempt)
      .toArray()
      .map((r) => UsageFromRow.parse(r));
  }

  /**
   * Summed in recording order, one addition at a time: the fold of usage events adds in the same
   * order, so both arrive at the same floating-point total.
   */
  spentUsd(): number {
    let total = 0;
    for (const r of this.sql.exec<{ cost_usd: number }>("SELECT cost_usd FROM usage ORDER BY id")) total += r.cost_usd;
    return total;
  }
}
