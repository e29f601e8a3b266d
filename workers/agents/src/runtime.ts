import { z } from "zod";
import { AppError, type ArtifactRef, type ErrorCode, type ResultMessage, type TaskMessage, type Usage } from "@proximus/contracts";
import type { ChatMessage, CompletionResult, LlmProvider } from "./llm/types";
import { sha256Hex } from "./artifacts";
import { ROLE_DEFINITIONS } from "./roles";
import { costUsd } from "./llm/prices";
import type { ProjectFile, RoleDefinition, RoleOutcome, RoleRunContext } from "./roles/types";
import type { ProjectMemory } from "./memory/types";
import { memorySection, rememberOutcome } from "./memory/task-memory";
import type { Tracer } from "@proximus/shared/tracing/span";
import type { SandboxRunner } from "./tools/sandbox-runner";
import type { FileValidator } from "./tools/validate-client";
import { endTaskSpan, startTaskSpan, traceLlmCall, withTracedSandbox } from "./task-tracing";
import { runLoopRole } from "./roles/loop-role";

export interface ArtifactStore {
  put(path: string, body: string | Uint8Array, contentType?: string): Promise<ArtifactRef>;
  get(key: string): Promise<Uint8Array | null>;
}
export type { SandboxRunner } from "./tools/sandbox-runner";
export interface AgentDeps {
  /** picks provider+model for this task (router); the offline provider when no key is configured */
  resolveProvider(msg: TaskMessage): { provider: LlmProvider; model: string };
  artifacts: ArtifactStore; // already scoped to this project/task/attempt
  emit(kind: "log" | "token" | "tool", text: string): void;
  sandbox: SandboxRunner | null;
  /** Node-only parsers on sandbox-host (HCL); null/absent = not configured, and roles say what went unchecked. */
  validator?: FileValidator | null;
  now(): number;
  /** Semantic memory of this task's project; absent = no memory. */
  memory?: ProjectMemory;
  /** Records the attempt's spans (task, LLM calls, sandbox runs); absent = no tracing. */
  tracer?: Tracer;
  /**
   * Where an agent loop keeps its progress after every step (the executor's storage), so a run that
   * dies resumes from its last step; absent = a rerun starts over.
   */
  checkpoint?: CheckpointStore;
}

export interface CheckpointStore {
  load(): Promise<unknown>;
  save(value: unknown): Promise<void>;
}

/** Failures a new attempt cannot fix: wrong input, missing configuration, no money. */
const PERMANENT_CODES: ReadonlySet<ErrorCode> = new Set([
  "bad_request",
  "validation_failed",
  "unauthorized",
  "forbidden",
  "payload_too_large",
  "budget_exceeded",
  "not_found",
]);
const UPSTREAM_JSON_BUDGET = 30_000;
const MAX_ERROR = 10_000;
/** Event texts are capped by the bus contract (AgentEventMessage.text ≤ 20 000). */
const MAX_LOG = 4_000;
const clip = (s: string) => (s.length > MAX_LOG ? `${s.slice(0, MAX_LOG)}…` : s);

class TaskFailure extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
  ) {
    super(message);
  }
}

function jsonSchemaOf(role: RoleDefinition): Record<string, unknown> {
  return z.toJSONSchema(role.schema, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
}

function upstreamSection(upstream: Record<string, unknown>): string {
  const entries = Object.entries(upstream);
  if (!entries.length) return "";
  const parts = entries.map(([id, out]) => {
    const json = JSON.stringify(out, null, 1) ?? "null";
    return `### ${id}\n${json.length > UPSTREAM_JSON_BUDGET ? `${json.slice(0, UPSTREAM_JSON_BUDGET)}\n…(truncated)` : json}`;
  });
  return `Outputs of earlier tasks, by task id:\n${parts.join("\n\n")}`;
}

export function buildMessages(role: RoleDefinition, msg: TaskMessage, schema: Record<string, unknown>, context: string): ChatMessage[] {
  const system = `${role.system}\n\nReply with one JSON object and nothing else. It must match this JSON Schema:\n${JSON.stringify(schema)}`;
  const user = [
    `Business idea:\n${msg.idea}`,
    upstreamSection(msg.upstream),
    context,
    msg.feedback ? `Feedback on the previous attempt — fix every point:\n${msg.feedback}` : "",
  ]
    .filter(Boolean)
    .join("\n\n");
  return [
    { role: "system", content: system },
    { role: "user", content: user },
  ];
}

/** Models wrap JSON in prose or code fences; take the outermost object. */
export function extractJson(text: string): unknown {
  const fenced = /```(?:json)?\s*([\s\S]*?)```/.exec(text);
  const body = fenced?.[1] ?? text;
  const start = body.indexOf("{");
  const end = body.lastIndexOf("}");
  if (start < 0 || end < start) throw new SyntaxError("no JSON object in the reply");
  return JSON.parse(body.slice(start, end + 1)) as unknown;
}

/** Parses and validates one reply; returns the value or the problems to send back in the repair turn. */
async function validate(
  role: RoleDefinition,
  text: string,
  ctx: RoleRunContext,
): Promise<{ ok: true; value: unknown } | { ok: false; problems: string }> {
  let raw: unknown;
  try {
    raw = extractJson(text);
  } catch (e) {
    return { ok: false, problems: `the reply is not valid JSON (${e instanceof Error ? e.message : String(e)})` };
  }
  const parsed = role.schema.safeParse(raw);
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues
        .slice(0, 30)
        .map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`)
        .join("\n"),
    };
  }
  const semantic = (await role.check?.(parsed.data, ctx)) ?? [];
  return semantic.length ? { ok: false, problems: semantic.slice(0, 30).join("\n") } : { ok: true, value: parsed.data };
}

function upstreamLoader(msg: TaskMessage, deps: AgentDeps): () => Promise<ProjectFile[]> {
  let cached: Promise<ProjectFile[]> | null = null;
  const decoder = new TextDecoder();
  const load = async (): Promise<ProjectFile[]> => {
    const files: ProjectFile[] = [];
    for (const ref of msg.upstreamArtifacts) {
      const bytes = await deps.artifacts.get(ref.key);
      if (!bytes) throw new AppError("upstream_failed", `upstream artifact ${ref.path} is missing from the store`);
      // A mismatch means the store handed back something other than what the upstream task produced.
      if ((await sha256Hex(bytes)) !== ref.sha256)
        throw new AppError("upstream_failed", `upstream artifact ${ref.path} failed its sha256 check`);
      files.push({ path: ref.path, content: decoder.decode(bytes) });
    }
    return files;
  };
  return () => (cached ??= load());
}

function failureOf(e: unknown): TaskFailure {
  if (e instanceof TaskFailure) return e;
  if (e instanceof AppError) return new TaskFailure(`${e.code}: ${e.message}`, PERMANENT_CODES.has(e.code));
  return new TaskFailure(e instanceof Error ? e.message : String(e), false);
}

/** Runs one task attempt end to end. Task-level failures come back as `status: "failed"`, never as a throw. */
export async function runTask(msg: TaskMessage, deps: AgentDeps): Promise<ResultMessage> {
  const startedAt = deps.now();
  const span = startTaskSpan(deps.tracer, msg);
  const usage: Usage[] = [];
  const base = {
    v: 1 as const,
    projectId: msg.projectId,
    taskId: msg.taskId,
    attempt: msg.attempt,
    idempotencyKey: msg.idempotencyKey,
    startedAt,
  };
  const done = (o: RoleOutcome): ResultMessage => {
    const result: ResultMessage = {
      ...base,
      status: o.ok ? "succeeded" : "failed",
      ...(o.output === undefined ? {} : { output: o.output }),
      artifacts: o.artifacts,
      usage,
      ...(o.ok ? {} : { error: o.error.slice(0, MAX_ERROR) }),
      permanent: o.ok ? false : o.permanent,
      ...(!o.ok && o.waitFor ? { waitFor: o.waitFor.slice(0, 1_000) } : {}),
      stopReason: o.stopReason ?? (o.ok ? "finished" : "error"),
      finishedAt: deps.now(),
    };
    endTaskSpan(span, result);
    return result;
  };

  try {
    const role = ROLE_DEFINITIONS[msg.role] as RoleDefinition | undefined;
    if (!role) throw new TaskFailure(`unknown role ${String(msg.role)}`, true);
    const ctx: RoleRunContext = { msg, deps: withTracedSandbox(deps, span), upstreamFiles: upstreamLoader(msg, deps) };
    const blocked = role.preflight?.(ctx);
    if (blocked) throw new TaskFailure(blocked, true);

    const { provider, model } = deps.resolveProvider(msg);
    // Which provider/model actually answers is logged by the provider (the router names its pick).
    deps.emit("log", `${role.title}: attempt ${msg.attempt}`);
    if (role.loop) {
      const outcome = await runLoopRole(role, role.loop, ctx, provider, model, usage);
      if (outcome.ok && deps.memory) await rememberOutcome(deps.memory, role, msg, outcome, deps);
      return done(outcome);
    }
    const schema = jsonSchemaOf(role);
    const roleContext = role.context ? await role.context(ctx) : "";
    const recalled = deps.memory ? await memorySection(deps.memory, role, msg, deps.emit) : "";
    const messages = buildMessages(role, msg, schema, [roleContext, recalled].filter(Boolean).join("\n\n"));

    const call = async (): Promise<CompletionResult> => {
      const res = await traceLlmCall(deps.tracer, span, model, () =>
        provider.complete({
          model,
          messages,
          maxTokens: msg.llm.maxTokens ?? role.llm.maxTokens,
          temperature: msg.llm.temperature ?? role.llm.temperature,
          jsonSchema: { name: `${role.role}_output`, schema },
          onToken: (d) => deps.emit("token", d),
          task: { role: msg.role, idea: msg.idea, upstream: msg.upstream, ...(msg.feedback ? { feedback: msg.feedback } : {}) },
        }),
      );
      usage.push({
        provider: res.provider,
        model: res.model,
        inputTokens: res.inputTokens,
        outputTokens: res.outputTokens,
        costUsd: res.costUsd ?? costUsd(res.provider, res.model, res.inputTokens, res.outputTokens),
      });
      return res;
    };

    let reply = await call();
    let checked = await validate(role, reply.text, ctx);
    if (!checked.ok) {
      // One repair turn: the model sees exactly what was wrong. A second bad reply fails the attempt.
      deps.emit("log", clip(`output invalid, asking for a repair:\n${checked.problems}`));
      messages.push(
        { role: "assistant", content: reply.text },
        { role: "user", content: `Your reply was invalid:\n${checked.problems}\nReply again with only the corrected JSON object.` },
      );
      reply = await call();
      checked = await validate(role, reply.text, ctx);
      if (!checked.ok) throw new TaskFailure(`output invalid after one repair attempt:\n${checked.problems}`, false);
    }
    const outcome = await role.finish(checked.value, ctx);
    if (outcome.ok && deps.memory) await rememberOutcome(deps.memory, role, msg, outcome, deps);
    deps.emit("log", outcome.ok ? "done" : clip(`failed: ${outcome.error}`));
    return done(outcome);
  } catch (e) {
    const f = failureOf(e);
    deps.emit("log", clip(`failed: ${f.message}`));
    return done({ ok: false, error: f.message, permanent: f.permanent, artifacts: [] });
  }
}
