import { spawnSync } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import type { ProjectFile } from "../roles/types";
import { backendFiles } from "./backend";
import { projectSlug } from "./entities";
import { frontendFiles } from "./frontend";
import { dataModel } from "./model";

// The generated projects need Node ≥ 22.13 (node:sqlite unflagged); the repo pins it as an npm package.
const NODE22 = resolve(fileURLToPath(new URL("../../../../", import.meta.url)), "node_modules/node/bin/node");
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function project(idea: string): ProjectFile[] {
  const model = dataModel(idea, {});
  return [...backendFiles(model, projectSlug(idea)), ...frontendFiles(model, projectSlug(idea))];
}

function runTests(files: ProjectFile[]): { status: number | null; out: string } {
  const dir = mkdtempSync(join(tmpdir(), "proximus-gen-"));
  dirs.push(dir);
  for (const f of files) {
    mkdirSync(dirname(join(dir, f.path)), { recursive: true });
    writeFileSync(join(dir, f.path), f.content);
  }
  const r = spawnSync(NODE22, ["--test", "--test-reporter=tap"], { cwd: dir, encoding: "utf8", timeout: 30_000 });
  return { status: r.status, out: `${r.stdout}\n${r.stderr}` };
}

function replaceIn(files: ProjectFile[], path: string, from: string | RegExp, to: string): ProjectFile[] {
  return files.map((f) => {
    if (f.path !== path) return f;
    const content = f.content.replace(from, to);
    expect(content, `mutation of ${path} must change it`).not.toBe(f.content);
    return { ...f, content };
  });
}

describe("the offline engineers' generated project", () => {
  it("really passes its own tests with Node 22 for the dog-groomer idea", () => {
    const files = project("a booking app for dog groomers");
    expect(files.map((f) => f.path)).toEqual(
      expect.arrayContaining([
        "src/index.js",
        "migrations/0001_init.sql",
        "wrangler.jsonc",
        "package.json",
        "test/api.test.mjs",
        "public/index.html",
        "public/api.js",
      ]),
    );
    expect(JSON.parse(files.find((f) => f.path === "package.json")!.content).scripts.test).toBe("node --test");
    const r = runTests(files);
    expect(r.status, r.out).toBe(0);
    expect(r.out).toMatch(/^# fail 0$/m);
    // 4 tables × (crud + validation) + 1 FK test + 2 global + FE: 1 + 4 + 1.
    expect(Number(/^# pass (\d+)$/m.exec(r.out)?.[1])).toBeGreaterThanOrEqual(15);
    expect(r.out).toContain("bookings: foreign keys are enforced");
  });

  it.each(["A marketplace for handmade jewelry where artisans sell to collectors", "track invoices and expenses for freelancers"])(
    "passes for %s",
    (idea) => {
      const r = runTests(project(idea));
      expect(r.status, r.out).toBe(0);
      expect(r.out).toMatch(/^# fail 0$/m);
    },
  );

  it("fails when the migration drops a column the Worker writes", () => {
    const files = replaceIn(project("a booking app for dog groomers"), "migrations/0001_init.sql", /^\s+notes TEXT,\n/m, "");
    const r = runTests(files);
    expect(r.status).not.toBe(0);
    expect(Number(/^# fail (\d+)$/m.exec(r.out)?.[1])).toBeGreaterThan(0);
  });

  it("fails when the Worker stops enforcing validation", () => {
    const files = replaceIn(
      project("a booking app for dog groomers"),
      "src/index.js",
      'if (column.required && !partial) errors.push({ field: name, message: "required" });',
      "",
    );
    const r = runTests(files);
    expect(r.status).not.toBe(0);
    expect(r.out).toMatch(/not ok \d+ - \w+: rejects invalid input/);
  });

  it("fails when DELETE does not delete", () => {
    const files = replaceIn(
      project("a booking app for dog groomers"),
      "src/index.js",
      '"DELETE FROM " + r.table + " WHERE " + r.pk + " = ?"',
      '"SELECT 1 WHERE 0 = ?"',
    );
    const r = runTests(files);
    expect(r.status).not.toBe(0);
  });
});
