import type { TaskMessage } from "@proximus/contracts";
import type { AgentDeps } from "./runtime";
import type { CompletionRequest, CompletionResult, LlmProvider } from "./llm/types";
import { r2ArtifactStore } from "./artifacts";
import { createProviders, providersConfigFromEnv, type ProviderSet } from "./llm/registry";
import { featuresOf, routeWithFallback } from "./llm/router";
import { SqlRouterStats, type RouterStats } from "./llm/stats";
import { OfflineProvider } from "./offline/provider";
import { sandboxRunnerFromEnv } from "./tools/sandbox-client";
import { fileValidatorFromEnv } from "./tools/validate-client";
import { userProvidersConfig } from "./user-keys";
import { gateProviders, limiterGate, type LimiterNamespace } from "./executor/provider-gate";
import { memoryFromEnv } from "./memory/from-env";

/** What an agent needs from its Worker's env (the gateway's in inline mode, the agents Worker's otherwise). */
export interface AgentEnv {
  ARTIFACTS: R2Bucket;
  DB?: D1Database;
  SANDBOX_URL?: string;
  SANDBOX_SECRET?: string;
  KEYS_ENCRYPTION_SECRET?: string;
  /** The agents Worker's limiter: paces calls per provider (absent in the gateway's inline mode). */
  TASK_LIMITER?: LimiterNamespace;
}

/**
 * The router as one provider: it picks (provider, model) per call from the task's features,
 * budget and learned success rates, and falls back to the next candidate when one fails.
 */
class RoutedProvider implements LlmProvider {
  readonly name = "offline" as const;
  constructor(
    private readonly providers: ProviderSet,
    private readonly msg: TaskMessage,
    private readonly stats: RouterStats | undefined,
    private readonly emit: AgentDeps["emit"],
  ) {}

  async complete(req: CompletionRequest): Promise<CompletionResult> {
    const { model: _ignored, ...request } = req;
    const routed = await routeWithFallback({
      providers: this.providers,
      request,
      features: featuresOf(this.msg),
      llm: this.msg.llm,
      budgetRemainingUsd: this.msg.budgetRemainingUsd,
      ...(this.stats ? { stats: this.stats } : {}),
    });
    const { provider, model, reason } = routed.candidate;
    const tried = routed.attempts
      .filter((a) => a.outcome !== "succeeded")
      .map((a) => `${a.provider}/${a.model}: ${a.outcome}${a.code ? ` (${a.code})` : ""}`);
    this.emit("log", `router: ${provider}/${model} (${reason})${tried.length ? `; before that ${tried.join(", ")}` : ""}`);
    return routed.result;
  }
}

const PROVIDER_CACHE_LIMIT = 64;
const providerCache = new Map<string, ProviderSet>();

/**
 * Providers (and their circuit breakers) live as long as the isolate, one set per distinct
 * configuration: the deployment's keys, overridden by the project owner's own.
 */
async function providersFor(env: AgentEnv, msg: TaskMessage): Promise<ProviderSet> {
  const config = {
    ...providersConfigFromEnv(env as unknown as Record<string, unknown>),
    ...(await userProvidersConfig(env.DB, env.KEYS_ENCRYPTION_SECRET, msg.ownerId)),
  };
  const key = JSON.stringify(Object.entries(config).sort());
  let set = providerCache.get(key);
  if (!set) {
    if (providerCache.size >= PROVIDER_CACHE_LIMIT) providerCache.delete(providerCache.keys().next().value!);
    const created = createProviders(config, { offline: new OfflineProvider() });
    const gate = limiterGate(env.TASK_LIMITER);
    set = gate ? gateProviders(created, gate) : created;
    providerCache.set(key, set);
  }
  return set;
}

export async function createAgentDeps(env: AgentEnv, msg: TaskMessage, emit: AgentDeps["emit"]): Promise<AgentDeps> {
  const providers = await providersFor(env, msg);
  return {
    resolveProvider: () => ({
      provider: new RoutedProvider(providers, msg, env.DB ? new SqlRouterStats(env.DB) : undefined, emit),
      model: msg.llm.model ?? "auto",
    }),
    // A run of its own: at-least-once delivery can run one attempt twice, and the second run must
    // not overwrite the files (and sha256s) the ProjectDO already accepted from the first.
    artifacts: r2ArtifactStore(env.ARTIFACTS, `projects/${msg.projectId}/${msg.taskId}/${msg.attempt}/${crypto.randomUUID()}/`),
    emit,
    sandbox: sandboxRunnerFromEnv(env),
    validator: fileValidatorFromEnv(env),
    now: () => Date.now(),
    memory: memoryFromEnv(env as unknown as Record<string, unknown>, msg.projectId, env.DB) ?? undefined,
  };
}
