import { DurableObject } from "cloudflare:workers";
import {
  AppError,
  ResultMessage,
  AgentEventMessage,
  TERMINAL_TASK_STATES,
  type EventType,
  type ProjectDetail,
  type ProjectEvent,
  type ProjectState,
  type Role,
  type TaskMessage,
  type TaskState,
  type JsonObject,
} from "../../contracts";
import { blockedByFailure, buildInitialDag, MAX_FIX_ROUNDS, newlyReady, planFixRound, qaRound, retryDelayMs, type TaskSpec } from "./dag";
import { EventLog } from "./event-log";
import { migrateProjectStorage } from "./storage-schema";
import { SocketHub } from "./sockets";
import { readProjectDetail, type ProjectMeta, type TaskRow, type UsageRow } from "./project-state";
import { buildTaskMessage } from "./task-message";
import { guard, type RpcResult } from "./rpc-result";
import { isFailedQa, qaFailureSummary } from "./qa-verdict";
import type { D1Sync, InitParams, ProjectDeps } from "./project-types";
import type { ResultSink } from "./dispatcher";
import { Outbox, type OutboxEntry } from "./outbox";
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
  private pending: ProjectEvent[] = [];

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    migrateProjectStorage(this.sql);
    this.log = new EventLog(this.sql);
    this.sockets = new SocketHub(ctx, this.log);
    this.outbox = new Outbox(this.sql);
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
    if (!this.metaOrNull()) {
      const now = Date.now();
      this.transact(() => {
        // The stored root is the caller's span (or a fresh root): every task attempt is its child.
        const traceparent = formatTraceparent(parseTraceparent(p.traceparent) ?? childContext(null));
        const meta: ProjectMeta = { ...p, traceparent, state: "running", createdAt: now, updatedAt: now, pausedReason: null };
        this.writeMeta(meta);
        this.emit("project.created", null, { idea: p.idea, budgetUsd: p.budgetUsd });
        buildInitialDag().forEach((spec, i) => this.insertTask(spec, i));
        this.syncProject();
        this.promoteReady();
      });
      this.flushBroadcast();
      await this.ctx.storage.setAlarm(Date.now());
    }
    return this.detailImpl();
  }

  protected async detailImpl(): Promise<ProjectDetail> {
    return readProjectDetail(this.sql, this.meta(), this.log.lastSeq(), this.spentUsd());
  }

  protected async eventsImpl(since: number, limit: number): Promise<{ events: ProjectEvent[]; lastSeq: number }> {
    this.meta();
    return { events: this.log.page(since, limit), lastSeq: this.log.lastSeq() };
  }

  protected async cancelImpl(): Promise<ProjectDetail> {
    const meta = this.meta();
    if (meta.state !== "succeeded" && meta.state !== "failed" && meta.state !== "cancelled") {
      this.transact(() => {
        for (const t of this.tasks()) {
          if (!TERMINAL_TASK_STATES.includes(t.state as TaskState)) this.setTaskState(t, "cancelled", { error: "project cancelled" });
        }
        // Tasks not yet handed to the bus are simply never sent; late results are ignored on arrival.
        this.outbox.dropKind("task");
        this.setProjectState("cancelled");
      });
      this.flushBroadcast();
      await this.ctx.storage.setAlarm(Date.now());
    }
    return this.detailImpl();
  }

  protected async raiseBudgetImpl(budgetUsd: number): Promise<ProjectDetail> {
    const meta = this.meta();
    if (budgetUsd < this.spentUsd()) throw new AppError("validation_failed", "budget is below what was already spent", [{ field: "budgetUsd", message: `must be ≥ ${this.spentUsd().toFixed(4)}` }]);
    this.transact(() => {
      this.writeMeta({ ...this.meta(), budgetUsd });
      this.emit("project.state", null, { state: meta.state, budgetUsd });
      if (meta.state === "paused") this.setProjectState("running");
      this.syncProject();
    });
    this.flushBroadcast();
    await this.ctx.storage.setAlarm(Date.now());
    return this.detailImpl();
  }

  protected async retryTaskImpl(taskId: string): Promise<ProjectDetail> {
    const meta = this.meta();
    const task = this.tasks().find((t) => t.id === taskId);
    if (!task) throw new AppError("not_found", `no task ${taskId} in this project`);
    if (task.state !== "failed") throw new AppError("conflict", `task ${taskId} is ${task.state}; only failed tasks can be retried`);
    if (meta.state === "cancelled") throw new AppError("conflict", "project was cancelled");
    this.transact(() => {
      this.sql.exec("UPDATE tasks SET max_attempts = attempt + 1 WHERE id = ?", taskId);
      this.setTaskState(task, "ready", { error: null });
      // Tasks that were cancelled only because this one failed get their chance again.
      for (const t of this.tasks()) {
        if (t.state === "cancelled" && t.error?.startsWith("blocked by")) this.setTaskState(t, "pending", { error: null });
      }
      this.setProjectState("running");
    });
    this.flushBroadcast();
    await this.ctx.storage.setAlarm(Date.now());
    return this.detailImpl();
  }

  /** Applies a task result at most once per (task, attempt). */
  protected async applyResultImpl(raw: ResultMessage): Promise<{ applied: boolean }> {
    const r = ResultMessage.parse(raw);
    const meta = this.metaOrNull();
    if (!meta) return { applied: false };
    let applied = false;
    this.transact(() => {
      const idem = `${r.taskId}#${r.attempt}`;
      if (this.sql.exec("SELECT 1 FROM applied WHERE idem = ?", idem).toArray().length > 0) return;
      this.sql.exec("INSERT INTO applied (idem, ts) VALUES (?, ?)", idem, Date.now());
      // Tokens were spent even if the result arrives late, so usage is always recorded.
      this.recordUsage(r);
      const task = this.tasks().find((t) => t.id === r.taskId);
      if (!task || task.state !== "running" || task.attempt !== r.attempt) {
        this.emit("task.log", r.taskId, { attempt: r.attempt, text: `ignored late result of attempt ${r.attempt}` });
        // Its files are in R2 but no task will ever reference them. Only these are removed: other
        // attempts may be writing theirs under the same project right now.
        if (r.artifacts.length > 0) this.outbox.add("d1", JSON.stringify({ kind: "r2-delete", keys: r.artifacts.map((a) => a.key) } satisfies D1Sync), Date.now());
        return;
      }
      applied = true;
      this.sql.exec("UPDATE tasks SET reserved_usd = 0 WHERE id = ?", task.id);
      if (r.status === "succeeded") this.onTaskSucceeded(task, r);
      else this.onTaskFailed(task, r.error ?? "agent reported failure", r.permanent);
      this.settle();
    });
    this.flushBroadcast();
    await this.ctx.storage.setAlarm(Date.now());
    return { applied };
  }

  protected async applyAgentEventImpl(raw: AgentEventMessage): Promise<void> {
    const e = AgentEventMessage.parse(raw);
    if (!this.metaOrNull()) return;
    const type: EventType = e.kind === "token" ? "task.token" : "task.log";
    this.emit(type, e.taskId, { attempt: e.attempt, kind: e.kind, text: e.text }, e.ts);
    this.flushBroadcast();
  }

  // ---------- WebSocket (hibernating) ----------

  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") {
      return Response.json(new AppError("bad_request", "expected a WebSocket upgrade").toEnvelope(), { status: 426 });
    }
    // The gateway checked D1, but a create saga may still be between its D1 insert and init.
    const meta = this.metaOrNull();
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
    const meta = this.metaOrNull();
    if (!meta) return;
    const now = Date.now();
    this.transact(() => {
      this.expireTimedOut(now);
      this.dispatchReady(now);
      this.settle();
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
        parent: this.meta().traceparent ?? null,
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
    const running = this.meta().state === "running";
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
      this.onTaskFailed(t, `attempt ${t.attempt} timed out after ${this.deps().taskTimeoutMs} ms`, false);
    }
  }

  private dispatchReady(now: number): void {
    const meta = this.meta();
    if (meta.state !== "running") return;
    const ready = this.sql.exec<TaskRow>("SELECT * FROM tasks WHERE state = 'ready' AND not_before <= ? ORDER BY ord", now).toArray();
    for (const t of ready) {
      const estimate = estimateTaskCostUsd(t.role as Role, meta.llm[t.role as Role] ?? {}, this.deps().defaultProvider);
      const committed = this.spentUsd() + this.reservedUsd();
      if (meta.budgetUsd !== null && committed + estimate > meta.budgetUsd) {
        this.writeMeta({ ...this.meta(), pausedReason: `budget: ${committed.toFixed(4)} committed + ${estimate.toFixed(4)} estimated for ${t.id} exceeds ${meta.budgetUsd}` });
        this.setProjectState("paused");
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
      this.setTaskState({ ...t, attempt }, "running", {});
      this.outbox.add("task", JSON.stringify(buildTaskMessage(this.sql, this.meta(), { ...t, attempt, traceparent }, now, this.spentUsd())), now);
    }
  }

  // ---------- transitions (always called inside transactionSync) ----------

  private onTaskSucceeded(task: TaskRow, r: ResultMessage): void {
    for (const a of r.artifacts) {
      this.sql.exec(
        "INSERT OR REPLACE INTO artifacts (task_id, path, key, bytes, sha256, content_type) VALUES (?, ?, ?, ?, ?, ?)",
        task.id, a.path, a.key, a.bytes, a.sha256, a.contentType ?? null,
      );
      this.emit("artifact.stored", task.id, { path: a.path, bytes: a.bytes });
    }
    this.sql.exec("UPDATE tasks SET output = ? WHERE id = ?", JSON.stringify(r.output ?? null), task.id);
    const qaFailed = task.role === "qa" && isFailedQa(r.output);
    if (task.role === "qa") this.recordQaVerdict(!qaFailed);
    if (!qaFailed) {
      this.setTaskState(task, "succeeded", { error: null });
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
  private recordQaVerdict(passed: boolean): void {
    const engineers = this.tasks().filter((t) => (t.role === "engineer_fe" || t.role === "engineer_be") && t.state === "succeeded");
    const seen = new Set<string>();
    for (const t of engineers) {
      for (const u of this.sql.exec<UsageRow>("SELECT * FROM usage WHERE task_id = ? AND attempt = ?", t.id, t.attempt).toArray()) {
        const key = `${t.role}|${u.provider}|${u.model}`;
        if (u.provider === "offline" || seen.has(key)) continue;
        seen.add(key);
        const entry: D1Sync = { kind: "router-outcome", role: t.role as Role, provider: u.provider, model: u.model, success: passed };
        this.outbox.add("d1", JSON.stringify(entry), Date.now());
      }
    }
  }

  private onTaskFailed(task: TaskRow, error: string, permanent: boolean): void {
    if (!permanent && task.attempt < task.max_attempts) {
      const delay = retryDelayMs(task.attempt);
      this.sql.exec("UPDATE tasks SET not_before = ? WHERE id = ?", Date.now() + delay, task.id);
      this.setTaskState(task, "ready", { error: `${error} — retrying in ${delay} ms` });
    } else {
      this.setTaskState(task, "failed", { error });
    }
  }

  /** Promotes, blocks and closes the project after any change. */
  private settle(): void {
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

  private promoteReady(): void {
    for (const id of newlyReady(this.statuses())) {
      const t = this.tasks().find((x) => x.id === id)!;
      this.setTaskState(t, "ready", {});
    }
  }

  private setTaskState(t: TaskRow, state: TaskState, opts: { error?: string | null }): void {
    const now = Date.now();
    const finished = TERMINAL_TASK_STATES.includes(state) ? now : null;
    if (opts.error !== undefined) this.sql.exec("UPDATE tasks SET error = ? WHERE id = ?", opts.error, t.id);
    this.sql.exec("UPDATE tasks SET state = ?, finished_at = ? WHERE id = ?", state, finished, t.id);
    this.emit("task.state", t.id, { state, attempt: t.attempt, ...(opts.error ? { error: opts.error } : {}) });
    this.outbox.add("d1", JSON.stringify({ kind: "task", projectId: this.meta().projectId, taskId: t.id, role: t.role, state, attempt: t.attempt, updatedAt: now, seq: this.log.lastSeq() } satisfies D1Sync), now);
  }

  private setProjectState(state: ProjectState): void {
    const meta = this.meta();
    if (meta.state === state) return;
    // Once a project is finished, files of attempts whose results were never applied are garbage.
    if (state === "succeeded" || state === "failed" || state === "cancelled") this.enqueueArtifactGc();
    this.writeMeta({ ...meta, state, updatedAt: Date.now(), pausedReason: state === "paused" ? meta.pausedReason : null });
    this.emit("project.state", null, { state, ...(state === "paused" ? { reason: this.meta().pausedReason } : {}) });
    this.syncProject();
  }

  private recordUsage(r: ResultMessage): void {
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

  private insertTask(spec: TaskSpec, ord: number, feedback: string | null = null): void {
    this.sql.exec(
      "INSERT INTO tasks (id, ord, role, title, deps, state, attempt, max_attempts, feedback) VALUES (?, ?, ?, ?, ?, 'pending', 0, ?, ?)",
      spec.id, ord, spec.role, spec.title, JSON.stringify(spec.deps), this.deps().maxAttempts, feedback,
    );
    this.emit("task.created", spec.id, { task: { id: spec.id, role: spec.role, title: spec.title, deps: spec.deps } });
  }

  private enqueueArtifactGc(): void {
    const keep = this.sql.exec<{ key: string }>("SELECT key FROM artifacts").toArray().map((a) => a.key);
    const entry: D1Sync = { kind: "r2-gc", projectId: this.meta().projectId, keep };
    this.outbox.add("d1", JSON.stringify(entry), Date.now());
  }

  private syncProject(): void {
    const meta = this.meta();
    this.outbox.add("d1", JSON.stringify({ kind: "project", projectId: meta.projectId, state: meta.state, spentUsd: this.spentUsd(), budgetUsd: meta.budgetUsd, updatedAt: Date.now(), seq: this.log.lastSeq() } satisfies D1Sync), Date.now());
  }

  // ---------- small helpers ----------

  private emit(type: EventType, taskId: string | null, data: JsonObject, ts?: number): void {
    this.pending.push(this.log.append(type, taskId, data, ts));
  }

  /**
   * One storage transaction. Events it appended are broadcast only after it commits; if it
   * throws, they were rolled back with it (and their seqs will be reused), so they are dropped.
   */
  private transact(fn: () => void): void {
    const before = this.pending.length;
    try {
      this.ctx.storage.transactionSync(fn);
    } catch (err) {
      this.pending.length = before;
      throw err;
    }
  }

  /** Broadcast only after the transaction that wrote the events has committed. */
  private flushBroadcast(): void {
    const events = this.pending;
    this.pending = [];
    this.sockets.broadcast(events);
  }

  private tasks(): TaskRow[] {
    return this.sql.exec<TaskRow>("SELECT * FROM tasks ORDER BY ord").toArray();
  }

  private statuses() {
    return this.tasks().map((t) => ({ id: t.id, deps: JSON.parse(t.deps) as string[], state: t.state as TaskState }));
  }

  private spentUsd(): number {
    return this.sql.exec<{ s: number | null }>("SELECT SUM(cost_usd) AS s FROM usage").one().s ?? 0;
  }

  private reservedUsd(): number {
    return this.sql.exec<{ s: number | null }>("SELECT SUM(reserved_usd) AS s FROM tasks WHERE state = 'running'").one().s ?? 0;
  }

  private metaOrNull(): ProjectMeta | null {
    const row = this.sql.exec<{ v: string }>("SELECT v FROM meta WHERE k = 'project'").toArray()[0];
    return row ? (JSON.parse(row.v) as ProjectMeta) : null;
  }

  protected meta(): ProjectMeta {
    const meta = this.metaOrNull();
    if (!meta) throw new AppError("not_found", "project not found");
    return meta;
  }

  private writeMeta(meta: ProjectMeta): void {
    this.sql.exec("INSERT OR REPLACE INTO meta (k, v) VALUES ('project', ?)", JSON.stringify({ ...meta, updatedAt: Date.now() }));
  }
}
