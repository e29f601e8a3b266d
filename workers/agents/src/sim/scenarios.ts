import { assistantTurns, lastUserText, pastCalls, succeeded, type PastCall } from "./history";
import { APP_PATH, APP_SLIP, APP_SOURCE, SLIP_LINE, TEST_PATH, TEST_SOURCE, WRONG_FIX_LINE, verboseApp } from "./project";
import type { Scenario, SimReply, SimToolCall } from "./types";

/**
 * Simulated models that behave like real ones: each decides its next turn only from what is in
 * the conversation (the calls it made and the tool results it got), never from hidden state.
 */
const call = (name: string, args: Record<string, unknown>): SimToolCall => ({ name, arguments: JSON.stringify(args) });
const act = (...calls: SimToolCall[]): SimReply => ({ kind: "reply", text: "", toolCalls: calls, finishReason: "tool_calls" });
const say = (text: string): SimReply => ({ kind: "reply", text, toolCalls: [], finishReason: "stop" });

const MUTATIONS = new Set(["write_file", "edit_file", "delete_file"]);

function lastIndex(h: readonly PastCall[], pred: (c: PastCall) => boolean): number {
  for (let i = h.length - 1; i >= 0; i--) if (pred(h[i] as PastCall)) return i;
  return -1;
}

/** Index of the last successful change and of the last answered test run. */
function progress(h: readonly PastCall[]): { mutation: number; run: number } {
  return {
    mutation: lastIndex(h, (c) => MUTATIONS.has(c.name) && c.result?.isError === false),
    run: lastIndex(h, (c) => c.name === "run" && c.result !== undefined),
  };
}

/** Write app + test (whichever is missing), run the tests after every change, finish honestly. */
function buildProject(h: readonly PastCall[], app: string = APP_SOURCE): SimReply {
  const missing: SimToolCall[] = [];
  if (!succeeded(h, "write_file", APP_PATH).length) missing.push(call("write_file", { path: APP_PATH, content: app }));
  if (!succeeded(h, "write_file", TEST_PATH).length) missing.push(call("write_file", { path: TEST_PATH, content: TEST_SOURCE }));
  if (missing.length) return act(...missing);
  const p = progress(h);
  if (p.run < p.mutation) return act(call("run", { command: "test" }));
  const run = h[p.run];
  if (run?.result && !run.result.isError) {
    return act(
      call("finish", { summary: "Items API (list, create with validation, 404) with node:test tests; all tests pass.", status: "done" }),
    );
  }
  return act(
    call("finish", {
      summary: "Items API written; tests still fail.",
      status: "tests_failing",
      notes: run?.result?.content.split("\n")[1] ?? "",
    }),
  );
}

const good: Scenario = (req) => {
  const h = pastCalls(req.messages);
  if (!h.length) return act(call("list_files", {}));
  return buildProject(h);
};

/** The failing run's output names what the test wanted and what it got (TAP: expected/actual). */
function sawCreateFailure(output: string): boolean {
  return (/expected:\s*201/.test(output) && /actual:\s*200/.test(output)) || /200 !== 201/.test(output);
}

/**
 * Slips once (200 instead of 201 on create), and can fix that line only after it has seen the
 * failing test output AND read the file: the edit's search text is copied from read_file's output.
 */
const slip: Scenario = (req) => {
  const h = pastCalls(req.messages);
  if (!h.length)
    return act(call("write_file", { path: APP_PATH, content: APP_SLIP }), call("write_file", { path: TEST_PATH, content: TEST_SOURCE }));
  const p = progress(h);
  if (p.run < p.mutation) return act(call("run", { command: "test" }));
  const run = h[p.run] as PastCall;
  if (run.result && !run.result.isError)
    return act(call("finish", { summary: "Items API with tests; fixed the create status (201) after the test run.", status: "done" }));
  const failure = run.result?.content ?? "";
  const readIdx = lastIndex(h, (c) => c.name === "read_file" && c.args?.path === APP_PATH && c.result?.isError === false);
  if (readIdx < p.run) return act(call("read_file", { path: APP_PATH }));
  // Copy the offending line exactly as read_file showed it ("12 | code").
  const shown = /^\s*\d+ \| (.*status: 200, body: item \}.*)$/m.exec(h[readIdx]?.result?.content ?? "")?.[1];
  if (shown && sawCreateFailure(failure))
    return act(call("edit_file", { path: APP_PATH, search: shown, replace: shown.replace("status: 200", "status: 201") }));
  return act(
    call("finish", {
      summary: "Tests fail and I cannot see why from what I was shown.",
      status: "tests_failing",
      notes: "create answers the wrong status",
    }),
  );
};

/** Sends broken JSON arguments first; recovers once a tool result says the JSON was invalid. */
const malformedArgs: Scenario = (req) => {
  const h = pastCalls(req.messages);
  const broken: SimToolCall = {
    name: "write_file",
    arguments: `{"path": "${APP_PATH}", "content": "// In-memory items API\\nconst items = [`,
  };
  if (!h.length) return act(broken);
  const told = h.some((c) => c.result?.isError && /not valid JSON/.test(c.result.content));
  return told ? buildProject(h) : act(broken);
};

/** Answers in prose with the tool call as JSON in a code fence, until told to use the tools. */
const proseJson: Scenario = (req) => {
  const told = assistantTurns(req.messages) > 0 && /tool/i.test(lastUserText(req.messages));
  if (!told) {
    const json = JSON.stringify({ tool: "write_file", arguments: { path: APP_PATH, content: APP_SOURCE } }, null, 2);
    return say(`Sure! Here is the first file of the project:\n\n\`\`\`json\n${json}\n\`\`\`\n\nLet me know if you want the tests too.`);
  }
  return buildProject(pastCalls(req.messages));
};

/** Writes a very long first file: cut off (finish_reason "length") below ~5000 output tokens. */
const truncated: Scenario = (req) => buildProject(pastCalls(req.messages), verboseApp());

/** 429 with retry-after on the first attempt of each of its first two turns, then behaves like `good`. */
const rateLimited: Scenario = (req) => {
  if (req.attempt === 0 && assistantTurns(req.messages) < 2)
    return { kind: "error", status: 429, message: "Rate limit reached for requests", retryAfterMs: 200 };
  return good(req);
};

/** Writes the project, then keeps listing and reading files forever; never calls finish. */
const neverFinishes: Scenario = (req) => {
  const h = pastCalls(req.messages);
  if (!h.length)
    return act(call("write_file", { path: APP_PATH, content: APP_SOURCE }), call("write_file", { path: TEST_PATH, content: TEST_SOURCE }));
  const turn = assistantTurns(req.messages) % 3;
  if (turn === 0) return act(call("list_files", {}));
  return act(call("read_file", { path: turn === 1 ? APP_PATH : TEST_PATH }));
};

/** Slips, then keeps making the same wrong "fix" (202) instead of reading the failure. */
const sameFailingEdit: Scenario = (req) => {
  const h = pastCalls(req.messages);
  if (!h.length)
    return act(call("write_file", { path: APP_PATH, content: APP_SLIP }), call("write_file", { path: TEST_PATH, content: TEST_SOURCE }));
  const p = progress(h);
  if (p.run < p.mutation) return act(call("run", { command: "test" }));
  return act(call("edit_file", { path: APP_PATH, search: SLIP_LINE, replace: WRONG_FIX_LINE }));
};

/** Writes a working project, then "refactors" it with an elided file, again and again. */
const placeholder: Scenario = (req) => {
  const h = pastCalls(req.messages);
  if (!h.length)
    return act(call("write_file", { path: APP_PATH, content: APP_SOURCE }), call("write_file", { path: TEST_PATH, content: TEST_SOURCE }));
  const p = progress(h);
  if (p.run < p.mutation) return act(call("run", { command: "test" }));
  const lazy =
    "// In-memory items API, now with a count route.\nconst items = [];\n\n" +
    "// ... rest of the code remains the same\n\nmodule.exports = { handle };\n";
  return act(call("write_file", { path: APP_PATH, content: lazy }));
};

export const SCENARIOS = {
  good,
  slip,
  malformed_args: malformedArgs,
  prose_json: proseJson,
  truncated,
  rate_limited: rateLimited,
  never_finishes: neverFinishes,
  same_failing_edit: sameFailingEdit,
  placeholder,
} satisfies Record<string, Scenario>;

export type ScenarioName = keyof typeof SCENARIOS;
export const SCENARIO_NAMES = Object.keys(SCENARIOS) as ScenarioName[];

export function isScenarioName(s: string): s is ScenarioName {
  return Object.hasOwn(SCENARIOS, s);
}
