import type { ArtifactRef } from "@proximus/contracts";

/**
 * The project's current files: succeeded tasks in DAG order (`ord`), a later task — a fix
 * round — replacing an earlier file at the same path. QA tests exactly these, the zip contains
 * exactly these: both call this one function.
 */
export function currentFiles(
  tasksInOrder: readonly { id: string; state: string; artifacts: readonly ArtifactRef[] }[],
): (ArtifactRef & { taskId: string })[] {
  const byPath = new Map<string, ArtifactRef & { taskId: string }>();
  for (const t of tasksInOrder) {
    if (t.state !== "succeeded") continue;
    for (const a of t.artifacts) byPath.set(a.path, { ...a, taskId: t.id });
  }
  return [...byPath.values()].sort((a, b) => a.path.localeCompare(b.path));
}
