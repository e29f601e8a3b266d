import { DurableObject } from "cloudflare:workers";
import {
  AppError,
  type AgentEventMessage,
  type ProjectDetail,
  type ProjectEvent,
  type ResultMessage,
  type TaskMessage,
} from "@proximus/contracts";
import { parseTraceparent } from "@proximus/shared/tracing/traceparent";
import type { ResultSink } from "./dispatcher";
import { EventLog } from "./event-log";
import { ProjectCommands } from "./project-commands";
import { ProjectMachine } from "./project-machine";
import { readProjectDetail } from "./project-state";
import type { InitParams, ProjectDeps } from "./project-types";
import { guard, type RpcResult } from "./rpc-result";
import { SocketHub } from "./sockets";
import { migrateProjectStorage } from "./storage-schema";
import { ProjectStore, type OutboxEntry } from "./store";

/**
 * One project's orchestrator: DAG, attempts, event log and outbox in this object's SQLite.
 * Every state change and the messages it implies are written in one synchronous block, which
 * the runtime commits atomically; the alarm then delivers the outbox (at-least-once).
 *
 * RPC methods are one line each: `command` runs a transition and does everything that must follow
 * one, in order, so no caller can forget a step (a missing alarm would stall the project).
 * Errors come back as values (`RpcResult`): an exception thrown across RPC loses its type.
 */
export abstract class ProjectDOBase extends DurableObject<Env> {
  protected readonly store: ProjectStore;
  protected readonly log: EventLog;
  protected readonly sockets: SocketHub;
  protected readonly m: ProjectMachine;
  protected readonly commands: ProjectCommands;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    migrateProjectStorage(ctx.storage.sql);
    this.store = new ProjectStore(ctx.storage.sql);
    this.log = new EventLog(ctx.storage.sql);
    this.sockets = new SocketHub(ctx, this.log);
    this.m = new ProjectMachine(ctx.storage, this.store, this.log, () => this.deps());
    this.commands = new ProjectCommands(this.m, () => this.deps());
    // Keep-alive pings are answered without waking a hibernated object.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair('{"type":"ping"}', '{"type":"pong"}'));
  }

  protected abstract deps(): ProjectDeps;

  /** How an in-process executor reports back: straight into the same at-most-once paths. */
  private readonly sink: ResultSink = {
    applyResult: async (r) => ({ applied: await this.mutate(() => this.commands.applyResult(r)) }),
    applyAgentEvent: async (e) => {
      await this.mutate(() => this.commands.applyAgentEvent(e), { alarm: changesClock(e) });
    },
  };

  // ---------- RPC surface ----------

  init(p: InitParams): Promise<RpcResult<ProjectDetail>> {
    return this.command(() => this.commands.init(p));
  }
  detail(): Promise<RpcResult<ProjectDetail>> {
    return guard(async () => this.readDetail());
  }
  events(since: number, limit: number): Promise<RpcResult<{ events: ProjectEvent[]; lastSeq: number }>> {
    return guard(async () => (this.m.meta(), { events: this.log.page(since, limit), lastSeq: this.log.lastSeq() }));
  }
  cancel(): Promise<RpcResult<ProjectDetail>> {
    return this.command(() => this.commands.cancel());
  }
  raiseBudget(budgetUsd: number): Promise<RpcResult<ProjectDetail>> {
    return this.command(() => this.commands.raiseBudget(budgetUsd));
  }
  retryTask(taskId: string): Promise<RpcResult<ProjectDetail>> {
    return this.command(() => this.commands.retry(taskId));
  }
  approveTask(taskId: string): Promise<RpcResult<ProjectDetail>> {
    return this.command(() => this.commands.approve(taskId));
  }
  interveneTask(taskId: string, feedback: string): Promise<RpcResult<ProjectDetail>> {
    return this.command(() => this.commands.intervene(taskId, feedback));
  }
  applyResult(result: ResultMessage): Promise<RpcResult<{ applied: boolean }>> {
    return guard(async () => ({ applied: await this.mutate(() => this.commands.applyResult(result)) }));
  }
  applyAgentEvent(event: AgentEventMessage): Promise<RpcResult<null>> {
    return guard(async () => (await this.mutate(() => this.commands.applyAgentEvent(event), { alarm: changesClock(event) }), null));
  }

  /** guard → transact → broadcast → alarm → detail: every command that answers with the project. */
  private command(fn: () => void): Promise<RpcResult<ProjectDetail>> {
    return guard(async () => {
      await this.mutate(fn);
      return this.readDetail();
    });
  }

  /**
   * Runs one transition in a transaction, broadcasts its events once committed and wakes the alarm
   * (which dispatches, times out and delivers whatever the transition implied).
   */
  private async mutate<T>(fn: () => T, opts: { alarm?: boolean } = {}): Promise<T> {
    const value = this.m.transact(fn);
    this.flushBroadcast();
    if (opts.alarm !== false) await this.ctx.storage.setAlarm(Date.now());
    return value;
  }

  private readDetail(): ProjectDetail {
    return readProjectDetail(this.store, this.log);
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
    if (!this.m.metaOrNull()) return;
    const now = Date.now();
    this.m.transact(() => this.commands.tick(now));
    this.flushBroadcast();
    await this.deliverOutbox(now);
    await this.rearm();
    // Durable Objects ignore waitUntil's lifetime hint, but the pending export keeps the object resident; it never rejects.
    const tracer = this.deps().tracer;
    if (tracer?.pending) this.ctx.waitUntil(tracer.flush());
  }

  private async deliverOutbox(now: number): Promise<void> {
    const { dispatcher, syncToD1 } = this.deps();
    await Promise.all(
      this.store.outbox.due(now).map(async (entry: OutboxEntry) => {
        try {
          if (entry.kind === "task") {
            await dispatcher.dispatch(entry.message, this.sink);
            this.commands.handedOff(entry.message);
            this.recordDispatchSpan(entry.message);
          } else await syncToD1(entry.sync);
          this.store.outbox.done(entry.id);
        } catch (err) {
          this.store.outbox.failed(entry, err instanceof Error ? err.message : String(err), Date.now());
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
        attributes: {
          "proximus.project_id": msg.projectId,
          "proximus.task_id": msg.taskId,
          "proximus.attempt": msg.attempt,
          "messaging.destination.name": "ai-org-tasks",
        },
      })
      .end();
  }

  private async rearm(): Promise<void> {
    // Ready tasks only wait on their backoff while the project runs; a paused or finished project
    // must not spin its alarm. Deadlines of attempts in flight and undelivered messages always count.
    const running = this.m.meta().state === "running";
    const next = [
      this.store.outbox.nextDue(),
      this.store.tasks.earliestDeadline(),
      running ? this.store.tasks.earliestReady() : null,
    ].filter((t): t is number => t !== null);
    if (next.length > 0) await this.ctx.storage.setAlarm(Math.max(Date.now(), Math.min(...next)));
  }

  /** Broadcast only after the transaction that wrote the events has committed. */
  private flushBroadcast(): void {
    this.sockets.broadcast(this.m.takePending());
  }
}

/** Lifecycle events move the attempt's deadline, so the alarm must be re-armed; logs and tokens do not. */
const changesClock = (e: AgentEventMessage): boolean => e.kind === "queued" || e.kind === "started";
