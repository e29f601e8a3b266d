import type { GateId } from "@proximus/contracts/scorecard";
import { GATE_OUT, type DriverPlan } from "./driver";
import type { GateProject, SmokeRoute } from "./project";
import { SMOKE_CONFIG_PATH, smokeFiles } from "./smoke";

export const TESTS_REPORT = `${GATE_OUT}/vitest.json`;
export const SMOKE_REPORT = `${GATE_OUT}/smoke.json`;
export const WRANGLER_OUTPUT = `${GATE_OUT}/wrangler.ndjson`;
export const WORKER_OUTDIR = `${GATE_OUT}/dist-worker`;

/**
 * Environment of every gate run. One CPU per sandbox, so small thread pools (node, esbuild's Go,
 * rolldown's Rust) cost nothing in speed, and under gVisor-ptrace every thread is a host task of the
 * sandbox's process limit (vitest + workerd peaked at ~125 with them). NO_COLOR: messages without ANSI.
 */
export const GATE_ENV: Record<string, string> = {
  UV_THREADPOOL_SIZE: "1",
  GOMAXPROCS: "1",
  RAYON_NUM_THREADS: "1",
  TOKIO_WORKER_THREADS: "1",
  NODE_OPTIONS: "--v8-pool-size=1",
  CI: "1",
  NO_COLOR: "1",
  FORCE_COLOR: "0",
  WRANGLER_SEND_METRICS: "false",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  WRANGLER_OUTPUT_FILE_PATH: WRANGLER_OUTPUT,
};

/** Names of each gate's own step; any other step of a plan prepares it (the UI build). */
export const MAIN_STEP = { tests: "vitest run", smoke: "smoke: vitest run", deploy: "wrangler deploy --dry-run" } as const;

export type GatePlan = { gate: GateId; plan: DriverPlan; extraFiles: { path: string; content: string }[] };

const uiBuild = { name: "vite build", argv: ["vite", "build", "--logLevel", "warn"] };

/** The gates that apply to a project, in the order QA runs them. Smoke needs the routes manifest. */
export function gatePlans(project: GateProject, routes: SmokeRoute[] | null): GatePlan[] {
  const plans: GatePlan[] = [
    {
      gate: "typecheck",
      plan: {
        steps: project.tsconfigs.map((p) => ({
          name: `tsc -p ${p}`,
          argv: ["tsc", "--noEmit", "--pretty", "false", "-p", p],
          continueOnFailure: true,
        })),
      },
      extraFiles: [],
    },
    {
      gate: "tests",
      plan: {
        steps: [
          { name: MAIN_STEP.tests, argv: ["vitest", "run", "--includeTaskLocation", "--reporter=json", `--outputFile=${TESTS_REPORT}`] },
        ],
        reports: [TESTS_REPORT],
      },
      extraFiles: [],
    },
  ];
  if (project.ui) {
    plans.push({ gate: "ui_build", plan: { steps: [uiBuild], listDirs: [project.ui.outDir] }, extraFiles: [] });
  }
  // Exactly what a fresh checkout gets from `npx wrangler deploy --dry-run`: the project's wrangler
  // config must build its UI itself (a custom `build` command), or the missing assets directory fails it.
  plans.push({
    gate: "deploy_dry_run",
    plan: {
      steps: [
        { name: MAIN_STEP.deploy, argv: ["wrangler", "deploy", "--dry-run", "--outdir", WORKER_OUTDIR, "-c", project.wranglerConfig] },
      ],
      reports: [WRANGLER_OUTPUT],
      listDirs: [WORKER_OUTDIR],
    },
    extraFiles: [],
  });
  // The smoke run serves the UI's index from the built assets.
  const prep = project.ui ? [uiBuild] : [];
  if (routes) {
    plans.push({
      gate: "smoke",
      plan: {
        steps: [
          ...prep,
          {
            name: MAIN_STEP.smoke,
            argv: ["vitest", "run", "-c", SMOKE_CONFIG_PATH, "--includeTaskLocation", "--reporter=json", `--outputFile=${SMOKE_REPORT}`],
          },
        ],
        reports: [SMOKE_REPORT],
      },
      extraFiles: smokeFiles(project, routes),
    });
  }
  return plans;
}
