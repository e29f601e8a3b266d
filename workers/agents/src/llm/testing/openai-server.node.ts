import type { ServerResponse } from "node:http";
import { sendJson, sendSse, type Handler, type Recorded } from "./server.node";
import { fragments, type Brain, type ModelTurn, type ModelView } from "./scripted-model.node";

type Msg = {
  role: string;
  content?: unknown;
  tool_calls?: { id: string; type: string; function: { name: string; arguments: string } }[];
  tool_call_id?: string;
};

const FINISH: Record<ModelTurn["stop"], string> = {
  end: "stop",
  tool_calls: "tool_calls",
  max_tokens: "length",
  content_filter: "content_filter",
};

function invalid(res: ServerResponse, message: string): void {
  sendJson(res, 400, { error: { message, type: "invalid_request_error", param: "messages", code: null } });
}

/**
 * The rules the Chat Completions API enforces on tool turns: every `role: "tool"` message answers a
 * `tool_calls` id of the assistant message before it, and every call is answered before anything else.
 */
function check(messages: Msg[], tools: unknown): string | undefined {
  let open = new Set<string>();
  for (const [i, m] of messages.entries()) {
    if (m.role === "tool") {
      if (!m.tool_call_id || !open.has(m.tool_call_id)) {
        return `Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'. (messages.[${i}])`;
      }
      open.delete(m.tool_call_id);
      continue;
    }
    if (open.size)
      return `An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: ${[...open].join(", ")}`;
    open = new Set((m.tool_calls ?? []).map((c) => c.id));
    for (const c of m.tool_calls ?? [])
      if (c.type !== "function" || typeof c.function.arguments !== "string") return `Invalid tool call at messages.[${i}]`;
  }
  if (tools !== undefined) {
    if (!Array.isArray(tools)) return "Invalid type for 'tools'";
    for (const t of tools as { type?: string; function?: { name?: string; parameters?: unknown } }[]) {
      if (t.type !== "function" || typeof t.function?.name !== "string") return "Missing required parameter: 'tools[0].function'.";
    }
  }
  return undefined;
}

function viewOf(body: Record<string, unknown>, index: number): ModelView {
  const messages = body.messages as Msg[];
  const calls = new Map<string, string>();
  for (const m of messages) for (const c of m.tool_calls ?? []) calls.set(c.id, c.function.name);
  const tail: Msg[] = [];
  for (let i = messages.length - 1; i >= 0 && messages[i]?.role === "tool"; i--) tail.unshift(messages[i]!);
  const lastUser = [...messages].reverse().find((m) => m.role === "user");
  return {
    results: tail.map((m) => ({
      callId: m.tool_call_id!,
      name: calls.get(m.tool_call_id!) ?? "?",
      content: String(m.content),
      isError: false,
    })),
    lastUserText: typeof lastUser?.content === "string" ? lastUser.content : "",
    toolNames: ((body.tools as { function: { name: string } }[] | undefined) ?? []).map((t) => t.function.name),
    ...(typeof body.tool_choice === "string" ? { toolChoice: body.tool_choice } : {}),
    index,
  };
}

function completion(model: string, turn: ModelTurn) {
  return {
    id: "chatcmpl-tools",
    object: "chat.completion",
    created: 1,
    model,
    choices: [
      {
        index: 0,
        message: {
          role: "assistant",
          content: turn.text === "" ? null : turn.text,
          refusal: null,
          ...(turn.calls.length
            ? {
                tool_calls: turn.calls.map((c) => ({
                  id: c.id,
                  type: "function",
                  function: { name: c.name, arguments: JSON.stringify(c.args) },
                })),
              }
            : {}),
        },
        finish_reason: FINISH[turn.stop],
        logprobs: null,
      },
    ],
    usage: { prompt_tokens: 20, completion_tokens: 10, total_tokens: 30 },
  };
}

/** The chunk sequence the API streams: role, content pieces, tool call head then argument fragments by index, finish, usage. */
function chunks(model: string, turn: ModelTurn): string[] {
  const c = (delta: Record<string, unknown>, finish: string | null = null) =>
    JSON.stringify({
      id: "chatcmpl-tools",
      object: "chat.completion.chunk",
      created: 1,
      model,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    });
  const out = [c({ role: "assistant", content: "", refusal: null })];
  if (turn.text) for (const piece of fragments(turn.text, 2)) out.push(c({ content: piece }));
  turn.calls.forEach((call, index) => {
    out.push(c({ tool_calls: [{ index, id: call.id, type: "function", function: { name: call.name, arguments: "" } }] }));
    for (const piece of fragments(JSON.stringify(call.args))) out.push(c({ tool_calls: [{ index, function: { arguments: piece } }] }));
  });
  out.push(c({}, FINISH[turn.stop]));
  out.push(
    JSON.stringify({
      id: "chatcmpl-tools",
      object: "chat.completion.chunk",
      created: 1,
      model,
      choices: [],
      usage: { prompt_tokens: 20, completion_tokens: 10, total_tokens: 30 },
    }),
  );
  out.push("[DONE]");
  return out;
}

export interface OpenAiServerOptions {
  /** Answer any request carrying `tools` like an Ollama model without tool support. */
  rejectTools?: boolean;
}

/** `POST /v1/chat/completions` with tools, streaming and not. */
export function openAiToolServer(brain: Brain, opts: OpenAiServerOptions = {}): Handler {
  return async (req: Recorded, res: ServerResponse, index: number) => {
    const body = req.json();
    if (opts.rejectTools && body.tools !== undefined) {
      return sendJson(res, 400, {
        error: {
          message: `registry.ollama.ai/library/${String(body.model)} does not support tools`,
          type: "api_error",
          param: null,
          code: null,
        },
      });
    }
    const problem = check(body.messages as Msg[], body.tools);
    if (problem) return invalid(res, problem);
    const turn = brain(viewOf(body, index));
    const model = String(body.model);
    if (body.stream === true)
      return sendSse(
        res,
        chunks(model, turn).map((data) => ({ data })),
      );
    return sendJson(res, 200, completion(model, turn));
  };
}
