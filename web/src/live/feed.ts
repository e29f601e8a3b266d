import type { ProjectState, TaskState } from "@proximus/contracts/task";
import type { ProjectEvent } from "@proximus/contracts/events";
import { taskPhase, type TaskPhase } from "../lib/taskPhase";

/** What the agent feed shows: one entry per log line or state change, one growing entry per streamed answer. */
export type FeedEntry =
  | { kind: "log"; seq: number; ts: number; taskId: string | null; attempt: number | null; text: string }
  | { kind: "tokens"; seq: number; ts: number; taskId: string | null; attempt: number | null; text: string; lastSeq: number }
  | {
      kind: "task";
      seq: number;
      ts: number;
      taskId: string | null;
      attempt: number | null;
      state: TaskState;
      error: string | null;
      /** queued / waiting (with `reason`) when the change left the task held back; otherwise the state. */
      phase: TaskPhase["kind"];
      reason: string | null;
    }
  | { kind: "project"; seq: number; ts: number; state: ProjectState; reason: string | null }
  | { kind: "artifact"; seq: number; ts: number; taskId: string | null; path: string };

/** Appends events (already deduplicated and ordered by the SeqGate) to the feed, returning a new array. */
export function appendFeed(feed: readonly FeedEntry[], events: readonly ProjectEvent[]): FeedEntry[] {
  const out = feed.slice();
  for (const e of events) {
    const base = { seq: e.seq, ts: e.ts };
    switch (e.type) {
      case "task.log":
        out.push({ kind: "log", ...base, taskId: e.taskId, attempt: e.data.attempt ?? null, text: e.data.text });
        break;
      case "task.token": {
        const attempt = e.data.attempt ?? null;
        const i = findTokens(out, e.taskId, attempt);
        const prev = i >= 0 ? out[i] : undefined;
        if (prev && prev.kind === "tokens") out[i] = { ...prev, text: prev.text + e.data.text, lastSeq: e.seq };
        else out.push({ kind: "tokens", ...base, taskId: e.taskId, attempt, text: e.data.text, lastSeq: e.seq });
        break;
      }
      case "task.state": {
        // legacy events omit startedAt on a start; only an explicit null means "not begun".
        const phase = taskPhase({
          state: e.data.state,
          startedAt: e.data.startedAt === undefined ? e.ts : e.data.startedAt,
          waitingFor: e.data.waitingFor ?? null,
        });
        out.push({
          kind: "task",
          ...base,
          taskId: e.taskId,
          attempt: e.data.attempt ?? null,
          state: e.data.state,
          error: e.data.error ?? null,
          phase: phase.kind,
          reason: phase.reason,
        });
        break;
      }
      case "project.state":
        out.push({ kind: "project", ...base, state: e.data.state, reason: e.data.state === "paused" ? (e.data.reason ?? null) : null });
        break;
      case "artifact.stored":
        out.push({ kind: "artifact", ...base, taskId: e.taskId, path: e.data.path });
        break;
      default:
        break;
    }
  }
  return out;
}

function findTokens(feed: readonly FeedEntry[], taskId: string | null, attempt: number | null): number {
  for (let i = feed.length - 1; i >= 0; i--) {
    const f = feed[i];
    if (f && f.kind === "tokens" && f.taskId === taskId && f.attempt === attempt) return i;
  }
  return -1;
}
