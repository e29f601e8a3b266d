import { z } from "zod";
import type { ArtifactRef, Role } from "@proximus/contracts";
import { parseJsonc, validateWranglerConfig } from "../devops-validate";
import { SafePath, Summary, defaultLlm } from "./common";
import type { RoleDefinition } from "./types";

export const MAX_FILE_CHARS = 200_000;

export const EngineerOutput = z
  .object({
    summary: Summary,
    files: z
      .array(z.object({ path: SafePath, content: z.string().max(MAX_FILE_CHARS) }))
      .min(1)
      .max(100),
  })
  .superRefine((o, ctx) => {
    const seen = new Set<string>();
    o.files.forEach((f, i) => {
      if (seen.has(f.path)) ctx.addIssue({ code: "custom", path: ["files", i, "path"], message: `duplicate file ${f.path}` });
      seen.add(f.path);
    });
  });
export type EngineerOutput = z.infer<typeof EngineerOutput>;

/** What downstream tasks see: file metadata only; contents live in the artifact store. */
export interface EngineerResult {
  summary: string;
  files: { path: string; bytes: number; sha256: string }[];
}

/** Config files are parsed for real before anything is stored; errors go back to the model in the repair turn. */
export function engineerFileErrors(o: EngineerOutput): string[] {
  const errors: string[] = [];
  for (const f of o.files) {
    const name = f.path.slice(f.path.lastIndexOf("/") + 1);
    if (name === "wrangler.jsonc" || name === "wrangler.json")
      errors.push(...validateWranglerConfig(f.content, "jsonc").map((e) => `${f.path}: ${e}`));
    else if (name === "wrangler.toml") errors.push(...validateWranglerConfig(f.content, "toml").map((e) => `${f.path}: ${e}`));
    else if (name.endsWith(".json")) {
      try {
        // tsconfig/jsconfig are JSONC to their tools; every other .json (package.json first) must be plain JSON.
        parseJsonc(f.content, { strict: !/^(ts|js)config(\..*)?\.json$/.test(name) });
      } catch (e) {
        errors.push(`${f.path}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  }
  const pkg = o.files.find((f) => f.path === "package.json");
  if (pkg && !errors.some((e) => e.startsWith("package.json:"))) {
    const scripts = (JSON.parse(pkg.content) as { scripts?: { test?: unknown } }).scripts;
    if (typeof scripts?.test !== "string") errors.push("package.json: scripts.test is required (QA runs the tests)");
  }
  return errors;
}

function engineerRole(role: Extract<Role, "engineer_fe" | "engineer_be">, title: string, system: string): RoleDefinition<EngineerOutput> {
  return {
    role,
    title,
    system,
    schema: EngineerOutput,
    llm: defaultLlm(role),
    check: engineerFileErrors,
    loop: {
      task: (ctx) =>
        [
          `Business idea: ${ctx.msg.idea}`,
          `Your part: ${title}. Build it in the project's workspace, following the PRD and the architecture below.`,
          ctx.msg.feedback
            ? `This is a fix round. What failed, in QA's or a person's words (read the files it names before you change them):\n${ctx.msg.feedback}`
            : "",
        ]
          .filter(Boolean)
          .join("\n\n"),
      documents: (ctx) =>
        Object.entries(ctx.msg.upstream)
          .filter(([id]) => id === "ceo" || id === "cto")
          .map(([id, out]) => ({ title: id === "ceo" ? "PRD (CEO)" : "Architecture (CTO)", content: JSON.stringify(out, null, 1) })),
    },
    async finish(output, ctx) {
      const artifacts: ArtifactRef[] = [];
      for (const f of output.files) artifacts.push(await ctx.deps.artifacts.put(f.path, f.content));
      ctx.deps.emit("tool", `stored ${artifacts.length} files`);
      const result: EngineerResult = {
        summary: output.summary,
        files: artifacts.map((a) => ({ path: a.path, bytes: a.bytes, sha256: a.sha256 })),
      };
      return { ok: true, output: result, artifacts };
    },
  };
}

const SHARED_RULES =
  "Work in the project's workspace with the tools: look at what is there (list_files, read_file, search), write complete files " +
  "(write_file) or change exact lines (edit_file) — never placeholders or elided code — run the tests (run) until they pass, then finish. " +
  "No npm dependencies: the tests run offline with Node 22 (`node --test`, `node:sqlite` is available). " +
  "When feedback lists failing tests, read the failing test and the code it exercises, fix the cause, and run the tests again.";

export const engineerBe = engineerRole(
  "engineer_be",
  "Backend (Worker + D1)",
  "You are the backend engineer. Implement the CTO's API as a Cloudflare Worker (`export default { fetch }`, plain JavaScript ES modules) " +
    "storing data in D1 through `env.DB.prepare(sql).bind(...).all()/first()/run()`. Include `migrations/0001_init.sql` implementing the CTO's schema, " +
    '`wrangler.jsonc` (name, main, compatibility_date, d1_databases binding DB), `package.json` with `"test": "node --test"`, and tests in `test/*.test.mjs` ' +
    "that call the Worker's fetch handler end to end against a D1-compatible adapter over `node:sqlite` applying the real migration. " +
    SHARED_RULES,
);

export const engineerFe = engineerRole(
  "engineer_fe",
  "Frontend (static UI)",
  "You are the frontend engineer. Build a static UI in `public/` (index.html, an ES-module API client and app script, styles) that calls the CTO's " +
    "JSON API with fetch: list, create, edit and delete every entity. Include unit tests in `test/*.test.mjs` for the API client using a fake fetch. " +
    SHARED_RULES,
);
