import type { ServerResponse } from "node:http";
import { sendJson, sendSse, type Handler, type Recorded } from "./server.node";
import { fragments, type Brain, type ModelTurn, type ModelView } from "./scripted-model.node";

type Block = {
  type: string;
  text?: string;
  id?: string;
  name?: string;
  input?: unknown;
  tool_use_id?: string;
  content?: unknown;
  is_error?: boolean;
};
type Msg = { role: string; content: string | Block[] };

const STOP: Record<ModelTurn["stop"], string> = {
  end: "end_turn",
  tool_calls: "tool_use",
  max_tokens: "max_tokens",
  content_filter: "refusal",
};

function invalid(res: ServerResponse, message: string): void {
  sendJson(res, 400, { type: "error", error: { type: "invalid_request_error", message } });
}

const blocks = (m: Msg): Block[] => (typeof m.content === "string" ? [{ type: "text", text: m.content }] : m.content);

/**
 * The Messages API's tool rules: roles alternate from user; each `tool_use` of an assistant turn is
 * answered by a `tool_result` in the very next user turn, and those results come before any text.
 */
function check(messages: Msg[], tools: unknown): string | undefined {
  for (const [i, m] of messages.entries()) {
    if (m.role !== (i % 2 === 0 ? "user" : "assistant"))
      return `messages: roles must alternate between "user" and "assistant" (messages.${i})`;
    for (const b of blocks(m)) {
      if (b.type === "tool_use" && (typeof b.input !== "object" || b.input === null || Array.isArray(b.input)))
        return `messages.${i}.content: tool_use.input: Input should be an object`;
    }
    const uses = blocks(m)
      .filter((b) => b.type === "tool_use")
      .map((b) => b.id);
    if (m.role === "assistant" && uses.length) {
      const next = messages[i + 1];
      const results = next
        ? blocks(next)
            .filter((b) => b.type === "tool_result")
            .map((b) => b.tool_use_id)
        : [];
      const missing = uses.filter((id) => !results.includes(id));
      if (missing.length) {
        return `messages.${i + 1}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${missing.join(", ")}. Each \`tool_use\` block must have a corresponding \`tool_result\` block in the next message.`;
      }
    }
    if (m.role === "user") {
      const bs = blocks(m);
      const firstText = bs.findIndex((b) => b.type !== "tool_result");
      const lastResult = bs.map((b) => b.type).lastIndexOf("tool_result");
      if (firstText >= 0 && lastResult > firstText) return `messages.${i}: tool_result blocks must come first in the content array`;
      const prev = messages[i - 1];
      const ids = prev
        ? blocks(prev)
            .filter((b) => b.type === "tool_use")
            .map((b) => b.id)
        : [];
      for (const r of bs.filter((b) => b.type === "tool_result")) {
        if (!ids.includes(r.tool_use_id))
          return `messages.${i}.content: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${String(r.tool_use_id)}`;
      }
    }
  }
  for (const t of (tools as { name?: string; input_schema?: { type?: string } }[] | undefined) ?? []) {
    if (typeof t.name !== "string" || t.input_schema?.type !== "object")
      return "tools.0.custom.input_schema.type: Input should be 'object'";
  }
  return undefined;
}

function viewOf(body: Record<string, unknown>, index: number): ModelView {
  const messages = body.messages as Msg[];
  const names = new Map<string, string>();
  for (const m of messages) for (const b of blocks(m)) if (b.type === "tool_use" && b.id && b.name) names.set(b.id, b.name);
  const last = messages[messages.length - 1];
  const bs = last ? blocks(last) : [];
  const choice = body.tool_choice as { type?: string } | undefined;
  return {
    results: bs
      .filter((b) => b.type === "tool_result")
      .map((b) => ({
        callId: b.tool_use_id!,
        name: names.get(b.tool_use_id!) ?? "?",
        content: String(b.content),
        isError: b.is_error === true,
      })),
    lastUserText: bs
      .filter((b) => b.type === "text")
      .map((b) => b.text)
      .join(""),
    toolNames: ((body.tools as { name: string }[] | undefined) ?? []).map((t) => t.name),
    ...(choice?.type ? { toolChoice: choice.type } : {}),
    index,
  };
}

const toolId = (id: string): string => `toolu_${id}`;

function message(model: string, turn: ModelTurn) {
  return {
    id: "msg_tools",
    type: "message",
    role: "assistant",
    model,
    content: [
      ...(turn.text ? [{ type: "text", text: turn.text }] : []),
      ...turn.calls.map((c) => ({ type: "tool_use", id: toolId(c.id), name: c.name, input: c.args })),
    ],
    stop_reason: STOP[turn.stop],
    stop_sequence: null,
    usage: { input_tokens: 20, output_tokens: 10 },
  };
}

/** The event sequence of a streamed message: one content block per text/tool_use, input as input_json_delta. */
function events(model: string, turn: ModelTurn): { event: string; data: string }[] {
  const ev = (event: string, data: Record<string, unknown>) => ({ event, data: JSON.stringify({ type: event, ...data }) });
  const out = [
    ev("message_start", {
      message: { ...message(model, turn), content: [], stop_reason: null, usage: { input_tokens: 20, output_tokens: 1 } },
    }),
  ];
  let index = 0;
  if (turn.text) {
    out.push(ev("content_block_start", { index, content_block: { type: "text", text: "" } }));
    for (const piece of fragments(turn.text, 2)) out.push(ev("content_block_delta", { index, delta: { type: "text_delta", text: piece } }));
    out.push(ev("content_block_stop", { index }));
    index++;
  }
  for (const c of turn.calls) {
    out.push(ev("content_block_start", { index, content_block: { type: "tool_use", id: toolId(c.id), name: c.name, input: {} } }));
    // The API opens every tool input with an empty partial_json.
    for (const piece of ["", ...fragments(JSON.stringify(c.args))])
      out.push(ev("content_block_delta", { index, delta: { type: "input_json_delta", partial_json: piece } }));
    out.push(ev("content_block_stop", { index }));
    index++;
  }
  out.push(ev("message_delta", { delta: { stop_reason: STOP[turn.stop], stop_sequence: null }, usage: { output_tokens: 10 } }));
  out.push(ev("message_stop", {}));
  return out;
}

/** `POST /v1/messages` with tools, streaming and not. Tool ids get the vendor's `toolu_` prefix. */
export function anthropicToolServer(brain: Brain): Handler {
  return async (req: Recorded, res: ServerResponse, index: number) => {
    const body = req.json();
    const problem = check(body.messages as Msg[], body.tools);
    if (problem) return invalid(res, problem);
    const turn = brain(viewOf(body, index));
    const model = `${String(body.model)}-20251001`;
    if (body.stream === true) return sendSse(res, events(model, turn));
    return sendJson(res, 200, message(model, turn));
  };
}
