import { DurableObject } from "cloudflare:workers";
import {
  AppError,
  ResultMessage,
  AgentEventMessage,
  TERMINAL_TASK_STATES,
  type EventType,
  type ProjectDetail,
  type ProjectEvent,
  type Role,
  type TaskMessage,
  type TaskState,
} from "../../contracts";
import { buildInitialDag, downstreamOf } from "./dag";
import { EventLog } from "./event-log";
import { migrateProjectStorage } from "./storage-schema";
import { SocketHub } from "./sockets";
import { readProjectDetail, type ProjectMeta, type TaskRow } from "./project-state";
import { buildTaskMessage } from "./task-message";
import { guard, type RpcResult } from "./rpc-result";
import type { D1Sync, InitParams, ProjectDeps } from "./project-types";
import type { ResultSink } from "./dispatcher";
import { Outbox, type OutboxEntry } from "./outbox";
import { ProjectMachine } from "./project-machine";
import { estimateTaskCostUsd } from "./budget";
import { childContext, formatTraceparent, parseTraceparent } from "../../workers/shared/tracing/traceparent";

/**
 * One project's orchestrator: DAG, attempts, event log and outbox in this object's SQLite.
 * Every state change and the messages it implies are written in one synchronous block, which
 * the runtime commits atomically; the alarm then delivers the outbox (at-least-once).
 */
export abstract class ProjectDOBase extends DurableObject<Env> {
  protected readonly sql: SqlStorage;
  protected readonly log: EventLog;
  protected readonly sockets: SocketHub;
  protected readonly outbox: Outbox;
  protected readonly m: ProjectMachine;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    migrateProjectStorage(this.sql);
    this.log = new EventLog(this.sql);
    this.sockets = new SocketHub(ctx, this.log);
    this.outbox = new Outbox(this.sql);
    this.m = new ProjectMachine(ctx.storage, this.sql, this.log, this.outbox, () => this.deps());
    // Keep-alive pings are answered without waking a hibernated object.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair('{"type":"ping"}', '{"type":"pong"}'));
  }

  protected abstract deps(): ProjectDeps;

  /** How an in-process executor reports back: straight into the same at-most-once paths. */
  private readonly sink: ResultSink = {
    applyResult: (r) => this.applyResultImpl(r),
    applyAgentEvent: (e) => this.applyAgentEventImpl(e),
  };

  // ---------- RPC surface ----------
  // Errors come back as values: an exception thrown across RPC loses its type and is logged by
  // the runtime as uncaught. The gateway's projectStub() turns them back into AppErrors.

  init(p: InitParams): Promise<RpcResult<ProjectDetail>> {
    return guard(() => this.initImpl(p));
  }
  detail(): Promise<RpcResult<ProjectDetail>> {
    return guard(() => this.detailImpl());
  }
  events(since: number, limit: number): Promise<RpcResult<{ events: ProjectEvent[]; lastSeq: number }>> {
    return guard(() => this.eventsImpl(since, limit));
  }
  cancel(): Promise<RpcResult<ProjectDetail>> {
    return guard(() => this.cancelImpl());
  }
  raiseBudget(budgetUsd: number): Promise<RpcResult<ProjectDetail>> {
    return guard(() => this.raiseBudgetImpl(budgetUsd));
  }
  retryTask(taskId: string): Promise<RpcResult<ProjectDetail>> {
    return guard(() => this.retryTaskImpl(taskId));
  }
  approveTask(taskId: string): Promise<RpcResult<ProjectDetail>> {
    return guard(() => this.approveTaskImpl(taskId));
  }
  interveneTask(taskId: string, feedback: string): Promise<RpcResult<ProjectDetail>> {
    return guard(() => this.interveneTaskImpl(taskId, feedback));
  }
  applyResult(result: ResultMessage): Promise<RpcResult<{ applied: boolean }>> {
    return guard(() => this.applyResultImpl(result));
  }
  applyAgentEvent(event: AgentEventMessage): Promise<RpcResult<null>> {
    return guard(async () => {
      await this.applyAgentEventImpl(event);
      return null;
    });
  }

  /** Idempotent: a second init of the same project returns its current state. */
  protected async initImpl(p: InitParams): Promise<ProjectDetail> {
    if (!this.m.metaOrNull()) {
      const now = Date.now();
      this.m.transact(() => {
        // The stored root is the caller's span (or a fresh root): every task attempt is its child.
        const traceparent = formatTraceparent(parseTraceparent(p.traceparent) ?? childContext(null));
        const meta: ProjectMeta = { ...p, traceparent, state: "running", createdAt: now, updatedAt: now, pausedReason: null };
        this.m.writeMeta(meta);
        this.m.emit("project.created", null, { idea: p.idea, budgetUsd: p.budgetUsd });
        buildInitialDag().forEach((spec, i) => this.m.insertTask(spec, i));
        this.m.syncProject();
        this.m.promoteReady();
      });
      this.flushBroadcast();
      await this.ctx.storage.setAlarm(Date.now());
    }
    return this.detailImpl();
  }

  protected async detailImpl(): Promise<ProjectDetail> {
    return readProjectDetail(this.sql, this.m.meta(), this.log.lastSeq(), this.m.spentUsd());
  }

  protected async eventsImpl(since: number, limit: number): Promise<{ events: ProjectEvent[]; lastSeq: number }> {
    this.m.meta();
    return { events: this.log.page(since, limit), lastSeq: this.log.lastSeq() };
  }

  protected async cancelImpl(): Promise<ProjectDetail> {
    const meta = this.m.meta();
    if (meta.state !== "succeeded" && meta.state !== "failed" && meta.state !== "cancelled") {
      this.m.transact(() => {
        for (const t of this.m.tasks()) {
          if (!TERMINAL_TASK_STATES.includes(t.state as TaskState)) this.m.setTaskState(t, "cancelled", { error: "project cancelled" });
        }
        // Tasks not yet handed to the bus are simply never sent; late results are ignored on arrival.
        this.outbox.dropKind("task");
        this.m.setProjectState("cancelled");
      });
      this.flushBroadcast();
      await this.ctx.storage.setAlarm(Date.now());
    }
    return this.detailImpl();
  }

  protected async raiseBudgetImpl(budgetUsd: number): Promise<ProjectDetail> {
    const meta = this.m.meta();
    if (budgetUsd < this.m.spentUsd()) throw new AppError("validation_failed", "budget is below what was already spent", [{ field: "budgetUsd", message: `must be ≥ ${this.m.spentUsd().toFixed(4)}` }]);
    this.m.transact(() => {
      this.m.writeMeta({ ...this.m.meta(), budgetUsd });
      this.m.emit("project.state", null, { state: meta.state, budgetUsd });
      if (meta.state === "paused") this.m.setProjectState("running");
      this.m.syncProject();
    });
    this.flushBroadcast();
    await this.ctx.storage.setAlarm(Date.now());
    return this.detailImpl();
  }

  /** A person accepts a gated task's output; what waited on it may now run. */
  protected async approveTaskImpl(taskId: string): Promise<ProjectDetail> {
    this.m.meta();
    const task = this.m.tasks().find((t) => t.id === taskId);
    if (!task) throw new AppError("not_found", `no task ${taskId} in this project`);
    if (task.approval !== "pending") throw new AppError("conflict", `task ${taskId} is not waiting for approval (approval: ${task.approval}, state: ${task.state})`);
    this.m.transact(() => {
      this.m.setApproval(taskId, "approved");
      this.m.settle();
    });
    this.flushBroadcast();
    await this.ctx.storage.setAlarm(Date.now());
    return this.detailImpl();
  }

  /**
   * A person redoes a finished task with instructions: it runs again with them as feedback, and
   * every task after it returns to pending, so the project is rebuilt on the new output.
   */
  protected async interveneTaskImpl(taskId: string, feedback: string): Promise<ProjectDetail> {
    const meta = this.m.meta();
    if (meta.state === "cancelled") throw new AppError("conflict", "project was cancelled");
    const task = this.m.tasks().find((t) => t.id === taskId);
    if (!task) throw new AppError("not_found", `no task ${taskId} in this project`);
    if (task.state !== "succeeded" && task.state !== "failed") {
      throw new AppError("conflict", `task ${taskId} is ${task.state}; only a finished task can be redone`);
    }
    this.m.transact(() => {
      const all = this.m.tasks();
      const after = new Set(downstreamOf(all.map((t) => ({ id: t.id, deps: JSON.parse(t.deps) as string[] })), taskId));
      this.sql.exec("UPDATE tasks SET feedback = ?, max_attempts = attempt + 1, not_before = 0, approval = CASE approval WHEN 'none' THEN 'none' ELSE 'required' END WHERE id = ?", feedback, taskId);
      this.m.emit("task.log", taskId, { attempt: task.attempt, kind: "log", text: `intervention: ${feedback.slice(0, 2_000)}` });
      this.m.setTaskState(task, "ready", { error: null });
      for (const t of all) {
        if (!after.has(t.id)) continue;
        // A running dependant's answer will arrive for a state it no longer has, and be ignored.
        if (t.approval !== "none") this.sql.exec("UPDATE tasks SET approval = 'required' WHERE id = ?", t.id);
        this.m.setTaskState(t, "pending", { error: null });
      }
      this.m.setProjectState("running");
    });
    this.flushBroadcast();
    await this.ctx.storage.setAlarm(Date.now());
    return this.detailImpl();
  }

  protected async retryTaskImpl(taskId: string): Promise<ProjectDetail> {
    const meta = this.m.meta();
    const task = this.m.tasks().find((t) => t.id === taskId);
    if (!task) throw new AppError("not_found", `no task ${taskId} in this project`);
    if (task.state !== "failed") throw new AppError("conflict", `task ${taskId} is ${task.state}; only failed tasks can be retried`);
    if (meta.state === "cancelled") throw new AppError("conflict", "project was cancelled");
    this.m.transact(() => {
      this.sql.exec("UPDATE tasks SET max_attempts = attempt + 1 WHERE id = ?", taskId);
      this.m.setTaskState(task, "ready", { error: null });
      // Tasks that were cancelled only because this one failed get their chance again.
      for (const t of this.m.tasks()) {
        if (t.state === "cancelled" && t.error?.startsWith("blocked by")) this.m.setTaskState(t, "pending", { error: null });
      }
      this.m.setProjectState("running");
    });
    this.flushBroadcast();
    await this.ctx.storage.setAlarm(Date.now());
    return this.detailImpl();
  }

  /** Applies a task result at most once per (task, attempt). */
  protected async applyResultImpl(raw: ResultMessage): Promise<{ applied: boolean }> {
    const r = ResultMessage.parse(raw);
    const meta = this.m.metaOrNull();
    if (!meta) return { applied: false };
    let applied = false;
    this.m.transact(() => {
      const idem = `${r.taskId}#${r.attempt}`;
      if (this.sql.exec("SELECT 1 FROM applied WHERE idem = ?", idem).toArray().length > 0) return;
      this.sql.exec("INSERT INTO applied (idem, ts) VALUES (?, ?)", idem, Date.now());
      // Tokens were spent even if the result arrives late, so usage is always recorded.
      this.m.recordUsage(r);
      const task = this.m.tasks().find((t) => t.id === r.taskId);
      if (!task || task.state !== "running" || task.attempt !== r.attempt) {
        this.m.emit("task.log", r.taskId, { attempt: r.attempt, text: `ignored late result of attempt ${r.attempt}` });
        // Its files are in R2 but no task will ever reference them. Only these are removed: other
        // attempts may be writing theirs under the same project right now.
        if (r.artifacts.length > 0) this.outbox.add("d1", JSON.stringify({ kind: "r2-delete", keys: r.artifacts.map((a) => a.key) } satisfies D1Sync), Date.now());
        return;
      }
      applied = true;
      this.sql.exec("UPDATE tasks SET reserved_usd = 0 WHERE id = ?", task.id);
      if (r.status === "succeeded") this.m.onTaskSucceeded(task, r);
      else this.m.onTaskFailed(task, r.error ?? "agent reported failure", r.permanent);
      this.m.settle();
    });
    this.flushBroadcast();
    await this.ctx.storage.setAlarm(Date.now());
    return { applied };
  }

  protected async applyAgentEventImpl(raw: AgentEventMessage): Promise<void> {
    const e = AgentEventMessage.parse(raw);
    if (!this.m.metaOrNull()) return;
    const type: EventType = e.kind === "token" ? "task.token" : "task.log";
    this.m.emit(type, e.taskId, { attempt: e.attempt, kind: e.kind, text: e.text }, e.ts);
    this.flushBroadcast();
  }

  // ---------- WebSocket (hibernating) ----------

  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") {
      return Response.json(new AppError("bad_request", "expected a WebSocket upgrade").toEnvelope(), { status: 426 });
    }
    // The gateway checked D1, but a create saga may still be between its D1 insert and init.
    const meta = this.m.metaOrNull();
    if (!meta) return Response.json(new AppError("not_found", "project not found").toEnvelope(), { status: 404 });
    const since = Number(new URL(request.url).searchParams.get("since") ?? 0);
    const pair = new WebSocketPair();
    this.sockets.accept(pair[1], meta.projectId, Number.isFinite(since) && since >= 0 ? Math.floor(since) : 0);
    return new Response(null, { status: 101, webSocket: pair[0] });
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    try {
      this.sockets.onMessage(ws, message);
    } catch {
      // A broken socket must not take the object down.
    }
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    this.sockets.onClose(ws, code, reason);
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    this.sockets.onClose(ws, 1011, "error");
  }

  // ---------- Alarm: timeouts, scheduling, outbox delivery ----------

  override async alarm(): Promise<void> {
    const meta = this.m.metaOrNull();
    if (!meta) return;
    const now = Date.now();
    this.m.transact(() => {
      this.expireTimedOut(now);
      this.dispatchReady(now);
      this.m.settle();
    });
    this.flushBroadcast();
    await this.deliverOutbox(now);
    await this.rearm();
    // Durable Objects ignore waitUntil's lifetime hint, but the pending export keeps the object resident; it never rejects.
    const tracer = this.deps().tracer;
    if (tracer?.pending) this.ctx.waitUntil(tracer.flush());
  }

  private async deliverOutbox(now: number): Promise<void> {
    const { dispatcher, syncToD1 } = this.deps();
    const due = this.outbox.due(now);
    await Promise.all(
      due.map(async (entry: OutboxEntry) => {
        try {
          if (entry.kind === "task") {
            const msg = JSON.parse(entry.payload) as TaskMessage;
            await dispatcher.dispatch(msg, this.sink);
            // The attempt's clock starts when the bus has it: an outage of the bus is not the agent's timeout.
            this.sql.exec(
              "UPDATE tasks SET deadline = ? WHERE id = ? AND attempt = ? AND state = 'running'",
              Date.now() + this.deps().taskTimeoutMs,
              msg.taskId,
              msg.attempt,
            );
            this.recordDispatchSpan(msg);
          } else await syncToD1(JSON.parse(entry.payload) as D1Sync);
          this.outbox.done(entry.id);
        } catch (err) {
          this.outbox.failed(entry, err instanceof Error ? err.message : String(err), Date.now());
        }
      }),
    );
  }

  /**
   * The span whose id the task's traceparent already carries (agents' spans are its children), recorded
   * once the hand-off succeeded; from first dispatch to hand-off, so outbox retries show as its length.
   */
  private recordDispatchSpan(msg: TaskMessage): void {
    const tracer = this.deps().tracer;
    const context = parseTraceparent(msg.traceparent);
    if (!tracer || !context) return;
    tracer
      .startSpan(`dispatch ${msg.role}`, {
        parent: this.m.meta().traceparent ?? null,
        context,
        kind: "producer",
        startMs: msg.dispatchedAt,
        attributes: { "proximus.project_id": msg.projectId, "proximus.task_id": msg.taskId, "proximus.attempt": msg.attempt, "messaging.destination.name": "ai-org-tasks" },
      })
      .end();
  }

  private async rearm(): Promise<void> {
    // Ready tasks only wait on their backoff while the project runs; a paused or finished project
    // must not spin its alarm. Deadlines of attempts in flight and undelivered messages always count.
    const running = this.m.meta().state === "running";
    const next = [
      this.outbox.nextDue(),
      this.sql.exec<{ t: number | null }>("SELECT MIN(deadline) AS t FROM tasks WHERE state = 'running'").one().t,
      running ? this.sql.exec<{ t: number | null }>("SELECT MIN(not_before) AS t FROM tasks WHERE state = 'ready'").one().t : null,
    ].filter((t): t is number => t !== null);
    if (next.length > 0) await this.ctx.storage.setAlarm(Math.max(Date.now(), Math.min(...next)));
  }


  private expireTimedOut(now: number): void {
    for (const t of this.sql.exec<TaskRow>("SELECT * FROM tasks WHERE state = 'running' AND deadline < ?", now).toArray()) {
      // The timed-out attempt may still answer later; applyResult ignores it then.
      this.sql.exec("UPDATE tasks SET reserved_usd = 0 WHERE id = ?", t.id);
      // If it was never handed off (a retry of the hand-off is pending), it never will be.
      this.sql.exec(
        "DELETE FROM outbox WHERE kind = 'task' AND json_extract(payload, '$.taskId') = ? AND json_extract(payload, '$.attempt') = ?",
        t.id,
        t.attempt,
      );
      this.m.onTaskFailed(t, `attempt ${t.attempt} timed out after ${this.deps().taskTimeoutMs} ms`, false);
    }
  }

  private dispatchReady(now: number): void {
    const meta = this.m.meta();
    if (meta.state !== "running") return;
    const ready = this.sql.exec<TaskRow>("SELECT * FROM tasks WHERE state = 'ready' AND not_before <= ? ORDER BY ord", now).toArray();
    for (const t of ready) {
      const estimate = estimateTaskCostUsd(t.role as Role, meta.llm[t.role as Role] ?? {}, this.deps().defaultProvider);
      const committed = this.m.spentUsd() + this.m.reservedUsd();
      if (meta.budgetUsd !== null && committed + estimate > meta.budgetUsd) {
        this.m.writeMeta({ ...this.m.meta(), pausedReason: `budget: ${committed.toFixed(4)} committed + ${estimate.toFixed(4)} estimated for ${t.id} exceeds ${meta.budgetUsd}` });
        this.m.setProjectState("paused");
        return;
      }
      const attempt = t.attempt + 1;
      // A new span id per attempt, so retries show as siblings under the project's trace.
      const traceparent = formatTraceparent(childContext(parseTraceparent(meta.traceparent)));
      this.sql.exec(
        // No deadline until the hand-off succeeds (deliverOutbox sets it).
        "UPDATE tasks SET attempt = ?, reserved_usd = ?, deadline = NULL, started_at = ?, traceparent = ? WHERE id = ?",
        attempt,
        estimate,
        now,
        traceparent,
        t.id,
      );
      this.m.setTaskState({ ...t, attempt }, "running", {});
      this.outbox.add("task", JSON.stringify(buildTaskMessage(this.sql, this.m.meta(), { ...t, attempt, traceparent }, now, this.m.spentUsd())), now);
    }
  }

  /** Broadcast only after the transaction that wrote the events has committed. */
  private flushBroadcast(): void {
    this.sockets.broadcast(this.m.takePending());
  }
}
