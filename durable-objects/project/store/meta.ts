import { z } from "zod";
import { AppError, LlmConfig, ProjectState, Role } from "@proximus/contracts";

const ProjectMetaSchema = z.object({
  projectId: z.string(),
  ownerId: z.string(),
  idea: z.string(),
  state: ProjectState,
  budgetUsd: z.number().nullable(),
  llm: z.partialRecord(Role, LlmConfig),
  createdAt: z.number(),
  updatedAt: z.number(),
  pausedReason: z.string().nullable(),
  /** Roles gated on a person's approval (absent on projects created before gates existed). */
  approvals: z.array(Role).optional(),
  /** The trace the project was created in; every task attempt is a child span of it. Absent on projects made before tracing. */
  traceparent: z.string().optional(),
});
export type ProjectMeta = z.infer<typeof ProjectMetaSchema>;

/** Owner of the project's row in `meta` (the table also holds the storage schema version). */
export class MetaTable {
  constructor(private readonly sql: SqlStorage) {}

  getOrNull(): ProjectMeta | null {
    const row = this.sql.exec<{ v: string }>("SELECT v FROM meta WHERE k = 'project'").toArray()[0];
    return row ? ProjectMetaSchema.parse(JSON.parse(row.v)) : null;
  }

  get(): ProjectMeta {
    const meta = this.getOrNull();
    if (!meta) throw new AppError("not_found", "project not found");
    return meta;
  }

  put(meta: ProjectMeta): void {
    this.sql.exec("INSERT OR REPLACE INTO meta (k, v) VALUES ('project', ?)", JSON.stringify(meta));
  }
}
