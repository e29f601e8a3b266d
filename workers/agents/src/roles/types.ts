import type { z } from "zod";
import type { ArtifactRef, LlmConfig, Role, TaskMessage } from "@proximus/contracts";
import type { AgentDeps } from "../runtime";

/** A file handed from one role to another (engineers' output, read back from the artifact store). */
export interface ProjectFile {
  path: string;
  content: string;
}

/**
 * A role that works as a tool-using agent loop over the project's workspace (the Engineers) rather
 * than answering with one JSON document: `task` is the instruction, `documents` the upstream
 * documents it is given once (PRD, architecture).
 */
export interface LoopRole {
  task(ctx: RoleRunContext): string;
  documents(ctx: RoleRunContext): { title: string; content: string }[];
}

/** What a role's hooks may use while a task runs. */
export interface RoleRunContext {
  msg: TaskMessage;
  deps: AgentDeps;
  /** The upstream artifacts as text, fetched once and checked against their sha256. */
  upstreamFiles(): Promise<ProjectFile[]>;
}

/** The result of a role's tools: the final task output plus what they stored. */
/** `stopReason`: why the task ended, named (an agent loop's stop reason; default finished / error). */
export type RoleOutcome =
  | { ok: true; output: unknown; artifacts: ArtifactRef[]; stopReason?: string }
  /** `waitFor`: infrastructure (the sandbox host) was unavailable; the task waits for it instead of failing. */
  | { ok: false; error: string; permanent: boolean; output?: unknown; artifacts: ArtifactRef[]; waitFor?: string; stopReason?: string };

/**
 * A role is data: prompt, output schema, default model and tools.
 * Hooks use method syntax so a `RoleDefinition<Prd>` fits the registry's `RoleDefinition<unknown>`.
 */
export interface RoleDefinition<T = unknown> {
  role: Role;
  title: string;
  /** System prompt; the runtime appends the JSON Schema. */
  system: string;
  /** What the model must return (validated with one repair retry). */
  schema: z.ZodType<T>;
  /** Default `llm_config`; the task's own config wins. */
  llm: LlmConfig & { provider: NonNullable<LlmConfig["provider"]>; model: string; maxTokens: number };
  /** Checked before any LLM money is spent; a returned message fails the task permanently. */
  preflight?(ctx: RoleRunContext): string | null;
  /** Extra user-prompt material (files to review, ledger to comment on). */
  context?(ctx: RoleRunContext): Promise<string>;
  /** Semantic checks beyond the schema (real parsers, some on sandbox-host); errors go back to the model in the repair turn. */
  check?(output: T, ctx: RoleRunContext): string[] | Promise<string[]>;
  /** Present: the role runs as an agent loop (roles/loop-role.ts); schema/finish are then not used. */
  loop?: LoopRole;
  /** Tools that run after the output is valid: store artifacts, run tests, compute numbers. */
  finish(output: T, ctx: RoleRunContext): Promise<RoleOutcome>;
}
