import { GATE_DIR, GATE_OUT } from "./driver";
import type { GateProject, SmokeRoute } from "./project";

export const SMOKE_CONFIG_PATH = `${GATE_DIR}/smoke.config.mts`;
export const SMOKE_TEST_PATH = `${GATE_DIR}/smoke.test.ts`;

/** Name of the smoke test of one route; the scorecard's failures carry it. */
export const smokeTestName = (r: SmokeRoute): string => `${r.method} ${r.path} answers ${r.status}`;

/**
 * The smoke run's files: the project's own Worker (its wrangler config, bindings and static assets)
 * started in workerd by @cloudflare/vitest-plugin with the D1 migrations applied, and one test per
 * route of the manifest calling it through `exports.default.fetch`, in manifest order.
 */
export function smokeFiles(project: GateProject, routes: SmokeRoute[]): { path: string; content: string }[] {
  const d1 = project.d1;
  const config = [
    `import { cloudflareTest${d1 ? ", readD1Migrations" : ""} } from "@cloudflare/vitest-plugin";`,
    `import { defineConfig } from "vitest/config";`,
    ``,
    `// Written by the smoke gate; not part of the project.`,
    `export default defineConfig(async () => ({`,
    `  cacheDir: ${JSON.stringify(`${GATE_OUT}/vite-cache`)},`,
    `  plugins: [`,
    `    cloudflareTest({`,
    `      wrangler: { configPath: ${JSON.stringify(`./${project.wranglerConfig}`)} },`,
    `      miniflare: { bindings: { PROXIMUS_SMOKE_MIGRATIONS: ${d1 ? `await readD1Migrations(${JSON.stringify(d1.migrationsDir)})` : "[]"} } },`,
    `    }),`,
    `  ],`,
    `  test: { include: [${JSON.stringify(SMOKE_TEST_PATH)}] },`,
    `}));`,
    ``,
  ].join("\n");
  const test = [
    d1 ? `import { applyD1Migrations } from "cloudflare:test";` : ``,
    `import { env, exports } from "cloudflare:workers";`,
    `import { beforeAll, describe, expect, it } from "vitest";`,
    ``,
    `const ROUTES = ${JSON.stringify(routes.map((r) => ({ ...r, name: smokeTestName(r) })))};`,
    `const bindings = env as unknown as Record<string, unknown>;`,
    ``,
    `beforeAll(async () => {`,
    d1
      ? `  await applyD1Migrations(bindings[${JSON.stringify(d1.binding)}] as D1Database, bindings.PROXIMUS_SMOKE_MIGRATIONS as never);`
      : ``,
    `});`,
    ``,
    `describe("smoke", () => {`,
    `  for (const r of ROUTES) {`,
    `    it(r.name, async () => {`,
    `      const init: RequestInit = { method: r.method };`,
    `      if ("body" in r) init.body = JSON.stringify(r.body), init.headers = { "content-type": "application/json" };`,
    `      const res = await exports.default.fetch(new Request("http://smoke.test" + r.path, init));`,
    `      const text = await res.text();`,
    `      expect(res.status, r.method + " " + r.path + " answered " + res.status + ": " + text.slice(0, 300)).toBe(r.status);`,
    `      if (r.contentType) expect(res.headers.get("content-type") ?? "", "content-type of " + r.path).toContain(r.contentType);`,
    `    });`,
    `  }`,
    `});`,
    ``,
  ].join("\n");
  return [
    { path: SMOKE_CONFIG_PATH, content: config },
    { path: SMOKE_TEST_PATH, content: test },
  ];
}
