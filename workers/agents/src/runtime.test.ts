import { describe, expect, it } from "vitest";
import { AppError, ResultMessage, type Role } from "@proximus/contracts";
import { memoryArtifactStore } from "./artifacts";
import type { CompletionRequest, CompletionResult, LlmProvider } from "./llm/types";
import { taskMessage } from "./offline/pipeline";
import { OfflineProvider, OFFLINE_MODEL } from "./offline/provider";
import { extractJson, runTask, type AgentDeps } from "./runtime";
import type { FileValidator } from "./tools/validate-client";
import { validateFiles } from "../../../sandbox-host/src/validate/hcl-files";

/** sandbox-host's own validation (HashiCorp's HCL parser), called in-process instead of over HTTP. */
const hclValidator: FileValidator = { validate: async (files) => (await validateFiles({ files })).files };

/** A provider that replies from a script, one entry per call, and records what it was asked. */
function scripted(replies: (string | Error)[]): LlmProvider & { calls: CompletionRequest[] } {
  const calls: CompletionRequest[] = [];
  return {
    name: "bedrock",
    calls,
    async complete(req): Promise<CompletionResult> {
      calls.push({ ...req, messages: [...req.messages] });
      const next = replies.shift();
      if (next === undefined) throw new Error("script exhausted");
      if (next instanceof Error) throw next;
      req.onToken?.(next);
      return { provider: "bedrock", model: req.model, text: next, inputTokens: 1000, outputTokens: 500 };
    },
  };
}

function deps(provider: LlmProvider, over: Partial<AgentDeps> = {}): AgentDeps & { events: [string, string][] } {
  const events: [string, string][] = [];
  let t = 1000;
  return {
    events,
    resolveProvider: () => ({ provider, model: "amazon.nova-lite-v1:0" }),
    artifacts: memoryArtifactStore("p/t/1/"),
    emit: (kind, text) => events.push([kind, text]),
    sandbox: null,
    now: () => t++,
    ...over,
  };
}

const msg = (role: Role, extra = {}) => taskMessage("a booking app for dog groomers", role, new Map(), [], extra);
const validPrd = async () =>
  (
    await new OfflineProvider().complete({
      model: OFFLINE_MODEL,
      messages: [],
      task: { role: "ceo", idea: "a booking app for dog groomers", upstream: {} },
    })
  ).text;

describe("runTask", () => {
  it("sends the role prompt, the JSON schema and the task context, streams tokens and prices usage", async () => {
    const p = scripted([await validPrd()]);
    const d = deps(p);
    const r = await runTask(msg("ceo", { feedback: "be brief" }), d);
    expect(ResultMessage.parse(r)).toEqual(r);
    expect(r.status).toBe("succeeded");
    const req = p.calls[0]!;
    expect(req.jsonSchema?.name).toBe("ceo_output");
    expect(req.jsonSchema?.schema).toMatchObject({ type: "object", required: expect.arrayContaining(["problem", "features", "entities"]) });
    expect(req.messages[0]?.content).toContain("You are the CEO");
    expect(req.messages[1]?.content).toContain("a booking app for dog groomers");
    expect(req.messages[1]?.content).toContain("be brief");
    expect(req.task).toMatchObject({ role: "ceo", feedback: "be brief" });
    expect(req.maxTokens).toBe(4000);
    expect(
      d.events
        .filter(([k]) => k === "token")
        .map(([, t]) => t)
        .join(""),
    ).toBe(await validPrd());
    // Nova Lite: $0.06 / $0.24 per 1M tokens.
    expect(r.usage).toEqual([
      {
        provider: "bedrock",
        model: "amazon.nova-lite-v1:0",
        inputTokens: 1000,
        outputTokens: 500,
        costUsd: (1000 * 0.06 + 500 * 0.24) / 1e6,
      },
    ]);
    expect(r.artifacts.map((a) => a.path)).toEqual(["docs/PRD.md"]);
    expect(r.startedAt).toBeLessThan(r.finishedAt);
  });

  it("repairs invalid output once, telling the model what was wrong", async () => {
    const p = scripted(['```json\n{"summary": "x"}\n```', `Sure! ${await validPrd()}`]);
    const r = await runTask(msg("ceo"), deps(p));
    expect(r.status).toBe("succeeded");
    expect(p.calls).toHaveLength(2);
    const repair = p.calls[1]!.messages;
    expect(repair.at(-2)).toEqual({ role: "assistant", content: '```json\n{"summary": "x"}\n```' });
    expect(repair.at(-1)?.content).toMatch(/invalid:\n[\s\S]*problem/);
    expect(r.usage).toHaveLength(2);
  });

  it("fails (retryable) after a second invalid reply, keeping the usage it spent", async () => {
    const p = scripted(["not json at all", '{"summary": 3}']);
    const r = await runTask(msg("ceo"), deps(p));
    expect(r).toMatchObject({ status: "failed", permanent: false });
    expect(r.error).toMatch(/invalid after one repair/);
    expect(r.output).toBeUndefined();
    expect(r.usage).toHaveLength(2);
    expect(p.calls).toHaveLength(2);
  });

  it("classifies provider errors: configuration is permanent, outages are retryable", async () => {
    const perm = await runTask(msg("ceo"), deps(scripted([new AppError("unauthorized", "bad key")])));
    expect(perm).toMatchObject({ status: "failed", permanent: true, error: "unauthorized: bad key" });
    const transient = await runTask(msg("ceo"), deps(scripted([new AppError("upstream_failed", "503")])));
    expect(transient).toMatchObject({ status: "failed", permanent: false });
    const plain = await runTask(msg("ceo"), deps(scripted([new Error("socket hang up")])));
    expect(plain).toMatchObject({ status: "failed", permanent: false, error: "socket hang up" });
  });

  it("QA without a sandbox fails permanently before spending anything", async () => {
    const p = scripted([]);
    const r = await runTask(msg("qa"), deps(p));
    expect(r).toMatchObject({ status: "failed", permanent: true });
    expect(r.error).toMatch(/sandbox unavailable/);
    expect(p.calls).toHaveLength(0);
  });

  it("DevOps output that fails the real parsers goes back for repair, then fails", async () => {
    const bad = JSON.stringify({
      summary: "s",
      wrangler: { format: "jsonc", content: '{ "name": "app", "main": "src/index.js" }' },
      terraform: 'resource "x" {\n  a = \n}\n',
      kubernetes: "apiVersion: v1\nkind: Service\nmetadata:\n  name: Bad_Name\n",
      runbook: ["deploy"],
    });
    const p = scripted([bad, bad]);
    const r = await runTask(msg("devops"), deps(p, { validator: hclValidator }));
    expect(r).toMatchObject({ status: "failed", permanent: false });
    const problems = p.calls[1]!.messages.at(-1)!.content;
    expect(problems).toContain("compatibility_date");
    expect(problems).toContain("main.tf:2:7: Invalid expression");
    expect(problems).toContain("metadata.name");
    expect(r.artifacts).toEqual([]);
  });

  it("refuses upstream artifacts whose bytes do not match their sha256", async () => {
    const store = memoryArtifactStore("p/eng/1/");
    const ref = await store.put("src/index.js", "export default {}");
    store.objects.set(ref.key, new TextEncoder().encode("tampered"));
    const sandbox = { run: async () => ({ exitCode: 0, stdout: "", stderr: "", timedOut: false, durationMs: 1, isolation: "fake" }) };
    const r = await runTask(msg("qa", { upstreamArtifacts: [ref] }), deps(new OfflineProvider(), { artifacts: store, sandbox }));
    expect(r).toMatchObject({ status: "failed", permanent: false });
    expect(r.error).toMatch(/sha256/);
  });

  it("QA does not pass a project whose runner reports zero tests, even with exit code 0", async () => {
    const store = memoryArtifactStore("p/eng/1/");
    const ref = await store.put("package.json", "{}");
    const sandbox = {
      run: async () => ({
        exitCode: 0,
        stdout: "TAP version 13\n1..0\n# tests 0\n# pass 0\n# fail 0\n",
        stderr: "",
        timedOut: false,
        durationMs: 5,
        isolation: "fake",
      }),
    };
    const r = await runTask(msg("qa", { upstreamArtifacts: [ref] }), deps(new OfflineProvider(), { artifacts: store, sandbox }));
    expect(r.status).toBe("succeeded");
    expect(r.output).toMatchObject({ passed: false, tests: { exitCode: 0, total: 0 } });
    expect((r.output as { feedback: string }).feedback).toMatch(/ran no tests/);
  });

  it("QA reports a sandbox outage as a retryable failure, not as failing tests", async () => {
    const store = memoryArtifactStore("p/eng/1/");
    const ref = await store.put("package.json", "{}");
    const sandbox = {
      run: async (): Promise<never> => {
        throw new Error("ECONNREFUSED");
      },
    };
    const r = await runTask(msg("qa", { upstreamArtifacts: [ref] }), deps(new OfflineProvider(), { artifacts: store, sandbox }));
    expect(r).toMatchObject({ status: "failed", permanent: false, error: "sandbox run failed: ECONNREFUSED" });
  });
});

describe("extractJson", () => {
  it("takes the object out of fences and prose", () => {
    expect(extractJson('Here:\n```json\n{"a": {"b": 1}}\n```')).toEqual({ a: { b: 1 } });
    expect(extractJson('ok {"a": 1} done')).toEqual({ a: 1 });
    expect(() => extractJson("nothing")).toThrow(/no JSON object/);
  });
});
