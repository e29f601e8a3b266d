import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { checkDependencies, LAYER_PACKAGES } from "./dependencies";

const layerPkg = JSON.parse(readFileSync(new URL("../../../toolchain/package.json", import.meta.url), "utf8")) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
const project = (edit: (p: typeof layerPkg) => void = () => undefined) => {
  const p = structuredClone({ name: "app", ...layerPkg });
  edit(p);
  return p;
};

describe("checkDependencies", () => {
  it("knows every package of the layer at its pinned version", () => {
    const names = LAYER_PACKAGES.map((p) => p.name);
    for (const n of [
      "hono",
      "zod",
      "drizzle-orm",
      "typescript",
      "vitest",
      "@cloudflare/vitest-plugin",
      "wrangler",
      "@cloudflare/workers-types",
      "react",
      "react-dom",
      "vite",
      "@vitejs/plugin-react",
    ])
      expect(names).toContain(n);
    expect(LAYER_PACKAGES.find((p) => p.name === "hono")).toEqual({ name: "hono", version: layerPkg.dependencies.hono, dev: false });
  });

  it("accepts a package.json that declares the layer, as object or text", () => {
    expect(checkDependencies(project())).toMatchObject({ ok: true, problems: [], message: null });
    expect(checkDependencies(JSON.stringify(project())).ok).toBe(true);
  });

  it("refuses a package outside the layer and lists what is available", () => {
    const r = checkDependencies(project((p) => (p.dependencies.express = "^5.0.0")));
    expect(r.ok).toBe(false);
    expect(r.problems).toEqual([{ kind: "not_available", name: "express", requested: "^5.0.0" }]);
    expect(r.message).toContain('"express" is not in the toolchain layer');
    expect(r.message).toContain(`Available: `);
    expect(r.message).toContain(`hono@${layerPkg.dependencies.hono}`);
    expect(r.message).toContain(`vitest@${layerPkg.devDependencies.vitest} (dev)`);
  });

  it("refuses another version of a layer package and a removed one", () => {
    const r = checkDependencies(
      project((p) => {
        p.dependencies.hono = "^4.0.0";
        delete p.dependencies.zod;
      }),
    );
    expect(r.problems).toEqual([
      { kind: "wrong_version", name: "hono", requested: "^4.0.0", available: layerPkg.dependencies.hono },
      { kind: "missing", name: "zod", version: layerPkg.dependencies.zod },
    ]);
  });

  it("explains a package.json it cannot read", () => {
    expect(checkDependencies("{ nope").message).toMatch(/^package.json is not valid JSON/);
    expect(checkDependencies({ dependencies: { hono: 4 } }).message).toMatch(/^package.json: dependencies.hono/);
  });
});
