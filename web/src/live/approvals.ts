import type { TaskView } from "@proximus/contracts/api";

/** The tasks whose finished output waits for a person, in DAG order: the banner points at the first. */
export function awaitingApproval(tasks: readonly TaskView[]): TaskView[] {
  return tasks.filter((t) => t.approval === "pending");
}

/** A person can redo a task only once it has an outcome; the server answers 409 otherwise. */
export function canIntervene(task: TaskView): boolean {
  return task.state === "succeeded" || task.state === "failed";
}
