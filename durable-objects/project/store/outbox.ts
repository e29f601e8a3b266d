import { TaskMessage } from "@proximus/contracts";
import type { D1Sync } from "../project-types";

interface OutboxRecord extends Record<string, SqlStorageValue> {
  id: number;
  kind: string;
  payload: string;
  attempts: number;
  next_at: number;
  last_error: string | null;
}

/** A message waiting for delivery: a task for the bus, or a change to mirror into D1/R2. */
export type OutboxEntry = { id: number; attempts: number } & ({ kind: "task"; message: TaskMessage } | { kind: "d1"; sync: D1Sync });

const BATCH = 50;

/**
 * Owner of `outbox`: messages written in the same transaction as the state change that implies
 * them, delivered later by the alarm with exponential backoff. An entry is deleted only after
 * delivery succeeds.
 */
export class Outbox {
  constructor(private readonly sql: SqlStorage) {}

  addTask(message: TaskMessage, now: number): void {
    this.sql.exec(
      "INSERT INTO outbox (kind, payload, next_at, ref) VALUES ('task', ?, ?, ?)",
      JSON.stringify(message),
      now,
      refOf(message.taskId, message.attempt),
    );
  }

  addSync(sync: D1Sync, now: number): void {
    this.sql.exec("INSERT INTO outbox (kind, payload, next_at) VALUES ('d1', ?, ?)", JSON.stringify(sync), now);
  }

  due(now: number): OutboxEntry[] {
    return this.sql
      .exec<OutboxRecord>("SELECT * FROM outbox WHERE next_at <= ? ORDER BY id LIMIT ?", now, BATCH)
      .toArray()
      .map((r) =>
        r.kind === "task"
          ? { id: r.id, attempts: r.attempts, kind: "task" as const, message: TaskMessage.parse(JSON.parse(r.payload)) }
          : // Written only by addSync from a typed value, in this same object.
            { id: r.id, attempts: r.attempts, kind: "d1" as const, sync: JSON.parse(r.payload) as D1Sync },
      );
  }

  done(id: number): void {
    this.sql.exec("DELETE FROM outbox WHERE id = ?", id);
  }

  failed(entry: Pick<OutboxEntry, "id" | "attempts">, error: string, now: number): void {
    const attempts = entry.attempts + 1;
    const delay = Math.min(60_000, 500 * 2 ** Math.min(attempts, 7));
    this.sql.exec(
      "UPDATE outbox SET attempts = ?, next_at = ?, last_error = ? WHERE id = ?",
      attempts,
      now + delay,
      error.slice(0, 2000),
      entry.id,
    );
  }

  /** Tasks not yet handed to the bus are simply never sent. */
  dropTasks(): void {
    this.sql.exec("DELETE FROM outbox WHERE kind = 'task'");
  }

  /** The hand-off of one attempt, if it is still waiting (e.g. the attempt timed out first). */
  dropTask(taskId: string, attempt: number): void {
    this.sql.exec("DELETE FROM outbox WHERE kind = 'task' AND ref = ?", refOf(taskId, attempt));
  }

  nextDue(): number | null {
    return this.sql.exec<{ t: number | null }>("SELECT MIN(next_at) AS t FROM outbox").one().t;
  }
}

const refOf = (taskId: string, attempt: number) => `${taskId}#${attempt}`;
