import { useState } from "react";
import type { TaskView } from "@proximus/contracts/api";
import { ROLE_LABELS } from "@proximus/contracts/roles";
import { api } from "../api/endpoints";
import { ApiError } from "../api/http";
import { AgentFeed } from "../components/AgentFeed";
import { ApprovalBanner } from "../components/ApprovalBanner";
import { ArtifactsPanel } from "../components/ArtifactsPanel";
import { BudgetBanner } from "../components/BudgetBanner";
import { CostMeter } from "../components/CostMeter";
import { DagGraph } from "../components/DagGraph";
import { StateBadge } from "../components/StateBadge";
import { TaskDrawer } from "../components/TaskDrawer";
import { UsageChart } from "../components/UsageChart";
import { duration, usd, when } from "../lib/format";
import { taskPhase } from "../lib/taskPhase";
import { useProjectLive } from "../hooks/useProjectLive";
import { awaitingApproval } from "../live/approvals";
import { Link } from "../router";

/** The state, and why a handed-off or ready task is not working yet (the full reason on hover). */
function TaskStateCell({ task }: { task: TaskView }) {
  const phase = taskPhase(task);
  return (
    <>
      <StateBadge state={task.state} />
      {phase.reason && (
        <span className="muted" data-phase={phase.kind} title={phase.reason}>
          {" "}
          {phase.label}
        </span>
      )}
    </>
  );
}

const STATUS_TEXT = { connecting: "Connecting…", live: "Live", reconnecting: "Reconnecting…", closed: "Offline" } as const;

export function ProjectPage({ projectId }: { projectId: string }) {
  const live = useProjectLive(projectId);
  const [openTask, setOpenTask] = useState<string | null>(null);
  const [file, setFile] = useState<string | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const d = live.detail;

  if (live.notFound) {
    return (
      <div className="page">
        <p role="alert">
          Project not found. <Link to="/">Back to projects</Link>
        </p>
      </div>
    );
  }
  if (!d) {
    return (
      <div className="page">
        <p className="muted">{live.error ?? "Loading project…"}</p>
      </div>
    );
  }

  const active = d.state === "running" || d.state === "paused";
  const task = openTask ? d.tasks.find((t) => t.id === openTask) : undefined;
  const done = d.tasks.filter((t) => t.state === "succeeded").length;

  const cancel = async () => {
    if (!window.confirm("Stop this project? Running tasks are cancelled.")) return;
    try {
      await api.cancelProject(d.id);
      live.refresh();
    } catch (err) {
      setActionError(err instanceof ApiError ? err.userMessage : "Could not stop the project");
    }
  };

  return (
    <div className="page project-page" data-project-state={d.state}>
      <header className="project-head">
        <div className="project-title">
          <p className="eyebrow">
            <Link to="/">Projects</Link> / <code>{d.id}</code>
          </p>
          <h1>{d.idea}</h1>
          <p className="muted">
            <StateBadge state={d.state} /> {done}/{d.tasks.length} tasks done · started {when(d.createdAt)} ·{" "}
            <span className={`conn conn-${live.status}`} role="status" data-testid="conn-status">
              {STATUS_TEXT[live.status]}
            </span>
          </p>
        </div>
        <div className="project-side">
          <CostMeter spentUsd={d.spentUsd} budgetUsd={d.budgetUsd} />
          {active && (
            <button type="button" className="danger" onClick={() => void cancel()}>
              Stop project
            </button>
          )}
        </div>
      </header>

      {d.state === "paused" && (
        <BudgetBanner projectId={d.id} spentUsd={d.spentUsd} budgetUsd={d.budgetUsd} reason={d.pausedReason} onChanged={live.refresh} />
      )}
      <ApprovalBanner waiting={awaitingApproval(d.tasks)} onOpen={setOpenTask} />
      {d.state === "failed" && (
        <p className="banner banner-error" role="alert">
          The project failed. Open a red task to see why and retry it.
        </p>
      )}
      {(live.error || actionError) && (
        <p className="error" role="alert">
          {actionError ?? live.error}
        </p>
      )}

      <div className="project-grid">
        <section className="panel graph-panel" aria-labelledby="dag-h">
          <header className="panel-head">
            <h2 id="dag-h">Task graph</h2>
            <ul className="legend" aria-label="Legend">
              {(["pending", "ready", "running", "succeeded", "failed", "cancelled"] as const).map((s) => (
                <li key={s}>
                  <span className={`dot state-${s}`} aria-hidden="true" />
                  {s}
                </li>
              ))}
              <li>
                <span className="dot approval-pending" aria-hidden="true" />
                awaiting approval
              </li>
            </ul>
          </header>
          <DagGraph tasks={d.tasks} onOpen={setOpenTask} />
        </section>

        <AgentFeed feed={live.feed} tasks={d.tasks} />

        <section className="panel tasks-panel" aria-labelledby="tasks-h">
          <h2 id="tasks-h">Tasks</h2>
          <div className="table-wrap">
            <table className="tasks">
              <thead>
                <tr>
                  <th scope="col">Task</th>
                  <th scope="col">State</th>
                  <th scope="col">Attempt</th>
                  <th scope="col">Time</th>
                  <th scope="col">Cost</th>
                </tr>
              </thead>
              <tbody>
                {d.tasks.map((t) => (
                  <tr key={t.id} data-task-id={t.id} data-state={t.state}>
                    <td>
                      <button type="button" className="link" onClick={() => setOpenTask(t.id)}>
                        {ROLE_LABELS[t.role]}: {t.title}
                      </button>
                    </td>
                    <td>
                      <TaskStateCell task={t} />
                    </td>
                    <td>
                      {t.attempt}/{t.maxAttempts}
                    </td>
                    <td>{duration(t.startedAt, t.finishedAt)}</td>
                    <td>{usd(t.usage.reduce((s, u) => s + u.costUsd, 0))}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>

        <section className="panel usage-panel" aria-labelledby="usage-h">
          <h2 id="usage-h">Usage</h2>
          <UsageChart tasks={d.tasks} />
        </section>

        <ArtifactsPanel projectId={d.id} version={live.artifactsVersion} selected={file} onSelect={setFile} />
      </div>

      {task && (
        <TaskDrawer
          projectId={d.id}
          task={task}
          tasks={d.tasks}
          feed={live.feed}
          onClose={() => setOpenTask(null)}
          onOpenTask={setOpenTask}
          onOpenArtifact={(p) => {
            setFile(p);
            setOpenTask(null);
          }}
          onChanged={live.refresh}
          onDetail={live.adopt}
        />
      )}
    </div>
  );
}
