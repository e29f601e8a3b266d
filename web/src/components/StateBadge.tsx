import type { ProjectState, TaskState } from "@proximus/contracts/task";

export function StateBadge({ state }: { state: TaskState | ProjectState }) {
  return (
    <span className={`badge state-${state}`} data-state={state}>
      {state}
    </span>
  );
}
