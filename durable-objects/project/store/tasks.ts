import { z } from "zod";
import { Approval, Json, Role, TaskState, TERMINAL_TASK_STATES } from "@proximus/contracts";

interface TaskRecord extends Record<string, SqlStorageValue> {
  id: string;
  ord: number;
  role: string;
  title: string;
  deps: string;
  state: string;
  attempt: number;
  max_attempts: number;
  not_before: number;
  deadline: number | null;
  feedback: string | null;
  reserved_usd: number;
  output: string | null;
  error: string | null;
  started_at: number | null;
  finished_at: number | null;
  traceparent: string | null;
  approval: string;
  waiting_for: string | null;
  waiting_since: number | null;
  dispatched_at: number | null;
  stop_reason: string | null;
}

const jsonText = <T extends z.ZodType>(schema: T) =>
  z.string().transform((s, ctx) => {
    try {
      return schema.parse(JSON.parse(s)) as z.infer<T>;
    } catch {
      ctx.addIssue({ code: "custom", message: "stored JSON does not match its schema" });
      return z.NEVER;
    }
  });

/** A row of `tasks`, decoded: the only place that knows its columns. */
const TaskFromRow = z
  .object({
    id: z.string(),
    ord: z.number(),
    role: Role,
    title: z.string(),
    deps: jsonText(z.array(z.string())),
    state: TaskState,
    attempt: z.number().int(),
    max_attempts: z.number().int(),
    not_before: z.number(),
    deadline: z.number().nullable(),
    feedback: z.string().nullable(),
    reserved_usd: z.number(),
    output: jsonText(Json).nullable(),
    error: z.string().nullable(),
    started_at: z.number().nullable(),
    finished_at: z.number().nullable(),
    traceparent: z.string().nullable(),
    approval: Approval,
    waiting_for: z.string().nullable(),
    waiting_since: z.number().nullable(),
    dispatched_at: z.number().nullable(),
    stop_reason: z.string().nullable(),
  })
  .transform((r) => ({
    id: r.id,
    ord: r.ord,
    role: r.role,
    title: r.title,
    deps: r.deps,
    state: r.state,
    attempt: r.attempt,
    maxAttempts: r.max_attempts,
    notBefore: r.not_before,
    deadline: r.deadline,
    feedback: r.feedback,
    reservedUsd: r.reserved_usd,
    output: r.output,
    error: r.error,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    traceparent: r.traceparent,
    approval: r.approval,
    waitingFor: r.waiting_for,
    waitingSince: r.waiting_since,
    dispatchedAt: r.dispatched_at,
    stopReason: r.stop_reason,
  }));
export type Task = z.output<typeof TaskFromRow>;

/** The columns a transition may change, by their typed names. */
export type TaskPatch = Partial<Omit<Task, "id" | "ord" | "role" | "title">>;

const COLUMN: Record<keyof TaskPatch, string> = {
  deps: "deps",
  state: "state",
  attempt: "attempt",
  maxAttempts: "max_attempts",
  notBefore: "not_before",
  deadline: "deadline",
  feedback: "feedback",
  reservedUsd: "reserved_usd",
  output: "output",
  error: "error",
  startedAt: "started_at",
  finishedAt: "finished_at",
  traceparent: "traceparent",
  approval: "approval",
  waitingFor: "waiting_for",
  waitingSince: "waiting_since",
  dispatchedAt: "dispatched_at",
  stopReason: "stop_reason",
};

function encode(key: keyof TaskPatch, value: TaskPatch[keyof TaskPatch]): SqlStorageValue {
  if (key === "deps" || key === "output") return value === null ? null : JSON.stringify(value);
  return value as SqlStorageValue;
}

export interface NewTask {
  id: string;
  ord: number;
  role: Role;
  title: string;
  deps: string[];
  maxAttempts: number;
  feedback: string | null;
  approval: Approval;
}

/** Owner of the `tasks` table: every statement on it is here, and rows leave it decoded. */
export class TaskTable {
  constructor(private readonly sql: SqlStorage) {}

  private decode(rows: TaskRecord[]): Task[] {
    return rows.map((r) => TaskFromRow.parse(r));
  }

  all(): Task[] {
    return this.decode(this.sql.exec<TaskRecord>("SELECT * FROM tasks ORDER BY ord").toArray());
  }

  get(id: string): Task | null {
    return this.decode(this.sql.exec<TaskRecord>("SELECT * FROM tasks WHERE id = ?", id).toArray())[0] ?? null;
  }

  inState(state: TaskState): Task[] {
    return this.decode(this.sql.exec<TaskRecord>("SELECT * FROM tasks WHERE state = ? ORDER BY ord", state).toArray());
  }

  /** Ready tasks whose backoff is over, in DAG order. */
  readyDue(now: number): Task[] {
    return this.decode(
      this.sql.exec<TaskRecord>("SELECT * FROM tasks WHERE state = 'ready' AND not_before <= ? ORDER BY ord", now).toArray(),
    );
  }

  /** Running attempts past their deadline. */
  expired(now: number): Task[] {
    return this.decode(
      this.sql.exec<TaskRecord>("SELECT * FROM tasks WHERE state = 'running' AND deadline < ? ORDER BY ord", now).toArray(),
    );
  }

  insert(t: NewTask): Task {
    this.sql.exec(
      "INSERT INTO tasks (id, ord, role, title, deps, state, attempt, max_attempts, feedback, approval) VALUES (?, ?, ?, ?, ?, 'pending', 0, ?, ?, ?)",
      t.id,
      t.ord,
      t.role,
      t.title,
      JSON.stringify(t.deps),
      t.maxAttempts,
      t.feedback,
      t.approval,
    );
    return this.get(t.id)!;
  }

  /** Writes the given columns and returns the task as it now is. */
  update(id: string, patch: TaskPatch): Task {
    const keys = Object.keys(patch) as (keyof TaskPatch)[];
    if (keys.length > 0) {
      this.sql.exec(
        `UPDATE tasks SET ${keys.map((k) => `${COLUMN[k]} = ?`).join(", ")} WHERE id = ?`,
        ...keys.map((k) => encode(k, patch[k])),
        id,
      );
    }
    const task = this.get(id);
    if (!task) throw new Error(`no task ${id}`);
    return task;
  }

  /** Sets the deadline of an attempt that is still running (a late hand-off of an old attempt changes nothing). */
  startClock(id: string, attempt: number, deadline: number): void {
    this.sql.exec("UPDATE tasks SET deadline = ? WHERE id = ? AND attempt = ? AND state = 'running'", deadline, id, attempt);
  }

  nextOrd(): number {
    return (this.sql.exec<{ m: number | null }>("SELECT MAX(ord) AS m FROM tasks").one().m ?? -1) + 1;
  }

  reservedUsd(): number {
    return this.sql.exec<{ s: number | null }>("SELECT SUM(reserved_usd) AS s FROM tasks WHERE state = 'running'").one().s ?? 0;
  }

  earliestDeadline(): number | null {
    return this.sql.exec<{ t: number | null }>("SELECT MIN(deadline) AS t FROM tasks WHERE state = 'running'").one().t;
  }

  earliestReady(): number | null {
    return this.sql.exec<{ t: number | null }>("SELECT MIN(not_before) AS t FROM tasks WHERE state = 'ready'").one().t;
  }
}

export const isTerminal = (t: Pick<Task, "state">): boolean => TERMINAL_TASK_STATES.includes(t.state);
