import { AppError, ResultMessage, AgentEventMessage, type TaskMessage } from "@proximus/contracts";
import { childContext, formatTraceparent, parseTraceparent } from "@proximus/shared/tracing/traceparent";
import { estimateTaskCostUsd } from "./budget";
import { buildInitialDag, downstreamOf } from "./dag";
import type { ProjectMachine } from "./project-machine";
import type { InitParams, ProjectDeps } from "./project-types";
import { buildTaskMessage } from "./task-message";
import { isTerminal, type Task } from "./store";

/**
 * What can happen to a project — a person's command, an agent's result, the alarm's clock — as
 * transitions of the machine. Each runs inside one transaction (ProjectDOBase.command); none does I/O.
 */
export class ProjectCommands {
  constructor(
    private readonly m: ProjectMachine,
    private readonly deps: () => ProjectDeps,
  ) {}

  private taskOr404(taskId: string): Task {
    const task = this.m.task(taskId);
    if (!task) throw new AppError("not_found", `no task ${taskId} in this project`);
    return task;
  }

  /** Idempotent: a second init of the same project changes nothing. */
  init(p: InitParams): void {
    if (this.m.metaOrNull()) return;
    const now = Date.now();
    // The stored root is the caller's span (or a fresh root): every task attempt is its child.
    const traceparent = formatTraceparent(parseTraceparent(p.traceparent) ?? childContext(null));
    this.m.writeMeta({ ...p, traceparent, state: "running", createdAt: now, updatedAt: now, pausedReason: null });
    this.m.emit("project.created", null, { projectId: p.projectId, idea: p.idea, budgetUsd: p.budgetUsd }, now);
    buildInitialDag().forEach((spec, i) => this.m.insertTask(spec, i));
    this.m.syncProject();
    this.m.promoteReady();
  }

  cancel(): void {
    const meta = this.m.meta();
    if (meta.state === "succeeded" || meta.state === "failed" || meta.state === "cancelled") return;
    for (const t of this.m.tasks()) if (!isTerminal(t)) this.m.setTaskState(t, "cancelled", { error: "project cancelled" });
    // Tasks not yet handed to the bus are simply never sent; late results are ignored on arrival.
    this.m.store.outbox.dropTasks();
    this.m.setProjectState("cancelled");
  }

  raiseBudget(budgetUsd: number): void {
    const meta = this.m.meta();
    if (meta.state === "succeeded" || meta.state === "failed" || meta.state === "cancelled") {
      throw new AppError("conflict", `project is ${meta.state}; its budget can no longer change`);
    }
    const spent = this.m.spentUsd();
    if (budgetUsd < spent)
      throw new AppError("validation_failed", "budget is below what was already spent", [
        { field: "budgetUsd", message: `must be ≥ ${spent.toFixed(4)}` },
      ]);
    this.m.setBudget(budgetUsd);
    if (meta.state === "paused") this.m.setProjectState("running");
  }

  /** A person accepts a gated task's output; what waited on it may now run. */
  approve(taskId: string): void {
    this.m.meta();
    const task = this.taskOr404(taskId);
    if (task.approval !== "pending")
      throw new AppError("conflict", `task ${taskId} is not waiting for approval (approval: ${task.approval}, state: ${task.state})`);
    this.m.setApproval(taskId, "approved");
    this.m.settle();
  }

  /**
   * A person redoes a finished task with instructions: it runs again with them as feedback, and
   * every task after it returns to pending, so the project is rebuilt on the new output.
   */
  intervene(taskId: string, feedback: string): void {
    const meta = this.m.meta();
    if (meta.state === "cancelled") throw new AppError("conflict", "project was cancelled");
    const task = this.taskOr404(taskId);
    if (task.state !== "succeeded" && task.state !== "failed")
      throw new AppError("conflict", `task ${taskId} is ${task.state}; only a finished task can be redone`);
    const all = this.m.tasks();
    const after = new Set(downstreamOf(all, taskId));
    const reset = this.m.resetTask(task, {
      feedback,
      maxAttempts: task.attempt + 1,
      notBefore: 0,
      approval: task.approval === "none" ? "none" : "required",
    });
    this.m.emit("task.log", taskId, { attempt: task.attempt, kind: "log", text: `intervention: ${feedback.slice(0, 2_000)}` });
    this.m.setTaskState(reset, "ready", { error: null });
    for (const t of all) {
      if (!after.has(t.id)) continue;
      // A running dependant's answer will arrive for a state it no longer has, and be ignored.
      if (t.approval !== "none" && t.approval !== "required") this.m.setApproval(t.id, "required");
      this.m.setTaskState(t, "pending", { error: null });
    }
    this.m.setProjectState("running");
  }

  retry(taskId: string): void {
    const meta = this.m.meta();
    const task = this.taskOr404(taskId);
    if (task.state !== "failed") throw new AppError("conflict", `task ${taskId} is ${task.state}; only failed tasks can be retried`);
    if (meta.state === "cancelled") throw new AppError("conflict", "project was cancelled");
    const reset = this.m.resetTask(task, { maxAttempts: task.attempt + 1, approval: task.approval });
    this.m.setTaskState(reset, "ready", { error: null });
    // Tasks that were cancelled only because this one failed get their chance again.
    for (const t of this.m.tasks()) {
      if (t.state === "cancelled" && t.error?.startsWith("blocked by")) this.m.setTaskState(t, "pending", { error: null });
    }
    this.m.setProjectState("running");
  }

  /** Applies a task result at most once per (task, attempt); true when it changed the task. */
  applyResult(raw: ResultMessage): boolean {
    const r = ResultMessage.parse(raw);
    if (!this.m.metaOrNull()) return false;
    if (!this.m.store.applied.claim(r.taskId, r.attempt, Date.now())) return false;
    // Tokens were spent even if the result arrives late, so usage is always recorded.
    this.m.recordUsage(r);
    const task = this.m.task(r.taskId);
    if (!task || task.state !== "running" || task.attempt !== r.attempt) {
      this.m.emit("task.log", r.taskId, { attempt: r.attempt, text: `ignored late result of attempt ${r.attempt}` });
      // Its files are in R2 but no task will ever reference them. Only these are removed: other
      // attempts may be writing theirs under the same project right now.
      if (r.artifacts.length > 0) this.m.sync({ kind: "r2-delete", keys: r.artifacts.map((a) => a.key) });
      return false;
    }
    // Events and results travel on different topics: a "started" event may arrive after the result,
    // and is then ignored. The result's own start time stands in for it.
    const settled = this.m.store.tasks.update(task.id, { reservedUsd: 0, ...(task.startedAt === null ? { startedAt: r.startedAt } : {}) });
    if (r.status === "succeeded") this.m.onTaskSucceeded(settled, r);
    else this.m.onTaskFailed(settled, r.error ?? "agent reported failure", r.permanent, r.waitFor, r.stopReason);
    this.m.settle();
    return true;
  }

  /**
   * Progress of a running attempt. Logs and tokens are shown; "queued" and "started" change the
   * task: why it waits (the concurrency limit), then when its agent began. The attempt's clock
   * restarts at each, so time spent waiting for a slot never counts as the agent's timeout.
   */
  applyAgentEvent(raw: AgentEventMessage): void {
    const e = AgentEventMessage.parse(raw);
    if (!this.m.metaOrNull()) return;
    if (e.kind === "queued" || e.kind === "started") {
      const task = this.m.task(e.taskId);
      // A late event of an attempt that is over (timed out, cancelled) changes nothing.
      if (!task || task.state !== "running" || task.attempt !== e.attempt) return;
      const deadline = Date.now() + this.deps().taskTimeoutMs;
      this.m.setTaskState(task, "running", {
        patch: e.kind === "started" ? { startedAt: task.startedAt ?? e.ts, waitingFor: null, deadline } : { waitingFor: e.text, deadline },
      });
      return;
    }
    this.m.emit(e.kind === "token" ? "task.token" : "task.log", e.taskId, { attempt: e.attempt, kind: e.kind, text: e.text }, e.ts);
  }

  /** The hand-off of an attempt succeeded: its clock starts now (a bus outage is not the agent's timeout). */
  handedOff(msg: TaskMessage): void {
    this.m.store.tasks.startClock(msg.taskId, msg.attempt, Date.now() + this.deps().taskTimeoutMs);
  }

  /** The alarm's work: time out silent attempts, dispatch what is ready, settle the DAG. */
  tick(now: number): void {
    this.expireTimedOut(now);
    this.dispatchReady(now);
    this.m.settle();
  }

  private expireTimedOut(now: number): void {
    for (const t of this.m.store.tasks.expired(now)) {
      // The timed-out attempt may still answer later; applyResult ignores it then.
      const expired = this.m.store.tasks.update(t.id, { reservedUsd: 0 });
      // If it was never handed off (a retry of the hand-off is pending), it never will be.
      this.m.store.outbox.dropTask(t.id, t.attempt);
      this.m.onTaskFailed(expired, `attempt ${t.attempt} timed out after ${this.deps().taskTimeoutMs} ms`, false, undefined, "timeout");
    }
  }

  private dispatchReady(now: number): void {
    const meta = this.m.meta();
    if (meta.state !== "running") return;
    for (const t of this.m.store.tasks.readyDue(now)) {
      const estimate = estimateTaskCostUsd(t.role, meta.llm[t.role] ?? {}, this.deps().defaultProvider);
      const committed = this.m.spentUsd() + this.m.store.tasks.reservedUsd();
      if (meta.budgetUsd !== null && committed + estimate > meta.budgetUsd) {
        this.m.setProjectState(
          "paused",
          `budget: ${committed.toFixed(4)} committed + ${estimate.toFixed(4)} estimated for ${t.id} exceeds ${meta.budgetUsd}`,
        );
        return;
      }
      // A new span id per attempt, so retries show as siblings under the project's trace.
      const traceparent = formatTraceparent(childContext(parseTraceparent(meta.traceparent)));
      // No deadline until the hand-off succeeds (handedOff sets it).
      const running = this.m.setTaskState(t, "running", {
        // startedAt waits for the agent's "started" event: a wait on a concurrency limit is not run time.
        patch: {
          attempt: t.attempt + 1,
          reservedUsd: estimate,
          deadline: null,
          dispatchedAt: now,
          startedAt: null,
          traceparent,
          waitingFor: null,
        },
      });
      this.m.store.outbox.addTask(buildTaskMessage(this.m.store, this.m.meta(), running, now), now);
    }
  }
}
