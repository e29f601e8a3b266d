import { useEffect, useRef, useState, type KeyboardEvent } from "react";
import type { ProjectDetail, TaskView } from "@proximus/contracts/api";
import { ROLE_LABELS } from "@proximus/contracts/roles";
import { api } from "../api/endpoints";
import { ApiError } from "../api/http";
import { bytes, tokens, usd } from "../lib/format";
import { taskPhase } from "../lib/taskPhase";
import { canIntervene } from "../live/approvals";
import type { FeedEntry } from "../live/feed";
import { FeedLine } from "./AgentFeed";
import { ApproveBox } from "./ApproveBox";
import { CopyText } from "./CopyText";
import { InterveneForm } from "./InterveneForm";
import { StateBadge } from "./StateBadge";
import { TaskTiming } from "./TaskTiming";

const APPROVAL_TEXT = {
  none: "Not gated",
  required: "Gated: waits for your approval when done",
  pending: "Waiting for your approval",
  approved: "Approved",
} as const;

interface Props {
  projectId: string;
  task: TaskView;
  tasks: readonly TaskView[];
  feed: readonly FeedEntry[];
  onClose(): void;
  onOpenTask(id: string): void;
  onOpenArtifact(path: string): void;
  onChanged(): void;
  /** An action's returned ProjectDetail, applied at once rather than waiting for the stream. */
  onDetail(detail: ProjectDetail): void;
}

/** Everything about one task: its inputs, output, attempts, logs, models and cost. A modal side panel. */
export function TaskDrawer({ projectId, task, tasks, feed, onClose, onOpenTask, onOpenArtifact, onChanged, onDetail }: Props) {
  const closeRef = useRef<HTMLButtonElement>(null);
  const panelRef = useRef<HTMLElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const mine = feed.filter((f) => "taskId" in f && f.taskId === task.id);
  const attempts = mine.filter((f): f is Extract<FeedEntry, { kind: "task" }> => f.kind === "task");
  const logs = mine.filter((f) => f.kind === "log" || f.kind === "tokens");
  const cost = task.usage.reduce((s, u) => s + u.costUsd, 0);
  const models = [...new Set(task.usage.map((u) => `${u.provider} · ${u.model}`))];
  const tokIn = task.usage.reduce((s, u) => s + u.inputTokens, 0);
  const tokOut = task.usage.reduce((s, u) => s + u.outputTokens, 0);
  const phase = taskPhase(task);

  useEffect(() => {
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    closeRef.current?.focus();
    return () => opener?.focus();
  }, []);

  // Approving or redoing removes the control that had focus (whether the action's answer or the
  // stream's event lands first); pull focus back into the dialog so Esc and Tab still work.
  useEffect(() => {
    const panel = panelRef.current;
    if (panel && !panel.contains(document.activeElement)) closeRef.current?.focus();
  }, [task.approval, task.state]);

  // Esc closes; Tab stays inside the dialog.
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === "Escape") {
      e.stopPropagation();
      onClose();
      return;
    }
    if (e.key !== "Tab" || !panelRef.current) return;
    const focusables = panelRef.current.querySelectorAll<HTMLElement>("button, a[href], input, select, textarea, [tabindex='0']");
    const first = focusables[0];
    const last = focusables[focusables.length - 1];
    if (e.shiftKey && document.activeElement === first) {
      e.preventDefault();
      last?.focus();
    } else if (!e.shiftKey && document.activeElement === last) {
      e.preventDefault();
      first?.focus();
    }
  };

  const retry = async () => {
    setBusy(true);
    setError(null);
    try {
      await api.retryTask(projectId, task.id);
      onChanged();
    } catch (err) {
      setError(err instanceof ApiError ? err.userMessage : "Retry failed");
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="drawer-backdrop" onClick={onClose}>
      <aside
        ref={panelRef}
        className="drawer"
        role="dialog"
        aria-modal="true"
        aria-labelledby="drawer-title"
        onClick={(e) => e.stopPropagation()}
        onKeyDown={onKeyDown}
      >
        <header className="drawer-head">
          <div>
            <p className="eyebrow">{ROLE_LABELS[task.role]}</p>
            <h2 id="drawer-title">{task.title}</h2>
          </div>
          <button ref={closeRef} type="button" className="ghost" onClick={onClose} aria-label="Close task details">
            ✕
          </button>
        </header>

        <dl className="facts">
          <dt>State</dt>
          <dd>
            <StateBadge state={task.state} />
            {phase.kind !== task.state && (
              <span className="task-phase" data-testid="task-phase" data-phase={phase.kind}>
                {" "}
                <strong>{phase.label}</strong>
                {phase.reason ? `: ${phase.reason}` : " (handed off, the agent has not begun)"}
              </span>
            )}
          </dd>
          <dt>Attempt</dt>
          <dd>
            {task.attempt} of {task.maxAttempts}
          </dd>
          <dt>Ended</dt>
          <dd>{task.stopReason ? <code>{task.stopReason.replace(/_/g, " ")}</code> : <span className="muted">not yet</span>}</dd>
          <dt>Timing</dt>
          <dd>
            <TaskTiming task={task} />
          </dd>
          <dt>Model</dt>
          <dd>{models.length ? models.join(", ") : "—"}</dd>
          <dt>Cost</dt>
          <dd>
            {usd(cost)}{" "}
            <span className="muted">
              ({tokens(tokIn)} in / {tokens(tokOut)} out tokens)
            </span>
          </dd>
          <dt>Approval</dt>
          <dd>{APPROVAL_TEXT[task.approval]}</dd>
          <dt>Trace</dt>
          <dd>{task.traceId ? <CopyText value={task.traceId} label="trace id" /> : <span className="muted">not dispatched yet</span>}</dd>
        </dl>

        {task.state === "failed" && (
          <div className="drawer-actions">
            <button type="button" onClick={() => void retry()} disabled={busy}>
              Retry task
            </button>
          </div>
        )}
        {task.error && (
          <p className="error" role="status">
            Error: {task.error}
          </p>
        )}
        {error && (
          <p className="error" role="status">
            {error}
          </p>
        )}
        {task.approval === "pending" && <ApproveBox projectId={projectId} task={task} onDetail={onDetail} />}

        <h3>Inputs</h3>
        {task.deps.length === 0 ? (
          <p className="muted">The idea only.</p>
        ) : (
          <ul className="plain">
            {task.deps.map((d) => {
              const dep = byId.get(d);
              return (
                <li key={d}>
                  <button type="button" className="link" onClick={() => onOpenTask(d)}>
                    {dep ? `${ROLE_LABELS[dep.role]}: ${dep.title}` : d}
                  </button>{" "}
                  {dep && <StateBadge state={dep.state} />}
                </li>
              );
            })}
          </ul>
        )}

        <h3>Output</h3>
        {task.output === null ? (
          <p className="muted">No output yet.</p>
        ) : (
          <pre className="json">{JSON.stringify(task.output, null, 2)}</pre>
        )}

        {canIntervene(task) && <InterveneForm key={task.id} projectId={projectId} task={task} onDetail={onDetail} />}

        {task.artifacts.length > 0 && (
          <>
            <h3>Files</h3>
            <ul className="plain">
              {task.artifacts.map((a) => (
                <li key={a.path}>
                  <button type="button" className="link" onClick={() => onOpenArtifact(a.path)}>
                    {a.path}
                  </button>{" "}
                  <span className="muted">{bytes(a.bytes)}</span>
                </li>
              ))}
            </ul>
          </>
        )}

        <h3>Attempts</h3>
        {attempts.length === 0 ? (
          <p className="muted">Not started.</p>
        ) : (
          <ol className="plain attempts">
            {attempts.map((a) => (
              <FeedLine key={a.seq} entry={a} tasks={byId} running={false} />
            ))}
          </ol>
        )}

        <h3>Logs</h3>
        {logs.length === 0 ? (
          <p className="muted">No logs.</p>
        ) : (
          <ol className="feed-list drawer-logs" aria-label="Task logs">
            {logs.map((f) => (
              <FeedLine key={f.seq} entry={f} tasks={byId} running={task.state === "running"} />
            ))}
          </ol>
        )}
      </aside>
    </div>
  );
}
