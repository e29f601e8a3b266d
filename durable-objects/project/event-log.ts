import { ProjectEvent, type EventDataOf, type EventType, type ServerFrame } from "@proximus/contracts";

interface EventRow extends Record<string, SqlStorageValue> {
  seq: number;
  ts: number;
  type: string;
  task_id: string | null;
  data: string;
}

/** Stored events are decoded with the same union clients use, so a stored shape can never drift from it. */
const toEvent = (r: EventRow): ProjectEvent =>
  ProjectEvent.parse({ seq: r.seq, ts: r.ts, type: r.type, taskId: r.task_id, data: JSON.parse(r.data) });

/** Owner of `events`, the append-only log; `seq` comes from SQLite AUTOINCREMENT so it never repeats or goes back. */
export class EventLog {
  constructor(private readonly sql: SqlStorage) {}

  append<T extends EventType>(type: T, taskId: string | null, data: EventDataOf<T>, ts = Date.now()): ProjectEvent {
    const row = this.sql
      .exec<EventRow>(
        "INSERT INTO events (ts, type, task_id, data) VALUES (?, ?, ?, ?) RETURNING seq, ts, type, task_id, data",
        ts,
        type,
        taskId,
        JSON.stringify(data),
      )
      .one();
    return toEvent(row);
  }

  page(since: number, limit: number): ProjectEvent[] {
    return this.sql
      .exec<EventRow>("SELECT seq, ts, type, task_id, data FROM events WHERE seq > ? ORDER BY seq LIMIT ?", since, limit)
      .toArray()
      .map(toEvent);
  }

  lastSeq(): number {
    return this.sql.exec<{ s: number | null }>("SELECT MAX(seq) AS s FROM events").one().s ?? 0;
  }

  /** When the newest event was written: the project's last change. */
  lastTs(): number {
    return this.sql.exec<{ ts: number }>("SELECT ts FROM events ORDER BY seq DESC LIMIT 1").toArray()[0]?.ts ?? 0;
  }
}

export const frame = (f: ServerFrame): string => JSON.stringify(f);
