import { z } from "zod";
import type { ArtifactRef } from "@proximus/contracts";

export type TaskArtifact = ArtifactRef & { taskId: string };

const ArtifactFromRow = z
  .object({
    task_id: z.string(),
    path: z.string(),
    key: z.string(),
    bytes: z.number().int(),
    sha256: z.string(),
    content_type: z.string().nullable(),
  })
  .transform((r): TaskArtifact => ({
    taskId: r.task_id,
    path: r.path,
    key: r.key,
    bytes: r.bytes,
    sha256: r.sha256,
    ...(r.content_type === null ? {} : { contentType: r.content_type }),
  }));

/** Owner of `artifacts`: one file per (task, path); a re-run of the task replaces it. */
export class ArtifactTable {
  constructor(private readonly sql: SqlStorage) {}

  put(taskId: string, a: ArtifactRef): void {
    // REPLACE deletes and re-inserts, so the file moves to the end of the task's list (the fold does the same).
    this.sql.exec(
      "INSERT OR REPLACE INTO artifacts (task_id, path, key, bytes, sha256, content_type) VALUES (?, ?, ?, ?, ?, ?)",
      taskId,
      a.path,
      a.key,
      a.bytes,
      a.sha256,
      a.contentType ?? null,
    );
  }

  /** Every file, in storage order (rowid). */
  all(): TaskArtifact[] {
    return this.sql
      .exec("SELECT * FROM artifacts ORDER BY rowid")
      .toArray()
      .map((r) => ArtifactFromRow.parse(r));
  }

  ofTask(taskId: string): TaskArtifact[] {
    return this.sql
      .exec("SELECT * FROM artifacts WHERE task_id = ? ORDER BY rowid", taskId)
      .toArray()
      .map((r) => ArtifactFromRow.parse(r));
  }

  keys(): string[] {
    return this.sql
      .exec<{ key: string }>("SELECT key FROM artifacts")
      .toArray()
      .map((a) => a.key);
  }
}
