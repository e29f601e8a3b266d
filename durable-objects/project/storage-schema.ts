/**
 * The ProjectDO's own SQLite tables. Versioned by `user_version` so a deployed DO upgrades in place.
 * Timestamps are integer ms.
 */
export const PROJECT_DO_MIGRATIONS: string[] = [
  `CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
   CREATE TABLE IF NOT EXISTS tasks (
     id TEXT PRIMARY KEY,
     ord INTEGER NOT NULL,
     role TEXT NOT NULL,
     title TEXT NOT NULL,
     deps TEXT NOT NULL,
     state TEXT NOT NULL,
     attempt INTEGER NOT NULL DEFAULT 0,
     max_attempts INTEGER NOT NULL,
     not_before INTEGER NOT NULL DEFAULT 0,
     deadline INTEGER,
     feedback TEXT,
     reserved_usd REAL NOT NULL DEFAULT 0,
     output TEXT,
     error TEXT,
     started_at INTEGER,
     finished_at INTEGER
   );
   CREATE TABLE IF NOT EXISTS artifacts (
     task_id TEXT NOT NULL, path TEXT NOT NULL, key TEXT NOT NULL, bytes INTEGER NOT NULL,
     sha256 TEXT NOT NULL, content_type TEXT, PRIMARY KEY (task_id, path)
   );
   CREATE TABLE IF NOT EXISTS usage (
     id INTEGER PRIMARY KEY AUTOINCREMENT, task_id TEXT NOT NULL, attempt INTEGER NOT NULL,
     provider TEXT NOT NULL, model TEXT NOT NULL, input_tokens INTEGER NOT NULL,
     output_tokens INTEGER NOT NULL, cost_usd REAL NOT NULL, ts INTEGER NOT NULL
   );
   CREATE TABLE IF NOT EXISTS events (
     seq INTEGER PRIMARY KEY AUTOINCREMENT, ts INTEGER NOT NULL, type TEXT NOT NULL,
     task_id TEXT, data TEXT NOT NULL
   );
   CREATE TABLE IF NOT EXISTS outbox (
     id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, payload TEXT NOT NULL,
     attempts INTEGER NOT NULL DEFAULT 0, next_at INTEGER NOT NULL, last_error TEXT
   );
   CREATE TABLE IF NOT EXISTS applied (idem TEXT PRIMARY KEY, ts INTEGER NOT NULL);`,
  // W3C traceparent handed to the latest attempt of each task (its trace id is shown in the API).
  `ALTER TABLE tasks ADD COLUMN traceparent TEXT;`,
  // Approval gates (none | required | pending | approved): see contracts Approval.
  `ALTER TABLE tasks ADD COLUMN approval TEXT NOT NULL DEFAULT 'none';`,
  // Which attempt a task message hands off (`taskId#attempt`), so a timed-out hand-off is dropped by key.
  `ALTER TABLE outbox ADD COLUMN ref TEXT;
   UPDATE outbox SET ref = json_extract(payload, '$.taskId') || '#' || json_extract(payload, '$.attempt') WHERE kind = 'task';
   CREATE INDEX IF NOT EXISTS outbox_ref ON outbox (ref);`,
  // A task waiting on infrastructure (an unavailable sandbox host): why, and since when (its wait is bounded).
  `ALTER TABLE tasks ADD COLUMN waiting_for TEXT;
   ALTER TABLE tasks ADD COLUMN waiting_since INTEGER;`,
  // The attempt's hand-off time; started_at becomes the time its agent began (issue: queued behind limits).
  `ALTER TABLE tasks ADD COLUMN dispatched_at INTEGER;`,
  // How the latest attempt ended, named (the agent loop's stop reason, or timeout).
  `ALTER TABLE tasks ADD COLUMN stop_reason TEXT;`,
];

export function migrateProjectStorage(sql: SqlStorage): void {
  sql.exec("CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL)");
  const current = Number(sql.exec<{ v: string }>("SELECT v FROM meta WHERE k = 'schema_version'").toArray()[0]?.v ?? 0);
  for (let i = current; i < PROJECT_DO_MIGRATIONS.length; i++) {
    sql.exec(PROJECT_DO_MIGRATIONS[i]!);
    sql.exec("INSERT OR REPLACE INTO meta (k, v) VALUES ('schema_version', ?)", String(i + 1));
  }
}
