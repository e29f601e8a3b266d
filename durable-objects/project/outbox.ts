export interface OutboxEntry extends Record<string, SqlStorageValue> {
  id: number;
  kind: string;
  payload: string;
  attempts: number;
  next_at: number;
  last_error: string | null;
}

const BATCH = 50;

/**
 * Messages written in the same transaction as the state change that implies them, delivered
 * later by the alarm with exponential backoff. An entry is deleted only after delivery succeeds.
 */
export class Outbox {
  constructor(private readonly sql: SqlStorage) {}

  add(kind: string, payload: string, now: number): void {
    this.sql.exec("INSERT INTO outbox (kind, payload, next_at) VALUES (?, ?, ?)", kind, payload, now);
  }

  due(now: number): OutboxEntry[] {
    return this.sql.exec<OutboxEntry>("SELECT * FROM outbox WHERE next_at <= ? ORDER BY id LIMIT ?", now, BATCH).toArray();
  }

  done(id: number): void {
    this.sql.exec("DELETE FROM outbox WHERE id = ?", id);
  }

  failed(entry: OutboxEntry, error: string, now: number): void {
    const attempts = entry.attempts + 1;
    const delay = Math.min(60_000, 500 * 2 ** Math.min(attempts, 7));
    this.sql.exec("UPDATE outbox SET attempts = ?, next_at = ?, last_error = ? WHERE id = ?", attempts, now + delay, error.slice(0, 2000), entry.id);
  }

  dropKind(kind: string): void {
    this.sql.exec("DELETE FROM outbox WHERE kind = ?", kind);
  }

  nextDue(): number | null {
    return this.sql.exec<{ t: number | null }>("SELECT MIN(next_at) AS t FROM outbox").one().t;
  }

  size(): number {
    return this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM outbox").one().n;
  }
}
