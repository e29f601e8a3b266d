import type { ServerResponse } from "node:http";
import { bedrockEvent } from "./eventstream-encoder.node";
import { sendJson, type Handler, type Recorded } from "./server.node";
import { fragments, type Brain, type ModelTurn, type ModelView } from "./scripted-model.node";
import { verifySigV4 } from "./sigv4-verify.node";

type Block = {
  text?: string;
  toolUse?: { toolUseId: string; name: string; input: unknown };
  toolResult?: { toolUseId: string; content: { text?: string }[]; status?: string };
};
type Msg = { role: string; content: Block[] };

const STOP: Record<ModelTurn["stop"], string> = {
  end: "end_turn",
  tool_calls: "tool_use",
  max_tokens: "max_tokens",
  content_filter: "guardrail_intervened",
};

function invalid(res: ServerResponse, message: string): void {
  sendJson(res, 400, { message }, { "x-amzn-errortype": "ValidationException" });
}

/**
 * Converse's validation of tool turns: blank text blocks are rejected, toolUse/toolResult need a
 * toolConfig, and each user turn answers exactly the toolUse ids of the assistant turn before it.
 */
function check(messages: Msg[], toolConfig: unknown): string | undefined {
  const usesTools = messages.some((m) => m.content.some((b) => b.toolUse || b.toolResult));
  if (usesTools && toolConfig === undefined)
    return "The toolConfig field must be defined when using toolUse and toolResult content blocks.";
  for (const [i, m] of messages.entries()) {
    for (const [j, b] of m.content.entries()) {
      if (b.text !== undefined && b.text.trim() === "")
        return `The text field in the ContentBlock object at messages.${i}.content.${j} is blank. Add text to the text field, and try again.`;
      if (b.toolUse && (typeof b.toolUse.input !== "object" || b.toolUse.input === null))
        return `messages.${i}.content.${j}.toolUse.input must be a JSON object`;
      for (const [k, c] of (b.toolResult?.content ?? []).entries()) {
        if (c.text !== undefined && c.text.trim() === "")
          return `The text field in the ToolResultContentBlock object at messages.${i}.content.${j}.toolResult.content.${k} is blank.`;
      }
      if (b.toolResult?.status !== undefined && !["success", "error"].includes(b.toolResult.status))
        return `messages.${i}.content.${j}.toolResult.status: invalid value`;
    }
    const results = m.content.filter((b) => b.toolResult).map((b) => b.toolResult!.toolUseId);
    const prev = messages[i - 1];
    const uses = prev ? prev.content.filter((b) => b.toolUse).map((b) => b.toolUse!.toolUseId) : [];
    if (m.role === "user" && (results.length || uses.length)) {
      if (results.length !== uses.length || !uses.every((id) => results.includes(id))) {
        return `Expected toolResult blocks at messages.${i}.content for the following Ids: ${uses.join(", ")}`;
      }
    }
  }
  return undefined;
}

function viewOf(body: Record<string, unknown>, index: number): ModelView {
  const messages = body.messages as Msg[];
  const names = new Map<string, string>();
  for (const m of messages) for (const b of m.content) if (b.toolUse) names.set(b.toolUse.toolUseId, b.toolUse.name);
  const last = messages[messages.length - 1];
  const tc = body.toolConfig as { tools?: { toolSpec: { name: string } }[]; toolChoice?: Record<string, unknown> } | undefined;
  return {
    results: (last?.content ?? [])
      .filter((b) => b.toolResult)
      .map((b) => ({
        callId: b.toolResult!.toolUseId,
        name: names.get(b.toolResult!.toolUseId) ?? "?",
        content: b.toolResult!.content.map((c) => c.text ?? "").join(""),
        isError: b.toolResult!.status === "error",
      })),
    lastUserText: (last?.content ?? []).map((b) => b.text ?? "").join(""),
    toolNames: (tc?.tools ?? []).map((t) => t.toolSpec.name),
    ...(tc?.toolChoice ? { toolChoice: Object.keys(tc.toolChoice)[0]! } : {}),
    index,
  };
}

const toolUseId = (id: string): string => `tooluse_${id}`;

function converse(turn: ModelTurn) {
  return {
    output: {
      message: {
        role: "assistant",
        content: [
          ...(turn.text ? [{ text: turn.text }] : []),
          ...turn.calls.map((c) => ({ toolUse: { toolUseId: toolUseId(c.id), name: c.name, input: c.args } })),
        ],
      },
    },
    stopReason: STOP[turn.stop],
    usage: { inputTokens: 20, outputTokens: 10, totalTokens: 30 },
    metrics: { latencyMs: 12 },
  };
}

/** ConverseStream frames: text deltas at block 0; each toolUse opened by contentBlockStart, input as string deltas. */
function frames(turn: ModelTurn): Buffer[] {
  const out = [bedrockEvent("messageStart", { role: "assistant" })];
  let i = 0;
  if (turn.text) {
    for (const piece of fragments(turn.text, 2))
      out.push(bedrockEvent("contentBlockDelta", { contentBlockIndex: i, delta: { text: piece } }));
    out.push(bedrockEvent("contentBlockStop", { contentBlockIndex: i }));
    i++;
  }
  for (const c of turn.calls) {
    out.push(bedrockEvent("contentBlockStart", { contentBlockIndex: i, start: { toolUse: { toolUseId: toolUseId(c.id), name: c.name } } }));
    for (const piece of fragments(JSON.stringify(c.args)))
      out.push(bedrockEvent("contentBlockDelta", { contentBlockIndex: i, delta: { toolUse: { input: piece } } }));
    out.push(bedrockEvent("contentBlockStop", { contentBlockIndex: i }));
    i++;
  }
  out.push(bedrockEvent("messageStop", { stopReason: STOP[turn.stop] }));
  out.push(bedrockEvent("metadata", { usage: { inputTokens: 20, outputTokens: 10, totalTokens: 30 }, metrics: { latencyMs: 12 } }));
  return out;
}

/** Writes frames in small odd-sized pieces so frame boundaries never line up with chunks. */
export async function sendEventStream(res: ServerResponse, all: Buffer[], chunk = 7): Promise<void> {
  res.writeHead(200, { "content-type": "application/vnd.amazon.eventstream", "x-amzn-requestid": "req-1" });
  const bytes = Buffer.concat(all);
  for (let i = 0; i < bytes.length; i += chunk) {
    res.write(bytes.subarray(i, i + chunk));
    if (i % (chunk * 40) === 0) await new Promise((r) => setTimeout(r, 1));
  }
  res.end();
}

export interface BedrockCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
}

/** `/model/{id}/converse` and `/converse-stream` with tools, SigV4-verified like AWS. */
export function bedrockToolServer(brain: Brain, creds: BedrockCredentials): Handler {
  return async (req: Recorded, res: ServerResponse, index: number) => {
    const v = verifySigV4(req, { ...creds, service: "bedrock" });
    if (!v.ok)
      return sendJson(res, 403, { message: `signature mismatch (${v.reason})` }, { "x-amzn-errortype": "InvalidSignatureException" });
    const body = req.json();
    const problem = check(body.messages as Msg[], body.toolConfig);
    if (problem) return invalid(res, problem);
    const turn = brain(viewOf(body, index));
    if (req.url.endsWith("/converse-stream")) return sendEventStream(res, frames(turn));
    return sendJson(res, 200, converse(turn));
  };
}
