import { z } from "zod";
import type { TaskMessage } from "@proximus/contracts";
import type { AgentDeps } from "../runtime";
import type { RoleDefinition, RoleOutcome } from "../roles/types";
import { MAX_MEMORY_TEXT, type MemoryItem, type ProjectMemory } from "./types";

/** How the runtime uses a project's memory: recall before the prompt is built, remember after a success. */

export const RECALL_K = 6;
/** The memory section is context, not the task: it must not crowd out upstream outputs and files. */
export const MAX_MEMORY_SECTION = 8_000;
const MAX_ARTIFACT_MEMORIES = 40;
const ARTIFACT_HEAD_LINES = 12;
const ARTIFACT_HEAD_CHARS = 1_000;

const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
const reason = (e: unknown) => clip(e instanceof Error ? e.message : String(e), 500);

export function recallQuery(role: RoleDefinition, msg: TaskMessage): string {
  return [msg.idea, `${role.title} (${msg.role})`, msg.feedback ?? ""].filter(Boolean).join("\n");
}

/** The prompt section of memories relevant to this task; "" when there are none or memory is unavailable. */
export async function memorySection(
  memory: ProjectMemory,
  role: RoleDefinition,
  msg: TaskMessage,
  emit: AgentDeps["emit"],
): Promise<string> {
  let hits;
  try {
    hits = await memory.recall(recallQuery(role, msg), RECALL_K);
  } catch (e) {
    // Memory helps; it is not worth failing (and paying for) a retry of the whole task.
    emit("log", `memory recall failed, continuing without it: ${reason(e)}`);
    return "";
  }
  const header = "Project memory (earlier summaries, decisions and files of this project, most relevant first):";
  let section = header;
  for (const h of hits) {
    const line = `\n- [${h.kind}] ${h.text.replace(/\n/g, "\n  ")}`;
    if (section.length + line.length > MAX_MEMORY_SECTION) break;
    section += line;
  }
  if (section === header) return "";
  emit("log", `recalled ${hits.length} memor${hits.length === 1 ? "y" : "ies"}`);
  return section;
}

/** Role outputs are validated against each role's own schema; these are the shared shapes memory cares about. */
const Decisions = z.object({
  stack: z.record(z.string(), z.string()).optional(),
  architecture: z.object({ style: z.string() }).optional(),
  features: z.array(z.object({ id: z.string(), name: z.string(), priority: z.string() })).optional(),
  passed: z.boolean().optional(),
});
const Summarised = z.object({ summary: z.string().min(1) });

function decisionsText(output: unknown): string {
  const d = Decisions.safeParse(output);
  if (!d.success) return "";
  const parts: string[] = [];
  if (d.data.stack)
    parts.push(
      `Stack: ${Object.entries(d.data.stack)
        .map(([k, v]) => `${k} = ${v}`)
        .join("; ")}.`,
    );
  if (d.data.architecture) parts.push(`Architecture style: ${d.data.architecture.style}.`);
  if (d.data.features?.length) parts.push(`Features: ${d.data.features.map((f) => `${f.id} ${f.name} (${f.priority})`).join("; ")}.`);
  if (d.data.passed !== undefined) parts.push(`QA verdict: ${d.data.passed ? "passed" : "failed"}.`);
  return parts.join("\n");
}

async function artifactHead(deps: AgentDeps, key: string): Promise<string | null> {
  const bytes = await deps.artifacts.get(key);
  if (!bytes) return null;
  const text = new TextDecoder().decode(bytes.subarray(0, ARTIFACT_HEAD_CHARS * 4));
  if (text.includes("\u0000")) return ""; // binary: the path alone is the memory
  return clip(text.split("\n").slice(0, ARTIFACT_HEAD_LINES).join("\n"), ARTIFACT_HEAD_CHARS);
}

/** What a successful task leaves behind: its summary, its decisions, and each file's path and first lines. */
export async function memoriesOf(
  role: RoleDefinition,
  msg: TaskMessage,
  outcome: RoleOutcome & { ok: true },
  deps: AgentDeps,
): Promise<MemoryItem[]> {
  const items: MemoryItem[] = [];
  const add = (id: string, kind: MemoryItem["kind"], text: string) =>
    items.push({ id: `${msg.taskId}:${id}`, kind, taskId: msg.taskId, text: clip(text, MAX_MEMORY_TEXT) });
  const summary = Summarised.safeParse(outcome.output);
  if (summary.success) add("summary", "summary", `${role.title} (${msg.role}, task ${msg.taskId}): ${summary.data.summary}`);
  const decisions = decisionsText(outcome.output);
  if (decisions) add("decisions", "decision", `${role.title} (${msg.role}) decided:\n${decisions}`);
  for (const ref of outcome.artifacts.slice(0, MAX_ARTIFACT_MEMORIES)) {
    const head = await artifactHead(deps, ref.key);
    if (head === null) continue;
    add(`artifact:${ref.path}`, "artifact", `File ${ref.path} (by ${msg.role}, ${ref.bytes} bytes)${head ? `:\n${head}` : ""}`);
  }
  return items;
}

export async function rememberOutcome(
  memory: ProjectMemory,
  role: RoleDefinition,
  msg: TaskMessage,
  outcome: RoleOutcome & { ok: true },
  deps: AgentDeps,
): Promise<void> {
  try {
    const items = await memoriesOf(role, msg, outcome, deps);
    if (!items.length) return;
    await memory.remember(items);
    deps.emit("log", `remembered ${items.length} memor${items.length === 1 ? "y" : "ies"}`);
  } catch (e) {
    // The task's work is done and stored; losing its memory must not turn the success into a failure.
    deps.emit("log", `memory store failed: ${reason(e)}`);
  }
}
