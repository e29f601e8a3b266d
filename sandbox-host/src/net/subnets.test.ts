import { mkdir, writeFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { claimSubnet, releaseSubnetsOf } from "./subnets";

const root = process.getuid?.() === 0;

// A prefix no sandbox uses, so this test never competes with real runs on the machine.
const PREFIX = "10.239";

describe.skipIf(!root)("machine-wide subnet claims", () => {
  it("gives two claimants different subnets and reuses a released one", async () => {
    const a = await claimSubnet(PREFIX, "inst-a");
    const b = await claimSubnet(PREFIX, "inst-b");
    expect(a.index).not.toBe(b.index);
    await a.release();
    const c = await claimSubnet(PREFIX, "inst-c");
    expect(c.index).toBe(a.index);
    await b.release();
    await c.release();
  });

  it("takes over a lock whose owner process is gone, and a restarted instance frees its own", async () => {
    const first = await claimSubnet(PREFIX, "inst-x");
    await first.release();
    // A dead owner (pid 2^22 + 1 is above any pid_max default) holding the subnet a fresh claim would get.
    const dir = `/run/proximus-sandbox/subnets/${PREFIX}.${first.index}`;
    await mkdir(dir, { recursive: true });
    await writeFile(`${dir}/owner`, "4194305 inst-dead\n");
    const next = await claimSubnet(PREFIX, "inst-y");
    expect(next.index).toBe(first.index);
    await next.release();
    await mkdir(dir, { recursive: true });
    await writeFile(`${dir}/owner`, "4194305 inst-z\n");
    expect(await releaseSubnetsOf("inst-z")).toEqual([`${PREFIX}.${first.index}`]);
  });
});
