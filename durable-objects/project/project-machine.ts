import {
  type Approval,
  type EventDataOf,
  type EventType,
  type Json,
  type ProjectEvent,
  type ProjectState,
  type ResultMessage,
  type TaskState,
} from "@proximus/contracts";
import { traceIdOf } from "@proximus/shared/tracing/traceparent";
import {
  blockedByFailure,
  ENGINEER_ROLES,
  MAX_FIX_ROUNDS,
  newlyReady,
  planFixRound,
  qaRound,
  retryDelayMs,
  type EngineerRole,
  type TaskSpec,
} from "./dag";
import type { EventLog } from "./event-log";
import { isFailedQa, qaFailureSummary, qaImplicatedPaths } from "./qa-verdict";
import { currentFiles } from "./current-files";
import type { D1Sync, ProjectDeps } from "./project-types";
import { isTerminal, type ProjectMeta, type ProjectStore, type Task, type TaskPatch } from "./store";

/** How long a task may wait on unavailable infrastructure (the sandbox host) before it fails for good. */
export const DEFAULT_INFRA_WAIT_MS = 30 * 60_000;

/**
 * The project's state machine over the DO's storage: task and project transitions, usage, and
 * the outbox entries and events each implies. Every mutating method runs inside `transact`,
 * so a transition and its messages commit together or not at all; every client-visible change
 * emits the event from which contracts/project-view.ts folds the same change.
 */
export class ProjectMachine {
  private pending: ProjectEvent[] = [];

  constructor(
    private readonly storage: DurableObjectStorage,
    readonly store: ProjectStore,
    private readonly log: EventLog,
    private readonly deps: () => ProjectDeps,
  ) {}

  /** Events of committed transactions, to broadcast; the list is emptied. */
  takePending(): ProjectEvent[] {
    const events = this.pending;
    this.pending = [];
    return events;
  }

  /**
   * One storage transaction. Events it appended are broadcast only after it commits; if it
   * throws, they were rolled back with it (and their seqs will be reused), so they are dropped.
   */
  transact<T>(fn: () => T): T {
    const before = this.pending.length;
    try {
      return this.storage.transactionSync(fn);
    } catch (err) {
      this.pending.length = before;
      throw err;
    }
  }

  emit<T extends EventType>(type: T, taskId: string | null, data: EventDataOf<T>, ts?: number): void {
    this.pending.push(this.log.append(type, taskId, data, ts));
  }

  meta(): ProjectMeta {
    return this.store.meta.get();
  }

  metaOrNull(): ProjectMeta | null {
    return this.store.meta.getOrNull();
  }

  writeMeta(meta: ProjectMeta): void {
    this.store.meta.put({ ...meta, updatedAt: Date.now() });
  }

  tasks(): Task[] {
    return this.store.tasks.all();
  }

  task(id: string): Task | null {
    return this.store.tasks.get(id);
  }

  // ---------- tasks ----------

  insertTask(spec: TaskSpec, ord: number, feedback: string | null = null): void {
    const approval: Approval = (this.meta().approvals ?? []).includes(spec.role) ? "required" : "none";
    const maxAttempts = this.deps().maxAttempts;
    this.store.tasks.insert({ ...spec, ord, maxAttempts, feedback, approval });
    this.emit("task.created", spec.id, {
      task: { id: spec.id, role: spec.role, title: spec.title, deps: spec.deps, approval, maxAttempts },
    });
  }

  /**
   * Moves a task to `state`, writing `patch` with it; `error` undefined keeps the current error.
   * The event carries every visible column the change touched, as it now is.
   */
  setTaskState(t: Task, state: TaskState, opts: { error?: string | null; patch?: TaskPatch } = {}): Task {
    const now = Date.now();
    const patch: TaskPatch = {
      ...opts.patch,
      state,
      finishedAt: isTerminal({ state }) ? now : null,
      ...(opts.error !== undefined ? { error: opts.error } : {}),
      // A task that waited on infrastructure and moves on is no longer waiting.
      ...(opts.patch?.waitingFor === undefined && state !== "ready" ? { waitingFor: null } : {}),
    };
    const next = this.store.tasks.update(t.id, patch);
    this.emit("task.state", t.id, {
      state,
      attempt: next.attempt,
      error: next.error,
      startedAt: next.startedAt,
      dispatchedAt: next.dispatchedAt,
      finishedAt: next.finishedAt,
      traceId: traceIdOf(next.traceparent),
      maxAttempts: next.maxAttempts,
      waitingFor: next.waitingFor,
      stopReason: next.stopReason,
    });
    this.sync({
      kind: "task",
      projectId: this.meta().projectId,
      taskId: t.id,
      role: t.role,
      state,
      attempt: next.attempt,
      updatedAt: now,
      seq: this.log.lastSeq(),
    });
    return next;
  }

  /** A person retried or redid the task: new attempt limit, and its gate (if any) closes again. */
  resetTask(t: Task, patch: { maxAttempts: number; approval: Approval; feedback?: string; notBefore?: number }): Task {
    const next = this.store.tasks.update(t.id, patch);
    this.emit("task.reset", t.id, { maxAttempts: next.maxAttempts, approval: next.approval });
    return next;
  }

  setApproval(taskId: string, approval: Approval): void {
    this.store.tasks.update(taskId, { approval });
    this.emit("task.approval", taskId, { approval });
  }

  setOutput(taskId: string, output: Json): void {
    this.store.tasks.update(taskId, { output });
    this.emit("task.output", taskId, { output });
  }

  rewire(taskId: string, deps: string[]): void {
    this.store.tasks.update(taskId, { deps });
    this.emit("task.rewired", taskId, { deps });
  }

  onTaskSucceeded(task: Task, r: ResultMessage): void {
    task = this.store.tasks.update(task.id, { stopReason: r.stopReason ?? "finished" });
    for (const a of r.artifacts) {
      this.store.artifacts.put(task.id, a);
      this.emit("artifact.stored", task.id, {
        path: a.path,
        bytes: a.bytes,
        key: a.key,
        sha256: a.sha256,
        ...(a.contentType === undefined ? {} : { contentType: a.contentType }),
      });
    }
    // Through JSON: what is stored and broadcast is exactly what a reader will parse back.
    this.setOutput(task.id, JSON.parse(JSON.stringify(r.output ?? null)) as Json);
    const qaFailed = task.role === "qa" && isFailedQa(r.output);
    if (task.role === "qa") this.recordQaVerdict(task.id, !qaFailed);
    if (!qaFailed) {
      this.setTaskState(task, "succeeded", { error: null, patch: { waitingSince: null } });
      if (task.approval === "required") this.setApproval(task.id, "pending");
      return;
    }
    const round = qaRound(task.id);
    const summary = qaFailureSummary(r.output);
    if (round >= MAX_FIX_ROUNDS) {
      this.setTaskState(task, "failed", { error: `tests still failing after ${MAX_FIX_ROUNDS} fix rounds: ${summary}` });
      return;
    }
    // QA did its job: it found failures. The Engineers get them as feedback in a new round.
    this.setTaskState(task, "succeeded", { error: null, patch: { waitingSince: null } });
    const plan = planFixRound(this.tasks(), task.id, round, this.implicatedEngineers(qaImplicatedPaths(r.output)));
    const ord = this.store.tasks.nextOrd();
    plan.add.forEach((spec, i) => this.insertTask(spec, ord + i, spec.role === "qa" ? null : summary));
    for (const w of plan.rewire) this.rewire(w.id, w.deps);
  }

  /** The Engineers who wrote the current version of the files QA's failure names. */
  private implicatedEngineers(paths: readonly string[]): EngineerRole[] {
    if (paths.length === 0) return [];
    const tasks = this.tasks();
    const owners = currentFiles(tasks.map((t) => ({ id: t.id, state: t.state, artifacts: this.store.artifacts.ofTask(t.id) })));
    const roles = new Set(owners.filter((f) => paths.includes(f.path)).map((f) => tasks.find((t) => t.id === f.taskId)?.role));
    return ENGINEER_ROLES.filter((r) => roles.has(r));
  }

  /**
   * QA's real test run is the best evidence of how good the Engineers' models were: it feeds the
   * router's learned success rates (through D1, where the agents' router reads them).
   */
  recordQaVerdict(qaTaskId: string, passed: boolean): void {
    const engineers = this.tasks().filter((t) => (t.role === "engineer_fe" || t.role === "engineer_be") && t.state === "succeeded");
    const seen = new Set<string>();
    for (const t of engineers) {
      for (const u of this.store.usage.ofAttempt(t.id, t.attempt)) {
        const key = `${t.role}|${u.provider}|${u.model}`;
        if (u.provider === "offline" || seen.has(key)) continue;
        seen.add(key);
        this.sync({
          kind: "router-outcome",
          id: `${this.meta().projectId}:${qaTaskId}:${key}`,
          role: t.role,
          provider: u.provider,
          model: u.model,
          success: passed,
        });
      }
    }
  }

  /**
   * A failed attempt: retried with backoff while attempts remain. A failure of infrastructure
   * (`waitFor`: the sandbox host is down) is not the task's fault: it waits without using up an
   * attempt, for at most `infraWaitMs`, and the reason is visible on the task meanwhile.
   */
  onTaskFailed(task: Task, error: string, permanent: boolean, waitFor?: string, stopReason = "error"): void {
    const now = Date.now();
    if (waitFor === undefined) task = this.store.tasks.update(task.id, { stopReason });
    if (waitFor !== undefined && !permanent) {
      const since = task.waitingSince ?? now;
      const limit = this.deps().infraWaitMs ?? DEFAULT_INFRA_WAIT_MS;
      if (now - since < limit) {
        // Roughly doubling waits (2 s, 4 s, … capped at 30 s) while the outage lasts.
        const delay = Math.min(30_000, Math.max(2_000, now - since));
        this.setTaskState(task, "ready", {
          error: null,
          patch: {
            maxAttempts: task.maxAttempts + 1,
            notBefore: now + delay,
            waitingSince: since,
            waitingFor: `${waitFor} — trying again in ${Math.round(delay / 1000)} s`,
          },
        });
        return;
      }
      this.setTaskState(task, "failed", {
        error: `${error} (still unavailable after waiting ${Math.round(limit / 1000)} s)`,
        patch: { waitingSince: null },
      });
      return;
    }
    if (!permanent && task.attempt < task.maxAttempts) {
      const delay = retryDelayMs(task.attempt);
      this.setTaskState(task, "ready", { error: `${error} — retrying in ${delay} ms`, patch: { notBefore: now + delay } });
    } else {
      this.setTaskState(task, "failed", { error, patch: { waitingSince: null } });
    }
  }

  /** Promotes, blocks and closes the project after any change. */
  settle(): void {
    const meta = this.meta();
    if (meta.state === "cancelled") return;
    const statuses = this.statuses();
    for (const id of blockedByFailure(statuses)) {
      const t = this.task(id)!;
      this.setTaskState(t, "cancelled", { error: `blocked by failed dependency (${t.deps.join(", ")})` });
    }
    this.promoteReady();
    const tasks = this.tasks();
    if (tasks.every(isTerminal)) this.setProjectState(tasks.every((t) => t.state === "succeeded") ? "succeeded" : "failed");
  }

  promoteReady(): void {
    for (const id of newlyReady(this.statuses())) this.setTaskState(this.task(id)!, "ready");
  }

  private statuses() {
    return this.tasks().map((t) => ({ id: t.id, deps: t.deps, state: t.state, awaitingApproval: t.approval === "pending" }));
  }

  // ---------- project ----------

  setProjectState(state: ProjectState, reason: string | null = null): void {
    const meta = this.meta();
    if (meta.state === state) return;
    // Once a project is finished, files of attempts whose results were never applied are garbage.
    if (state === "succeeded" || state === "failed" || state === "cancelled") this.enqueueArtifactGc();
    const pausedReason = state === "paused" ? reason : null;
    this.writeMeta({ ...meta, state, pausedReason });
    this.emit("project.state", null, { state, reason: pausedReason });
    this.syncProject();
  }

  setBudget(budgetUsd: number): void {
    this.writeMeta({ ...this.meta(), budgetUsd });
    this.emit("project.budget", null, { budgetUsd });
    this.syncProject();
  }

  recordUsage(r: ResultMessage): void {
    const meta = this.meta();
    r.usage.forEach((u, idx) => {
      const ts = Date.now();
      this.store.usage.add(r.taskId, r.attempt, u, ts);
      this.emit("usage.recorded", r.taskId, { attempt: r.attempt, ...u });
      this.sync({ kind: "usage", projectId: meta.projectId, taskId: r.taskId, attempt: r.attempt, idx, ...u, ts });
    });
    if (r.usage.length > 0) this.syncProject();
  }

  spentUsd(): number {
    return this.store.usage.spentUsd();
  }

  enqueueArtifactGc(): void {
    this.sync({ kind: "r2-gc", projectId: this.meta().projectId, keep: this.store.artifacts.keys() });
  }

  syncProject(): void {
    const meta = this.meta();
    this.sync({
      kind: "project",
      projectId: meta.projectId,
      state: meta.state,
      spentUsd: this.spentUsd(),
      budgetUsd: meta.budgetUsd,
      updatedAt: Date.now(),
      seq: this.log.lastSeq(),
    });
  }

  sync(entry: D1Sync): void {
    this.store.outbox.addSync(entry, Date.now());
  }
}
