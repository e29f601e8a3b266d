import { useEffect, useId, useRef, useState } from "react";
import type { TaskView } from "@proximus/contracts/api";
import { ROLE_LABELS } from "@proximus/contracts/roles";
import type { FeedEntry } from "../live/feed";
import { StateBadge } from "./StateBadge";

function who(taskId: string | null, tasks: ReadonlyMap<string, TaskView>): string {
  if (!taskId) return "Project";
  const t = tasks.get(taskId);
  return t ? ROLE_LABELS[t.role] : taskId;
}

function time(ts: number): string {
  return new Date(ts).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });
}

export function FeedLine({ entry, tasks, running }: { entry: FeedEntry; tasks: ReadonlyMap<string, TaskView>; running: boolean }) {
  const taskId = "taskId" in entry ? entry.taskId : null;
  const common = { "data-seq": entry.seq, "data-kind": entry.kind, className: `feed-line feed-${entry.kind}` } as const;
  const head = (
    <span className="feed-head">
      <time dateTime={new Date(entry.ts).toISOString()}>{time(entry.ts)}</time> <strong>{who(taskId, tasks)}</strong>
    </span>
  );
  switch (entry.kind) {
    case "log":
      return (
        <li {...common}>
          {head} <span className="feed-text">{entry.text}</span>
        </li>
      );
    case "tokens":
      return (
        <li {...common} data-last-seq={entry.lastSeq} data-task-id={entry.taskId ?? ""}>
          {head} <span className="muted">{entry.attempt && entry.attempt > 1 ? `answer (attempt ${entry.attempt})` : "answer"}</span>
          <pre className={`feed-tokens${running ? " streaming" : ""}`}>{entry.text}</pre>
        </li>
      );
    case "task":
      return (
        <li {...common}>
          {head} <StateBadge state={entry.state} />
          {entry.attempt !== null && entry.attempt > 0 ? <span className="muted"> attempt {entry.attempt}</span> : null}
          {entry.reason ? (
            <span className="feed-reason" data-phase={entry.phase}>
              {" "}
              — {entry.phase}: {entry.reason}
            </span>
          ) : null}
          {entry.error ? <span className="error"> — {entry.error}</span> : null}
        </li>
      );
    case "project":
      return (
        <li {...common}>
          {head} <StateBadge state={entry.state} />
          {entry.reason ? <span className="feed-reason"> — {entry.reason}</span> : null}
        </li>
      );
    case "artifact":
      return (
        <li {...common}>
          {head} stored <code>{entry.path}</code>
        </li>
      );
  }
}

/** The live agent feed, optionally filtered to one task. Sticks to the bottom unless the reader scrolled up. */
export function AgentFeed({ feed, tasks }: { feed: readonly FeedEntry[]; tasks: readonly TaskView[] }) {
  const [filter, setFilter] = useState("");
  const [showTokens, setShowTokens] = useState(true);
  const listRef = useRef<HTMLOListElement>(null);
  const stick = useRef(true);
  const selectId = useId();
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const shown = feed.filter((f) => (!filter || ("taskId" in f && f.taskId === filter)) && (showTokens || f.kind !== "tokens"));

  useEffect(() => {
    const el = listRef.current;
    if (el && stick.current) el.scrollTop = el.scrollHeight;
  });

  return (
    <section className="panel feed" aria-labelledby={`${selectId}-h`}>
      <header className="panel-head">
        <h2 id={`${selectId}-h`}>Agent feed</h2>
        <div className="feed-controls">
          <label htmlFor={selectId}>Task</label>
          <select id={selectId} value={filter} onChange={(e) => setFilter(e.target.value)}>
            <option value="">All tasks</option>
            {tasks.map((t) => (
              <option key={t.id} value={t.id}>{`${ROLE_LABELS[t.role]}: ${t.title}`}</option>
            ))}
          </select>
          <label className="check">
            <input type="checkbox" checked={showTokens} onChange={(e) => setShowTokens(e.target.checked)} /> answers
          </label>
        </div>
      </header>
      <ol
        ref={listRef}
        className="feed-list"
        role="log"
        aria-label="Agent activity"
        tabIndex={0}
        onScroll={(e) => {
          const el = e.currentTarget;
          stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
        }}
      >
        {shown.length === 0 && <li className="muted">No activity yet.</li>}
        {shown.map((f) => (
          <FeedLine key={f.seq} entry={f} tasks={byId} running={f.kind === "tokens" && byId.get(f.taskId ?? "")?.state === "running"} />
        ))}
      </ol>
    </section>
  );
}
