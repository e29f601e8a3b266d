import { ROLE_REGISTRY, ROLES, type Role, type TaskState } from "@proximus/contracts";

/** A node of the project DAG before it runs: pure data, so users can see the plan up front. */
export interface TaskSpec {
  id: string;
  role: Role;
  title: string;
  deps: string[];
}

/** Bounded QA → Engineers fix rounds before QA's failure becomes final. */
export const MAX_FIX_ROUNDS = 2;

/**
 * One task per role of the registry (contracts/roles.ts), wired by its dependencies:
 * CEO → CTO → Engineer FE ∥ Engineer BE → QA → DevOps → Finance (last: its cost report must
 * cover every other task's usage).
 */
export function buildInitialDag(): TaskSpec[] {
  return ROLES.map((role) => ({ id: role, role, title: ROLE_REGISTRY[role].title, deps: [...ROLE_REGISTRY[role].deps] }));
}

export interface TaskStatus {
  id: string;
  deps: string[];
  state: TaskState;
  /** Succeeded, but a person has not approved its output yet: its dependants wait. */
  awaitingApproval?: boolean;
}

/** Pending tasks whose every dependency succeeded (and, where gated, was approved). */
export function newlyReady(tasks: readonly TaskStatus[]): string[] {
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const done = (id: string) => {
    const d = byId.get(id);
    return d?.state === "succeeded" && !d.awaitingApproval;
  };
  return tasks.filter((t) => t.state === "pending" && t.deps.every(done)).map((t) => t.id);
}

/** Every task that depends on `id`, directly or through others. */
export function downstreamOf(tasks: readonly { id: string; deps: string[] }[], id: string): string[] {
  const out = new Set<string>();
  let frontier = [id];
  while (frontier.length > 0) {
    const next = tasks.filter((t) => !out.has(t.id) && t.deps.some((d) => frontier.includes(d))).map((t) => t.id);
    next.forEach((n) => out.add(n));
    frontier = next;
  }
  return tasks.map((t) => t.id).filter((t) => out.has(t));
}

/** Pending tasks that can never run because a dependency failed or was cancelled. */
export function blockedByFailure(tasks: readonly TaskStatus[]): string[] {
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const dead = new Set(tasks.filter((t) => t.state === "failed" || t.state === "cancelled").map((t) => t.id));
  const out: string[] = [];
  let changed = true;
  while (changed) {
    changed = false;
    for (const t of tasks) {
      if (t.state === "pending" && !dead.has(t.id) && t.deps.some((d) => dead.has(d))) {
        dead.add(t.id);
        out.push(t.id);
        changed = true;
      }
    }
  }
  return out.filter((id) => byId.get(id)?.state === "pending");
}

/**
 * QA failed in round `round` (0-based): add fix tasks for the implicated engineers and a new QA
 * run, and point every task that waited on the failed QA at the new one.
 */
export function planFixRound(
  tasks: readonly TaskSpec[],
  failedQaId: string,
  round: number,
  implicated: readonly EngineerRole[] = ENGINEER_ROLES,
): { add: TaskSpec[]; rewire: { id: string; deps: string[] }[] } {
  const n = round + 1;
  // Only the Engineers whose files the failure names fix it; when QA could not tell, both do.
  const who = implicated.length > 0 ? ENGINEER_ROLES.filter((r) => implicated.includes(r)) : ENGINEER_ROLES;
  const fixes: TaskSpec[] = who.map((role) => ({
    id: `${role}_fix${n}`,
    role,
    title: `${role === "engineer_fe" ? "Frontend" : "Backend"} fixes (round ${n})`,
    deps: [failedQaId],
  }));
  const qa: TaskSpec = { id: `qa_${n + 1}`, role: "qa", title: `Re-test (round ${n})`, deps: fixes.map((f) => f.id) };
  const rewire = tasks
    .filter((t) => t.deps.includes(failedQaId) && !fixes.some((f) => f.id === t.id))
    .map((t) => ({ id: t.id, deps: t.deps.map((d) => (d === failedQaId ? qa.id : d)) }));
  return { add: [...fixes, qa], rewire };
}

export type EngineerRole = Extract<Role, "engineer_fe" | "engineer_be">;
export const ENGINEER_ROLES: readonly EngineerRole[] = ["engineer_fe", "engineer_be"];

/** Which round a QA task id belongs to: "qa" → 0, "qa_2" → 1. */
export function qaRound(taskId: string): number {
  const m = /^qa_(\d+)$/.exec(taskId);
  return m ? Number(m[1]) - 1 : 0;
}

/** Exponential retry backoff with a cap; attempt is the attempt that just failed (1-based). */
export function retryDelayMs(attempt: number, baseMs = 1_000, capMs = 60_000): number {
  return Math.min(capMs, baseMs * 2 ** (attempt - 1));
}
