import { AppError, TERMINAL_TASK_STATES, type EventType, type JsonObject, type ProjectEvent, type ProjectState, type ResultMessage, type Role, type TaskState } from "../../contracts";
import { blockedByFailure, MAX_FIX_ROUNDS, newlyReady, planFixRound, qaRound, retryDelayMs, type TaskSpec } from "./dag";
import type { EventLog } from "./event-log";
import type { Outbox } from "./outbox";
import { isFailedQa, qaFailureSummary } from "./qa-verdict";
import type { ProjectMeta, TaskRow, UsageRow } from "./project-state";
import type { D1Sync, ProjectDeps } from "./project-types";

/**
 * The project's state machine over the DO's SQLite: task and project transitions, usage, and
 * the outbox entries and events each implies. Every mutating method runs inside `transact`,
 * so a transition and its messages commit together or not at all. The Durable Object around it
 * (project-do.ts) owns the I/O: RPC, WebSockets, the alarm and delivery.
 */
export class ProjectMachine {
  private pending: ProjectEvent[] = [];

  constructor(
    private readonly storage: DurableObjectStorage,
    private readonly sql: SqlStorage,
    private readonly log: EventLog,
    private readonly outbox: Outbox,
    private readonly deps: () => ProjectDeps,
  ) {}

  /** Events of committed transactions, to broadcast; the list is emptied. */
  takePending(): ProjectEvent[] {
    const events = this.pending;
    this.pending = [];
    return events;
  }

  onTaskSucceeded(task: TaskRow, r: ResultMessage): void {
    for (const a of r.artifacts) {
      this.sql.exec(
        "INSERT OR REPLACE INTO artifacts (task_id, path, key, bytes, sha256, content_type) VALUES (?, ?, ?, ?, ?, ?)",
        task.id, a.path, a.key, a.bytes, a.sha256, a.contentType ?? null,
      );
      this.emit("artifact.stored", task.id, { path: a.path, bytes: a.bytes });
    }
    this.sql.exec("UPDATE tasks SET output = ? WHERE id = ?", JSON.stringify(r.output ?? null), task.id);
    const qaFailed = task.role === "qa" && isFailedQa(r.output);
    if (task.role === "qa") this.recordQaVerdict(task.id, !qaFailed);
    if (!qaFailed) {
      this.setTaskState(task, "succeeded", { error: null });
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
    this.setTaskState(task, "succeeded", { error: null });
    const specs: TaskSpec[] = this.tasks().map((t) => ({ id: t.id, role: t.role as Role, title: t.title, deps: JSON.parse(t.deps) as string[] }));
    const plan = planFixRound(specs, task.id, round);
    const ord = this.sql.exec<{ m: number }>("SELECT MAX(ord) AS m FROM tasks").one().m;
    plan.add.forEach((spec, i) => this.insertTask(spec, ord + 1 + i, spec.role === "qa" ? null : summary));
    for (const w of plan.rewire) {
      this.sql.exec("UPDATE tasks SET deps = ? WHERE id = ?", JSON.stringify(w.deps), w.id);
      this.emit("task.created", w.id, { rewired: true, deps: w.deps });
    }
  }

  /**
   * QA's real test run is the best evidence of how good the Engineers' models were: it feeds the
   * router's learned success rates (through D1, where the agents' router reads them).
   */
  recordQaVerdict(qaTaskId: string, passed: boolean): void {
    const engineers = this.tasks().filter((t) => (t.role === "engineer_fe" || t.role === "engineer_be") && t.state === "succeeded");
    const seen = new Set<string>();
    for (const t of engineers) {
      for (const u of this.sql.exec<UsageRow>("SELECT * FROM usage WHERE task_id = ? AND attempt = ?", t.id, t.attempt).toArray()) {
        const key = `${t.role}|${u.provider}|${u.model}`;
        if (u.provider === "offline" || seen.has(key)) continue;
        seen.add(key);
        const entry: D1Sync = { kind: "router-outcome", id: `${this.meta().projectId}:${qaTaskId}:${key}`, role: t.role as Role, provider: u.provider, model: u.model, success: passed };
        this.outbox.add("d1", JSON.stringify(entry), Date.now());
      }
    }
  }

  onTaskFailed(task: TaskRow, error: string, permanent: boolean): void {
    if (!permanent && task.attempt < task.max_attempts) {
      const delay = retryDelayMs(task.attempt);
      this.sql.exec("UPDATE tasks SET not_before = ? WHERE id = ?", Date.now() + delay, task.id);
      this.setTaskState(task, "ready", { error: `${error} — retrying in ${delay} ms` });
    } else {
      this.setTaskState(task, "failed", { error });
    }
  }

  /** Promotes, blocks and closes the project after any change. */
  settle(): void {
    const meta = this.meta();
    if (meta.state === "cancelled") return;
    for (const id of blockedByFailure(this.statuses())) {
      const t = this.tasks().find((x) => x.id === id)!;
      const dep = (JSON.parse(t.deps) as string[]).join(", ");
      this.setTaskState(t, "cancelled", { error: `blocked by failed dependency (${dep})` });
    }
    this.promoteReady();
    const tasks = this.tasks();
    if (tasks.every((t) => TERMINAL_TASK_STATES.includes(t.state as TaskState))) {
      this.setProjectState(tasks.every((t) => t.state === "succeeded") ? "succeeded" : "failed");
    }
  }

  promoteReady(): void {
    for (const id of newlyReady(this.statuses())) {
      const t = this.tasks().find((x) => x.id === id)!;
      this.setTaskState(t, "ready", {});
    }
  }

  setTaskState(t: TaskRow, state: TaskState, opts: { error?: string | null }): void {
    const now = Date.now();
    const finished = TERMINAL_TASK_STATES.includes(state) ? now : null;
    if (opts.error !== undefined) this.sql.exec("UPDATE tasks SET error = ? WHERE id = ?", opts.error, t.id);
    this.sql.exec("UPDATE tasks SET state = ?, finished_at = ? WHERE id = ?", state, finished, t.id);
    this.emit("task.state", t.id, { state, attempt: t.attempt, ...(opts.error ? { error: opts.error } : {}) });
    this.outbox.add("d1", JSON.stringify({ kind: "task", projectId: this.meta().projectId, taskId: t.id, role: t.role, state, attempt: t.attempt, updatedAt: now, seq: this.log.lastSeq() } satisfies D1Sync), now);
  }

  setProjectState(state: ProjectState): void {
    const meta = this.meta();
    if (meta.state === state) return;
    // Once a project is finished, files of attempts whose results were never applied are garbage.
    if (state === "succeeded" || state === "failed" || state === "cancelled") this.enqueueArtifactGc();
    this.writeMeta({ ...meta, state, updatedAt: Date.now(), pausedReason: state === "paused" ? meta.pausedReason : null });
    this.emit("project.state", null, { state, ...(state === "paused" ? { reason: this.meta().pausedReason } : {}) });
    this.syncProject();
  }

  recordUsage(r: ResultMessage): void {
    const meta = this.meta();
    r.usage.forEach((u, idx) => {
      const ts = Date.now();
      this.sql.exec(
        "INSERT INTO usage (task_id, attempt, provider, model, input_tokens, output_tokens, cost_usd, ts) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        r.taskId, r.attempt, u.provider, u.model, u.inputTokens, u.outputTokens, u.costUsd, ts,
      );
      this.emit("usage.recorded", r.taskId, { attempt: r.attempt, ...u });
      this.outbox.add("d1", JSON.stringify({ kind: "usage", projectId: meta.projectId, taskId: r.taskId, attempt: r.attempt, idx, ...u, ts } satisfies D1Sync), ts);
    });
    if (r.usage.length > 0) this.syncProject();
  }

  insertTask(spec: TaskSpec, ord: number, feedback: string | null = null): void {
    const gated = (this.meta().approvals ?? []).includes(spec.role);
    this.sql.exec(
      "INSERT INTO tasks (id, ord, role, title, deps, state, attempt, max_attempts, feedback, approval) VALUES (?, ?, ?, ?, ?, 'pending', 0, ?, ?, ?)",
      spec.id, ord, spec.role, spec.title, JSON.stringify(spec.deps), this.deps().maxAttempts, feedback, gated ? "required" : "none",
    );
    this.emit("task.created", spec.id, { task: { id: spec.id, role: spec.role, title: spec.title, deps: spec.deps, approval: gated ? "required" : "none" } });
  }

  setApproval(taskId: string, approval: "required" | "pending" | "approved"): void {
    this.sql.exec("UPDATE tasks SET approval = ? WHERE id = ?", approval, taskId);
    this.emit("task.approval", taskId, { approval });
  }

  enqueueArtifactGc(): void {
    const keep = this.sql.exec<{ key: string }>("SELECT key FROM artifacts").toArray().map((a) => a.key);
    const entry: D1Sync = { kind: "r2-gc", projectId: this.meta().projectId, keep };
    this.outbox.add("d1", JSON.stringify(entry), Date.now());
  }

  syncProject(): void {
    const meta = this.meta();
    this.outbox.add("d1", JSON.stringify({ kind: "project", projectId: meta.projectId, state: meta.state, spentUsd: this.spentUsd(), budgetUsd: meta.budgetUsd, updatedAt: Date.now(), seq: this.log.lastSeq() } satisfies D1Sync), Date.now());
  }

  // ---------- small helpers ----------

  emit(type: EventType, taskId: string | null, data: JsonObject, ts?: number): void {
    this.pending.push(this.log.append(type, taskId, data, ts));
  }

  /**
   * One storage transaction. Events it appended are broadcast only after it commits; if it
   * throws, they were rolled back with it (and their seqs will be reused), so they are dropped.
   */
  transact(fn: () => void): void {
    const before = this.pending.length;
    try {
      this.storage.transactionSync(fn);
    } catch (err) {
      this.pending.length = before;
      throw err;
    }
  }

  tasks(): TaskRow[] {
    return this.sql.exec<TaskRow>("SELECT * FROM tasks ORDER BY ord").toArray();
  }

  statuses() {
    return this.tasks().map((t) => ({ id: t.id, deps: JSON.parse(t.deps) as string[], state: t.state as TaskState, awaitingApproval: t.approval === "pending" }));
  }

  spentUsd(): number {
    return this.sql.exec<{ s: number | null }>("SELECT SUM(cost_usd) AS s FROM usage").one().s ?? 0;
  }

  reservedUsd(): number {
    return this.sql.exec<{ s: number | null }>("SELECT SUM(reserved_usd) AS s FROM tasks WHERE state = 'running'").one().s ?? 0;
  }

  metaOrNull(): ProjectMeta | null {
    const row = this.sql.exec<{ v: string }>("SELECT v FROM meta WHERE k = 'project'").toArray()[0];
    return row ? (JSON.parse(row.v) as ProjectMeta) : null;
  }

  meta(): ProjectMeta {
    const meta = this.metaOrNull();
    if (!meta) throw new AppError("not_found", "project not found");
    return meta;
  }

  writeMeta(meta: ProjectMeta): void {
    this.sql.exec("INSERT OR REPLACE INTO meta (k, v) VALUES ('project', ?)", JSON.stringify({ ...meta, updatedAt: Date.now() }));
  }
}
