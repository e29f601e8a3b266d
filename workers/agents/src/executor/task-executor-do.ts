import { DurableObject } from "cloudflare:workers";
import { z } from "zod";
import { TaskMessage, TOPICS, type AgentEventMessage, type ResultMessage } from "@proximus/contracts";
import { createBus, HEADER_IDEMPOTENCY_KEY, type TaskBus } from "@proximus/shared/bus";
import { executeTask } from "../execute-task";
import type { CheckpointStore } from "../runtime";

/** Runs of one attempt (first run + resumes after the executor died) before it is reported failed. */
export const MAX_RUNS = 3;
/**
 * While a run is in progress the alarm stays armed this far ahead, renewed every RUN_HEARTBEAT_MS:
 * if the run dies (eviction, crash, redeploy), the alarm fires within the lease and resumes it.
 */
const RUN_LEASE_MS = 30_000;
const RUN_HEARTBEAT_MS = 10_000;
/** How often a waiting executor asks the limiter again, and how often it re-announces why it waits. */
const QUEUE_POLL_MS = 1_000;
const QUEUE_ANNOUNCE_MS = 60_000;
/** Below SQLite's 2 MB value limit in Durable Objects, with room for UTF-8. */
const MAX_CHECKPOINT_CHARS = 1_500_000;
/** A finished executor keeps its record this long (a duplicate hand-off stays a no-op), then deletes it. */
const KEEP_DONE_MS = 24 * 60 * 60_000;

const Stored = z.object({
  task: TaskMessage,
  status: z.enum(["waiting", "running", "done"]),
  runs: z.number().int(),
  acceptedAt: z.number(),
  startedAt: z.number().nullable(),
  queuedReason: z.string().nullable(),
  announcedAt: z.number(),
});
type Stored = z.infer<typeof Stored>;

/**
 * One task attempt, from hand-off to result: one object per idempotency key. The consumer stores the
 * task here (`accept`) and commits its offset once that returned, so consumption never waits on an
 * agent; this object's own alarm waits for a slot under the concurrency limits, runs the role agent
 * and produces its events and result. If the run dies (eviction, crash, redeploy), the armed alarm
 * runs it again, at most MAX_RUNS times; the ProjectDO applies a result once per attempt either way.
 */
export class TaskExecutorDO extends DurableObject<Env> {
  private bus: TaskBus | null = null;
  /** This incarnation is running the attempt: a lease alarm that fires meanwhile only renews. */
  private inProgress = false;

  private busOf(): TaskBus {
    this.bus ??= createBus(this.env).bus;
    return this.bus;
  }

  private async load(): Promise<Stored | null> {
    const raw = await this.ctx.storage.get("exec");
    return raw === undefined ? null : Stored.parse(raw);
  }

  private save(s: Stored): Promise<void> {
    return this.ctx.storage.put("exec", s);
  }

  /** Durable hand-off. A second hand-off of the same attempt (bus redelivery) changes nothing. */
  async accept(raw: unknown): Promise<{ accepted: boolean }> {
    const task = TaskMessage.parse(raw);
    if (await this.load()) return { accepted: false };
    await this.save({ task, status: "waiting", runs: 0, acceptedAt: Date.now(), startedAt: null, queuedReason: null, announcedAt: 0 });
    await this.ctx.storage.setAlarm(Date.now());
    return { accepted: true };
  }

  override async alarm(): Promise<void> {
    if (this.inProgress) {
      await this.ctx.storage.setAlarm(Date.now() + RUN_LEASE_MS);
      return;
    }
    const s = await this.load();
    if (!s) return;
    if (s.status === "done") {
      await this.ctx.storage.deleteAll();
      return;
    }
    const now = Date.now();
    if (s.runs >= MAX_RUNS) {
      await this.finish(s, this.failure(s, `the executor stopped ${s.runs} times before the task finished (evicted or crashed)`));
      return;
    }
    const limiter = this.env.TASK_LIMITER.getByName("limits");
    const lease = { key: s.task.idempotencyKey, projectId: s.task.projectId, ownerId: s.task.ownerId };
    const admission = await limiter.acquire(lease);
    if (!admission.granted) {
      // Waiting on a limit is visible on the task: announced when the reason changes, and now and then.
      if (admission.reason !== s.queuedReason || now - s.announcedAt > QUEUE_ANNOUNCE_MS) {
        await this.lifecycle(s.task, "queued", admission.reason);
        s.queuedReason = admission.reason;
        s.announcedAt = now;
        await this.save(s);
      }
      await this.ctx.storage.setAlarm(now + QUEUE_POLL_MS + Math.floor(Math.random() * 250));
      return;
    }
    const resumed = s.runs > 0;
    await this.save({ ...s, status: "running", runs: s.runs + 1, startedAt: s.startedAt ?? now });
    await this.ctx.storage.setAlarm(now + RUN_LEASE_MS);
    await this.lifecycle(s.task, "started", resumed ? `resumed (run ${s.runs + 1} of ${MAX_RUNS})` : "agent started");
    // While it runs, the alarm lease and the concurrency slot are renewed; both lapse if this run dies.
    const renew = setInterval(() => {
      this.ctx.storage.setAlarm(Date.now() + RUN_LEASE_MS).catch(() => undefined);
      limiter.acquire(lease).catch(() => undefined);
    }, RUN_HEARTBEAT_MS);
    this.inProgress = true;
    try {
      const result = await executeTask(this.env, this.busOf(), s.task, { checkpoint: this.checkpoints() });
      await this.finish(s, result, true);
    } finally {
      this.inProgress = false;
      clearInterval(renew);
    }
  }

  /**
   * The agent loop's progress after each step, in this object's SQLite (a row holds up to 2 MB; the
   * KV API's 128 KiB would not fit a conversation with whole files in it). A resumed run reads it back.
   */
  private checkpoints(): CheckpointStore {
    const sql = this.ctx.storage.sql;
    sql.exec("CREATE TABLE IF NOT EXISTS checkpoint (k TEXT PRIMARY KEY, v TEXT NOT NULL)");
    return {
      load: async () => {
        const row = sql.exec<{ v: string }>("SELECT v FROM checkpoint WHERE k = 'loop'").toArray()[0];
        return row ? (JSON.parse(row.v) as unknown) : null;
      },
      save: async (value) => {
        const text = JSON.stringify(value);
        if (text.length > MAX_CHECKPOINT_CHARS) {
          console.warn("checkpoint too large to keep; a resumed run would start this task over", { chars: text.length });
          return;
        }
        sql.exec("INSERT OR REPLACE INTO checkpoint (k, v) VALUES ('loop', ?)", text);
      },
    };
  }

  /** Marks the attempt done (the result is on the bus already when `produced`), frees its slot, schedules the clean-up. */
  private async finish(s: Stored, result: ResultMessage, produced = false): Promise<void> {
    if (!produced)
      await this.busOf().produce(TOPICS.results, [
        { key: result.projectId, value: result, headers: { [HEADER_IDEMPOTENCY_KEY]: s.task.idempotencyKey } },
      ]);
    await this.save({ ...s, status: "done" });
    await this.env.TASK_LIMITER.getByName("limits").release(s.task.idempotencyKey);
    await this.ctx.storage.setAlarm(Date.now() + KEEP_DONE_MS);
  }

  private failure(s: Stored, error: string): ResultMessage {
    const now = Date.now();
    const t = s.task;
    return {
      v: 1,
      projectId: t.projectId,
      taskId: t.taskId,
      attempt: t.attempt,
      idempotencyKey: t.idempotencyKey,
      status: "failed",
      artifacts: [],
      usage: [],
      error,
      permanent: false,
      startedAt: s.startedAt ?? now,
      finishedAt: now,
    };
  }

  /** queued / started reach the ProjectDO like any agent event; best effort (the result is what counts). */
  private async lifecycle(t: TaskMessage, kind: "queued" | "started", text: string): Promise<void> {
    const event: AgentEventMessage = { v: 1, projectId: t.projectId, taskId: t.taskId, attempt: t.attempt, kind, text, ts: Date.now() };
    await this.busOf()
      .produce(TOPICS.events, [{ key: t.projectId, value: event, headers: { [HEADER_IDEMPOTENCY_KEY]: t.idempotencyKey } }])
      .catch((err: unknown) =>
        console.warn("dropped a lifecycle event", { taskId: t.taskId, kind, error: err instanceof Error ? err.message : String(err) }),
      );
  }
}
