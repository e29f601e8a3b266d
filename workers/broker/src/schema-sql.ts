/** DO SQLite schema. Integers are ms timestamps / Kafka offsets. */
export const SCHEMA: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS topics (name TEXT PRIMARY KEY, partitions INTEGER NOT NULL, created_at INTEGER NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS partitions (topic TEXT NOT NULL, partition INTEGER NOT NULL, next_offset INTEGER NOT NULL, PRIMARY KEY (topic, partition)) WITHOUT ROWID`,
  `CREATE TABLE IF NOT EXISTS records (topic TEXT NOT NULL, partition INTEGER NOT NULL, offset INTEGER NOT NULL, key TEXT, value TEXT NOT NULL, headers TEXT, ts INTEGER NOT NULL, PRIMARY KEY (topic, partition, offset)) WITHOUT ROWID`,
  `CREATE TABLE IF NOT EXISTS members (grp TEXT NOT NULL, instance TEXT NOT NULL, topics TEXT NOT NULL, reset TEXT NOT NULL, auto_commit INTEGER NOT NULL, session_ms INTEGER NOT NULL, last_seen INTEGER NOT NULL, joined_at INTEGER NOT NULL, PRIMARY KEY (grp, instance)) WITHOUT ROWID`,
  `CREATE TABLE IF NOT EXISTS positions (grp TEXT NOT NULL, instance TEXT NOT NULL, topic TEXT NOT NULL, partition INTEGER NOT NULL, position INTEGER NOT NULL, PRIMARY KEY (grp, instance, topic, partition)) WITHOUT ROWID`,
  `CREATE TABLE IF NOT EXISTS committed (grp TEXT NOT NULL, topic TEXT NOT NULL, partition INTEGER NOT NULL, offset INTEGER NOT NULL, PRIMARY KEY (grp, topic, partition)) WITHOUT ROWID`,
];
