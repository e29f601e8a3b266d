import { z } from "zod";

/** What the gates need to know about a generated project; a template's registry entry carries it. */
export const GateProject = z.object({
  /** Every TypeScript program of the project; typecheck runs `tsc --noEmit` on each. */
  tsconfigs: z.array(z.string()).min(1).default(["tsconfig.json"]),
  wranglerConfig: z.string().default("wrangler.jsonc"),
  /** The React (Vite) UI: `vite build` writes outDir, which wrangler serves as static assets. null: no UI. */
  ui: z.object({ outDir: z.string() }).nullable().default({ outDir: "dist" }),
  /** The D1 binding whose migrations the smoke run applies first. null: no database. */
  d1: z
    .object({ binding: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), migrationsDir: z.string() })
    .nullable()
    .default({ binding: "DB", migrationsDir: "migrations" }),
  /** Workspace path of the routes manifest (`RoutesManifest`) the smoke run calls. */
  routesManifest: z.string().default("routes.json"),
});
export type GateProject = z.infer<typeof GateProject>;
export type GateProjectInput = z.input<typeof GateProject>;

/** One route of the architecture and how it must answer in the smoke run. */
export const SmokeRoute = z.object({
  method: z.enum(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]),
  path: z.string().startsWith("/"),
  body: z.unknown().optional(),
  status: z.number().int().min(100).max(599),
  /** A substring the content-type must contain, e.g. "text/html" for the UI's index. */
  contentType: z.string().optional(),
});
export type SmokeRoute = z.infer<typeof SmokeRoute>;

export const RoutesManifest = z.object({ routes: z.array(SmokeRoute).min(1) });
export type RoutesManifest = z.infer<typeof RoutesManifest>;
