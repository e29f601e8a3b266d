import { ROLES, type ResultMessage, type Role, type TaskMessage, type Usage } from "@proximus/contracts";
import { memoryArtifactStore } from "../artifacts";
import type { LlmProvider } from "../llm/types";
import { runTask, type SandboxRunner } from "../runtime";
import { OFFLINE_MODEL, OfflineProvider } from "./provider";

/**
 * Runs the whole role chain in-process, in DAG order, with the offline provider and an in-memory
 * artifact store: what the orchestrator does over the bus, minus the bus. For tests and local demos.
 */
export interface PipelineOptions {
  /** The model each role's task asks for (default: the offline model, or "test-model" for a test double). */
  model?: (role: Role) => string;
  sandbox: SandboxRunner | null;
  provider?: LlmProvider;
  objects?: Map<string, Uint8Array>;
  roles?: Role[];
  now?: () => number;
}

/** The registry lists roles in DAG order (each after its dependencies). */
export const DAG_ORDER: readonly Role[] = ROLES;

export function taskMessage(
  idea: string,
  role: Role,
  prior: Map<string, ResultMessage>,
  ledger: TaskMessage["usageLedger"],
  extra: Partial<TaskMessage> = {},
): TaskMessage {
  const upstream: Record<string, unknown> = {};
  const byPath = new Map<string, ResultMessage["artifacts"][number]>();
  for (const [id, r] of prior) {
    if (r.status !== "succeeded") continue;
    upstream[id] = r.output;
    for (const a of r.artifacts) byPath.set(a.path, a);
  }
  return {
    v: 1,
    projectId: "p-local",
    ownerId: "local",
    taskId: role,
    attempt: 1,
    idempotencyKey: `p-local:${role}#1`,
    role,
    idea,
    upstream,
    upstreamArtifacts: [...byPath.values()],
    llm: {},
    budgetRemainingUsd: null,
    usageLedger: ledger,
    dispatchedAt: 0,
    ...extra,
  };
}

export async function runOfflinePipeline(
  idea: string,
  opts: PipelineOptions,
): Promise<{ results: Map<string, ResultMessage>; objects: Map<string, Uint8Array>; ledger: TaskMessage["usageLedger"] }> {
  const provider = opts.provider ?? new OfflineProvider();
  const objects = opts.objects ?? new Map<string, Uint8Array>();
  const results = new Map<string, ResultMessage>();
  const ledger: TaskMessage["usageLedger"] = [];
  for (const role of opts.roles ?? DAG_ORDER) {
    const msg = taskMessage(idea, role, results, [...ledger]);
    const result = await runTask(msg, {
      resolveProvider: () => ({ provider, model: opts.model?.(role) ?? (provider.name === "offline" ? OFFLINE_MODEL : "test-model") }),
      artifacts: memoryArtifactStore(`p-local/${role}/1/`, objects),
      emit: () => undefined,
      sandbox: opts.sandbox,
      now: opts.now ?? (() => 0),
    });
    results.set(role, result);
    ledger.push(...result.usage.map((u: Usage) => ({ ...u, taskId: role, attempt: 1 })));
  }
  return { results, objects, ledger };
}
