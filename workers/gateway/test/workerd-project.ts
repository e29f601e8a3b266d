import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import type { UserWorkspaceConfig } from "vitest/config";

export const ROOT = path.resolve(import.meta.dirname, "../../..");

type Inject = <K extends keyof import("vitest").ProvidedContext>(key: K) => import("vitest").ProvidedContext[K];

/**
 * A vitest project running the gateway Worker in workerd with its own wrangler config, the D1
 * migrations applied, and the bus Workers it binds to replaced by placeholders that answer 503
 * (these suites run tasks in-process, BUS_MODE=inline), so an accidental call fails loudly.
 */
export async function gatewayWorkerdProject(o: {
  name: string;
  include: string[];
  exclude?: string[];
  globalSetup: string;
  bindings: (inject: Inject) => Record<string, string>;
}): Promise<UserWorkspaceConfig & { root: string }> {
  const migrations = await readD1Migrations(path.join(ROOT, "migrations"));
  return {
    root: ROOT,
    plugins: [
      cloudflareTest(({ inject }) => ({
        wrangler: { configPath: path.join(ROOT, "wrangler.toml") },
        miniflare: {
          bindings: { TEST_MIGRATIONS: migrations, BUS_MODE: "inline", ...o.bindings(inject as Inject) },
          workers: ["proximus-dev-broker", "proximus-agents"].map((worker) => ({
            name: worker,
            modules: true,
            script: `export default { fetch() { return new Response("${worker} is not running in the ${o.name} suite", { status: 503 }); } };`,
          })),
        },
      })),
    ],
    test: {
      name: o.name,
      include: o.include,
      ...(o.exclude ? { exclude: o.exclude } : {}),
      setupFiles: ["workers/gateway/test/apply-migrations.ts"],
      globalSetup: [o.globalSetup],
      testTimeout: 30_000,
    },
  };
}
