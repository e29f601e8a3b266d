import { AppError, ROLE_REGISTRY, type LlmConfig, type ProviderName, type Role, type Usage } from "@proximus/contracts";
import type { CompletionRequest, CompletionResult, LlmProvider } from "./types";
import { CATALOG, OFFLINE_MODEL, contextWindowOf, defaultModel, type ModelInfo } from "./catalog";
import { DEFAULT_PRICES, costUsd, type PriceTable } from "./prices";
import { statsKey, type OutcomeCounts, type RouterStats } from "./stats";
import { upstreamDetails } from "./upstream";

export type Strategy = NonNullable<LlmConfig["strategy"]>;

/** What the router looks at in a task. */
export interface TaskFeatures {
  role: Role;
  /** Characters of idea + upstream outputs + feedback the prompt will carry. */
  contextChars: number;
  /** Whether the answer is source code (harder, longer) rather than prose/JSON about it. */
  producesCode: boolean;
}

/** How hard a role's task is before context size and code: finance summarises numbers, engineers design. */
const ROLE_DIFFICULTY: Record<Role, number> = {
  finance: 0.2,
  ceo: 0.35,
  devops: 0.35,
  qa: 0.4,
  cto: 0.45,
  engineer_fe: 0.45,
  engineer_be: 0.5,
};

export function featuresOf(task: { role: Role; idea: string; upstream: Record<string, unknown>; feedback?: string }): TaskFeatures {
  const upstreamChars = JSON.stringify(task.upstream).length;
  return {
    role: task.role,
    contextChars: task.idea.length + upstreamChars + (task.feedback?.length ?? 0),
    producesCode: ROLE_REGISTRY[task.role].writesCode,
  };
}

/** Prompt scaffolding (role prompt, schema) on top of the task's own context, in tokens. */
const PROMPT_OVERHEAD_TOKENS = 800;

export function estimateTokens(f: TaskFeatures, maxTokens?: number): { input: number; output: number } {
  return {
    // ~4 characters per token for English and JSON.
    input: Math.ceil(f.contextChars / 4) + PROMPT_OVERHEAD_TOKENS,
    output: maxTokens ?? (f.producesCode ? 6000 : 1500),
  };
}

/** 0..1: role base, +0.1 for code, up to +0.1 as context grows from ~2k to ~200k tokens. */
export function difficulty(f: TaskFeatures): number {
  const tokens = Math.max(1, f.contextChars / 4);
  const ctx = Math.min(1, Math.max(0, Math.log10(tokens / 2000) / 2));
  return Math.min(1, ROLE_DIFFICULTY[f.role] + (f.producesCode ? 0.1 : 0) + 0.1 * ctx);
}

/** Pseudo-observations the quality prior is worth; real outcomes outweigh it after a handful of tasks. */
const PRIOR_WEIGHT = 4;

/**
 * Expected success probability: a Beta posterior whose prior mean comes from how far the model's
 * catalog quality sits above the task's difficulty, updated with observed successes/failures.
 */
export function successRate(quality: number, diff: number, counts?: OutcomeCounts): number {
  const prior = 1 / (1 + Math.exp(-8 * (quality - diff)));
  const s = counts?.successes ?? 0;
  const f = counts?.failures ?? 0;
  return (PRIOR_WEIGHT * prior + s) / (PRIOR_WEIGHT + s + f);
}

const WEIGHTS: Record<Strategy, { quality: number; cost: number }> = {
  performance: { quality: 1, cost: 0 },
  balanced: { quality: 0.5, cost: 0.5 },
  "cost-saver": { quality: 0.2, cost: 0.8 },
};

export interface Candidate {
  provider: ProviderName;
  model: string;
  score: number;
  successRate: number;
  estCostUsd: number;
  /** Why it is where it is (explicit choice, fallback, offline last resort). */
  reason: string;
}

export interface RouteInput {
  features: TaskFeatures;
  llm?: LlmConfig;
  /** Used when the task's LlmConfig has no strategy. */
  strategy?: Strategy;
  /** null/undefined = unlimited. */
  budgetRemainingUsd?: number | null;
  /** Providers that have credentials. Offline is always a candidate, last. */
  configured: readonly ProviderName[];
  stats?: RouterStats;
  prices?: PriceTable;
  catalog?: readonly ModelInfo[];
}

function offlineCandidate(reason: string): Candidate {
  return { provider: "offline", model: OFFLINE_MODEL, score: 0, successRate: 0, estCostUsd: 0, reason };
}

/** All candidates for a task, best first; offline last. */
export async function rankCandidates(input: RouteInput): Promise<Candidate[]> {
  const { features, llm = {} } = input;
  const strategy = llm.strategy ?? input.strategy ?? "balanced";
  const prices = input.prices ?? DEFAULT_PRICES;
  const catalog = input.catalog ?? CATALOG;
  const configured = new Set(input.configured.filter((p) => p !== "offline"));
  const budget = input.budgetRemainingUsd ?? null;
  const tokens = estimateTokens(features, llm.maxTokens);
  const diff = difficulty(features);
  const counts = input.stats ? await input.stats.countsFor(features.role) : new Map<string, OutcomeCounts>();

  const pool = catalog.filter((m) => m.provider !== "offline" && configured.has(m.provider));
  const scored: Candidate[] = [];
  for (const m of pool) {
    if (m.contextTokens < tokens.input + tokens.output) continue;
    const est = costUsd(m.provider, m.model, tokens.input, tokens.output, prices);
    if (budget !== null && est > budget) continue;
    scored.push({
      provider: m.provider,
      model: m.model,
      score: 0,
      successRate: successRate(m.quality, diff, counts.get(statsKey(m.provider, m.model))),
      estCostUsd: est,
      reason: strategy,
    });
  }

  // Cost per *successful* answer: a cheap model that usually fails is not cheap.
  const eff = scored.map((c) => Math.log(Math.max(c.estCostUsd, 1e-9) / Math.max(c.successRate, 0.05)));
  const lo = Math.min(...eff);
  const hi = Math.max(...eff);
  const maxCost = Math.max(0, ...scored.map((c) => c.estCostUsd));
  // When the priciest option would eat a tenth of what is left, lean hard on cost whatever the strategy.
  const pressure = budget === null ? 0 : budget <= 0 ? 1 : Math.min(1, (maxCost * 10) / budget);
  const w = WEIGHTS[strategy];
  const wCost = w.cost + (1 - w.cost) * 0.8 * pressure;
  scored.forEach((c, i) => {
    const costScore = hi > lo ? 1 - ((eff[i] ?? lo) - lo) / (hi - lo) : 1;
    c.score = (1 - wCost) * c.successRate + wCost * costScore;
  });
  scored.sort((a, b) => b.score - a.score || a.estCostUsd - b.estCostUsd);

  const explicit = explicitChoice(input, configured, catalog);
  const ordered = explicit
    ? [
        ...explicit.map((e) => ({
          ...(scored.find((c) => c.provider === e.provider && c.model === e.model) ?? unscored(e, tokens, diff, counts, prices)),
          reason: "explicit",
        })),
        ...scored
          .filter((c) => !explicit.some((e) => e.provider === c.provider && e.model === c.model))
          .map((c) => ({ ...c, reason: `fallback (${strategy})` })),
      ]
    : scored;
  const offlineExplicit = llm.provider === "offline";
  return offlineExplicit ? [offlineCandidate("explicit"), ...ordered] : [...ordered, offlineCandidate("last resort")];
}

function unscored(
  e: { provider: ProviderName; model: string },
  tokens: { input: number; output: number },
  diff: number,
  counts: ReadonlyMap<string, OutcomeCounts>,
  prices: PriceTable,
): Candidate {
  // An explicit model outside the catalog (e.g. a local Ollama model) gets a neutral prior.
  return {
    provider: e.provider,
    model: e.model,
    score: 0,
    successRate: successRate(0.5, diff, counts.get(statsKey(e.provider, e.model))),
    estCostUsd: costUsd(e.provider, e.model, tokens.input, tokens.output, prices),
    reason: "explicit",
  };
}

/**
 * The task's explicit LlmConfig, resolved to (provider, model) pairs to try first.
 * - provider + model: exactly that.
 * - provider only: that provider's default model for the role (seed defaults), then its other models.
 * - model only: the provider whose catalog lists it, else OpenAI (arbitrary names come from OpenAI-compatible servers).
 * A provider without credentials cannot be honoured and is ignored.
 */
function explicitChoice(
  input: RouteInput,
  configured: ReadonlySet<ProviderName>,
  catalog: readonly ModelInfo[],
): { provider: ProviderName; model: string }[] | undefined {
  const { provider, model } = input.llm ?? {};
  if (provider === "offline") return undefined;
  if (provider && !configured.has(provider)) return undefined;
  if (provider && model) return [{ provider, model }];
  if (provider) {
    // A local server's own list replaces the catalog: its first model is the default then.
    const seed = defaultModel(provider, input.features.role);
    const own = catalog.filter((m) => m.provider === provider);
    const first = own.some((m) => m.model === seed) ? seed : (own[0]?.model ?? seed);
    return [
      { provider, model: first },
      ...catalog.filter((m) => m.provider === provider && m.model !== first).map((m) => ({ provider, model: m.model })),
    ];
  }
  if (model) {
    const known = catalog.find((m) => m.model === model && configured.has(m.provider));
    if (known) return [{ provider: known.provider, model }];
    if (configured.has("openai")) return [{ provider: "openai", model }];
  }
  return undefined;
}

/**
 * A provider as the router sees it: ResilientProvider adds `isAvailable` (its breaker); `models`,
 * when set, replaces the catalog's entries for that provider (a local OpenAI-compatible server).
 */
export type RoutableProvider = LlmProvider & { isAvailable?(): boolean; readonly models?: readonly ModelInfo[] | undefined };

/** The catalog with each provider's own model list (if it has one) in place of its catalog entries. */
export function catalogFor(providers: Partial<Record<ProviderName, RoutableProvider>>, base: readonly ModelInfo[] = CATALOG): ModelInfo[] {
  const own = (Object.values(providers) as (RoutableProvider | undefined)[]).filter((p): p is RoutableProvider => p?.models !== undefined);
  const replaced = new Set(own.map((p) => p.name));
  return [...base.filter((m) => !replaced.has(m.provider)), ...own.flatMap((p) => p.models ?? [])];
}

/** The price table plus the prices carried by catalog entries (configured local models). */
export function pricesWith(catalog: readonly ModelInfo[], base: PriceTable = DEFAULT_PRICES): PriceTable {
  const out: PriceTable = { ...base };
  for (const m of catalog) if (m.price) out[m.provider] = { ...out[m.provider], [m.model]: m.price };
  return out;
}

export interface AttemptRecord {
  provider: ProviderName;
  model: string;
  outcome: "succeeded" | "failed" | "rejected" | "skipped";
  code?: string;
  status?: number;
}

export interface RoutedCompletion {
  result: CompletionResult;
  candidate: Candidate;
  attempts: AttemptRecord[];
  /** Every metered call, including answers that `validate` rejected: all of them cost money. */
  usage: Usage[];
}

export interface RouteWithFallbackInput extends Omit<RouteInput, "configured"> {
  providers: Partial<Record<ProviderName, RoutableProvider>>;
  request: Omit<CompletionRequest, "model">;
  /** Checks an answer (e.g. against the role's zod schema); false → counted as a failure, next candidate. */
  validate?: (r: CompletionResult) => boolean | Promise<boolean>;
  onAttempt?: (a: AttemptRecord) => void;
  /** Upper bound on candidates tried, offline excluded. */
  maxCandidates?: number;
}

/**
 * Tries ranked candidates in order until one answers (and passes `validate`). Providers whose
 * breaker is open are skipped; every outcome feeds the learned success rates.
 */
export async function routeWithFallback(input: RouteWithFallbackInput): Promise<RoutedCompletion> {
  const configured = (Object.keys(input.providers) as ProviderName[]).filter((p) => input.providers[p] !== undefined);
  const catalog = input.catalog ?? catalogFor(input.providers);
  const prices = pricesWith(catalog, input.prices ?? DEFAULT_PRICES);
  const ranked = await rankCandidates({ ...input, configured, catalog, prices });
  const attempts: AttemptRecord[] = [];
  const usage: Usage[] = [];
  const note = (a: AttemptRecord): void => {
    attempts.push(a);
    input.onAttempt?.(a);
  };
  let tried = 0;
  const max = input.maxCandidates ?? 4;
  let lastError: unknown;

  for (const c of ranked) {
    const provider = input.providers[c.provider];
    if (!provider) continue;
    if (c.provider !== "offline" && tried >= max) continue;
    if (provider.isAvailable?.() === false) {
      note({ provider: c.provider, model: c.model, outcome: "skipped", code: "breaker_open" });
      continue;
    }
    if (c.provider !== "offline") tried++;
    let result: CompletionResult;
    try {
      result = await provider.complete({ ...input.request, model: c.model });
    } catch (e) {
      const d = upstreamDetails(e);
      if (d?.aborted || input.request.signal?.aborted) throw e;
      lastError = e;
      const code = e instanceof AppError ? e.code : "internal";
      note({ provider: c.provider, model: c.model, outcome: "failed", code, ...(d?.status === undefined ? {} : { status: d.status }) });
      // A breaker refusal says nothing about the model's ability.
      if (!d?.breakerOpen) await input.stats?.recordOutcome(input.features.role, c.provider, c.model, false);
      continue;
    }
    // Priced and sized by the model asked for: vendors answer with dated snapshot names.
    const cost = costUsd(c.provider, c.model, result.inputTokens, result.outputTokens, prices);
    result = { ...result, costUsd: cost, contextWindow: contextWindowOf(c.provider, c.model, catalog) };
    const { inputTokens, outputTokens } = result;
    usage.push({ provider: result.provider, model: result.model, inputTokens, outputTokens, costUsd: cost });
    const ok = input.validate ? await input.validate(result) : true;
    await input.stats?.recordOutcome(input.features.role, c.provider, c.model, ok);
    if (!ok) {
      note({ provider: c.provider, model: c.model, outcome: "rejected", code: "validation_failed" });
      continue;
    }
    note({ provider: c.provider, model: c.model, outcome: "succeeded" });
    return { result, candidate: c, attempts, usage };
  }
  const summary = attempts.map((a) => ({ provider: a.provider, model: a.model, outcome: a.outcome, code: a.code }));
  if (attempts.length === 0) throw new AppError("upstream_failed", "no LLM provider is available for this task", { attempts: summary });
  const last = lastError instanceof AppError ? `; last error: ${lastError.message}` : "";
  throw new AppError("upstream_failed", `every LLM candidate failed${last}`, { attempts: summary, usage });
}
