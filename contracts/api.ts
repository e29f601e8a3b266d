import { z } from "zod";
import { Role } from "./roles";
import { Json } from "./json";
import { LlmConfig, Usage } from "./llm";
import { ArtifactRef, ProjectState, TaskState } from "./task";

export const MAX_IDEA_BYTES = 10_000;
const utf8Bytes = (s: string) => new TextEncoder().encode(s).length;
/**
 * Characters that render as nothing: controls (NUL…), format characters (zero-width space, joiners,
 * BOM, bidi marks), every kind of space and other default-ignorable code points (e.g. the Hangul filler).
 */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Z}\p{Default_Ignorable_Code_Point}\s]/gu;
const visibleLength = (s: string) => [...s.replace(INVISIBLE, "")].length;

export const CreateProjectRequest = z
  .object({
    idea: z
      .string()
      .trim()
      .min(3, "idea must be at least 3 characters")
      .refine(
        (s) => visibleLength(s) >= 3,
        "idea must have at least 3 visible characters (not only spaces, control or zero-width characters)",
      )
      .refine((s) => utf8Bytes(s) <= MAX_IDEA_BYTES, `idea must be at most ${MAX_IDEA_BYTES} bytes`),
    budgetUsd: z.number().positive().max(100_000).optional(),
    llm: z.partialRecord(Role, LlmConfig).optional(),
    /** Roles whose output a person approves before the tasks after them run. */
    approvals: z.array(Role).max(7).optional(),
  })
  .strict();
export type CreateProjectRequest = z.infer<typeof CreateProjectRequest>;

/** Redo a finished task with the user's instructions; everything after it runs again. */
export const InterveneRequest = z.object({ feedback: z.string().trim().min(3, "say what should change").max(10_000) }).strict();

/** none: no gate · required: gated, not done yet · pending: done, waiting for a person · approved. */
export const Approval = z.enum(["none", "required", "pending", "approved"]);
export type Approval = z.infer<typeof Approval>;

export const UpdateBudgetRequest = z.object({ budgetUsd: z.number().positive().max(100_000) }).strict();

export const TaskView = z.object({
  id: z.string(),
  role: Role,
  title: z.string(),
  deps: z.array(z.string()),
  state: TaskState,
  attempt: z.number().int(),
  maxAttempts: z.number().int(),
  error: z.string().nullable(),
  output: Json.nullable(),
  artifacts: z.array(ArtifactRef),
  usage: z.array(Usage),
  /** When the current attempt was handed to the bus. */
  dispatchedAt: z.number().int().nullable(),
  /** When the agent began the current attempt (after any wait on a concurrency limit). */
  startedAt: z.number().int().nullable(),
  finishedAt: z.number().int().nullable(),
  approval: Approval,
  /** How the latest attempt ended, named (finished, tests_failing, step_cap, budget, repeated_failure, provider_error, timeout, …); null while none has. */
  stopReason: z.string().nullable(),
  /** Why a ready task is not running yet beyond its retry backoff (e.g. the sandbox host is unavailable); null otherwise. */
  waitingFor: z.string().nullable(),
  /** W3C trace id of the latest attempt (32 hex); null before the task was first dispatched. */
  traceId: z
    .string()
    .regex(/^[0-9a-f]{32}$/)
    .nullable(),
});
export type TaskView = z.infer<typeof TaskView>;

export const ProjectSummary = z.object({
  id: z.string(),
  idea: z.string(),
  state: ProjectState,
  budgetUsd: z.number().nullable(),
  spentUsd: z.number(),
  createdAt: z.number().int(),
  updatedAt: z.number().int(),
});
export type ProjectSummary = z.infer<typeof ProjectSummary>;

export const ProjectDetail = ProjectSummary.extend({
  /** Why a paused project waits (e.g. its budget); null unless paused. */
  pausedReason: z.string().nullable(),
  tasks: z.array(TaskView),
  lastSeq: z.number().int().nonnegative(),
});
export type ProjectDetail = z.infer<typeof ProjectDetail>;

export const EventsQuery = z
  .object({
    since: z.coerce.number().int().nonnegative().default(0),
    limit: z.coerce.number().int().min(1).max(1000).default(500),
  })
  .strict();

/** Providers whose keys a user can store; offline needs none. */
export const KeyProvider = z.enum(["openai", "anthropic", "bedrock", "gemini"]);
export type KeyProvider = z.infer<typeof KeyProvider>;

/**
 * A provider credential, write-only. Bedrock's `apiKey` is `ACCESS_KEY_ID:SECRET_ACCESS_KEY`;
 * `baseUrl` points OpenAI-compatible servers (Ollama, vLLM) elsewhere.
 */
export const PutKeyRequest = z
  .object({
    apiKey: z.string().trim().min(8, "apiKey looks too short").max(4_000),
    region: z
      .string()
      .regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, "region must look like us-east-1")
      .optional(),
    // Keys must not travel in cleartext: https, except to a server on this machine (Ollama, vLLM).
    baseUrl: z
      .url()
      .refine((u) => {
        const url = new URL(u);
        return url.protocol === "https:" || (url.protocol === "http:" && ["localhost", "127.0.0.1", "[::1]"].includes(url.hostname));
      }, "baseUrl must be https (plain http only for localhost)")
      .optional(),
  })
  .strict();
export type PutKeyRequest = z.infer<typeof PutKeyRequest>;

export const KeyStatusList = z.object({
  providers: z.array(z.object({ name: KeyProvider, configured: z.boolean(), updatedAt: z.number().int().nullable() })),
});

export const AgentPrefsBody = z.object({ prefs: z.partialRecord(Role, LlmConfig) }).strict();
export type AgentPrefsBody = z.infer<typeof AgentPrefsBody>;

/** One version of a project's files: what the workspace held right after the task that made it. */
export const ProjectVersion = z.object({
  version: z.number().int().positive(),
  taskId: z.string(),
  role: Role,
  title: z.string(),
  finishedAt: z.number().int().nullable(),
  /** Files in this version. */
  files: z.number().int().nonnegative(),
  /** What the task changed. */
  changed: z.array(z.object({ path: z.string(), status: z.enum(["added", "modified"]), bytes: z.number().int().nonnegative() })),
});
export type ProjectVersion = z.infer<typeof ProjectVersion>;

export const VersionsResponse = z.object({ versions: z.array(ProjectVersion), latest: z.number().int().nonnegative() });

/** `GET …/diff?from=&to=`: defaults to the latest version against the one before it. */
export const DiffQuery = z
  .object({
    from: z.coerce.number().int().nonnegative().optional(),
    to: z.coerce.number().int().nonnegative().optional(),
    path: z.string().min(1).max(512).optional(),
  })
  .strict();

export const FileDiff = z.object({
  path: z.string(),
  status: z.enum(["added", "modified", "deleted"]),
  /** Unified diff of this file (---/+++ headers, @@ hunks). */
  patch: z.string(),
});
export const DiffResponse = z.object({ from: z.number().int(), to: z.number().int(), files: z.array(FileDiff) });
