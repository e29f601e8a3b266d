import type { Role } from "@proximus/contracts";
import { ceo } from "./ceo";
import { cto } from "./cto";
import { devops } from "./devops";
import { engineerBe, engineerFe } from "./engineer";
import { finance } from "./finance";
import { qa } from "./qa";
import type { RoleDefinition } from "./types";

/** Every role as data. The router reads `llm` for defaults; runTask reads the rest. */
export const ROLE_DEFINITIONS: Record<Role, RoleDefinition> = {
  ceo,
  cto,
  engineer_fe: engineerFe,
  engineer_be: engineerBe,
  qa,
  devops,
  finance,
};

export function roleDefinition(role: Role): RoleDefinition {
  return ROLE_DEFINITIONS[role];
}

export type { RoleDefinition, RoleOutcome, RoleRunContext, ProjectFile } from "./types";
