import { MEMORY_TABLE_SQL } from "../schema";

/** Creates the memory table in a test D1 database from the same SQL the schema file documents. */
export async function createMemoryTable(db: D1Database): Promise<void> {
  await db.batch(MEMORY_TABLE_SQL.map((sql) => db.prepare(sql)));
}

export async function clearMemoryTable(db: D1Database): Promise<void> {
  await db.prepare("DELETE FROM memory_vectors").run();
}
