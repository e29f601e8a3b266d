import { blob, index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * The embedded memory store (D1). One row per memory; `vector` holds little-endian float32 bytes.
 * To be added to workers/gateway/src/db/schema.ts so drizzle-kit generates its migration;
 * MEMORY_TABLE_SQL below is the same table for tests and must stay in step (memory-schema.test.ts checks).
 */
export const memoryVectors = sqliteTable(
  "memory_vectors",
  {
    projectId: text("project_id").notNull(),
    id: text("id").notNull(),
    taskId: text("task_id").notNull(),
    kind: text("kind").notNull(),
    text: text("text").notNull(),
    /** Which embedder made `vector`; recall compares only vectors of the current embedder. */
    embedder: text("embedder").notNull(),
    vector: blob("vector").notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.projectId, t.id] }),
    // recall pages through one project's vectors of one embedder in id order
    index("memory_vectors_scan").on(t.projectId, t.embedder, t.id),
    // eviction drops a project's oldest rows beyond the cap
    index("memory_vectors_age").on(t.projectId, t.createdAt),
  ],
);

export const MEMORY_TABLE_SQL = [
  `CREATE TABLE IF NOT EXISTS memory_vectors (
    project_id text NOT NULL,
    id text NOT NULL,
    task_id text NOT NULL,
    kind text NOT NULL,
    text text NOT NULL,
    embedder text NOT NULL,
    vector blob NOT NULL,
    created_at integer NOT NULL,
    PRIMARY KEY(project_id, id)
  )`,
  "CREATE INDEX IF NOT EXISTS memory_vectors_scan ON memory_vectors (project_id, embedder, id)",
  "CREATE INDEX IF NOT EXISTS memory_vectors_age ON memory_vectors (project_id, created_at)",
];
