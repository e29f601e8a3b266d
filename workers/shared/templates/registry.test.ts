import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { GateProject } from "../gates/project";
import { routesOf } from "../gates/run";
import { checkDependencies } from "../toolchain/dependencies";
import { templateById, templateSummaries, TEMPLATES } from "./index";

const ROOT = new URL("../../../", import.meta.url);
const file = (t: (typeof TEMPLATES)[number], path: string) => t.files.find((f) => f.path === path)?.content ?? null;

describe("template registry", () => {
  it("embeds exactly what templates/ and toolchain/ hold (scripts/gen-templates.mjs --check)", () => {
    const r = spawnSync(process.execPath, ["scripts/gen-templates.mjs", "--check"], { cwd: ROOT, encoding: "utf8" });
    expect(r.status, r.stdout + r.stderr).toBe(0);
  });

  it("lists hono-d1-react for the CTO, without file contents", () => {
    expect(templateSummaries().map((t) => t.id)).toContain("hono-d1-react");
    expect(Object.keys(templateSummaries()[0] ?? {})).toEqual(["id", "title", "description"]);
    expect(templateById("no-such-template")).toBeNull();
  });

  for (const t of TEMPLATES) {
    describe(t.id, () => {
      it("declares exactly the toolchain layer's dependencies", () => {
        expect(checkDependencies(file(t, "package.json")).message).toBeNull();
      });

      it("carries the layer's lockfile, so `npm ci` installs the same tree on a fresh machine", () => {
        const layer = JSON.parse(readFileSync(new URL("toolchain/package-lock.json", ROOT), "utf8")) as {
          packages: Record<string, unknown>;
        };
        const lock = JSON.parse(file(t, "package-lock.json") ?? "null") as { name: string; packages: Record<string, { name?: string }> };
        const pkg = JSON.parse(file(t, "package.json") ?? "null") as { name: string };
        expect(lock.name).toBe(pkg.name);
        const { "": root, ...rest } = lock.packages;
        const { "": layerRoot, ...layerRest } = layer.packages;
        expect(rest).toEqual(layerRest);
        expect({ ...root, name: undefined, version: undefined }).toEqual({ ...(layerRoot as object), name: undefined, version: undefined });
      });

      it("has the scripts QA and users run, none using ls or stat (they fail under this gVisor build)", () => {
        const { scripts } = JSON.parse(file(t, "package.json") ?? "{}") as { scripts: Record<string, string> };
        expect(Object.keys(scripts)).toEqual(expect.arrayContaining(["test", "typecheck", "build", "deploy:dry"]));
        expect(scripts.test).toBe("vitest run");
        for (const s of Object.values(scripts)) expect(s).not.toMatch(/(^|[\s;&|(])(ls|stat)(\s|$)/);
      });

      it("names the files its gates need, and a valid routes manifest", () => {
        const gates = GateProject.parse(t.gates);
        for (const p of [...gates.tsconfigs, gates.wranglerConfig]) expect(file(t, p), p).not.toBeNull();
        if (gates.d1) expect(t.files.some((f) => f.path.startsWith(`${gates.d1?.migrationsDir}/`) && f.path.endsWith(".sql"))).toBe(true);
        expect(routesOf(t.files, gates)?.length).toBeGreaterThan(0);
      });
    });
  }
});
