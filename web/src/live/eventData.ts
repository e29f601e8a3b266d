import { z } from "zod";
import { Approval, TaskView } from "../../../contracts/api";
import { Usage } from "../../../contracts/llm";
import { ProjectState, TaskState } from "../../../contracts/task";

/**
 * The `data` payload of each event type, as the DO writes it. contracts/events.ts types `data` as an
 * open record, so the dashboard validates the fields it reads here and skips events it cannot read.
 */
export const ProjectStateData = z.object({ state: ProjectState });
export const TaskCreatedData = z.object({
  // Older or slimmer producers may send only the DAG fields; the rest get the values of a fresh task.
  task: TaskView.partial().required({ id: true, role: true }),
});
export const TaskStateData = z.object({
  state: TaskState,
  attempt: z.number().int().optional(),
  error: z.string().nullish(),
});
export const TextData = z.object({ text: z.string(), attempt: z.number().int().optional() });
export const UsageData = Usage;
export const ArtifactData = z.object({ path: z.string(), bytes: z.number().int().nonnegative().optional() });
export const ApprovalData = z.object({ approval: Approval });
