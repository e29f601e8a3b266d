import { testPlan } from "../roles/qa";
import type { SandboxRunner } from "../tools/sandbox-runner";
import type { WorkspaceFile } from "./workspace";

/** The project commands an agent may run; the model names one, never an argv. */
export const RUN_COMMANDS = ["test", "typecheck", "build"] as const;
export type RunCommand = (typeof RUN_COMMANDS)[number];

export interface RunOutcome {
  argv: string[];
  exitCode: number | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
  durationMs: number;
  isolation: string;
}

/**
 * Runs a project command over the workspace's files. Today every run sends all files (the
 * sandbox-host API is one request per run); a sandbox *session* (open once per task, then send
 * writes and commands) can implement the same interface later.
 */
export interface Runner {
  /** A string = this project has no such command (told to the model as a tool error). */
  run(command: RunCommand, files: WorkspaceFile[], opts?: { traceparent?: string }): Promise<RunOutcome | string>;
}

export interface CommandPlan {
  argv: string[];
  runtime: "node" | "python";
}

export const RUN_TIMEOUT_MS = 60_000;

/**
 * Which argv each command means for these files. Plain JS/Python projects have tests only;
 * package.json scripts `typecheck` / `build` are run when present.
 */
export function defaultCommandPlan(command: RunCommand, files: WorkspaceFile[]): CommandPlan | string {
  if (command === "test") {
    const plan = testPlan(files);
    return plan ? { argv: plan.command, runtime: plan.runtime } : "no tests to run: the project has no JavaScript or Python files yet";
  }
  const pkg = files.find((f) => f.path === "package.json");
  let scripts: Record<string, unknown> = {};
  try {
    const parsed: unknown = pkg ? JSON.parse(pkg.content) : null;
    if (parsed && typeof parsed === "object" && "scripts" in parsed && parsed.scripts && typeof parsed.scripts === "object") {
      scripts = parsed.scripts as Record<string, unknown>;
    }
  } catch {
    return "package.json is not valid JSON";
  }
  if (typeof scripts[command] === "string") return { argv: ["npm", "run", "--silent", command], runtime: "node" };
  return `this project has no "${command}" command (no package.json script "${command}"); use run with command "test"`;
}

/** A Runner on top of the agents' SandboxRunner (sandbox-host over HTTP, or a test runner). */
export function sandboxCommandRunner(
  sandbox: SandboxRunner,
  plan: (command: RunCommand, files: WorkspaceFile[]) => CommandPlan | string = defaultCommandPlan,
  timeoutMs = RUN_TIMEOUT_MS,
): Runner {
  return {
    async run(command, files, opts) {
      const p = plan(command, files);
      if (typeof p === "string") return p;
      const r = await sandbox.run({ files, command: p.argv, runtime: p.runtime, timeoutMs }, opts);
      return {
        argv: p.argv,
        exitCode: r.exitCode,
        timedOut: r.timedOut,
        stdout: r.stdout,
        stderr: r.stderr,
        durationMs: r.durationMs,
        isolation: r.isolation,
      };
    },
  };
}
