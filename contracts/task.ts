import { z } from "zod";
import { Role } from "./roles";
import { LlmConfig, Usage } from "./llm";

export const TASK_STATES = ["pending", "ready", "running", "succeeded", "failed", "cancelled"] as const;
export const TaskState = z.enum(TASK_STATES);
export type TaskState = z.infer<typeof TaskState>;
export const TERMINAL_TASK_STATES: readonly TaskState[] = ["succeeded", "failed", "cancelled"];

export const PROJECT_STATES = ["running", "paused", "succeeded", "failed", "cancelled"] as const;
export const ProjectState = z.enum(PROJECT_STATES);
export type ProjectState = z.infer<typeof ProjectState>;

export const TOPICS = {
  tasks: "ai-org-tasks",
  results: "ai-org-results",
  events: "ai-org-events",
  deadLetter: "ai-org-dlq",
} as const;
export type Topic = (typeof TOPICS)[keyof typeof TOPICS];

/** A stored output of a task. Content lives in R2 under `key`; small text may be inlined for the offline path. */
export const ArtifactRef = z.object({
  path: z.string().min(1).max(512),
  key: z.string().min(1).max(1024),
  bytes: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  contentType: z.string().max(200).optional(),
});
export type ArtifactRef = z.infer<typeof ArtifactRef>;

/** ai-org-tasks record value. Key = projectId. idempotencyKey = `${taskId}#${attempt}`. */
export const TaskMessage = z.object({
  v: z.literal(1),
  projectId: z.string().min(1).max(64),
  /** The project's owner: agents use that user's stored provider keys, if any. */
  ownerId: z.string().min(1).max(200),
  taskId: z.string().min(1).max(64),
  attempt: z.number().int().min(1),
  idempotencyKey: z.string().min(1).max(200),
  role: Role,
  idea: z.string(),
  /** Outputs of upstream tasks, by task id (the structured JSON each role produced). */
  upstream: z.record(z.string(), z.unknown()),
  /** Artifacts produced upstream (engineers' files) that this task may read from R2. */
  upstreamArtifacts: z.array(ArtifactRef).default([]),
  llm: LlmConfig.default({}),
  /** Extra instructions for this attempt (e.g. QA failures to fix). */
  feedback: z.string().max(100_000).optional(),
  /** Remaining budget in USD when dispatched; null = unlimited. */
  budgetRemainingUsd: z.number().nullable().default(null),
  /** The project's usage ledger so far (Finance reports from it; others may ignore it). */
  usageLedger: z.array(Usage.extend({ taskId: z.string(), attempt: z.number().int() })).default([]),
  traceparent: z.string().optional(),
  dispatchedAt: z.number().int(),
});
export type TaskMessage = z.infer<typeof TaskMessage>;

/** ai-org-results record value. */
export const ResultMessage = z.object({
  v: z.literal(1),
  projectId: z.string().min(1).max(64),
  taskId: z.string().min(1).max(64),
  attempt: z.number().int().min(1),
  idempotencyKey: z.string().min(1).max(200),
  status: z.enum(["succeeded", "failed"]),
  /** Role output validated against that role's schema. */
  output: z.unknown().optional(),
  artifacts: z.array(ArtifactRef).default([]),
  usage: z.array(Usage).default([]),
  error: z.string().max(10_000).optional(),
  /** Set when the failure should not be retried (e.g. invalid input). */
  permanent: z.boolean().default(false),
  /**
   * The attempt could not do its work for a reason outside the task (the sandbox host is down):
   * the task waits and tries again later without using up an attempt, within a bounded time.
   */
  waitFor: z.string().max(1_000).optional(),
  startedAt: z.number().int(),
  finishedAt: z.number().int(),
});
export type ResultMessage = z.infer<typeof ResultMessage>;

/** ai-org-events record value: progress that is shown, not state that changes the DAG. */
export const AgentEventMessage = z.object({
  v: z.literal(1),
  projectId: z.string().min(1).max(64),
  taskId: z.string().min(1).max(64),
  attempt: z.number().int().min(1),
  /** queued: the executor waits on a concurrency limit (text names it); started: the agent began (its clock starts). */
  kind: z.enum(["log", "token", "tool", "queued", "started"]),
  text: z.string().max(20_000),
  ts: z.number().int(),
});
export type AgentEventMessage = z.infer<typeof AgentEventMessage>;
