import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import type { ProjectDetail } from "@proximus/contracts/api";
import type { ProjectEvent } from "@proximus/contracts/events";
import { TERMINAL_TASK_STATES } from "@proximus/contracts/task";
import { api, wsUrl } from "../api/endpoints";
import { ApiError } from "../api/http";
import { isSaas } from "../auth/session";
import { appendFeed, type FeedEntry } from "../live/feed";
import { browserSocket, LiveStream, type LiveStatus } from "../live/liveStream";
import { foldEvents } from "@proximus/contracts/project-view";

/** Events that change the project view (the fold ignores the rest; they only feed the agent feed). */
const VIEW_EVENTS = new Set<ProjectEvent["type"]>([
  "project.created",
  "project.state",
  "project.budget",
  "task.created",
  "task.rewired",
  "task.state",
  "task.reset",
  "task.approval",
  "task.output",
  "usage.recorded",
  "artifact.stored",
]);

export interface ProjectLive {
  detail: ProjectDetail | null;
  feed: FeedEntry[];
  status: LiveStatus;
  error: string | null;
  notFound: boolean;
  /** Bumped whenever an artifact is stored, so the artifacts panel knows to reload its list. */
  artifactsVersion: number;
  refresh(): void;
  /** Adopts a ProjectDetail an action returned, so the page shows its effect before the stream catches up. */
  adopt(detail: ProjectDetail): void;
}

/**
 * One project's live view: a REST snapshot rolled forward by the event stream with the one fold
 * every client uses (contracts/project-view.ts). The stream starts at seq 0 so the feed shows the
 * whole history; the snapshot is still refetched when a task finishes, to heal a view that missed
 * events while a tab slept.
 */
export function useProjectLive(projectId: string): ProjectLive {
  const [snapshot, setSnapshot] = useState<ProjectDetail | null>(null);
  const [stateEvents, setStateEvents] = useState<ProjectEvent[]>([]);
  const [feed, setFeed] = useState<FeedEntry[]>([]);
  const [status, setStatus] = useState<LiveStatus>("connecting");
  const [error, setError] = useState<string | null>(null);
  const [notFound, setNotFound] = useState(false);
  const [artifactsVersion, setArtifactsVersion] = useState(0);
  const refetchTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const alive = useRef(true);

  // Two overlapping fetches or actions may resolve out of order: keep the newer snapshot.
  const adopt = useCallback(
    (d: ProjectDetail) => setSnapshot((prev) => (prev && prev.id === d.id && prev.lastSeq > d.lastSeq ? prev : d)),
    [],
  );

  const loadSnapshot = useCallback(async () => {
    try {
      const d = await api.getProject(projectId);
      if (!alive.current) return;
      adopt(d);
      setError(null);
    } catch (err) {
      if (!alive.current) return;
      if (err instanceof ApiError && err.status === 404) setNotFound(true);
      else setError(err instanceof ApiError ? err.userMessage : "Could not load the project");
    }
  }, [projectId, adopt]);

  const refresh = useCallback(() => {
    if (refetchTimer.current) clearTimeout(refetchTimer.current);
    refetchTimer.current = setTimeout(() => void loadSnapshot(), 250);
  }, [loadSnapshot]);

  useEffect(() => {
    alive.current = true;
    setSnapshot(null);
    setStateEvents([]);
    setFeed([]);
    setNotFound(false);
    void loadSnapshot();
    // Tokens arrive one frame each; render at most once per animation frame (or on return to a hidden tab).
    let pending: ProjectEvent[] = [];
    let flushHandle: number | null = null;
    const flush = () => {
      flushHandle = null;
      const batch = pending;
      pending = [];
      if (!alive.current || batch.length === 0) return;
      setFeed((prev) => appendFeed(prev, batch));
      const relevant = batch.filter((e) => VIEW_EVENTS.has(e.type));
      if (relevant.length > 0) setStateEvents((prev) => [...prev, ...relevant]);
      if (batch.some((e) => e.type === "artifact.stored")) setArtifactsVersion((v) => v + 1);
      if (batch.some((e) => e.type === "project.state" || (e.type === "task.state" && TERMINAL_TASK_STATES.includes(e.data.state))))
        refresh();
    };
    const stream = new LiveStream({
      since: 0,
      // SaaS: browsers cannot put a bearer token on an upgrade, so each attempt spends a fresh ticket.
      url: (since) =>
        isSaas()
          ? api.wsTicket(projectId).then((t) => wsUrl(projectId, since, window.location.origin, t.ticket))
          : wsUrl(projectId, since, window.location.origin),
      openSocket: browserSocket,
      fetchEvents: (since) => api.events(projectId, since),
      onStatus: setStatus,
      onError: (message) => setError(message),
      onEvents: (events) => {
        pending.push(...events);
        if (flushHandle === null) flushHandle = requestAnimationFrame(flush);
      },
    });
    stream.start();
    return () => {
      alive.current = false;
      stream.stop();
      if (flushHandle !== null) cancelAnimationFrame(flushHandle);
      if (refetchTimer.current) clearTimeout(refetchTimer.current);
    };
  }, [projectId, loadSnapshot, refresh]);

  const detail = useMemo(() => (snapshot ? foldEvents(snapshot, stateEvents) : null), [snapshot, stateEvents]);
  return { detail, feed, status, error, notFound, artifactsVersion, refresh, adopt };
}
