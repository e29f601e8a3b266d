import { describe, expect, it } from "vitest";
import { RunRequest } from "@proximus/contracts/sandbox";
import { GATE_COLLECT_PATH, GATE_DRIVER_PATH, GATE_PLAN_PATH } from "./driver";
import { GATE_ENV, gatePlans } from "./plan";
import { GateProject } from "./project";
import { gateRequest, routesOf } from "./run";
import { SMOKE_CONFIG_PATH, SMOKE_TEST_PATH } from "./smoke";

const project = GateProject.parse({ tsconfigs: ["tsconfig.json", "ui/tsconfig.json"] });
const routes = [{ method: "GET" as const, path: "/api/health", status: 200 }];

describe("gate plans and requests", () => {
  it("plans typecheck over every tsconfig, tests, UI build, dry run and smoke, in that order", () => {
    const plans = gatePlans(project, routes);
    expect(plans.map((p) => p.gate)).toEqual(["typecheck", "tests", "ui_build", "deploy_dry_run", "smoke"]);
    expect(plans[0]?.plan.steps.map((s) => s.argv)).toEqual([
      ["tsc", "--noEmit", "--pretty", "false", "-p", "tsconfig.json"],
      ["tsc", "--noEmit", "--pretty", "false", "-p", "ui/tsconfig.json"],
    ]);
    expect(gatePlans(GateProject.parse({ ui: null }), null).map((p) => p.gate)).toEqual(["typecheck", "tests", "deploy_dry_run"]);
  });

  it("sends the workspace with the driver, its plan and the smoke files, never node_modules", () => {
    const smoke = gatePlans(project, routes).find((p) => p.gate === "smoke");
    if (!smoke) throw new Error("no smoke plan");
    const req = RunRequest.parse(
      gateRequest(
        [
          { path: "src/index.ts", content: "export {}" },
          { path: "node_modules/hono/index.js", content: "" },
        ],
        smoke,
      ),
    );
    expect(req.files.map((f) => f.path)).toEqual([
      "src/index.ts",
      GATE_DRIVER_PATH,
      GATE_COLLECT_PATH,
      GATE_PLAN_PATH,
      SMOKE_CONFIG_PATH,
      SMOKE_TEST_PATH,
    ]);
    expect(req.command).toEqual(["sh", GATE_DRIVER_PATH]);
    expect(req.env).toEqual(GATE_ENV);
    const test = req.files.find((f) => f.path === SMOKE_TEST_PATH)?.content ?? "";
    expect(test).toContain('"name":"GET /api/health answers 200"');
    expect(test).toContain('applyD1Migrations(bindings["DB"]');
  });

  it("reads the routes manifest, and runs no smoke gate without a valid one", () => {
    const manifest = (content: string) => [{ path: "routes.json", content }];
    expect(routesOf(manifest(JSON.stringify({ routes })), project)).toEqual(routes);
    expect(routesOf(manifest(JSON.stringify({ routes: [{ method: "GET", path: "no-slash", status: 200 }] })), project)).toBeNull();
    expect(routesOf(manifest("{"), project)).toBeNull();
    expect(routesOf([], project)).toBeNull();
  });
});
