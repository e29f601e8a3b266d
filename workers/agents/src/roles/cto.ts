import { z } from "zod";
import { Summary, bullet, storeText, defaultLlm } from "./common";
import type { RoleDefinition } from "./types";

const SqlIdent = z.string().regex(/^[a-z][a-z0-9_]{0,62}$/, "SQL identifiers are snake_case");

export const Column = z.object({
  name: SqlIdent,
  type: z.enum(["INTEGER", "TEXT", "REAL", "BLOB"]),
  nullable: z.boolean(),
  primaryKey: z.boolean().default(false),
  references: z.object({ table: SqlIdent, column: SqlIdent }).optional(),
});
export type Column = z.infer<typeof Column>;

export const Table = z.object({
  name: SqlIdent,
  /** The PRD entity this table stores. */
  entity: z.string().min(1).max(64),
  columns: z.array(Column).min(1).max(60),
});
export type Table = z.infer<typeof Table>;

export const Architecture = z
  .object({
    summary: Summary,
    architecture: z.object({
      style: z.string().min(1).max(500),
      components: z
        .array(z.object({ name: z.string().min(1).max(200), responsibility: z.string().min(1).max(1000) }))
        .min(1)
        .max(20),
    }),
    stack: z.object({
      runtime: z.string().min(1).max(200),
      language: z.string().min(1).max(200),
      database: z.string().min(1).max(200),
      frontend: z.string().min(1).max(200),
      testing: z.string().min(1).max(200),
    }),
    dbSchema: z.object({ tables: z.array(Table).min(1).max(40) }),
    api: z
      .array(
        z.object({
          method: z.enum(["GET", "POST", "PUT", "PATCH", "DELETE"]),
          path: z.string().regex(/^\/[A-Za-z0-9_\-/:{}]*$/, "API paths start with '/'"),
          description: z.string().min(1).max(1000),
        }),
      )
      .min(1)
      .max(200),
  })
  .superRefine((a, ctx) => {
    // A schema whose foreign keys point nowhere would only fail later, in QA; reject it here.
    const tables = new Map(a.dbSchema.tables.map((t) => [t.name, new Set(t.columns.map((c) => c.name))]));
    a.dbSchema.tables.forEach((t, ti) => {
      if (!t.columns.some((c) => c.primaryKey)) {
        ctx.addIssue({ code: "custom", path: ["dbSchema", "tables", ti], message: `table ${t.name} has no primary key` });
      }
      t.columns.forEach((c, ci) => {
        if (c.references && !tables.get(c.references.table)?.has(c.references.column)) {
          ctx.addIssue({
            code: "custom",
            path: ["dbSchema", "tables", ti, "columns", ci, "references"],
            message: `${t.name}.${c.name} references unknown ${c.references.table}.${c.references.column}`,
          });
        }
      });
    });
  });
export type Architecture = z.infer<typeof Architecture>;

function architectureMarkdown(a: Architecture): string {
  const tables = a.dbSchema.tables.map(
    (t) =>
      `### ${t.name} (${t.entity})\n| column | type | null | key |\n|---|---|---|---|\n` +
      t.columns
        .map(
          (c) =>
            `| ${c.name} | ${c.type} | ${c.nullable ? "yes" : "no"} | ${c.primaryKey ? "PK" : c.references ? `→ ${c.references.table}.${c.references.column}` : ""} |`,
        )
        .join("\n"),
  );
  return [
    "# Architecture",
    "",
    a.summary,
    "",
    `Style: ${a.architecture.style}`,
    "",
    "## Components",
    bullet(a.architecture.components.map((c) => `**${c.name}**: ${c.responsibility}`)),
    "",
    "## Stack",
    bullet(Object.entries(a.stack).map(([k, v]) => `${k}: ${v}`)),
    "",
    "## Database",
    ...tables,
    "",
    "## API",
    bullet(a.api.map((e) => `\`${e.method} ${e.path}\` — ${e.description}`)),
    "",
  ].join("\n");
}

export const cto: RoleDefinition<Architecture> = {
  role: "cto",
  title: "Architecture, schema and stack",
  system:
    "You are the CTO. From the PRD, design the system: architecture style and components, the stack " +
    "(a Cloudflare Worker with D1 and a static frontend unless the PRD demands otherwise), the database schema " +
    "(snake_case tables and columns, SQLite types, every table with a primary key, foreign keys that point at real columns) " +
    "and the HTTP API endpoints.",
  schema: Architecture,
  llm: defaultLlm("cto"),
  async finish(output, ctx) {
    const md = await storeText(ctx, "docs/ARCHITECTURE.md", architectureMarkdown(output));
    return { ok: true, output, artifacts: [md] };
  },
};
