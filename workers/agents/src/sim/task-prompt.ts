import { Role } from "@proximus/contracts";
import type { ChatMessage, CompletionRequest } from "../llm/types";

/**
 * The inverse of runtime.ts `buildMessages`, for the model simulator: recovers the task (role,
 * idea, upstream outputs, feedback) a plain JSON-schema request was built from, so the simulator
 * can answer it like the offline provider would. The role comes from the schema name the runtime
 * sends (`${role}_output`); the rest from the user message, whose sections are joined by a blank
 * line. Upstream JSON is pretty-printed, so it never holds a blank line itself; an entry cut at the
 * runtime's budget ("…(truncated)") is left out, as the offline provider would not find it either.
 * The idea ends where the first known section begins (an idea that itself contains a blank line
 * followed by one of these headers is cut there). Tests: task-prompt.test.ts round-trips buildMessages.
 */
export type SimTask = NonNullable<CompletionRequest["task"]>;

const IDEA = "Business idea:\n";
const UPSTREAM = "Outputs of earlier tasks, by task id:\n";
const FEEDBACK = "Feedback on the previous attempt — fix every point:\n";
/** Starts of the sections that may follow the idea: upstream, role contexts (QA, Finance), memory, feedback. */
const SECTION_STARTS = [UPSTREAM, "Files produced by the engineers (", "Usage ledger totals", "Project memory (", FEEDBACK];

/** `engineer_fe_output` → `engineer_fe`; null for a name no role sent. */
export function roleOfSchemaName(name: string): Role | null {
  const m = /^(.+)_output$/.exec(name);
  const r = Role.safeParse(m?.[1]);
  return r.success ? r.data : null;
}

function firstSectionAfter(text: string, from: number): number {
  let end = text.length;
  for (const s of SECTION_STARTS) {
    const i = text.indexOf(`\n\n${s}`, from);
    if (i >= 0 && i < end) end = i;
  }
  return end;
}

function parseUpstream(text: string, at: number): Record<string, unknown> {
  const upstream: Record<string, unknown> = {};
  if (at < 0) return upstream;
  let pos = at + UPSTREAM.length;
  while (text.startsWith("### ", pos)) {
    const eol = text.indexOf("\n", pos);
    if (eol < 0) break;
    const id = text.slice(pos + 4, eol);
    const next = text.indexOf("\n\n", eol + 1);
    const body = text.slice(eol + 1, next < 0 ? text.length : next);
    try {
      upstream[id] = JSON.parse(body) as unknown;
    } catch {
      // cut at the runtime's budget: not usable, like an output the offline provider cannot parse
    }
    if (next < 0) break;
    pos = next + 2;
  }
  return upstream;
}

/** The task behind a runtime prompt, or null when the messages are not one (no "Business idea:" user turn). */
export function parseTaskPrompt(role: Role, messages: readonly ChatMessage[]): SimTask | null {
  const user = messages.find((m) => m.role === "user" && m.content.startsWith(IDEA));
  if (!user) return null;
  const text = user.content;
  const idea = text.slice(IDEA.length, firstSectionAfter(text, 0));
  const upstreamAt = text.startsWith(UPSTREAM, IDEA.length + idea.length + 2) ? IDEA.length + idea.length + 2 : -1;
  const upstream = parseUpstream(text, upstreamAt);
  const feedbackAt = text.indexOf(`\n\n${FEEDBACK}`, IDEA.length + idea.length);
  const feedback = feedbackAt < 0 ? undefined : text.slice(feedbackAt + 2 + FEEDBACK.length);
  return { role, idea, upstream, ...(feedback ? { feedback } : {}) };
}
