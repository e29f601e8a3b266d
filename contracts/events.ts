import { z } from "zod";
import { Json } from "./json";
import { Usage } from "./llm";
import { Role } from "./roles";
import { ProjectState, TaskState, type ArtifactRef } from "./task";
import { Approval } from "./api";

/**
 * The `data` of each event type. Every client-visible change of project state is one of these, so
 * folding a project's events (contracts/project-view.ts) rebuilds exactly what `GET /api/projects/:id`
 * returns. Fields marked "legacy" are optional only so events stored before they existed still parse.
 */
export const EventData = {
  "project.created": z.object({
    /** legacy: absent on events written before the fold existed. */
    projectId: z.string().optional(),
    idea: z.string(),
    budgetUsd: z.number().nullable(),
  }),
  "project.state": z.object({
    state: ProjectState,
    /** Why the project is paused; null when it is not. legacy: only set on pauses. */
    reason: z.string().nullable().optional(),
    /** legacy: budget raises were reported here before project.budget existed. */
    budgetUsd: z.number().nullable().optional(),
  }),
  "project.budget": z.object({ budgetUsd: z.number().nullable() }),
  "task.created": z.union([
    z.object({
      task: z.object({
        id: z.string(),
        role: Role,
        title: z.string(),
        deps: z.array(z.string()),
        approval: Approval.optional(),
        maxAttempts: z.number().int().optional(),
      }),
    }),
    /** legacy: fix rounds used to announce a rewire as task.created. */
    z.object({ rewired: z.literal(true), deps: z.array(z.string()) }),
  ]),
  /** A task now waits on other tasks (a QA fix round moved what waited on the failed QA). */
  "task.rewired": z.object({ deps: z.array(z.string()) }),
  "task.state": z.object({
    state: TaskState,
    attempt: z.number().int().optional(),
    /** The task's error after this change (null = none). legacy: omitted when empty. */
    error: z.string().nullish(),
    /** When the agent began the current attempt (null until it did). legacy: the dispatch time, or absent. */
    startedAt: z.number().int().nullish(),
    /** When the current attempt was handed to the bus. legacy: absent. */
    dispatchedAt: z.number().int().nullish(),
    /** Set on terminal states, null otherwise. legacy: absent. */
    finishedAt: z.number().int().nullish(),
    /** W3C trace id of the current attempt. legacy: absent. */
    traceId: z.string().nullish(),
    /** Attempts allowed (a wait on infrastructure does not use one up). legacy: absent. */
    maxAttempts: z.number().int().optional(),
    /** Why a ready task waits beyond its backoff; null = it does not. legacy: absent. */
    waitingFor: z.string().nullish(),
    /** How the latest attempt ended, named. legacy: absent. */
    stopReason: z.string().nullish(),
  }),
  /** A person retried or redid the task: its attempt limit and approval gate start over. */
  "task.reset": z.object({ maxAttempts: z.number().int(), approval: Approval }),
  "task.approval": z.object({ approval: Approval }),
  "task.output": z.object({ output: Json }),
  "task.log": z.object({ attempt: z.number().int().optional(), kind: z.string().optional(), text: z.string() }),
  "task.token": z.object({ attempt: z.number().int().optional(), kind: z.string().optional(), text: z.string() }),
  "usage.recorded": Usage.extend({ attempt: z.number().int().optional() }),
  "artifact.stored": z.object({
    path: z.string(),
    bytes: z.number().int().nonnegative(),
    /** legacy: the reference fields arrived with the fold. */
    key: z.string().optional(),
    sha256: z.string().optional(),
    contentType: z.string().optional(),
  }),
} as const;

export type EventType = keyof typeof EventData;
export const EVENT_TYPES = Object.keys(EventData) as EventType[];
export const EventType = z.enum(EVENT_TYPES as [EventType, ...EventType[]]);
export type EventDataOf<T extends EventType> = z.infer<(typeof EventData)[T]>;

const header = { seq: z.number().int().positive(), ts: z.number().int(), taskId: z.string().nullable() };
const variant = <T extends EventType>(type: T) => z.object({ ...header, type: z.literal(type), data: EventData[type] });

/** One entry of a project's append-only event log; `seq` increases by 1 per project. */
export const ProjectEvent = z.discriminatedUnion("type", [
  variant("project.created"),
  variant("project.state"),
  variant("project.budget"),
  variant("task.created"),
  variant("task.rewired"),
  variant("task.state"),
  variant("task.reset"),
  variant("task.approval"),
  variant("task.output"),
  variant("task.log"),
  variant("task.token"),
  variant("usage.recorded"),
  variant("artifact.stored"),
]);
export type ProjectEvent = z.infer<typeof ProjectEvent>;
export type ProjectEventOf<T extends EventType> = Extract<ProjectEvent, { type: T }>;

/** Server → browser WebSocket frames. */
export const ServerFrame = z.discriminatedUnion("type", [
  z.object({ type: z.literal("hello"), projectId: z.string(), lastSeq: z.number().int().nonnegative() }),
  z.object({ type: z.literal("event"), event: ProjectEvent }),
  z.object({ type: z.literal("pong") }),
  z.object({ type: z.literal("error"), code: z.string(), message: z.string() }),
]);
export type ServerFrame = z.infer<typeof ServerFrame>;

/** Browser → server WebSocket frames. */
export const ClientFrame = z.discriminatedUnion("type", [z.object({ type: z.literal("ping") })]);
export type ClientFrame = z.infer<typeof ClientFrame>;

/** The full reference an artifact event carries; null for legacy events that lack it. */
export function artifactRefOf(data: EventDataOf<"artifact.stored">): ArtifactRef | null {
  if (data.key === undefined || data.sha256 === undefined) return null;
  return {
    path: data.path,
    key: data.key,
    bytes: data.bytes,
    sha256: data.sha256,
    ...(data.contentType === undefined ? {} : { contentType: data.contentType }),
  };
}
