import type { ArtifactRef, ProjectVersion, Role } from "@proximus/contracts";

interface TaskFiles {
  id: string;
  role: Role;
  title: string;
  state: string;
  finishedAt: number | null;
  artifacts: readonly ArtifactRef[];
}

/**
 * The project's workspace history: version 0 is empty, and every succeeded task that stored files
 * (in DAG order, as `currentFiles` applies them) makes the next version. A version's files are
 * what the zip would have held right after that task.
 */
export function projectVersions(tasksInOrder: readonly TaskFiles[]): {
  versions: ProjectVersion[];
  filesAt(version: number): Map<string, ArtifactRef>;
} {
  const snapshots: Map<string, ArtifactRef>[] = [new Map()];
  const versions: ProjectVersion[] = [];
  for (const t of tasksInOrder) {
    if (t.state !== "succeeded" || t.artifacts.length === 0) continue;
    const before = snapshots[snapshots.length - 1]!;
    const after = new Map(before);
    const changed: ProjectVersion["changed"] = [];
    for (const a of t.artifacts) {
      const old = before.get(a.path);
      if (old?.sha256 === a.sha256) continue;
      changed.push({ path: a.path, status: old ? "modified" : "added", bytes: a.bytes });
      after.set(a.path, a);
    }
    if (changed.length === 0) continue;
    snapshots.push(after);
    versions.push({
      version: snapshots.length - 1,
      taskId: t.id,
      role: t.role,
      title: t.title,
      finishedAt: t.finishedAt,
      files: after.size,
      changed,
    });
  }
  return {
    versions,
    filesAt: (version) => {
      const s = snapshots[version];
      if (!s) throw new RangeError(`no version ${version}`);
      return s;
    },
  };
}
