import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { afterEach, expect, vi } from "vitest";
import { env } from "cloudflare:workers";
import type { ResultMessage, TaskMessage } from "@proximus/contracts";
import { emptyProjectView, foldEvents } from "@proximus/contracts/project-view";
import type { ProjectDO } from "../src/project-do";
import type { InitParams, ProjectDeps } from "../../../durable-objects/project/project-types";
import { projectStub, type ProjectRpc } from "../src/project-stub";
import { EventLog } from "../../../durable-objects/project/event-log";
import { readProjectDetail } from "../../../durable-objects/project/project-state";
import { ProjectStore } from "../../../durable-objects/project/store";

/** A dispatcher that only records what the DO hands off, so a test can answer (or not) by hand. */
export class HoldDispatcher {
  readonly sent: TaskMessage[] = [];
  failNext = 0;
  async dispatch(msg: TaskMessage): Promise<void> {
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error("bus unavailable (injected)");
    }
    this.sent.push(msg);
  }
  last(taskId: string): TaskMessage {
    const m = [...this.sent].reverse().find((x) => x.taskId === taskId);
    if (!m) throw new Error(`no dispatch of ${taskId}; sent: ${this.sent.map((x) => `${x.taskId}#${x.attempt}`).join(", ")}`);
    return m;
  }
}

export interface HeldProject {
  /** The RPC surface, as the gateway sees it. */
  stub: ProjectRpc;
  /** The raw stub, for the test APIs (alarms, eviction, runInDurableObject). */
  raw: DurableObjectStub;
  hold: HoldDispatcher;
}

/** Projects made by the current test: after it, each must pass the fold invariant. */
const madeThisTest: HeldProject[] = [];

/**
 * The invariant every client relies on: folding a project's whole event log from the empty view
 * gives exactly what detail() returns. Checked after every DO scenario that uses holdProject.
 */
export async function expectFoldMatchesDetail(p: HeldProject): Promise<void> {
  // Read both in one synchronous turn of the object, so no alarm can append an event in between.
  const { detail, events } = await runInDurableObject(p.raw, (_obj, state) => {
    const log = new EventLog(state.storage.sql);
    return { detail: readProjectDetail(new ProjectStore(state.storage.sql), log), events: log.page(0, Number.MAX_SAFE_INTEGER) };
  });
  expect(foldEvents(emptyProjectView(detail.id), events)).toEqual(detail);
}

afterEach(async () => {
  const made = madeThisTest.splice(0);
  for (const p of made) await expectFoldMatchesDetail(p);
});

export async function holdProject(name: string, deps: Partial<ProjectDeps> = {}, init: Partial<InitParams> = {}): Promise<HeldProject> {
  const raw = env.PROJECT.getByName(name);
  const stub = projectStub(env, name);
  const hold = new HoldDispatcher();
  await runInDurableObject(raw, (obj: ProjectDO) => obj.overrideDepsForTest({ dispatcher: hold, ...deps }));
  await stub.init({ projectId: name, ownerId: "local", idea: "a booking app for dog groomers", budgetUsd: null, llm: {}, ...init });
  const held = { stub, raw, hold };
  madeThisTest.push(held);
  return held;
}

export function ok(msg: TaskMessage, output: unknown = { ok: true }, extra: Partial<ResultMessage> = {}): ResultMessage {
  return {
    v: 1,
    projectId: msg.projectId,
    taskId: msg.taskId,
    attempt: msg.attempt,
    idempotencyKey: msg.idempotencyKey,
    status: "succeeded",
    output,
    artifacts: [],
    usage: [],
    permanent: false,
    startedAt: Date.now(),
    finishedAt: Date.now(),
    ...extra,
  };
}

/**
 * Runs the alarm the DO scheduled. Miniflare also fires due alarms by itself, so one may already
 * be in flight: wait until nothing is left to hand off.
 */
export async function settle(p: HeldProject): Promise<void> {
  await runDurableObjectAlarm(p.raw);
  await vi.waitUntil(
    () =>
      runInDurableObject(p.raw, (_o, state) => {
        const sql = state.storage.sql;
        const undelivered = sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM outbox WHERE kind = 'task' AND attempts = 0").one().n;
        const project = JSON.parse(sql.exec<{ v: string }>("SELECT v FROM meta WHERE k = 'project'").one().v) as { state: string };
        const due = sql
          .exec<{ n: number }>("SELECT COUNT(*) AS n FROM tasks WHERE state = 'ready' AND not_before <= ?", Date.now())
          .one().n;
        return undelivered === 0 && (project.state !== "running" || due === 0);
      }),
    { timeout: 5_000, interval: 20 },
  );
}
