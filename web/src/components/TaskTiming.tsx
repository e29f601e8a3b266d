import { useEffect, useState } from "react";
import type { TaskView } from "@proximus/contracts/api";
import { elapsed } from "../lib/format";
import { taskTiming } from "../lib/taskPhase";

const clock = (ms: number) => new Date(ms).toLocaleTimeString();

/** Re-renders every second while `on`, so a wait or a run that is still going counts up. */
function useNow(on: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!on) return;
    const id = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(id);
  }, [on]);
  return on ? now : Date.now();
}

/**
 * The current attempt's timeline: handed off → agent started (the wait on concurrency limits) →
 * finished (the run time). A queued attempt has no start yet, so its wait counts up.
 */
export function TaskTiming({ task }: { task: TaskView }) {
  const live = task.dispatchedAt !== null && task.finishedAt === null;
  const now = useNow(live);
  if (task.dispatchedAt === null) return <span className="muted">not dispatched yet</span>;
  const { queueMs, runMs } = taskTiming(task, now);
  const soFar = task.finishedAt === null ? " so far" : "";
  return (
    <span className="timing" data-testid="task-timing">
      <span>dispatched {clock(task.dispatchedAt)}</span>
      {task.startedAt === null && task.finishedAt !== null ? (
        // Cancelled or timed out in the queue — or its agent's start was never reported.
        <span data-testid="queue-wait">
          {" → "}ended {clock(task.finishedAt)}{" "}
          <span className="muted">({elapsed(queueMs ?? 0)} after the hand-off; no agent start reported)</span>
        </span>
      ) : task.startedAt === null ? (
        <span data-testid="queue-wait">
          {" → "}not started{" "}
          <span className="muted">
            (queued {elapsed(queueMs ?? 0)}
            {soFar})
          </span>
        </span>
      ) : (
        <span data-testid="queue-wait">
          {" → "}started {clock(task.startedAt)} <span className="muted">(queued {elapsed(queueMs ?? 0)})</span>
        </span>
      )}
      {runMs !== null && (
        <span data-testid="run-time">
          {task.finishedAt === null ? " → running " : ` → finished ${clock(task.finishedAt)} `}
          <span className="muted">
            (ran {elapsed(runMs)}
            {soFar})
          </span>
        </span>
      )}
    </span>
  );
}
