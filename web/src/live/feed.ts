import type { ProjectState, TaskState } from "../../../contracts/task";
import type { ProjectEvent } from "../../../contracts/events";
import { ArtifactData, ProjectStateData, TaskStateData, TextData } from "./eventData";

/** What the agent feed shows: one entry per log line or state change, one growing entry per streamed answer. */
export type FeedEntry =
  | { kind: "log"; seq: number; ts: number; taskId: string | null; attempt: number | null; text: string }
  | { kind: "tokens"; seq: number; ts: number; taskId: string | null; attempt: number | null; text: string; lastSeq: number }
  | { kind: "task"; seq: number; ts: number; taskId: string | null; attempt: number | null; state: TaskState; error: string | null }
  | { kind: "project"; seq: number; ts: number; state: ProjectState }
  | { kind: "artifact"; seq: number; ts: number; taskId: string | null; path: string };

/** Appends events (already deduplicated and ordered by the SeqGate) to the feed, returning a new array. */
export function appendFeed(feed: readonly FeedEntry[], events: readonly ProjectEvent[]): FeedEntry[] {
  const out = feed.slice();
  for (const e of events) {
    const base = { seq: e.seq, ts: e.ts };
    switch (e.type) {
      case "task.log": {
        const p = TextData.safeParse(e.data);
        if (p.success) out.push({ kind: "log", ...base, taskId: e.taskId, attempt: p.data.attempt ?? null, text: p.data.text });
        break;
      }
      case "task.token": {
        const p = TextData.safeParse(e.data);
        if (!p.success) break;
        const attempt = p.data.attempt ?? null;
        const i = findTokens(out, e.taskId, attempt);
        const prev = i >= 0 ? out[i] : undefined;
        if (prev && prev.kind === "tokens") out[i] = { ...prev, text: prev.text + p.data.text, lastSeq: e.seq };
        else out.push({ kind: "tokens", ...base, taskId: e.taskId, attempt, text: p.data.text, lastSeq: e.seq });
        break;
      }
      case "task.state": {
        const p = TaskStateData.safeParse(e.data);
        if (p.success) out.push({ kind: "task", ...base, taskId: e.taskId, attempt: p.data.attempt ?? null, state: p.data.state, error: p.data.error ?? null });
        break;
      }
      case "project.state": {
        const p = ProjectStateData.safeParse(e.data);
        if (p.success) out.push({ kind: "project", ...base, state: p.data.state });
        break;
      }
      case "artifact.stored": {
        const p = ArtifactData.safeParse(e.data);
        if (p.success) out.push({ kind: "artifact", ...base, taskId: e.taskId, path: p.data.path });
        break;
      }
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
