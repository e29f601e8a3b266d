import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const SCRIPT = path.resolve(import.meta.dirname, "system-deps.sh");

/**
 * A PATH holding only the tools named, so the packages behind runsc, python3, bwrap and chromium
 * look missing. nft, ip and sysctl are still found in /usr/sbin (the script looks there on purpose).
 */
const bare = mkdtempSync(path.join(tmpdir(), "system-deps-path-"));
const withApt = mkdtempSync(path.join(tmpdir(), "system-deps-path-apt-"));
for (const dir of [bare, withApt]) {
  chmodSync(dir, 0o755); // nobody must be able to run what is on its PATH
  for (const tool of ["bash", "id"]) symlinkSync(`/usr/bin/${tool}`, path.join(dir, tool));
}
symlinkSync("/usr/bin/apt-get", path.join(withApt, "apt-get"));
afterAll(() => {
  rmSync(bare, { recursive: true, force: true });
  rmSync(withApt, { recursive: true, force: true });
});

/** Runs the real script; `asNobody` drops to uid 65534 for real (setpriv), as a non-root user would run it. */
function systemDeps(args: string[], opts: { PATH?: string; asNobody?: boolean } = {}) {
  const argv = ["/usr/bin/bash", SCRIPT, ...args];
  const cmd = opts.asNobody ? ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", ...argv] : argv;
  const r = spawnSync(cmd[0]!, cmd.slice(1), { encoding: "utf8", env: { PATH: opts.PATH ?? process.env.PATH ?? "" } });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

describe("scripts/system-deps.sh", () => {
  it("has nothing to do on a machine that has it all (this one), in either profile", () => {
    expect(systemDeps(["dev"])).toEqual({ code: 0, out: "" });
    expect(systemDeps(["test"])).toEqual({ code: 0, out: "" });
  });

  it("dev does not ask for a browser; test does", () => {
    const dev = systemDeps(["dev"], { PATH: withApt, asNobody: true });
    expect(dev.code).toBe(1);
    expect(dev.out).toContain("sudo apt-get update && sudo apt-get install -y runsc python3 bubblewrap\n");
    expect(dev.out).not.toContain("chromium");
    const test = systemDeps(["test"], { PATH: withApt, asNobody: true });
    expect(test.out).toContain("sudo apt-get install -y runsc python3 bubblewrap chromium\n");
    // No profile is the test profile (what .ci/run and older callers mean).
    expect(systemDeps([], { PATH: withApt, asNobody: true }).out).toContain("chromium");
  });

  it("without apt says what is missing and where to get gVisor, installing nothing", () => {
    const r = systemDeps(["dev"], { PATH: bare });
    expect(r.code).toBe(1);
    expect(r.out).toContain("missing: runsc python3 bubblewrap — there is no apt-get here");
    expect(r.out).toContain("https://gvisor.dev/docs/user_guide/install/");
  });

  it("refuses an unknown profile", () => {
    expect(systemDeps(["prod"]).code).toBe(64);
  });
});
