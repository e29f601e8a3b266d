import { describe, expect, it } from "vitest";
import { SimProvider } from "../sim/provider";
import { APP_SOURCE } from "../sim/project";
import { fixedBudget } from "./caps";
import type { LoopEvent } from "./events";
import { runAgentLoop } from "./loop";
import { MemoryWorkspace } from "./workspace";

/** The loop has no Node dependency: it runs in workerd as it will in the agents Worker. */
describe("runAgentLoop in workerd", () => {
  it("good without a sandbox: writes the project, is told run is unavailable, finishes honestly with tests_failing", async () => {
    const workspace = new MemoryWorkspace();
    const events: LoopEvent[] = [];
    const result = await runAgentLoop({
      provider: new SimProvider("good"),
      model: "gpt-4o-mini",
      system: "You are the backend Engineer.",
      user: "Build the items API.",
      workspace,
      runner: null,
      budget: fixedBudget(1),
      emit: (e) => events.push(e),
      checkpoint: (s) => void JSON.stringify(s),
    });
    expect(result.stopReason).toBe("tests_failing");
    expect(await workspace.read("src/app.js")).toBe(APP_SOURCE);
    const runTurn = result.state.messages.find((m) => m.role === "tool" && m.name === "run");
    expect(runTurn?.content).toBe("ERROR: no sandbox is available to run commands in this task");
    expect(events.at(-1)).toMatchObject({ type: "loop.stopped", reason: "tests_failing" });
  });

  it("placeholder: the write checks refuse elided code in workerd too", async () => {
    const workspace = new MemoryWorkspace();
    const result = await runAgentLoop({
      provider: new SimProvider("placeholder"),
      model: "gpt-4o-mini",
      system: "s",
      user: "u",
      workspace,
      runner: null,
      budget: fixedBudget(1),
      emit: () => undefined,
    });
    expect(result.stopReason).toBe("repeated_failure");
    expect(await workspace.read("src/app.js")).toBe(APP_SOURCE);
  });
});
