/**
 * `--provider <name>`: a fixed list of ideas run through the role chain (CEO → CTO → Engineers as
 * agent loops → QA) against a real model, in the spirit of MetaGPT's SoftwareDev and ChatDev's
 * executability figures: per idea, whether QA's own test run passed, tests passed / total, the
 * Engineers' steps, cost and wall time. It needs that provider's key; this machine has none, so
 * here it runs only against the model simulator (`OPENAI_BASE_URL` + `OPENAI_MODELS`).
 */
import { performance } from "node:perf_hooks";
import type { ProviderName } from "@proximus/contracts";
import { defaultModel } from "@proximus/agents/llm/catalog";
import { createProviders, providersConfigFromEnv } from "@proximus/agents/llm/registry";
import { runOfflinePipeline } from "@proximus/agents/offline/pipeline";
import type { QaResult } from "@proximus/agents/roles/qa";
import type { SandboxRunner } from "@proximus/agents/tools/sandbox-runner";

export const IDEAS: readonly string[] = [
  "a booking app for dog groomers",
  "a todo list with due dates and tags",
  "an inventory tracker for a small bakery",
  "a URL shortener with click counts",
  "a recipe box with ingredient search",
  "a habit tracker with streaks",
  "an event RSVP page with a guest limit",
  "a library lending log for a school",
  "a simple invoicing tool for freelancers",
  "a bug tracker with priorities and assignees",
];

const KEYS: Record<string, string[]> = {
  openai: ["OPENAI_API_KEY", "OPENAI_BASE_URL"],
  anthropic: ["ANTHROPIC_API_KEY"],
  bedrock: ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"],
  gemini: ["GEMINI_API_KEY"],
};

/** Returns the process exit code: 0 when every idea's project passed QA's own test run. */
export async function providerMode(provider: string, ideas: readonly string[], sandbox: SandboxRunner, isolation: string): Promise<number> {
  const keys = KEYS[provider];
  if (!keys) {
    console.error(`unknown provider "${provider}"; one of: ${Object.keys(KEYS).join(", ")}`);
    return 2;
  }
  const present = keys.filter((k) => process.env[k]);
  if (provider === "openai" ? present.length === 0 : present.length < keys.length) {
    const needed = provider === "openai" ? "OPENAI_API_KEY (or OPENAI_BASE_URL for a local server)" : keys.join(" + ");
    console.error(`--provider ${provider} runs ${ideas.length} ideas against a real model and needs ${needed}; none is set here.`);
    console.error(`Set it and run: npm run bench:agents -- --provider ${provider} [--sandbox real]`);
    return 2;
  }
  const set = createProviders(providersConfigFromEnv(process.env as Record<string, unknown>));
  const llm = set[provider as ProviderName];
  if (!llm) {
    console.error(`--provider ${provider}: the configuration did not yield a provider (check the variables above)`);
    return 2;
  }
  const local = process.env.OPENAI_MODELS?.split(",")[0]?.split(":")[0];
  const model = (role: Parameters<typeof defaultModel>[1]) =>
    provider === "openai" && local ? local : defaultModel(provider as ProviderName, role);
  const rows: string[][] = [["idea", "QA", "tests", "engineer steps", "USD", "wall s"]];
  let allPassed = true;
  for (const idea of ideas) {
    const t0 = performance.now();
    const { results } = await runOfflinePipeline(idea, {
      sandbox,
      provider: llm,
      model,
      roles: ["ceo", "cto", "engineer_fe", "engineer_be", "qa"],
    });
    const qa = results.get("qa");
    const out = qa?.output as QaResult | undefined;
    const passed = qa?.status === "succeeded" && out?.passed === true;
    allPassed &&= passed;
    const usd = [...results.values()].reduce((n, r) => n + r.usage.reduce((m, u) => m + u.costUsd, 0), 0);
    const steps = ["engineer_fe", "engineer_be"].map((r) => results.get(r)?.usage.length ?? 0).join(" + ");
    const failedAt = [...results.entries()].find(([, r]) => r.status !== "succeeded")?.[0];
    rows.push([
      idea,
      passed ? "passed" : failedAt ? `${failedAt} failed` : "FAILED",
      out?.tests ? `${out.tests.passedCount}/${out.tests.total}` : "—",
      steps,
      usd.toFixed(4),
      ((performance.now() - t0) / 1000).toFixed(1),
    ]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  // The provider is called directly (no router), so USD comes from the built-in price table: a local
  // model it does not know is priced at the unknown-model rate, not at its OPENAI_MODELS price.
  console.log(`executability, ${provider} (${isolation}; USD from the built-in price table):`);
  for (const r of rows) console.log(r.map((c, i) => c.padEnd(widths[i]!)).join("  "));
  return allPassed ? 0 : 1;
}
