import { z } from "zod";
import { Summary, bullet, storeText, defaultLlm } from "./common";
import type { RoleDefinition } from "./types";

export const Prd = z.object({
  summary: Summary,
  problem: z.string().min(1).max(4000),
  users: z
    .array(z.object({ name: z.string().min(1).max(200), needs: z.array(z.string().min(1).max(500)).min(1).max(20) }))
    .min(1)
    .max(10),
  features: z
    .array(
      z.object({
        id: z.string().regex(/^F\d{1,3}$/, "feature ids look like F1, F2…"),
        name: z.string().min(1).max(200),
        description: z.string().min(1).max(2000),
        priority: z.enum(["must", "should", "could"]),
        acceptanceCriteria: z.array(z.string().min(1).max(500)).min(1).max(20),
      }),
    )
    .min(1)
    .max(30),
  entities: z
    .array(
      z.object({
        name: z.string().regex(/^[A-Z][A-Za-z0-9]{0,63}$/, "entity names are PascalCase"),
        description: z.string().min(1).max(1000),
      }),
    )
    .min(1)
    .max(20),
  nonGoals: z.array(z.string().min(1).max(500)).max(20).default([]),
});
export type Prd = z.infer<typeof Prd>;

function prdMarkdown(p: Prd): string {
  return [
    "# Product requirements",
    "",
    p.summary,
    "",
    "## Problem",
    p.problem,
    "",
    "## Users",
    ...p.users.map((u) => `### ${u.name}\n${bullet(u.needs)}`),
    "",
    "## Features",
    ...p.features.map(
      (f) => `### ${f.id} ${f.name} (${f.priority})\n${f.description}\n\nAcceptance criteria:\n${bullet(f.acceptanceCriteria)}`,
    ),
    "",
    "## Entities",
    bullet(p.entities.map((e) => `**${e.name}**: ${e.description}`)),
    ...(p.nonGoals.length ? ["", "## Non-goals", bullet(p.nonGoals)] : []),
    "",
  ].join("\n");
}

export const ceo: RoleDefinition<Prd> = {
  role: "ceo",
  title: "Product requirements",
  system:
    "You are the CEO of a small software company. Turn the business idea into a product requirements document: " +
    "the problem, the users and their needs, a prioritised feature list where every feature has testable acceptance criteria, " +
    "and the domain entities (PascalCase singular nouns) the product stores. Keep scope to what a first release can ship.",
  schema: Prd,
  llm: defaultLlm("ceo"),
  async finish(output, ctx) {
    const md = await storeText(ctx, "docs/PRD.md", prdMarkdown(output));
    return { ok: true, output, artifacts: [md] };
  },
};
