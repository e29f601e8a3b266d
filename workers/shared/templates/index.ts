import { z } from "zod";
import { GateProject } from "../gates/project";
import { TEMPLATE_SOURCES } from "./sources.generated";

/**
 * Project templates as data: the CTO picks one by id, the Engineers build on its files in the
 * workspace, QA runs the gates its `gates` entry describes. The files live in templates/<id>/ (a
 * real project you can `npm ci && npm test`) and are embedded by scripts/gen-templates.mjs.
 */
export const TemplateFile = z.object({ path: z.string().min(1), content: z.string() });
export const Template = z.object({
  id: z.string().regex(/^[a-z0-9-]+$/),
  title: z.string().min(1),
  description: z.string().min(1),
  gates: GateProject,
  files: z.array(TemplateFile).min(1),
});
export type Template = z.infer<typeof Template>;
export type TemplateSummary = Omit<Template, "files" | "gates">;

export const TEMPLATES: readonly Template[] = z.array(Template).parse(TEMPLATE_SOURCES);

/** What the CTO chooses from (no file contents). */
export const templateSummaries = (): TemplateSummary[] => TEMPLATES.map(({ id, title, description }) => ({ id, title, description }));

export const templateById = (id: string): Template | null => TEMPLATES.find((t) => t.id === id) ?? null;
