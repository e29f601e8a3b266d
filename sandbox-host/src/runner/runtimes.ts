import { existsSync } from "node:fs";
import { join } from "node:path";
import { HOST_PATH_DIRS } from "./layout";
import { runQuiet } from "./launch";

/** Generated projects' tests use the built-in `node:sqlite`, which is unflagged from 22.13. */
export const MIN_NODE: readonly [number, number, number] = [22, 13, 0];

export type Runtimes = { node: string; python: string };

const parse = (v: string): [number, number, number] | null => {
  const m = /^v?(\d+)\.(\d+)\.(\d+)/.exec(v.trim());
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : null;
};

export function atLeast(version: string, min: readonly [number, number, number]): boolean {
  const v = parse(version);
  if (!v) return false;
  for (let i = 0; i < 3; i++) {
    const a = v[i] as number;
    const b = min[i] as number;
    if (a !== b) return a > b;
  }
  return true;
}

/**
 * Versions of what a sandbox will run: the bind-mounted node, and the python3 the sandbox's PATH
 * finds in the host's read-only /usr. Refuses a node older than MIN_NODE: tests would then fail
 * inside the generated project, where nobody would look for the cause.
 */
export async function probeRuntimes(nodeBin: string): Promise<Runtimes> {
  const node = await runQuiet([nodeBin, "--version"], 10_000);
  const nodeVersion = node.stdout.trim();
  if (node.code !== 0 || !parse(nodeVersion)) throw new Error(`SANDBOX_NODE_BIN ${nodeBin} does not run (exit ${node.code})`);
  if (!atLeast(nodeVersion, MIN_NODE)) {
    throw new Error(`SANDBOX_NODE_BIN ${nodeBin} is ${nodeVersion}; sandboxes need node >= ${MIN_NODE.join(".")} (node:sqlite)`);
  }
  const python3 = HOST_PATH_DIRS.map((d) => join(d, "python3")).find((p) => existsSync(p));
  if (!python3) throw new Error("python3 is not installed under /usr (the sandbox supervisor needs it)");
  const py = await runQuiet([python3, "--version"], 10_000);
  const pyVersion = /Python (\S+)/.exec(py.stdout)?.[1];
  if (py.code !== 0 || !pyVersion) throw new Error(`${python3} --version failed (exit ${py.code})`);
  return { node: nodeVersion, python: pyVersion };
}
