import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProjectDetail, ProjectEvent } from "@proximus/contracts";
// @ts-expect-error plain ESM helpers shared with bench/scale
import { startScaleStack } from "../../../bench/scale/lib.mjs";

/**
 * Issue 14's acceptance on the whole local stack: the agents pointed (OPENAI_BASE_URL) at the model
 * simulator in "slip" mode, a model that writes one bug and can fix a line only once it has read
 * the file and seen the failing test. The project must succeed with the slip fixed inside the
 * Engineer's own task: write → run (fails) → read the file → edit that line → run (passes) → finish.
 */
interface Stack {
  url: string;
  stop(): Promise<void>;
}
let stack: Stack;

beforeAll(async () => {
  stack = (await startScaleStack({ latencyMs: 0, vars: { OPENAI_MODELS: "sim-slip:128000:0:0" } })) as Stack;
});
afterAll(async () => {
  await stack?.stop();
});

async function json<T>(pending: Promise<Response>): Promise<T> {
  const res = await pending;
  if (!res.ok) throw new Error(`${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

describe("a model that slips, against the real stack", () => {
  it("the Engineer reads what it wrote, fixes the line, and the project succeeds", async () => {
    const post = {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ idea: "a booking app for dog groomers" }),
    };
    const { id } = await json<ProjectDetail>(fetch(`${stack.url}/api/projects`, post));
    let d: ProjectDetail | null = null;
    for (const until = Date.now() + 180_000; Date.now() < until;) {
      d = await json<ProjectDetail>(fetch(`${stack.url}/api/projects/${id}`));
      if (d.state !== "running") break;
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(d?.tasks.filter((t) => t.state !== "succeeded").map((t) => `${t.id}: ${t.error}`)).toEqual([]);
    expect(d!.state).toBe("succeeded");
    const be = d!.tasks.find((t) => t.id === "engineer_be")!;
    // Every call went to the simulator, none fell back to the offline provider.
    expect(new Set(be.usage.map((u) => `${u.provider}/${u.model}`))).toEqual(new Set(["openai/sim-slip"]));
    expect(be.stopReason).toBe("finished");

    const { events } = await json<{ events: ProjectEvent[] }>(fetch(`${stack.url}/api/projects/${id}/events?limit=1000`));
    const steps = events.flatMap((e) =>
      e.type === "task.log" && e.taskId === "engineer_be" && e.data.kind === "tool" ? [e.data.text] : [],
    );
    const at = (re: RegExp) => steps.findIndex((s) => re.test(s));
    const failing = at(/run → test: exit 1/);
    const read = at(/read_file → read src\/app\.js/);
    const edit = at(/edit_file → edited src\/app\.js/);
    const passing = at(/run → test: exit 0/);
    expect(
      [failing, read, edit, passing].every((i) => i >= 0),
      steps.join("\n"),
    ).toBe(true);
    // In that order: the fix came only after the failure was seen and the file was read.
    expect(failing < read && read < edit && edit < passing, steps.join("\n")).toBe(true);
    // No fix round was needed: QA passed the first time.
    expect(d!.tasks.map((t) => t.id)).not.toContain("engineer_be_fix1");
  });
});
