import { AppliedTable } from "./applied";
import { ArtifactTable } from "./artifacts";
import { MetaTable } from "./meta";
import { Outbox } from "./outbox";
import { TaskTable } from "./tasks";
import { UsageTable } from "./usage";

/**
 * The ProjectDO's storage, one owner per table: nothing else in the object writes SQL
 * (the event log, events, is owned by ../event-log.ts; the schema by ../storage-schema.ts).
 */
export class ProjectStore {
  readonly meta: MetaTable;
  readonly tasks: TaskTable;
  readonly usage: UsageTable;
  readonly artifacts: ArtifactTable;
  readonly applied: AppliedTable;
  readonly outbox: Outbox;

  constructor(sql: SqlStorage) {
    this.meta = new MetaTable(sql);
    this.tasks = new TaskTable(sql);
    this.usage = new UsageTable(sql);
    this.artifacts = new ArtifactTable(sql);
    this.applied = new AppliedTable(sql);
    this.outbox = new Outbox(sql);
  }
}

export { isTerminal, type Task, type TaskPatch, type NewTask } from "./tasks";
export type { ProjectMeta } from "./meta";
export type { OutboxEntry } from "./outbox";
export type { UsageEntry } from "./usage";
export type { TaskArtifact } from "./artifacts";
