import { spawnSync } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  DriverPlan,
  GATE_COLLECT_PATH,
  GATE_COLLECT_SOURCE,
  GATE_DRIVER_PATH,
  GATE_OUT,
  GATE_PLAN_PATH,
  readDriverOutput,
  renderDriverScript,
} from "./driver";

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
  await rm(GATE_OUT, { recursive: true, force: true });
});

/** Runs the driver with the host's sh and node in a fresh directory, as the sandbox does in /work. */
async function drive(plan: DriverPlan, files: Record<string, string> = {}) {
  const cwd = await mkdtemp(join(tmpdir(), "gate-driver-"));
  dirs.push(cwd);
  await rm(GATE_OUT, { recursive: true, force: true });
  const all = {
    [GATE_DRIVER_PATH]: renderDriverScript(plan),
    [GATE_COLLECT_PATH]: GATE_COLLECT_SOURCE,
    [GATE_PLAN_PATH]: JSON.stringify(DriverPlan.parse(plan)),
    ...files,
  };
  for (const [p, content] of Object.entries(all)) {
    await mkdir(dirname(join(cwd, p)), { recursive: true });
    await writeFile(join(cwd, p), content);
  }
  const r = spawnSync("sh", [GATE_DRIVER_PATH], { cwd, encoding: "utf8" });
  return { exitCode: r.status, out: readDriverOutput(r.stdout) };
}

describe("the gate driver (sh + node collector)", () => {
  it("runs the steps with their arguments verbatim and reports each one's status, time and output", async () => {
    const tricky = `it's "quoted" $HOME \`x\` ; exit 3`;
    const { exitCode, out } = await drive({
      steps: [
        { name: "echo", argv: ["node", "-e", "console.log(process.argv[1]); console.error('to stderr')", tricky], continueOnFailure: true },
        { name: "fails", argv: ["node", "-e", "process.exit(4)"], continueOnFailure: true },
        { name: "last", argv: ["node", "-e", "console.log('ran')"] },
      ],
    });
    expect(exitCode).toBe(0);
    expect(out?.steps.map((s) => [s.name, s.exitCode, s.stdout, s.stderr])).toEqual([
      ["echo", 0, `${tricky}\n`, "to stderr\n"],
      ["fails", 4, "", ""],
      ["last", 0, "ran\n", ""],
    ]);
    for (const s of out?.steps ?? []) expect(s.durationMs).toBeGreaterThanOrEqual(0);
  });

  it("stops at a failed step unless it may continue, and marks a missing command", async () => {
    const { out } = await drive({
      steps: [
        { name: "missing", argv: ["no-such-tool-xyz"] },
        { name: "never", argv: ["node", "-e", "0"] },
      ],
    });
    expect(out?.steps).toHaveLength(1);
    expect(out?.steps[0]).toMatchObject({ name: "missing", exitCode: 127, error: "command not found" });
  });

  it("reads the reports the tools wrote and lists output directories with their sizes", async () => {
    const { out } = await drive(
      {
        steps: [{ name: "write", argv: ["node", "-e", `require('fs').writeFileSync('${GATE_OUT}/r.json', '{"ok":true}')`] }],
        reports: [`${GATE_OUT}/r.json`, `${GATE_OUT}/none.json`],
        listDirs: ["dist", "absent"],
      },
      { "dist/index.html": "<html></html>", "dist/assets/app.js": "x".repeat(1000) },
    );
    expect(out?.reports).toEqual({ [`${GATE_OUT}/r.json`]: '{"ok":true}', [`${GATE_OUT}/none.json`]: null });
    expect(out?.dirs.absent).toBeNull();
    expect(out?.dirs.dist?.sort((a, b) => a.path.localeCompare(b.path))).toEqual([
      { path: "assets/app.js", bytes: 1000 },
      { path: "index.html", bytes: 13 },
    ]);
  });

  it("keeps only the tail of a long output", async () => {
    const { out } = await drive({
      steps: [{ name: "loud", argv: ["node", "-e", "process.stdout.write('a'.repeat(5000) + 'END')"] }],
      outputTailChars: 100,
    });
    expect(out?.steps[0]?.stdout).toHaveLength(100);
    expect(out?.steps[0]?.stdout.endsWith("END")).toBe(true);
  });
});
