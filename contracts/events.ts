import { z } from "zod";
import { Json } from "./json";

/** Types of entries in a project's event log. Every DAG transition is one of these. */
export const EVENT_TYPES = [
  "project.created",
  "project.state",
  "task.created",
  "task.state",
  "task.log",
  "task.approval",
  "task.token",
  "usage.recorded",
  "artifact.stored",
] as const;
export const EventType = z.enum(EVENT_TYPES);
export type EventType = z.infer<typeof EventType>;

/** One entry of a project's append-only event log; `seq` increases by 1 per project. */
export const ProjectEvent = z.object({
  seq: z.number().int().positive(),
  ts: z.number().int(),
  type: EventType,
  taskId: z.string().nullable(),
  data: z.record(z.string(), Json),
});
export type ProjectEvent = z.infer<typeof ProjectEvent>;

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
