import type { RunRequestInput, RunResult } from "@proximus/contracts/sandbox";
import { scorecardOf, type GateId, type Scorecard } from "@proximus/contracts/scorecard";
import { DriverPlan, GATE_COLLECT_PATH, GATE_COLLECT_SOURCE, GATE_DRIVER_PATH, GATE_PLAN_PATH, renderDriverScript } from "./driver";
import { GATE_ENV, gatePlans, type GatePlan } from "./plan";
import { GateProject, RoutesManifest, type GateProjectInput } from "./project";
import { scoreGate } from "./score";

export type WorkspaceFile = { path: string; content: string };
/** How a gate reaches the sandbox: `SandboxClient.run` in the Workers, the same in tests. */
export type SandboxRun = (req: RunRequestInput) => Promise<RunResult>;

/** Per gate run; the toolchain's cold start under gVisor-ptrace is a few seconds, vitest in workerd ten or more. */
export const GATE_TIMEOUT_MS = 120_000;
export const GATE_MEMORY_MB = 2048;

/** The routes the smoke run calls, from the project's manifest; null (no smoke gate) when it has none or it is invalid. */
export function routesOf(files: WorkspaceFile[], project: GateProject): RoutesManifest["routes"] | null {
  const file = files.find((f) => f.path === project.routesManifest);
  if (!file) return null;
  try {
    const parsed = RoutesManifest.safeParse(JSON.parse(file.content));
    return parsed.success ? parsed.data.routes : null;
  } catch {
    return null;
  }
}

/** The sandbox request of one gate: the workspace, the driver, its plan and the gate's own files. */
export function gateRequest(files: WorkspaceFile[], plan: GatePlan): RunRequestInput {
  const own = new Set([GATE_DRIVER_PATH, GATE_COLLECT_PATH, GATE_PLAN_PATH, ...plan.extraFiles.map((f) => f.path)]);
  return {
    runtime: "node",
    command: ["sh", GATE_DRIVER_PATH],
    files: [
      // node_modules is the read-only toolchain layer in the sandbox: an installed copy is never sent.
      ...files.filter((f) => !own.has(f.path) && !f.path.startsWith("node_modules/")),
      { path: GATE_DRIVER_PATH, content: renderDriverScript(plan.plan) },
      { path: GATE_COLLECT_PATH, content: GATE_COLLECT_SOURCE },
      { path: GATE_PLAN_PATH, content: JSON.stringify(DriverPlan.parse(plan.plan)) },
      ...plan.extraFiles,
    ],
    env: GATE_ENV,
    timeoutMs: GATE_TIMEOUT_MS,
    memoryMb: GATE_MEMORY_MB,
    maxOutputBytes: 4 * 1024 * 1024,
    // Gates run the project's code whatever its syntax: a syntax error is a typecheck failure, reported as one.
    runOnSyntaxError: true,
  };
}

/** Runs every gate that applies (or those in `only`), one sandbox run each, in order, and returns the scorecard. */
export async function runGates(
  run: SandboxRun,
  files: WorkspaceFile[],
  projectInput: GateProjectInput = {},
  only?: readonly GateId[],
): Promise<Scorecard> {
  const project = GateProject.parse(projectInput);
  const entries = [];
  for (const plan of gatePlans(project, routesOf(files, project))) {
    if (only && !only.includes(plan.gate)) continue;
    entries.push(scoreGate(plan.gate, await run(gateRequest(files, plan))));
  }
  return scorecardOf(entries);
}
