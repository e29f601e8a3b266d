import { z } from "zod";

/** The agent roles of the seed design. Roles are data: their prompts and schemas live in workers/agents. */
export const ROLES = ["ceo", "cto", "engineer_fe", "engineer_be", "qa", "devops", "finance"] as const;
export const Role = z.enum(ROLES);
export type Role = z.infer<typeof Role>;

export const ROLE_LABELS: Record<Role, string> = {
  ceo: "CEO",
  cto: "CTO",
  engineer_fe: "Engineer (FE)",
  engineer_be: "Engineer (BE)",
  qa: "QA",
  devops: "DevOps",
  finance: "Finance",
};
