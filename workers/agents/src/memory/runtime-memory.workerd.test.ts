import { env } from "cloudflare:workers";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { ResultMessage, Role } from "@proximus/contracts";
import { memoryArtifactStore } from "../artifacts";
import type { CompletionRequest, CompletionResult, LlmProvider } from "../llm/types";
import { taskMessage } from "../offline/pipeline";
import { OfflineProvider } from "../offline/provider";
import { runTask, type AgentDeps } from "../runtime";
import { D1ProjectMemory } from "./d1-store";
import { HashEmbedder } from "./hash-embedder";
import { clearMemoryTable, createMemoryTable } from "./testing/d1";
import type { ProjectMemory } from "./types";

const db = (env as unknown as { DB: D1Database }).DB;
const IDEA = "a booking app for dog groomers";

/** The offline provider's schema-valid replies, with every request recorded. */
function capturing(): LlmProvider & { calls: CompletionRequest[] } {
  const inner = new OfflineProvider();
  const calls: CompletionRequest[] = [];
  return {
    name: "offline",
    calls,
    async complete(req): Promise<CompletionResult> {
      calls.push({ ...req, messages: [...req.messages] });
      return inner.complete(req);
    },
  };
}

function deps(
  provider: LlmProvider,
  memory: ProjectMemory | undefined,
  objects: Map<string, Uint8Array>,
  events: string[] = [],
): AgentDeps {
  let t = 1000;
  return {
    resolveProvider: () => ({ provider, model: "offline" }),
    artifacts: memoryArtifactStore("p/t/1/", objects),
    emit: (kind, text) => void (kind === "log" && events.push(text)),
    sandbox: null,
    now: () => t++,
    ...(memory ? { memory } : {}),
  };
}

const memoryOf = (projectId: string) => new D1ProjectMemory({ db, projectId, embedder: new HashEmbedder() });
const msg = (projectId: string, role: Role, prior: Map<string, ResultMessage>) => taskMessage(IDEA, role, prior, [], { projectId });

beforeAll(async () => {
  await createMemoryTable(db);
});
beforeEach(async () => {
  await clearMemoryTable(db);
});

describe("runTask with project memory", () => {
  it("a later task's prompt carries what an earlier task of the same project remembered", async () => {
    const objects = new Map<string, Uint8Array>();
    const ceoEvents: string[] = [];
    const ceo = await runTask(msg("pA", "ceo", new Map()), deps(capturing(), memoryOf("pA"), objects, ceoEvents));
    expect(ceo.status).toBe("succeeded");
    expect(ceoEvents).toContain("remembered 3 memories"); // summary, feature decisions, docs/PRD.md

    const p = capturing();
    const cto = await runTask(msg("pA", "cto", new Map([["ceo", ceo]])), deps(p, memoryOf("pA"), objects));
    expect(cto.status).toBe("succeeded");
    const prompt = p.calls[0]!.messages[1]!.content;
    const summary = (ceo.output as { summary: string }).summary;
    expect(prompt).toContain("Project memory (earlier summaries, decisions and files of this project, most relevant first):");
    expect(prompt).toContain(`[summary] Product requirements (ceo, task ceo): ${summary}`);
    // The file memory (path + first lines) is only in memory: upstream outputs carry JSON, not files.
    expect(prompt).toMatch(/\[artifact\] File docs\/PRD\.md \(by ceo, \d+ bytes\):\n {2}# Product requirements/);
    expect(prompt).toMatch(/\[decision\] Product requirements \(ceo\) decided:\n {2}Features: F1 /);

    // The CTO's own memories are there for the next task, including its stack decision.
    const hits = await memoryOf("pA").recall("stack runtime database", 10);
    expect(hits.map((h) => h.id)).toEqual(expect.arrayContaining(["cto:summary", "cto:decisions"]));
    expect(hits.find((h) => h.id === "cto:decisions")!.text).toMatch(/Stack: runtime = /);
  });

  it("another project's task sees none of it", async () => {
    const objects = new Map<string, Uint8Array>();
    const ceo = await runTask(msg("pA", "ceo", new Map()), deps(capturing(), memoryOf("pA"), objects));
    const p = capturing();
    const cto = await runTask(msg("pB", "cto", new Map([["ceo", ceo]])), deps(p, memoryOf("pB"), objects));
    expect(cto.status).toBe("succeeded");
    expect(p.calls[0]!.messages[1]!.content).not.toContain("Project memory");
  });

  it("a failing memory is logged and skipped; the task still succeeds", async () => {
    const broken: ProjectMemory = {
      recall: async () => {
        throw new Error("D1_ERROR: no such table: memory_vectors");
      },
      remember: async () => {
        throw new Error("D1_ERROR: disk full");
      },
    };
    const events: string[] = [];
    const p = capturing();
    const r = await runTask(msg("pA", "ceo", new Map()), deps(p, broken, new Map(), events));
    expect(r.status).toBe("succeeded");
    expect(events).toContain("memory recall failed, continuing without it: D1_ERROR: no such table: memory_vectors");
    expect(events).toContain("memory store failed: D1_ERROR: disk full");
  });

  it("without memory the prompt has no memory section and nothing is stored", async () => {
    const p = capturing();
    const r = await runTask(msg("pA", "ceo", new Map()), deps(p, undefined, new Map()));
    expect(r.status).toBe("succeeded");
    expect(p.calls[0]!.messages[1]!.content).not.toContain("Project memory");
    expect(await db.prepare("SELECT count(*) AS n FROM memory_vectors").first<{ n: number }>()).toEqual({ n: 0 });
  });
});
