import { describe, expect, it } from "vitest";
import type { Workspace } from "../workspace";

/**
 * What every Workspace must do, as tests any implementation can run: the in-memory one here, and
 * the R2 + ProjectDO one (call this from its workerd test with a factory for a fresh workspace).
 */
export function describeWorkspaceContract(name: string, fresh: (initial?: Record<string, string>) => Promise<Workspace>): void {
  describe(`Workspace contract: ${name}`, () => {
    it("starts at version 0 with its initial files and no changes", async () => {
      const ws = await fresh({ "a.js": "1", "src/b.js": "22" });
      expect(await ws.version()).toBe(0);
      expect(await ws.changesSince(0)).toEqual([]);
      expect(await ws.list()).toEqual([
        { path: "a.js", bytes: 1 },
        { path: "src/b.js", bytes: 2 },
      ]);
    });

    it("reads what was written, byte sizes in UTF-8, null for a missing file", async () => {
      const ws = await fresh();
      await ws.write("x/é.txt", "é€");
      expect(await ws.read("x/é.txt")).toBe("é€");
      expect(await ws.read("nope")).toBeNull();
      expect(await ws.list()).toEqual([{ path: "x/é.txt", bytes: 5 }]);
    });

    it("bumps the version by one per write or delete and reports changed paths once each, sorted", async () => {
      const ws = await fresh({ "a.js": "1" });
      await ws.write("b.js", "2");
      const v1 = await ws.version();
      await ws.write("a.js", "3");
      await ws.write("a.js", "4");
      expect(await ws.delete("b.js")).toBe(true);
      expect(await ws.delete("b.js")).toBe(false);
      expect(v1).toBe(1);
      expect(await ws.version()).toBe(4);
      expect(await ws.changesSince(v1)).toEqual(["a.js", "b.js"]);
      expect(await ws.changesSince(4)).toEqual([]);
      expect(await ws.snapshot()).toEqual([{ path: "a.js", content: "4" }]);
    });
  });
}
