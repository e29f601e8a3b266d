import type { EventType, JsonObject, ProjectEvent, ServerFrame } from "../../contracts";

interface EventRow extends Record<string, SqlStorageValue> {
  seq: number;
  ts: number;
  type: string;
  task_id: string | null;
  data: string;
}

const toEvent = (r: EventRow): ProjectEvent => ({
  seq: r.seq,
  ts: r.ts,
  type: r.type as EventType,
  taskId: r.task_id,
  data: JSON.parse(r.data) as JsonObject,
});

/** The append-only event log; `seq` comes from SQLite AUTOINCREMENT so it never repeats or goes back. */
export class EventLog {
  constructor(private readonly sql: SqlStorage) {}

  append(type: EventType, taskId: string | null, data: JsonObject, ts = Date.now()): ProjectEvent {
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
}

export const frame = (f: ServerFrame): string => JSON.stringify(f);
