import { describe, expect, it } from "vitest";
import type { TaskMessage } from "@proximus/contracts";
import { ROLE_DEFINITIONS } from "../roles";
import { buildMessages } from "../runtime";
import { parseTaskPrompt, roleOfSchemaName } from "./task-prompt";

function task(over: Partial<TaskMessage>): TaskMessage {
  return {
    v: 1,
    projectId: "p1",
    ownerId: "u1",
    taskId: "qa",
    attempt: 1,
    idempotencyKey: "p1:qa#1",
    role: "qa",
    idea: "a booking app for dog groomers",
    upstream: {},
    upstreamArtifacts: [],
    llm: {},
    budgetRemainingUsd: null,
    usageLedger: [],
    dispatchedAt: 0,
    ...over,
  } as TaskMessage;
}

describe("parseTaskPrompt (the inverse of runtime buildMessages)", () => {
  it("recovers idea, every upstream output and the feedback, around role context and memory", () => {
    const upstream = {
      ceo: { summary: "PRD", entities: [{ name: "Groomer" }], note: "a\n\nblank line inside a string" },
      engineer_be: { summary: "BE", files: [{ path: "src/index.js", bytes: 10, sha256: "x" }] },
    };
    const msg = task({ idea: "dog groomers:\nbook, pay\n\nand remind", upstream, feedback: "test X failed\n\nfix it" });
    const context = "Files produced by the engineers (1):\n--- a.js\nx\n\n### not upstream\n\nProject memory (earlier …):\n- [summary] s";
    const messages = buildMessages(ROLE_DEFINITIONS.qa, msg, {}, context);
    expect(parseTaskPrompt("qa", messages)).toEqual({ role: "qa", idea: msg.idea, upstream, feedback: msg.feedback });
  });

  it("a first task (no upstream, no feedback) gives just the idea", () => {
    const msg = task({ role: "ceo", taskId: "ceo" });
    expect(parseTaskPrompt("ceo", buildMessages(ROLE_DEFINITIONS.ceo, msg, {}, ""))).toEqual({ role: "ceo", idea: msg.idea, upstream: {} });
  });

  it("leaves out an upstream output the runtime cut at its budget", () => {
    const big = { summary: "x".repeat(40_000) };
    const msg = task({ role: "devops", upstream: { cto: { summary: "ok" }, engineer_fe: big } });
    expect(parseTaskPrompt("devops", buildMessages(ROLE_DEFINITIONS.devops, msg, {}, ""))?.upstream).toEqual({ cto: { summary: "ok" } });
  });

  it("is null for messages that are not a runtime prompt, and the schema name gives the role", () => {
    expect(parseTaskPrompt("ceo", [{ role: "user", content: "hello" }])).toBeNull();
    expect(roleOfSchemaName("engineer_fe_output")).toBe("engineer_fe");
    expect(roleOfSchemaName("ceo_prd")).toBeNull();
    expect(roleOfSchemaName("nobody_output")).toBeNull();
  });
});
